#!/usr/bin/env bash
# Benchmark, not a test: export the whole lsoa21 layer to PMTiles with `cnimap export-tiles` (as the
# server cuts it, from the repaired boundaries), then check every tile of the archive with
# check_tiles.py sweep (validity, winding, overlap), printing counts per zoom and the time taken.
#   bash tests/validity/sweep.sh [LAYER] [ARCHIVE]     (data: $CNIMAP_DATA, default ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/../.."
layer="${1:-lsoa21}"
archive="${2:-$(mktemp -d)/$layer.pmtiles}"
data="${CNIMAP_DATA:-$(cd .. && pwd)/shared/data}"
venv=.cache/validity-venv
[ -x "$venv/bin/python" ] || { echo "sweep: ERROR: no $venv: run scripts/setup.sh" >&2; exit 1; }
cargo build -q --release -p cnimap-server
bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/cnimap"
start=$(date +%s%N)
"$bin" export-tiles --data "$data" --layer "$layer" --out "$archive"
echo "export of $layer: $(( ($(date +%s%N) - start) / 1000000 )) ms, $(stat -c %s "$archive") bytes"
"$venv/bin/python" tests/validity/check_tiles.py sweep "$archive"
