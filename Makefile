# The two commands of this project: `make serve` (the main job) and `make test` (every suite).
# `make test` installs what it needs on a fresh machine (scripts/install-deps.sh) and shares one
# target/ across every crate and language.

SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never
export CARGO_INCREMENTAL ?= 0

.PHONY: test serve deps fmt-check clippy rust-test vectors-check catalog-build-check bench

test: deps fmt-check clippy rust-test vectors-check catalog-build-check
	@echo "make test: every suite passed"

deps:
	@bash scripts/install-deps.sh

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

rust-test:
	$(CARGO) test --workspace --locked --no-fail-fast

# tests/vectors/catalog.json must be exactly what its generator writes.
vectors-check:
	@tmp=$$(mktemp); python3 tests/vectors/make_catalog_vectors.py "$$tmp" >/dev/null && \
	  if cmp -s "$$tmp" tests/vectors/catalog.json; then echo "vectors-check: catalog.json is up to date"; rm -f "$$tmp"; \
	  else echo "vectors-check: tests/vectors/catalog.json differs from make_catalog_vectors.py; run it" >&2; diff "$$tmp" tests/vectors/catalog.json | head -20; rm -f "$$tmp"; exit 1; fi

# An invalid catalog must fail the build with the validator's message.
catalog-build-check:
	@bash tests/build_rejects_invalid_catalog.sh

# Until `cloud-connector serve` lands (issue 7), `make serve` prints the unit primitive directory
# of the embedded catalog (or of CLOUD_CONNECTOR_CONFIG_DIR) with the CLI.
serve:
	$(CARGO) run --release --locked -p cloud-connector-cli -- catalog list

bench:
	@echo "No benchmarks yet (see issues 3-8)."
