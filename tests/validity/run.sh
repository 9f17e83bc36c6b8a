#!/usr/bin/env bash
# The independent validity check of the vector tiles (make test): the validity_tiles example cuts a
# sample of tiles of every tiled layer at every zoom into a temporary directory, then
# check_tiles.py decodes them with mapbox-vector-tile and checks them with shapely/GEOS (validity,
# winding, overlap, coverage against the raw boundaries). Needs the venv scripts/setup.sh makes.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=.cache/validity-venv
[ -x "$venv/bin/python" ] || { echo "validity: ERROR: no $venv: run scripts/setup.sh" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cargo run -q --release -p cnimap-tiles --example validity_tiles -- "$out"
"$venv/bin/python" tests/validity/check_tiles.py sample "$out"
