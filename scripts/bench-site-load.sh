#!/usr/bin/env bash
# The page's own traffic at 256 connections, side by side: nginx serving the static site (Debian's
# nginx with tests/static/nginx.conf.template, tiles as HTTP range requests on the PMTiles
# archives, JSON from api/...json(.gz)) and `cnimap serve` answering the same tiles and documents
# by their API URLs (issue 10).
#
#   scripts/bench-site-load.sh
#
# What it does:
#   1. builds the release binary; `cnimap prepare` into BUILD and `cnimap export-site` into SITE
#      unless given (BUILD=DIR, SITE=DIR; the web app from CNIMAP_STATIC, default dist/);
#   2. writes the two request lists with scripts/load/site_mix.py (SESSIONS sessions as the page
#      makes them: catalogue, values, 2 x 20 tiles around a town at z6-z14, label points, an
#      area's panel, a second indicator; on the static site also the archive's header and the
#      leaf directories the pmtiles library reads);
#   3. starts nginx (tests/static/nginx.mjs) and `cnimap serve` (`--build` when this binary has
#      it, else `--data`), both pinned to SERVER_CPU; wrk (1 thread, CONNECTIONS connections,
#      scripts/load/mix.lua) pinned to CLIENT_CPU;
#   4. warms each for WARM_SECONDS, then runs each for SECONDS_PER_RUN: requests/s, MB/s, p50,
#      p99, non-2xx/3xx, socket errors.
#
# Environment: CNIMAP_DATA (default <repo>/../shared/data), BUILD, SITE, CNIMAP_STATIC (dist/),
# SESSIONS (300), CONNECTIONS (256), SECONDS_PER_RUN (20), WARM_SECONDS (5), SERVER_CPU (0),
# CLIENT_CPU (1), NGINX_PORT (18795), CNIMAP_PORT (18796), CNIMAP_BIN (default the release build).
# Output: a Markdown table on stdout, kept in target/bench/site-load-<stamp>.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DATA="${CNIMAP_DATA:-$ROOT/../shared/data}"
STATIC="${CNIMAP_STATIC:-$ROOT/dist}"
SESSIONS="${SESSIONS:-300}"
CONNS="${CONNECTIONS:-256}"
SECS="${SECONDS_PER_RUN:-20}"
WARM="${WARM_SECONDS:-5}"
SERVER_CPU="${SERVER_CPU:-0}"
CLIENT_CPU="${CLIENT_CPU:-1}"
NGINX_PORT="${NGINX_PORT:-18795}"
CNIMAP_ADDR="127.0.0.1:${CNIMAP_PORT:-18796}"
OUT="$ROOT/target/bench"
WORK="$(mktemp -d)"
PIDS=()
mkdir -p "$OUT"
exec > >(tee "$OUT/site-load-$(date -u +%Y%m%dT%H%M%SZ).md")

die() { echo "bench-site-load: $*" >&2; exit 1; }
for tool in curl wrk taskset python3 node; do
  command -v "$tool" >/dev/null || die "$tool is needed"
done
[ -x /usr/sbin/nginx ] || [ -n "${NGINX:-}" ] || die "nginx is needed (Debian: apt-get install nginx)"

cleanup() {
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ -z "${CNIMAP_BIN:-}" ]; then
  echo "== building (release)" >&2
  cargo build --release -p cnimap-server >&2
  CNIMAP_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/cnimap"
fi
[ -x "$CNIMAP_BIN" ] || die "no cnimap binary at $CNIMAP_BIN"

BUILD="${BUILD:-$WORK/build}"
if [ ! -f "$BUILD/manifest.json" ]; then
  echo "== cnimap prepare --out $BUILD" >&2
  RUST_LOG=warn "$CNIMAP_BIN" prepare --data "$DATA" --out "$BUILD" >&2
fi
SITE="${SITE:-$WORK/site}"
if [ ! -f "$SITE/site.json" ]; then
  [ -f "$STATIC/index.html" ] || die "no web app at $STATIC: build one (scripts/build-web.sh --dist DIR) and set CNIMAP_STATIC"
  echo "== cnimap export-site --out $SITE" >&2
  RUST_LOG=warn "$CNIMAP_BIN" export-site --build "$BUILD" --static-dir "$STATIC" --out "$SITE" >&2
fi

python3 scripts/load/site_mix.py "$SITE" "$WORK" "$SESSIONS" >"$WORK/mix.json"

wait_for() {
  local url=$1 pid=$2 log=$3 t0
  t0=$(date +%s)
  until curl -sf -o /dev/null "$url"; do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "the server behind $url stopped"; }
    [ $(( $(date +%s) - t0 )) -lt 300 ] || die "no answer from $url after 300 s"
    sleep 0.1
  done
}

echo "== starting nginx and cnimap serve on CPU $SERVER_CPU" >&2
taskset -c "$SERVER_CPU" node tests/static/nginx.mjs "$SITE" "$NGINX_PORT" >"$WORK/nginx.log" 2>&1 &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
if "$CNIMAP_BIN" serve --help | grep -q -- '--build'; then
  SERVE_FROM=(--build "$BUILD")
else
  SERVE_FROM=(--data "$DATA")
fi
RUST_LOG=warn taskset -c "$SERVER_CPU" "$CNIMAP_BIN" serve "${SERVE_FROM[@]}" --static-dir "$STATIC" \
  --addr "$CNIMAP_ADDR" >"$WORK/cnimap.log" 2>&1 &
CNIMAP_PID=$!
PIDS+=("$CNIMAP_PID")
wait_for "http://127.0.0.1:$NGINX_PORT/site.json" "$NGINX_PID" "$WORK/nginx.log"
wait_for "http://$CNIMAP_ADDR/api/health" "$CNIMAP_PID" "$WORK/cnimap.log"

run() {
  local name=$1 url=$2 list=$3 secs=$4 log="$WORK/wrk-$1-$RANDOM.txt"
  PATHS="$list" taskset -c "$CLIENT_CPU" wrk -t1 -c"$CONNS" -d"${secs}s" --timeout 10s --latency \
    -s scripts/load/mix.lua "$url" >"$log" 2>&1 || { cat "$log" >&2; die "wrk failed"; }
  local rps p50 p99 bad sock mbs
  rps=$(awk '/Requests\/sec/{print $2}' "$log")
  p50=$(awk '/^p50_ms/{print $2}' "$log")
  p99=$(awk '/^p99_ms/{print $2}' "$log")
  bad=$(awk '/^bad_status/{print $2}' "$log")
  mbs=$(awk '/^bytes_per_s/{printf "%.0f", $2 / 1e6}' "$log")
  sock=$(grep -o 'Socket errors:.*' "$log" || echo "none")
  echo "| $name | $(wc -l <"$list") | ${rps%.*} | $mbs | $p50 | $p99 | $bad | $sock |"
}

echo "== warming both ($WARM s each)" >&2
run nginx "http://127.0.0.1:$NGINX_PORT" "$WORK/static.txt" "$WARM" >/dev/null
run cnimap "http://$CNIMAP_ADDR" "$WORK/serve.txt" "$WARM" >/dev/null

echo "### The page's requests at $CONNS connections: nginx (static site) beside cnimap serve"
echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ); commit $(git rev-parse --short HEAD)"
echo "lists: $(cat "$WORK/mix.json"); cnimap serve ${SERVE_FROM[*]}; $(/usr/sbin/nginx -v 2>&1)"
echo "servers on CPU $SERVER_CPU, wrk on CPU $CLIENT_CPU (1 thread, $CONNS connections, ${SECS} s, Accept-Encoding: gzip), warm"
echo
echo "| server | requests in list | requests/s | MB/s received | p50 ms | p99 ms | non-2xx/3xx | socket errors |"
echo "|---|---|---|---|---|---|---|---|"
run "nginx, static site" "http://127.0.0.1:$NGINX_PORT" "$WORK/static.txt" "$SECS"
run "cnimap serve" "http://$CNIMAP_ADDR" "$WORK/serve.txt" "$SECS"
echo
echo "cnimap peak RSS (VmHWM): $(awk '/VmHWM/{printf "%.0f MiB", $2/1024}' /proc/$CNIMAP_PID/status)"
