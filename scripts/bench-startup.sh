#!/usr/bin/env bash
# Start-up of cnimap serve from a prepared build against serving from the data (issue 10), in one
# run on one machine: `serve --data` with an empty build cache (the default path: it prepares the
# build into the cache, with progress, then serves it), again (inputs unchanged: the cached build),
# `serve --build` on that same build, and `serve --data --no-cache` (the data read and prepared in
# memory): time to the first 200 (GET /api/indicators), time until a search answers (the index is
# read in the background from a build), and peak resident memory (VmHWM) after warming the tile
# cache with WARM_TILES tiles; the load average before each start; the build's size per part.
# Figures go to BENCHMARKS.md ("Start-up from a prepared build").
#
#   scripts/bench-startup.sh [BINARY]     (default: target/release/cnimap, built if missing)
#
# Environment: CNIMAP_DATA (default <repo>/../shared/data), CNIMAP_BENCH_PORT (18788),
# WARM_TILES (3000), BENCH_WORK (a temporary folder; builds are large: about 1 GB each),
# BENCH_BUILD (a build to start from instead of preparing one; the empty-cache start is then
# skipped, so the run takes a minute rather than ten), STARTS (2: starts of each other kind).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DATA="${CNIMAP_DATA:-$ROOT/../shared/data}"
PORT="${CNIMAP_BENCH_PORT:-18788}"
ADDR="127.0.0.1:$PORT"
WARM="${WARM_TILES:-3000}"
BIN="${1:-${CARGO_TARGET_DIR:-$ROOT/target}/release/cnimap}"
WORK="${BENCH_WORK:-$(mktemp -d)}"
PID=""
mkdir -p "$WORK"

die() { echo "bench-startup: $*" >&2; exit 1; }
[ -d "$DATA" ] || die "no data at $DATA: set CNIMAP_DATA"
[ -x "$BIN" ] || cargo build --release -p cnimap-server >&2
command -v curl >/dev/null || die "curl is needed"

stop() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=""; fi
}
trap 'stop; [ -z "${BENCH_WORK:-}" ] && rm -rf "$WORK"' EXIT

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# Runs `cnimap serve ARGS...`, prints "first-200-ms search-ms peak-rss-MB(after warming)".
serve() {
  local t0 first search rss
  t0=$(date +%s%N)
  RUST_LOG=warn "$BIN" serve --addr "$ADDR" --static-dir "$WORK/no-dist" "$@" >"$WORK/serve.log" 2>&1 &
  PID=$!
  until curl -sf -o /dev/null "http://$ADDR/api/indicators"; do
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; die "serve stopped"; }
    sleep 0.01
  done
  first=$(ms "$t0")
  curl -sf -o /dev/null "http://$ADDR/api/search?q=CO15%202EQ" || die "search failed"
  search=$(ms "$t0")
  python3 - "$ADDR" "$WARM" <<'PY'
import http.client, math, random, sys
host, port = sys.argv[1].split(':'); n = int(sys.argv[2])
cities = [(-0.1276, 51.5072), (-1.8904, 52.4862), (-2.2426, 53.4808), (-1.5491, 53.8008),
          (-2.9916, 53.4084), (-1.6178, 54.9783), (-2.5879, 51.4545), (1.1550, 51.7890),
          (-1.1581, 52.9548), (-4.1427, 50.3755)]
def tile(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y
paths = []
for layer in ['lsoa21', 'lsoa11', 'ward17', 'lad24', 'region']:
    for z in range(6, 15):
        for lon, lat in cities:
            x0, y0 = tile(lon, lat, z)
            for dx in range(-2, 3):
                for dy in range(-2, 2):
                    paths.append(f'/tiles/{layer}/{z}/{x0 + dx}/{y0 + dy}.mvt')
random.Random(10).shuffle(paths)
c = http.client.HTTPConnection(host, int(port))
bad = 0
for p in paths[:n]:
    c.request('GET', p, headers={'Accept-Encoding': 'gzip'})
    r = c.getresponse(); r.read()
    bad += r.status not in (200, 204)
if bad: sys.exit(f'{bad} tile requests failed')
PY
  rss=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/$PID/status")
  stop
  echo "first 200 ${first} ms, search ${search} ms, peak RSS ${rss} MB"
}

STARTS="${STARTS:-2}"
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "load average at the start: $(load)"
echo "== serve (first 200, first search answer, peak RSS after $WARM tile requests)" >&2
if [ -n "${BENCH_BUILD:-}" ]; then
  BUILD="$BENCH_BUILD"
  echo "build: $BUILD (given; not prepared in this run)"
else
  CACHE="$WORK/cache"
  rm -rf "$CACHE"
  echo "serve --data, empty cache (prepares), load $(load): $(serve --data "$DATA" --cache "$CACHE")"
  BUILD="$(dirname "$(ls -d "$CACHE"/*/manifest.json | head -n1)")"
  echo "build size per part (bytes of files, files):"
  for part in tiles api/areas search manifest.json; do
    printf '  %-12s %12s bytes %8s files\n' "$part" \
      "$(find "$BUILD/$part" -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')" \
      "$(find "$BUILD/$part" -type f | wc -l)"
  done
  printf '  %-12s %12s bytes %8s files\n' "api (docs)" \
    "$(find "$BUILD/api" -path '*/areas' -prune -o -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}')" \
    "$(find "$BUILD/api" -path '*/areas' -prune -o -type f -print | wc -l)"
  echo "  on disk: $(du -sh "$BUILD" | cut -f1)"
fi
for i in $(seq "$STARTS"); do
  if [ -n "${CACHE:-}" ]; then
    echo "serve --data, cached build, start $i, load $(load): $(serve --data "$DATA" --cache "$CACHE")"
  fi
  echo "serve --build, start $i, load $(load):             $(serve --build "$BUILD")"
  echo "serve --data --no-cache, start $i, load $(load):   $(serve --data "$DATA" --no-cache)"
done
echo "load average at the end: $(load)"
