#!/usr/bin/env bash
# Makes sure the data directory is there before `make run`: when files that `cnimap check` reads are
# missing, says how many and how much `cnimap data fetch` would download (sizes from
# data/sources.toml), then fetches them (asking first on a terminal).
#
#   scripts/data-fetch.sh DATA_DIR [ask|yes|no]
#
#   ask (default)  on a terminal, ask before fetching; elsewhere, explain and stop
#   yes            fetch without asking (make run FETCH=yes, or make data)
#   no             only report; stop when something is missing
#
# A mirror (a copy of the data directory served over HTTP) is used when CNIMAP_DATA_MIRROR is set:
# some files have no public source that reproduces them and only a mirror can provide them.
set -euo pipefail
cd "$(dirname "$0")/.."

data=${1:?usage: scripts/data-fetch.sh DATA_DIR [ask|yes|no]}
mode=${2:-ask}
sources=data/sources.toml

# path size mirror-only(0/1) for every [[file]] of the manifest.
listing=$(awk '
  /^\[\[file\]\]/ { if (path != "") print path, size, mo; path = ""; size = 0; mo = 0; infile = 1; next }
  /^\[\[input\]\]/ { if (path != "") print path, size, mo; path = ""; infile = 0; next }
  infile && /^path = / { gsub(/"/, "", $3); path = $3 }
  infile && /^size = / { size = $3 }
  infile && /^fetch = "mirror-only"/ { mo = 1 }
  END { if (path != "") print path, size, mo }
' "$sources")

missing=0 missing_bytes=0 mirror_only=0 mirror_only_bytes=0 total=0
while read -r path size mo; do
  total=$((total + 1))
  if [ -f "$data/$path" ] && [ "$(stat -c %s "$data/$path")" = "$size" ]; then
    continue
  fi
  missing=$((missing + 1))
  missing_bytes=$((missing_bytes + size))
  if [ "$mo" = 1 ]; then
    mirror_only=$((mirror_only + 1))
    mirror_only_bytes=$((mirror_only_bytes + size))
  fi
done <<<"$listing"

[ "$missing" -eq 0 ] && exit 0

mb() { awk -v b="$1" 'BEGIN { printf "%.0f MB", b / 1000000 }'; }
echo "The data directory $data lacks $missing of the $total files cnimap reads ($(mb "$missing_bytes") to download)."
if [ -n "${CNIMAP_DATA_MIRROR:-}" ]; then
  echo "They will come from the mirror $CNIMAP_DATA_MIRROR."
elif [ "$mirror_only" -gt 0 ]; then
  echo "$mirror_only of them ($(mb "$mirror_only_bytes")) have no public source that reproduces them (see $sources):"
  echo "without a mirror (CNIMAP_DATA_MIRROR=URL, a copy of the data directory), fetch gets the others and names those."
fi

case "$mode" in
  yes) ;;
  ask)
    if [ -t 0 ]; then
      read -r -p "Fetch them into $data now with 'cnimap data fetch'? [y/N] " answer
      case "$answer" in y | Y | yes | YES) ;; *) echo "Not fetched. Run: make run FETCH=yes (or DATA=/path/to/data)."; exit 1 ;; esac
    else
      echo "Not fetched (no terminal to ask). Run: make run FETCH=yes, or point DATA= at a data directory."
      exit 1
    fi
    ;;
  *)
    echo "Run: make run FETCH=yes to fetch them, or point DATA= at a data directory."
    exit 1
    ;;
esac

mkdir -p "$data"
exec cargo run --release -p cnimap-server -- data fetch --out "$data"
