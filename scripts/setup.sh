#!/usr/bin/env bash
# Installs everything cnimap needs on a fresh Debian machine, skipping what is already there, and
# fails loudly when something cannot be installed. Safe to run again: a second run takes seconds.
#
#   system packages  pkg-config, libproj-dev and libclang-dev (the proj crate, for British National
#                    Grid input), chromium (end-to-end tests), chromium-driver (the web crate's
#                    browser tests, run by wasm-bindgen-test-runner), fonts-dejavu-core (map label
#                    glyphs), nginx (the end-to-end tests on the static site, started by the tests
#                    as an unprivileged process on a loopback port)
#   Rust             the wasm32-unknown-unknown target, Trunk 0.21, wasm-bindgen-cli at the version
#                    in Cargo.lock
#   npm              MapLibre GL JS (pinned), opentype.js (glyphs), playwright-core (tests)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "setup: $*"; }
fail() { echo "setup: ERROR: $*" >&2; exit 1; }

packages=(pkg-config libproj-dev libclang-dev chromium chromium-driver fonts-dejavu-core python3-venv nginx)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "need root (or sudo) to install: ${missing[*]}"
    SUDO=sudo
  else
    SUDO=
  fi
  $SUDO apt-get update -qq || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || fail "apt-get install ${missing[*]} failed"
fi

[ -x /usr/sbin/nginx ] || fail "nginx is not installed at /usr/sbin/nginx (Debian package nginx)"
command -v cargo >/dev/null || fail "cargo is not installed: install Rust with rustup"
command -v node >/dev/null || fail "node is not installed: install Node.js 18 or newer"
command -v npm >/dev/null || fail "npm is not installed"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown || fail "rustup target add wasm32-unknown-unknown failed"
fi

if ! trunk --version 2>/dev/null | grep -q '^trunk 0\.21\.'; then
  say "installing Trunk 0.21 (about 7 minutes)"
  cargo install --locked trunk --version '~0.21' || fail "cargo install trunk failed"
fi

wb=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
[ -n "$wb" ] || fail "no wasm-bindgen in Cargo.lock"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb" ]; then
  say "installing wasm-bindgen-cli $wb"
  # Not --locked: the registry lacks one of its locked dependencies.
  cargo install wasm-bindgen-cli --version "$wb" --force || fail "cargo install wasm-bindgen-cli $wb failed"
fi

if [ ! -f node_modules/maplibre-gl/dist/maplibre-gl.js ] || [ ! -d node_modules/playwright-core ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund || fail "npm ci failed"
fi
# The tile validity checker (tests/validity): mapbox-vector-tile and shapely, pinned, in a venv.
venv=.cache/validity-venv
if [ ! -x "$venv/bin/python" ] || [ tests/validity/requirements.txt -nt "$venv/.installed" ]; then
  say "installing the tile checker's Python packages into $venv"
  python3 -m venv "$venv" || fail "python3 -m venv $venv failed"
  "$venv/bin/pip" install -q -r tests/validity/requirements.txt || fail "pip install -r tests/validity/requirements.txt failed"
  touch "$venv/.installed"
fi
say "all tools present"
