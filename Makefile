# The one entry point. `make run` builds and serves the app on the default data; `make test` runs
# every test. Both install what they need first (scripts/setup.sh skips what is already there).
DATA ?= $(abspath ../shared/data)
# One build cache for every checkout on this machine (CI's fresh clones included), so a second run
# only rebuilds what changed. Override with CARGO_TARGET_DIR=target for a per-checkout cache.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/cnimap/target
ADDR ?= 127.0.0.1:8080
# Without a data directory, `make run` says what is missing and asks before fetching it
# (FETCH=yes fetches without asking; CNIMAP_DATA_MIRROR=URL fetches from a copy of the folder).
FETCH ?= ask

.PHONY: run test setup web check bench data
# `serve --data` prepares the data into a cached build when the inputs or the binary changed
# (minutes, with progress) and starts from it in about a second after that; the cache is
# $XDG_CACHE_HOME/cnimap/builds (else ~/.cache/cnimap/builds), or CNIMAP_CACHE=DIR;
# CNIMAP_NO_CACHE=true serves from memory instead.
run: setup web
	bash scripts/data-fetch.sh "$(DATA)" "$(FETCH)"
	cargo run --release -p cnimap-server -- serve --data "$(DATA)" --addr "$(ADDR)"

data: setup
	bash scripts/data-fetch.sh "$(DATA)" yes

test:
	CNIMAP_DATA="$(DATA)" bash scripts/test.sh

setup:
	bash scripts/setup.sh

web: setup
	bash scripts/build-web.sh

check:
	cargo run --release -p cnimap-server -- check --data "$(DATA)"
