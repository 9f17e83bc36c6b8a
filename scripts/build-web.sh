#!/usr/bin/env bash
# Builds the browser app into dist/ (served by `cnimap serve` at /).
#
# Idempotent and offline once the tools are installed:
#   1. npm ci            when node_modules is missing (MapLibre GL JS, opentype.js, playwright-core)
#   2. glyphs            when .cache/glyphs is missing or older than its inputs (MapLibre SDF glyphs
#                        made from the DejaVu fonts, copied into dist/glyphs by Trunk)
#   3. trunk build --release --offline
#
# Tools it needs (it stops with the install command when one is missing):
#   rustup target add wasm32-unknown-unknown
#   cargo install --locked trunk --version ~0.21
#   cargo install wasm-bindgen-cli --version <the wasm-bindgen version in Cargo.lock>
#   Node.js 18+ with npm; the font files named in assets/glyphs/fonts.json (Debian: fonts-dejavu-core)
# wasm-opt (-Oz) comes from the npm package `binaryen` (pinned in package.json, version_132 in
# Trunk.toml): Debian's binaryen 108 breaks the externref table of wasm-bindgen 0.2.130 output
# ("WebAssembly.Table.set(): Argument 1 is invalid"), so node_modules/.bin goes first on PATH.
# It halves the wasm (1.87 MB -> 0.94 MB; 494 -> 358 KB gzipped).
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "build-web: $*" >&2
  exit 1
}
need() {
  command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed. $2"
}

need node "Install Node.js 18 or newer."
need npm "Install npm (it comes with Node.js)."
need rustup "Install Rust with rustup (https://rustup.rs)."
rustup target list --installed | grep -qx wasm32-unknown-unknown \
  || fail "the wasm32 target is missing. Run: rustup target add wasm32-unknown-unknown"
need trunk "Run: cargo install --locked trunk --version ~0.21"

wb_lock=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
[ -n "$wb_lock" ] || fail "could not find wasm-bindgen in Cargo.lock (run: cargo generate-lockfile)"
need wasm-bindgen "Run: cargo install wasm-bindgen-cli --version $wb_lock"
wb_have=$(wasm-bindgen --version | awk '{ print $2 }')
[ "$wb_have" = "$wb_lock" ] \
  || fail "wasm-bindgen $wb_have is installed but Cargo.lock uses $wb_lock. Run: cargo install wasm-bindgen-cli --version $wb_lock --force"
grep -q "^wasm_bindgen = \"$wb_lock\"" Trunk.toml \
  || fail "Trunk.toml [tools] wasm_bindgen must be \"$wb_lock\" (the version in Cargo.lock)"

if [ ! -f node_modules/maplibre-gl/dist/maplibre-gl.js ] || [ ! -f node_modules/pmtiles/dist/pmtiles.js ] || [ ! -d node_modules/opentype.js ]; then
  echo "build-web: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi

export PATH="$PWD/node_modules/.bin:$PATH"
wasm_opt_want=$(awk -F'"' '/^wasm_opt = / { print $2 }' Trunk.toml)
wasm_opt_have=$(wasm-opt --version 2>/dev/null | sed -n 's/.*(\(version_[0-9]*\)).*/\1/p')
[ "$wasm_opt_have" = "$wasm_opt_want" ] \
  || fail "wasm-opt $wasm_opt_want is needed (Trunk.toml) but node_modules/.bin/wasm-opt says '${wasm_opt_have:-nothing}'. Run: npm ci"

glyphs=.cache/glyphs
stamp=.cache/glyphs.complete
if [ ! -f "$stamp" ] || [ assets/glyphs/fonts.json -nt "$stamp" ] || [ assets/glyphs/build-glyphs.mjs -nt "$stamp" ]; then
  echo "build-web: generating glyphs into $glyphs"
  rm -rf "$glyphs"
  node assets/glyphs/build-glyphs.mjs "$glyphs"
  touch "$stamp"
fi

trunk build --release --offline "$@"
echo "build-web: built the web app (trunk build --release $*)"
