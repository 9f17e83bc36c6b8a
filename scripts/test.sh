#!/usr/bin/env bash
# Runs every test: formatting, lints, the wasm build of the core, unit and integration tests on the
# real national data, then the end-to-end tests in headless Chromium against a release build.
# The data directory: $CNIMAP_DATA, default ../shared/data.
set -euo pipefail
cd "$(dirname "$0")/.."
export CNIMAP_DATA="${CNIMAP_DATA:-$(cd .. && pwd)/shared/data}"
[ -d "$CNIMAP_DATA" ] || { echo "test: ERROR: no data directory at $CNIMAP_DATA (set CNIMAP_DATA)" >&2; exit 1; }

bash scripts/setup.sh
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
export CNIMAP_BIN="$target_dir/release/cnimap"

step() { echo; echo "=== $*"; }
step "structure: no two modules import each other"
python3 scripts/check-structure.py
step "rustfmt"
cargo fmt --all -- --check
step "clippy (native crates)"
cargo clippy --all-targets -- -D warnings
step "clippy (web crate: its pure modules natively, all of it for wasm32)"
cargo clippy -p cnimap-web --all-targets -- -D warnings
cargo clippy -p cnimap-web --target wasm32-unknown-unknown --all-targets -- -D warnings
step "the pure core builds for wasm32"
cargo build -q -p cnimap-core --target wasm32-unknown-unknown
step "unit and integration tests"
cargo test
step "tiles: every decoded polygon valid, no overlaps, coverage kept (mapbox-vector-tile + GEOS)"
bash tests/validity/run.sh
step "web crate: unit tests of its pure modules (native)"
cargo test -p cnimap-web
step "web crate: browser tests in headless Chromium (wasm-bindgen-test)"
# wasm-bindgen-test-runner (from wasm-bindgen-cli) drives Chromium through chromedriver, with
# the options in crates/cnimap-web/webdriver.json (headless, no sandbox).
CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}" \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/crates/cnimap-web/webdriver.json" \
  cargo test -p cnimap-web --target wasm32-unknown-unknown --test browser
step "release build of the server and the web app"
cargo build --release -p cnimap-server
bash scripts/build-web.sh
step "end-to-end tests in headless Chromium"
node --test --test-concurrency=1 tests/e2e/
step "the static site's nginx config: Range, gzip_static, MIME types, cache headers (tests/static)"
node --test tests/static/
step "the OpenAPI document: an independent validator, real answers against its schemas (tests/openapi)"
node --test tests/openapi/
step "end-to-end tests again on the static site (cnimap export-site) served by nginx"
# The same tests and assertions on the whole app as plain files (tests/e2e/helpers.mjs: the build
# is prepared once per binary, exported with the web app, served by Debian's nginx from
# tests/static/nginx.conf.template on a loopback port). About 13 minutes on the 2-core machine
# under load, plus about 3 to 5 for the prepare (BENCHMARKS.md).
CNIMAP_E2E_TARGET=static node --test --test-concurrency=1 tests/e2e/
