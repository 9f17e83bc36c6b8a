#!/usr/bin/env bash
# Warm tiles, side by side: martin serving cnimap's own lsoa21 PMTiles export, and `cnimap serve`
# serving the same tiles (issue 10). Same tile list, same client, same cores, one run.
#
#   scripts/bench-tiles-vs-martin.sh
#
# What it does:
#   1. builds the release binary; with BUILD=DIR (a `cnimap prepare` build) martin serves
#      BUILD/tiles/lsoa21.pmtiles and cnimap serves `--build BUILD`, the very same file; without
#      it, lsoa21 is exported with `cnimap export-tiles --layer lsoa21` (or TILES_PMTILES=FILE is
#      taken) and cnimap serves `--data`;
#   2. writes the tile list: ten English towns (the first ten of the load generator's CITIES),
#      every zoom 6 to 14, a 3 x 3 block of tiles centred on each town, duplicates dropped;
#   3. starts martin (`--workers 1`) and `cnimap serve` (TOKIO_WORKER_THREADS=1), each pinned to
#      SERVER_CPU with taskset once it is ready; the client (wrk, one thread, 64 connections,
#      CLIENT_SCRIPT, by default scripts/load/paths_light.lua: each request formatted once, no
#      Lua per response; `Accept-Encoding: gzip`) is pinned to CLIENT_CPU;
#   4. warms each server (WARM_SECONDS of the same list, so every tile is in cnimap's cache and in
#      martin's), then, ROUNDS times, one server then the other for SECONDS each (martin first in
#      odd rounds, cnimap first in even ones, so a change of load favours neither): requests/s,
#      p50 and p99 (wrk's), the server's CPU time and requests per CPU-second (from
#      /proc/PID/stat: a figure that holds on a shared machine), the client's CPU time (when it is
#      as large as the server's, the client is what limits requests/s), non-2xx/3xx responses, socket
#      errors, the load average before each run; and the ratios of the two, with their median
#      over the rounds.
#
# Environment: CNIMAP_DATA (default <repo>/../shared/data), MARTIN (default
# $HOME/.cache/cnimap/martin/bin/martin, from `cargo install martin --locked --version 1.14.0
# --no-default-features --features pmtiles --root $HOME/.cache/cnimap/martin`), TILES_PMTILES,
# SECONDS_PER_RUN (15), WARM_SECONDS (5), ROUNDS (1), CONNECTIONS (64), SERVER_CPU (0),
# CLIENT_CPU (1), MARTIN_PORT (18791), CNIMAP_PORT (18792), CNIMAP_BIN (default the release build),
# BEFORE_BIN (optional: another cnimap binary, say an older commit's, run as a third server on
# BEFORE_PORT, 18793, from the same build or data, for before/after figures in the same run),
# CLIENT_SCRIPT (scripts/load/paths_light.lua; scripts/load/paths.lua is the older, heavier one).
# Output: a Markdown table on stdout, kept in target/bench/tiles-vs-martin-<stamp>.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DATA="${CNIMAP_DATA:-$ROOT/../shared/data}"
MARTIN="${MARTIN:-$HOME/.cache/cnimap/martin/bin/martin}"
SECS="${SECONDS_PER_RUN:-15}"
WARM="${WARM_SECONDS:-5}"
ROUNDS="${ROUNDS:-1}"
CONNS="${CONNECTIONS:-64}"
SERVER_CPU="${SERVER_CPU:-0}"
CLIENT_CPU="${CLIENT_CPU:-1}"
CLIENT_SCRIPT="${CLIENT_SCRIPT:-scripts/load/paths_light.lua}"
MARTIN_ADDR="127.0.0.1:${MARTIN_PORT:-18791}"
CNIMAP_ADDR="127.0.0.1:${CNIMAP_PORT:-18792}"
BEFORE_ADDR="127.0.0.1:${BEFORE_PORT:-18793}"
OUT="$ROOT/target/bench"
WORK="$(mktemp -d)"
PIDS=()
mkdir -p "$OUT"
exec > >(tee "$OUT/tiles-vs-martin-$(date -u +%Y%m%dT%H%M%SZ).md")

die() { echo "bench-tiles-vs-martin: $*" >&2; exit 1; }
for tool in curl wrk taskset python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || die "$tool is needed (Debian: apt-get install $tool)"
done
[ -x "$MARTIN" ] || die "no martin at $MARTIN: install it (see the header of this script) or set MARTIN"
[ -d "$DATA" ] || die "no data at $DATA: set CNIMAP_DATA"

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

if [ -n "${BUILD:-}" ]; then
  PMTILES="$BUILD/tiles/lsoa21.pmtiles"
  SERVE_FROM=(--build "$BUILD")
else
  PMTILES="${TILES_PMTILES:-$WORK/lsoa21.pmtiles}"
  SERVE_FROM=(--data "$DATA")
fi
if [ ! -f "$PMTILES" ]; then
  echo "== exporting lsoa21 to $PMTILES" >&2
  RUST_LOG=warn "$CNIMAP_BIN" export-tiles --data "$DATA" --layer lsoa21 --out "$PMTILES" >&2
fi

# The tile list, once per server's URL scheme (same tiles, same order).
python3 - "$WORK" <<'EOF'
import math, sys
work = sys.argv[1]
TOWNS = [("London", -0.1276, 51.5072), ("Birmingham", -1.8904, 52.4862),
         ("Manchester", -2.2426, 53.4808), ("Leeds", -1.5491, 53.8008),
         ("Liverpool", -2.9916, 53.4084), ("Newcastle", -1.6178, 54.9783),
         ("Sheffield", -1.4701, 53.3811), ("Bristol", -2.5879, 51.4545),
         ("Nottingham", -1.1581, 52.9548), ("Leicester", -1.1398, 52.6369)]
def tile_of(lon, lat, z):
    n = 2 ** z
    lat = math.radians(lat)
    x = math.floor((lon + 180) / 360 * n)
    y = math.floor((1 - math.log(math.tan(lat) + 1 / math.cos(lat)) / math.pi) / 2 * n)
    return x, y
tiles, seen = [], set()
for z in range(6, 15):
    for _, lon, lat in TOWNS:
        cx, cy = tile_of(lon, lat, z)
        for y in range(cy - 1, cy + 2):
            for x in range(cx - 1, cx + 2):
                if (z, x, y) not in seen:
                    seen.add((z, x, y))
                    tiles.append((z, x, y))
with open(f"{work}/cnimap.txt", "w") as f:
    f.writelines(f"/tiles/lsoa21/{z}/{x}/{y}.mvt\n" for z, x, y in tiles)
with open(f"{work}/martin.txt", "w") as f:
    f.writelines(f"/lsoa21/{z}/{x}/{y}\n" for z, x, y in tiles)
EOF
NTILES=$(wc -l <"$WORK/cnimap.txt")

wait_for() {
  local url=$1 pid=$2 log=$3 t0
  t0=$(date +%s)
  until curl -sf -o /dev/null "$url"; do
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; die "the server behind $url stopped"; }
    [ $(( $(date +%s) - t0 )) -lt 300 ] || die "no answer from $url after 300 s"
    sleep 0.1
  done
}

for addr in "$MARTIN_ADDR" "$CNIMAP_ADDR"; do
  if curl -s -o /dev/null "http://$addr/"; then die "something already listens on $addr"; fi
done

echo "== starting martin and cnimap" >&2
RUST_LOG=warn "$MARTIN" --listen-addresses "$MARTIN_ADDR" --workers 1 "$PMTILES" >"$WORK/martin.log" 2>&1 &
MARTIN_PID=$!
PIDS+=("$MARTIN_PID")
# One tokio worker, as martin has one actix worker; pinned once ready, so start-up uses both cores.
RUST_LOG=warn TOKIO_WORKER_THREADS=1 "$CNIMAP_BIN" serve "${SERVE_FROM[@]}" --addr "$CNIMAP_ADDR" >"$WORK/cnimap.log" 2>&1 &
CNIMAP_PID=$!
PIDS+=("$CNIMAP_PID")
if [ -n "${BEFORE_BIN:-}" ]; then
  RUST_LOG=warn TOKIO_WORKER_THREADS=1 "$BEFORE_BIN" serve "${SERVE_FROM[@]}" --addr "$BEFORE_ADDR" >"$WORK/before.log" 2>&1 &
  BEFORE_PID=$!
  PIDS+=("$BEFORE_PID")
fi
wait_for "http://$MARTIN_ADDR$(head -1 "$WORK/martin.txt")" "$MARTIN_PID" "$WORK/martin.log"
wait_for "http://$CNIMAP_ADDR/api/health" "$CNIMAP_PID" "$WORK/cnimap.log"
taskset -a -p -c "$SERVER_CPU" "$MARTIN_PID" >/dev/null
taskset -a -p -c "$SERVER_CPU" "$CNIMAP_PID" >/dev/null
if [ -n "${BEFORE_BIN:-}" ]; then
  wait_for "http://$BEFORE_ADDR/api/health" "$BEFORE_PID" "$WORK/before.log"
  taskset -a -p -c "$SERVER_CPU" "$BEFORE_PID" >/dev/null
fi

# Byte-for-byte check on the first tile list entries: both must send the same gzip body.
same=0
for i in 1 40 200; do
  m=$(sed -n "${i}p" "$WORK/martin.txt"); c=$(sed -n "${i}p" "$WORK/cnimap.txt")
  curl -s -H 'Accept-Encoding: gzip' "http://$MARTIN_ADDR$m" -o "$WORK/m.bin"
  curl -s -H 'Accept-Encoding: gzip' "http://$CNIMAP_ADDR$c" -o "$WORK/c.bin"
  if cmp -s "$WORK/m.bin" "$WORK/c.bin"; then same=$((same + 1)); fi
done

# CPU time (user + system, clock ticks) a process has used, all its threads together.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# Runs wrk against one server; prints one table row and remembers requests/s in RPS_<name> and
# requests per second of server CPU in EFF_<name>. The second figure is what one core would
# answer if the server had it to itself: it does not depend on how much of its core other work
# on a shared machine took during the run.
run() {
  local name=$1 addr=$2 list=$3 secs=$4 pid=$5 log="$WORK/wrk-$1-$RANDOM.txt" t0 t1 load
  load=$(cut -d' ' -f1 /proc/loadavg)
  t0=$(cpu_ticks "$pid")
  PATHS="$list" /usr/bin/time -f '%U %S' -o "$log.time" taskset -c "$CLIENT_CPU" wrk -t1 \
    -c"$CONNS" -d"${secs}s" --latency -s "$CLIENT_SCRIPT" "http://$addr" >"$log" 2>&1 ||
    { cat "$log" >&2; die "wrk failed"; }
  t1=$(cpu_ticks "$pid")
  local rps p50 p99 bad sock reqs cpu eff client
  rps=$(awk '/Requests\/sec/{print $2}' "$log")
  reqs=$(awk '/requests in/{print $1}' "$log")
  p50=$(awk '/^p50_ms/{print $2}' "$log")
  p99=$(awk '/^p99_ms/{print $2}' "$log")
  bad=$(awk '/^bad_status/{print $2}' "$log")
  sock=$(grep -o 'Socket errors:.*' "$log" || echo "none")
  cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", (b - a) / hz}')
  eff=$(awk -v r="$reqs" -v c="$cpu" 'BEGIN{printf "%.0f", (c > 0) ? r / c : 0}')
  client=$(awk '{printf "%.2f", $1 + $2}' "$log.time")
  printf -v "RPS_$name" '%s' "${rps%.*}"
  printf -v "P99_$name" '%s' "$p99"
  printf -v "EFF_$name" '%s' "$eff"
  echo "| $name | ${rps%.*} | $p50 | $p99 | $cpu | $eff | $client | $bad | $sock | $load |"
}

echo "== warming both ($WARM s each)" >&2
run martin "$MARTIN_ADDR" "$WORK/martin.txt" "$WARM" "$MARTIN_PID" >/dev/null
run cnimap "$CNIMAP_ADDR" "$WORK/cnimap.txt" "$WARM" "$CNIMAP_PID" >/dev/null
[ -z "${BEFORE_BIN:-}" ] || run before "$BEFORE_ADDR" "$WORK/cnimap.txt" "$WARM" "$BEFORE_PID" >/dev/null

echo "### Warm tiles, cnimap serve beside martin 1.14 on the same PMTiles"
echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'); load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ); commit $(git rev-parse --short HEAD); cnimap: $CNIMAP_BIN serve ${SERVE_FROM[*]}${BEFORE_BIN:+; before: $BEFORE_BIN serve ${SERVE_FROM[*]}}"
echo "martin: $("$MARTIN" --version 2>/dev/null | head -1); archive $(du -h "$PMTILES" | cut -f1); tile list: $NTILES tiles, ten towns, z6-z14; same gzip bytes from both on $same of 3 sampled tiles"
echo "server on CPU $SERVER_CPU (one worker each), wrk on CPU $CLIENT_CPU (1 thread, $CONNS connections, ${SECS} s per run, $CLIENT_SCRIPT, Accept-Encoding: gzip), warm"
echo
echo "| server | requests/s | p50 ms | p99 ms | server CPU s | requests per CPU-second | client CPU s | non-2xx/3xx | socket errors | load average (1 min) |"
echo "|---|---|---|---|---|---|---|---|---|---|"
RATIOS_RPS=() RATIOS_P99=() RATIOS_EFF=()
for round in $(seq "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then
    run martin "$MARTIN_ADDR" "$WORK/martin.txt" "$SECS" "$MARTIN_PID"
    run cnimap "$CNIMAP_ADDR" "$WORK/cnimap.txt" "$SECS" "$CNIMAP_PID"
  else
    run cnimap "$CNIMAP_ADDR" "$WORK/cnimap.txt" "$SECS" "$CNIMAP_PID"
    run martin "$MARTIN_ADDR" "$WORK/martin.txt" "$SECS" "$MARTIN_PID"
  fi
  [ -z "${BEFORE_BIN:-}" ] || run before "$BEFORE_ADDR" "$WORK/cnimap.txt" "$SECS" "$BEFORE_PID"
  RATIOS_RPS+=("$(awk -v c="$RPS_cnimap" -v m="$RPS_martin" 'BEGIN{printf "%.2f", c/m}')")
  RATIOS_P99+=("$(awk -v c="$P99_cnimap" -v m="$P99_martin" 'BEGIN{printf "%.2f", c/m}')")
  RATIOS_EFF+=("$(awk -v c="$EFF_cnimap" -v m="$EFF_martin" 'BEGIN{printf "%.2f", c/m}')")
  echo "| round $round: cnimap / martin | ${RATIOS_RPS[-1]}x | | ${RATIOS_P99[-1]}x | | ${RATIOS_EFF[-1]}x | | | | |"
done
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END{print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
echo
echo "cnimap / martin over $ROUNDS rounds: requests/s ${RATIOS_RPS[*]} (median $(median "${RATIOS_RPS[@]}")x); p99 ${RATIOS_P99[*]} (median $(median "${RATIOS_P99[@]}")x); requests per CPU-second ${RATIOS_EFF[*]} (median $(median "${RATIOS_EFF[@]}")x)"
echo
echo "peak RSS (VmHWM): martin $(awk '/VmHWM/{printf "%.0f MiB", $2/1024}' /proc/$MARTIN_PID/status), cnimap $(awk '/VmHWM/{printf "%.0f MiB", $2/1024}' /proc/$CNIMAP_PID/status)"
