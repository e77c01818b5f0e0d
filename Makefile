# The two commands of this project: `make serve` (the main job) and `make test` (every suite).
# `make test` installs what it needs on a fresh machine (scripts/install-deps.sh) and shares one
# target/ across every crate and language.

SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never
export CARGO_INCREMENTAL ?= 0

.PHONY: test serve deps fmt-check clippy rust-test vectors-check catalog-build-check python-test ruby-gem ruby-test bench
.PHONY: browser-test bench-serve load-serve

test: deps fmt-check clippy rust-test browser-test vectors-check catalog-build-check python-test ruby-test
	@echo "make test: every suite passed"

deps:
	@bash scripts/install-deps.sh

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

rust-test:
	$(CARGO) test --workspace --locked --no-fail-fast

# The serve directory in Debian's headless Chromium (playwright-core, no downloaded browser), with
# the debug binary `rust-test` already built (cargo_bin.py names it; alone, this builds it);
# screenshots land in artifacts/browser/.
BROWSER_DIR := cli/tests/browser
browser-test:
	cd $(BROWSER_DIR) && npm ci --no-audit --no-fund --loglevel=error
	bin=$$($(CARGO) test --workspace --locked --no-run --message-format=json-render-diagnostics \
	  | python3 $(BROWSER_DIR)/cargo_bin.py) && \
	  CLOUD_CONNECTOR_BIN=$$bin node --test $(BROWSER_DIR)/directory.test.mjs

# tests/vectors/catalog.json must be exactly what its generator writes.
vectors-check:
	@tmp=$$(mktemp); python3 tests/vectors/make_catalog_vectors.py "$$tmp" >/dev/null && \
	  if cmp -s "$$tmp" tests/vectors/catalog.json; then echo "vectors-check: catalog.json is up to date"; rm -f "$$tmp"; \
	  else echo "vectors-check: tests/vectors/catalog.json differs from make_catalog_vectors.py; run it" >&2; diff "$$tmp" tests/vectors/catalog.json | head -20; rm -f "$$tmp"; exit 1; fi

# An invalid catalog must fail the build with the validator's message.
catalog-build-check:
	@bash tests/build_rejects_invalid_catalog.sh

# Python: one virtualenv (.venv), the package built once as an abi3 wheel through PEP 517 (what
# `pip install ./bindings-python` does) into target/wheels, then lint, types and pytest.
VENV ?= .venv
PY := $(VENV)/bin/python
WHEELS := target/wheels

$(PY):
	python3 -m venv $(VENV)

python-test: $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r bindings-python/requirements-dev.txt
	rm -f $(WHEELS)/gitlab_cloud_connector-*.whl
	$(PY) -m pip wheel -q --no-deps -w $(WHEELS) ./bindings-python
	@ls $(WHEELS)/gitlab_cloud_connector-*-cp39-abi3-*.whl >/dev/null || { echo "python-test: no cp39-abi3 wheel was built" >&2; exit 1; }
	$(PY) -m pip install -q --force-reinstall --no-deps $(WHEELS)/gitlab_cloud_connector-*.whl
	$(VENV)/bin/ruff check bindings-python
	$(VENV)/bin/ruff format --check bindings-python
	cd bindings-python && ../$(VENV)/bin/mypy --strict python/gitlab_cloud_connector tests/typing_usage.py
	cd bindings-python && ../$(PY) -m pytest -q -p no:cacheprovider tests

# Ruby: the gem is staged (bindings-ruby/tools/stage_gem.py: vendored core and catalog, standalone
# extension manifest) and built once with `gem build`, installed with `gem install --local` into
# target/ruby/gem-home (RubyGems' cargo builder compiles the extension; the cargo wrapper makes it
# reuse target/), and rspec runs against the installed gem from outside the source tree.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
RUBY_DIR := $(TARGET_DIR)/ruby
GEM_SRC := $(RUBY_DIR)/gem-src
RUBY_GEM_HOME := $(RUBY_DIR)/gem-home

ruby-gem:
	python3 bindings-ruby/tools/stage_gem.py . $(GEM_SRC)
	cd $(GEM_SRC) && gem build -q gitlab-cloud-connector.gemspec
	@ls $(GEM_SRC)/gitlab-cloud-connector-*.gem >/dev/null

ruby-test: ruby-gem
	rm -rf $(RUBY_GEM_HOME)
	CARGO=$(CURDIR)/bindings-ruby/tools/cargo-shared-target GEM_CARGO_TARGET_DIR=$(TARGET_DIR) \
	  gem install --local --no-document --install-dir $(RUBY_GEM_HOME) $(GEM_SRC)/gitlab-cloud-connector-*.gem
	cd $(RUBY_DIR) && GEM_PATH=$(RUBY_GEM_HOME):$$(gem env gempath) \
	  CLOUD_CONNECTOR_REPO=$(CURDIR) \
	  rspec --default-path $(CURDIR)/bindings-ruby/spec -I $(CURDIR)/bindings-ruby/spec $(CURDIR)/bindings-ruby/spec

# The main job: the catalog API and index, the self-hosted issuer (a key ring under
# target/serve-keys, made on first run) and the forward-auth endpoint, on $(LISTEN).
LISTEN ?= 127.0.0.1:8080
SERVE_KEYS ?= target/serve-keys
serve:
	$(CARGO) build --release --locked -p cloud-connector-cli
	@test -d $(SERVE_KEYS) || target/release/cloud-connector keys generate --dir $(SERVE_KEYS)
	target/release/cloud-connector serve --listen $(LISTEN) --keys $(SERVE_KEYS)

# Benchmarks, not tests: criterion for the Rust core (catalog and token, with the raw aws-lc-rs
# floor), then the Python comparison table. BENCH_ARGS=--quick for a short run.
bench: python-test ruby-test
	$(CARGO) bench -p cloud-connector --bench catalog --bench token -- --noplot $(CRITERION_ARGS)
	$(PY) -m pip install -q -r bindings-python/requirements-dev.txt
	$(PY) bench/python_bench.py $(BENCH_ARGS)
	GEM_PATH=$(RUBY_GEM_HOME):$$(gem env gempath) ruby bench/ruby_bench.rb $(BENCH_ARGS)
	$(MAKE) bench-serve

# serve under wrk (bench/serve_wrk.sh): /auth with a valid token vs a bare 200 of the same
# server, p50/p99, RSS. DURATION=10s for a quick run.
bench-serve:
	bash bench/serve_wrk.sh

# The load proof of issue 8 (bench/serve_load.sh, 60 s at saturation, mixed tokens, every answer
# checked, RSS growth < 10 %). Not in `make test`.
load-serve:
	bash bench/serve_load.sh
