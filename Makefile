# The two commands of this project: `make serve` (the main job) and `make test` (every suite).
# `make test` installs what it needs on a fresh machine (scripts/install-deps.sh) and shares one
# target/ across every crate and language.

SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never
export CARGO_INCREMENTAL ?= 0

.PHONY: test serve deps fmt-check clippy rust-test vectors-check catalog-build-check python-test ruby-gem ruby-test node-test bench

test: deps fmt-check clippy rust-test vectors-check catalog-build-check python-test ruby-test node-test
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

# Node: the addon is built once in release into a scratch output directory (cargo artifacts in
# the shared target dir); the generated index.d.ts and JS loader must equal the checked-in ones;
# `npm pack` makes the tarball, which is installed into a fresh directory and loaded through
# require() and import; then node's test runner runs the suites against the installed package.
NODE_DIR := $(TARGET_DIR)/node
NODE_PKG := $(NODE_DIR)/fresh/node_modules/@gitlab/cloud-connector
NODE_CJS_CHECK := const cc = require("@gitlab/cloud-connector"); if (!cc.Catalog.embedded().unitPrimitive("duo_chat")) process.exit(1); console.log("node-test: require() works")
NODE_ESM_CHECK := import cc, { Catalog, KeySet } from "@gitlab/cloud-connector"; if (cc.Catalog !== Catalog || typeof KeySet.fromJwks !== "function" || !Catalog.embedded().unitPrimitive("duo_chat")) process.exit(1); console.log("node-test: import works")

# Dependencies come from the committed lock file through `npm install` (`npm ci` refuses that
# lock: npm 11 leaves the platform-specific optional packages of @napi-rs/cli's own dependencies
# out of it).
node-test:
	cd bindings-node && npm install --no-audit --no-fund --loglevel=error
	@! grep -nE 'unsafe[[:space:]]*(\{|fn|impl)' bindings-node/src/*.rs || { echo "node-test: bindings-node/src must not contain unsafe code" >&2; exit 1; }
	rm -rf $(NODE_DIR) && mkdir -p $(NODE_DIR)/build $(NODE_DIR)/fresh
	cd bindings-node && CARGO_TARGET_DIR=$(TARGET_DIR) npx napi build --platform --release \
	  --output-dir $(NODE_DIR)/build --js index.js --dts index.d.ts
	@for f in index.d.ts index.js; do \
	  if ! cmp -s $(NODE_DIR)/build/$$f bindings-node/$$f; then \
	    echo "node-test: bindings-node/$$f differs from what napi build generates; run 'npm run build' in bindings-node and commit it" >&2; \
	    diff -u bindings-node/$$f $(NODE_DIR)/build/$$f | head -40; exit 1; fi; done
	@echo "node-test: index.d.ts and index.js are up to date"
	cp $(NODE_DIR)/build/*.node bindings-node/
	cd bindings-node && npm pack --silent --pack-destination $(NODE_DIR) >/dev/null
	cd $(NODE_DIR)/fresh && npm init -y >/dev/null && \
	  npm install --no-audit --no-fund --loglevel=error $(NODE_DIR)/gitlab-cloud-connector-*.tgz
	cd $(NODE_DIR)/fresh && node -e '$(NODE_CJS_CHECK)'
	cd $(NODE_DIR)/fresh && node --input-type=module -e '$(NODE_ESM_CHECK)'
	CLOUD_CONNECTOR_NODE=$(NODE_PKG) node --test bindings-node/test/

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
bench: python-test ruby-test node-test
	$(CARGO) bench -p cloud-connector --bench catalog --bench token -- --noplot $(CRITERION_ARGS)
	$(PY) -m pip install -q -r bindings-python/requirements-dev.txt
	$(PY) bench/python_bench.py $(BENCH_ARGS)
	GEM_PATH=$(RUBY_GEM_HOME):$$(gem env gempath) ruby bench/ruby_bench.rb $(BENCH_ARGS)
	CLOUD_CONNECTOR_NODE=$(NODE_PKG) node bench/node_bench.mjs $(BENCH_ARGS)
