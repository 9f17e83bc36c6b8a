#!/usr/bin/env bash
# Benchmarks for cnimap serve, on loopback only. Figures go to BENCHMARKS.md by hand; each run's
# output is kept in target/bench/.
#
#   scripts/bench.sh serve   start-up time, tiles/s and p50/p99 per zoom (cold and warm), tile
#                            sizes per zoom, peak RSS
#   scripts/bench.sh load    256 connections for 60 s on a realistic mix; per-endpoint p50/p99,
#                            errors, peak RSS
#   scripts/bench.sh fuzz    the generated bad-input tests with 100,000 cases each
#   scripts/bench.sh cut     the criterion tile-cutting bench (crates/cnimap-tiles/benches)
#   scripts/bench.sh client  the browser harness (scripts/bench-client.sh: needs dist/ built)
#   scripts/bench.sh all     all of the above (the default): the one command behind BENCHMARKS.md
#
# Environment: CNIMAP_DATA (default <repo>/../shared/data), CNIMAP_BENCH_PORT (default 18787),
# LOAD_SECONDS (60), LOAD_CONNECTIONS (256), WRK_SECONDS (10), CNIMAP_FUZZ_CASES (100000).
# Needs curl, wrk (apt-get install wrk) and python3 (to sample real search queries).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DATA="${CNIMAP_DATA:-$ROOT/../shared/data}"
PORT="${CNIMAP_BENCH_PORT:-18787}"
ADDR="127.0.0.1:$PORT"
OUT="$ROOT/target/bench"
WORK="$(mktemp -d)"
SERVER_PID=""
mkdir -p "$OUT"

die() { echo "bench: $*" >&2; exit 1; }
[ -d "$DATA" ] || die "no data at $DATA: set CNIMAP_DATA"
command -v curl >/dev/null || die "curl is needed"

cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT

build() {
  echo "== building (release)" >&2
  cargo build --release -p cnimap-server >&2
  cargo bench -p cnimap-server --bench load --no-run >&2 2>"$WORK/bench-build.log" || {
    cat "$WORK/bench-build.log" >&2
    die "cannot build the load generator"
  }
  LOADGEN="$(grep -o 'target/release/deps/load-[0-9a-f]*' "$WORK/bench-build.log" | tail -1)"
  [ -x "$LOADGEN" ] || die "load generator not found in cargo's output"
}

# Starts the server, waits for the first 200 from /api/health and prints the start-up time.
start_server() {
  if curl -s -o /dev/null "http://$ADDR/api/health"; then
    die "something already listens on $ADDR: set CNIMAP_BENCH_PORT"
  fi
  local t0 t1
  t0=$(date +%s%N)
  RUST_LOG=warn target/release/cnimap serve --data "$DATA" --no-cache --addr "$ADDR" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  until curl -sf -o /dev/null "http://$ADDR/api/health"; do
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; die "the server stopped"; }
    [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt 300 ] || die "no answer after 300 s"
    sleep 0.05
  done
  t1=$(date +%s%N)
  STARTUP_MS=$(( (t1 - t0) / 1000000 ))
  echo "start-up (process start to first 200 from /api/health): ${STARTUP_MS} ms"
  echo "RSS when ready: $(grep VmRSS /proc/$SERVER_PID/status | awk '{print $2, $3}')"
}

# Prints peak RSS (VmHWM) and stops the server it started.
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "peak RSS (VmHWM): $(grep VmHWM /proc/$SERVER_PID/status | awk '{printf "%.0f MiB (%s kB)", $2/1024, $2}')"
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

machine() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/{print $2}') GiB RAM; load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ); commit $(git rev-parse --short HEAD)"
}

# One wrk run per zoom over the tile list the load generator wrote (all cache hits by then).
wrk_zoom() {
  local z=$1 secs=${WRK_SECONDS:-10} log="$WORK/wrk_z$1.txt"
  PATHS="$WORK/tiles_z$z.txt" wrk -t2 -c64 -d"${secs}s" --latency -s scripts/load/paths.lua "http://$ADDR" >"$log" 2>&1
  local rps p50 p99 bad sock
  rps=$(awk '/Requests\/sec/{print $2}' "$log")
  p50=$(awk '/^p50_ms/{print $2}' "$log")
  p99=$(awk '/^p99_ms/{print $2}' "$log")
  bad=$(awk '/^bad_status/{print $2}' "$log")
  sock=$(grep -o 'Socket errors:.*' "$log" || echo "none")
  echo "| z$z | $(wc -l <"$WORK/tiles_z$z.txt") | ${rps%.*} | $p50 | $p99 | $bad | $sock |"
}

serve() {
  echo "== serve: start-up, tiles per zoom, sizes, peak RSS"
  machine
  start_server
  echo
  echo "### Each tile once, cold (cut on demand) then warm (cached); 64 connections, load generator"
  "$LOADGEN" tiles --addr "$ADDR" --out "$WORK" --connections 64
  if command -v wrk >/dev/null; then
    echo
    echo "### wrk, warm: 2 threads, 64 connections, ${WRK_SECONDS:-10} s per zoom, cycling over the same tile list"
    echo "| zoom | tiles in list | req/s | p50 ms | p99 ms | non-2xx/3xx | socket errors |"
    echo "|---|---|---|---|---|---|---|"
    for z in 6 8 10 12 14; do wrk_zoom "$z"; done
  else
    echo "wrk not installed: skipping the wrk runs"
  fi
  echo
  stop_server
}

queries() {
  # Real search queries sampled from the data at run time (not kept in the repository):
  # 600 English postcodes, 100 outcodes, 400 place, ward and neighbourhood names.
  python3 - "$DATA" >"$WORK/queries.txt" <<'EOF'
import csv, gzip, random, sys
data = sys.argv[1]
rng = random.Random(20261125)
with gzip.open(f"{data}/search/uk_postcodes_2017_latlon_lsoa.csv.gz", "rt") as f:
    pcs = [r["postcode"] for r in csv.DictReader(f) if r["lsoa21cd"].startswith("E01")]
sample = rng.sample(pcs, 700)
for p in sample[:600]:
    print(p)
for p in sample[600:]:
    print(p.split()[0])
with open(f"{data}/search/gazetteer_england.csv", newline="") as f:
    names = [r["name"] for r in csv.DictReader(f)
             if r["type"] in ("ward", "msoa_hocl_name", "parish", "local_authority")]
for n in rng.sample(names, 400):
    print(n)
EOF
}

load() {
  local secs=${LOAD_SECONDS:-60} conns=${LOAD_CONNECTIONS:-256}
  echo "== load: $conns connections for $secs s, realistic mix, fresh server (cold tile cache)"
  machine
  queries
  start_server
  echo
  "$LOADGEN" mix --addr "$ADDR" --queries "$WORK/queries.txt" --connections "$conns" --seconds "$secs"
  echo
  # Under 256 closed-loop connections on a small machine every endpoint queues behind the same
  # CPU, so latency there is mostly waiting. One light run per endpoint class shows service time.
  local light=${LIGHT_CONNECTIONS:-8} lsecs=${LIGHT_SECONDS:-10}
  for only in tiles values search area; do
    echo "### $only only, $light connections, $lsecs s (tile cache warm from the run above)"
    "$LOADGEN" mix --addr "$ADDR" --queries "$WORK/queries.txt" --connections "$light" --seconds "$lsecs" --only "$only" \
      | grep -v '| 0 | 0 |' | grep -v '^$'
    echo
  done
  stop_server
}

fuzz() {
  local n=${CNIMAP_FUZZ_CASES:-100000}
  echo "== fuzz: $n generated inputs per target"
  export CNIMAP_FUZZ_CASES=$n
  for crate in cnimap-server cnimap-search cnimap-data; do
    local t0=$(date +%s)
    cargo test -p "$crate" --test fuzz -- --nocapture --test-threads 2 2>&1 | grep -v '^\s*\(Compiling\|Running\|Finished\)'
    echo "$crate fuzz: $(( $(date +%s) - t0 )) s"
  done
  # The table's filter and sort strings, through the parser and the router (tests/table.rs).
  local t0=$(date +%s)
  cargo test -p cnimap-server --test table generated_filters -- --nocapture 2>&1 | grep -v '^\s*\(Compiling\|Running\|Finished\)'
  echo "cnimap-server table fuzz: $(( $(date +%s) - t0 )) s"
}

cut_bench() {
  cargo bench -p cnimap-tiles
}

mode="${1:-all}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
case "$mode" in
  # Process substitution rather than a pipe, so the server's PID stays in this shell for the trap.
  serve) build; serve > >(tee "$OUT/serve-$stamp.md") ;;
  load) build; load > >(tee "$OUT/load-$stamp.md") ;;
  fuzz) fuzz > >(tee "$OUT/fuzz-$stamp.md") ;;
  cut) cut_bench > >(tee "$OUT/cut-$stamp.txt") ;;
  client) bash scripts/bench-client.sh ;;
  all)
    build
    serve > >(tee "$OUT/serve-$stamp.md")
    load > >(tee "$OUT/load-$stamp.md")
    fuzz > >(tee "$OUT/fuzz-$stamp.md")
    cut_bench > >(tee "$OUT/cut-$stamp.txt")
    [ -f dist/index.html ] || bash scripts/build-web.sh
    bash scripts/bench-client.sh
    ;;
  *) die "unknown mode $mode: use serve, load, fuzz, cut, client or all" ;;
esac
