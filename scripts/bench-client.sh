#!/usr/bin/env bash
# Client speed in headless Chromium: cnimap against a plain MapLibre page loading
# lsoa21_bsc.geojson (tests/perf/client.mjs). Writes the "## Client speed (browser)" section of
# BENCHMARKS.md and target/bench/client.json. Extra arguments go to the harness
# (--runs N, --warm N, --no-write).
# Needs: dist/ (scripts/build-web.sh), target/release/cnimap (cargo build --release -p cnimap-server),
# node_modules (playwright-core, maplibre-gl), Chromium (CHROMIUM, default /usr/bin/chromium).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
bin="${CNIMAP_BIN:-$repo/target/release/cnimap}"
missing=0
[[ -f dist/index.html ]] || { echo "bench-client: dist/index.html missing: run scripts/build-web.sh" >&2; missing=1; }
[[ -x "$bin" ]] || { echo "bench-client: $bin missing: run cargo build --release -p cnimap-server" >&2; missing=1; }
[[ -d node_modules/playwright-core && -f node_modules/maplibre-gl/dist/maplibre-gl.js ]] \
  || { echo "bench-client: node_modules incomplete (playwright-core, maplibre-gl): run npm ci" >&2; missing=1; }
[[ -x "${CHROMIUM:-/usr/bin/chromium}" ]] || { echo "bench-client: Chromium not found at ${CHROMIUM:-/usr/bin/chromium}" >&2; missing=1; }
(( missing == 0 )) || exit 1
# The harness bounds every wait itself; this outer limit only guards against a hung browser.
exec timeout --kill-after=30 1800 node tests/perf/client.mjs "$@"
