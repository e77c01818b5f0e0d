# The two commands of this project: `make serve` (the main job) and `make test` (every suite).
# `make test` installs what it needs on a fresh machine (scripts/install-deps.sh) and shares one
# target/ across every crate and language.

SHELL := /bin/bash
CARGO ?= cargo
export CARGO_TERM_COLOR ?= never
export CARGO_INCREMENTAL ?= 0

.PHONY: test serve deps fmt-check clippy rust-test vectors-check catalog-build-check python-test ruby-gem ruby-test node-test vectors bench
.PHONY: browser-test bench-serve load-serve dist dist-check versions-check

test: deps fmt-check clippy versions-check rust-test browser-test vectors-check catalog-build-check python-test ruby-test node-test dist-check vectors fuzz-smoke
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

# tests/vectors/catalog.json and arguments.json must be exactly what their generators write.
vectors-check:
	@for v in catalog argument; do f=$$v; [ $$v = argument ] && f=arguments; \
	  tmp=$$(mktemp); python3 tests/vectors/make_$${v}_vectors.py "$$tmp" >/dev/null && \
	  if cmp -s "$$tmp" tests/vectors/$$f.json; then echo "vectors-check: $$f.json is up to date"; rm -f "$$tmp"; \
	  else echo "vectors-check: tests/vectors/$$f.json differs from make_$${v}_vectors.py; run it" >&2; diff "$$tmp" tests/vectors/$$f.json | head -20; rm -f "$$tmp"; exit 1; fi; done

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
	@ls $(WHEELS)/gitlab_cloud_connector-*-cp310-abi3-*.whl >/dev/null || { echo "python-test: no cp310-abi3 wheel was built" >&2; exit 1; }
	$(PY) -m pip install -q --force-reinstall --no-deps $(WHEELS)/gitlab_cloud_connector-*.whl
	$(VENV)/bin/ruff check bindings-python
	$(VENV)/bin/ruff format --check bindings-python
	cd bindings-python && ../$(VENV)/bin/mypy --strict python/gitlab_cloud_connector tests/typing_usage.py
	cd bindings-python && ../$(PY) -m pytest -q -p no:cacheprovider tests
	$(VENV)/bin/ruff check --config bindings-python/pyproject.toml bench
	$(VENV)/bin/ruff format --check --config bindings-python/pyproject.toml bench
	$(PY) -m pytest -q -p no:cacheprovider bench/test_report.py

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
# the shared target dir); the generated index.d.ts and JS loader (binding.js) must equal the
# checked-in ones;
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
	  --output-dir $(NODE_DIR)/build --js binding.js --dts index.d.ts
	@for f in index.d.ts binding.js; do \
	  if ! cmp -s $(NODE_DIR)/build/$$f bindings-node/$$f; then \
	    echo "node-test: bindings-node/$$f differs from what napi build generates; run 'npm run build' in bindings-node and commit it" >&2; \
	    diff -u bindings-node/$$f $(NODE_DIR)/build/$$f | head -40; exit 1; fi; done
	@echo "node-test: index.d.ts and binding.js are up to date"
	cp $(NODE_DIR)/build/*.node bindings-node/
	cd bindings-node && npm pack --silent --pack-destination $(NODE_DIR) >/dev/null
	cd $(NODE_DIR)/fresh && npm init -y >/dev/null && \
	  npm install --no-audit --no-fund --loglevel=error $(NODE_DIR)/gitlab-cloud-connector-*.tgz
	cd $(NODE_DIR)/fresh && node -e '$(NODE_CJS_CHECK)'
	cd $(NODE_DIR)/fresh && node --input-type=module -e '$(NODE_ESM_CHECK)'
	CLOUD_CONNECTOR_NODE=$(NODE_PKG) node --test bindings-node/test/

# Cross-language vectors (tests/vectors/README.md "make vectors"): tests/vectors/run_all.sh runs
# every runner (the Rust example vectors_run, tests/vectors/run_*.{py,rb,mjs}) into
# target/vectors/<language>.json and compare.py fails on any difference. It uses the installed
# wheel, gem and Node package ($(NODE_PKG)); python-test / ruby-test / node-test run first only
# when they are not installed.
vectors:
	@$(PY) -c 'import gitlab_cloud_connector' 2>/dev/null || $(MAKE) --no-print-directory python-test
	@GEM_PATH=$(RUBY_GEM_HOME) ruby -e 'require "gitlab/cloud_connector"' 2>/dev/null || $(MAKE) --no-print-directory ruby-test
	@node -e 'require(process.argv[1])' $(NODE_PKG) 2>/dev/null || $(MAKE) --no-print-directory node-test
	PY=$(PY) CARGO="$(CARGO)" GEM_PATH=$(RUBY_GEM_HOME):$$(gem env gempath) CLOUD_CONNECTOR_NODE=$(NODE_PKG) \
	  bash tests/vectors/run_all.sh

# Prebuilt packages (README "Install" and "Compatibility"): `make dist` builds every artifact into
# $(DIST) (wheels for manylinux x86_64/aarch64 and musllinux x86_64 and the sdist; the source gem
# and x86_64/aarch64 platform gems; the npm main package and one package per platform), installs
# the x86_64 ones without a toolchain (scripts/dist/check.sh), checks and runs the aarch64 ones
# under qemu (scripts/dist/aarch64.sh) and prints the sizes. It installs its own tools
# (scripts/dist/tools.sh: rustup targets, zig/maturin/cargo-zigbuild from PyPI, qemu and arm64
# Ruby from Debian). `make dist-check` is the x86_64 part alone, from what python-test, ruby-test
# and node-test already built.
DIST ?= dist
DIST_CHECK_DIR := $(TARGET_DIR)/dist-check
dist:
	bash scripts/dist/tools.sh
	rm -rf $(DIST) && mkdir -p $(DIST)
	bash scripts/dist/python.sh $(DIST) dist
	bash scripts/dist/ruby.sh $(DIST) dist
	bash scripts/dist/node.sh $(DIST) dist
	bash scripts/dist/check.sh $(DIST)
	bash scripts/dist/aarch64.sh $(DIST)
	@bash scripts/dist/sizes.sh $(DIST)

dist-check:
	bash scripts/dist/tools.sh --x86-only
	rm -rf $(DIST_CHECK_DIR) && mkdir -p $(DIST_CHECK_DIR)
	bash scripts/dist/python.sh $(DIST_CHECK_DIR) check
	bash scripts/dist/ruby.sh $(DIST_CHECK_DIR) check
	bash scripts/dist/node.sh $(DIST_CHECK_DIR) check
	bash scripts/dist/check.sh $(DIST_CHECK_DIR)

# One place sets each package version; this fails when one leaves its consumer's pin or the
# README compatibility table disagrees (scripts/dist/check_versions.py).
versions-check:
	@python3 scripts/dist/check_versions.py .

# The main job: the catalog API and index, the self-hosted issuer (a key ring under
# target/serve-keys, made on first run) and the forward-auth endpoint, on $(LISTEN).
LISTEN ?= 127.0.0.1:8080
SERVE_KEYS ?= target/serve-keys
serve:
	$(CARGO) build --release --locked -p cloud-connector-cli
	@test -d $(SERVE_KEYS) || target/release/cloud-connector keys generate --dir $(SERVE_KEYS)
	target/release/cloud-connector serve --listen $(LISTEN) --keys $(SERVE_KEYS)

# Benchmarks, not tests, in one run (bench/README.md): the raw RSA floor (openssl speed), criterion
# for the Rust core, each binding's bench against its peers (each writes $(BENCH_OUT)/<lang>.json),
# then bench/report.py prints the one cross-language table with every target. BENCH_ARGS=--quick
# for a short run.
BENCH_OUT := $(TARGET_DIR)/bench
BENCH_LANGS := $(BENCH_OUT)/rust.json $(BENCH_OUT)/python.json $(BENCH_OUT)/ruby.json $(BENCH_OUT)/node.json

bench: python-test ruby-test node-test
	rm -rf $(TARGET_DIR)/criterion $(BENCH_OUT) && mkdir -p $(BENCH_OUT)
	python3 bench/report.py --measure-floor --floor $(BENCH_OUT)/floor.json
	$(CARGO) bench -p cloud-connector --bench catalog --bench token -- --noplot $(CRITERION_ARGS)
	$(CARGO) run --release --locked -q -p cloud-connector --example floor_ratios -- $(BENCH_ARGS) --json $(BENCH_OUT)/rust.json
	$(PY) bench/python_bench.py $(BENCH_ARGS) --json $(BENCH_OUT)/python.json
	GEM_PATH=$(RUBY_GEM_HOME):$$(gem env gempath) ruby bench/ruby_bench.rb $(BENCH_ARGS) --json $(BENCH_OUT)/ruby.json
	CLOUD_CONNECTOR_NODE=$(NODE_PKG) node bench/node_bench.mjs $(BENCH_ARGS) --json $(BENCH_OUT)/node.json
	@echo; echo "== make bench: one run, every language =="
	python3 bench/report.py --criterion $(TARGET_DIR)/criterion --floor $(BENCH_OUT)/floor.json $(BENCH_LANGS)
	$(MAKE) bench-serve

# Fuzzing (fuzz/; README "Fuzzing"): every cargo-fuzz target for FUZZ_SECONDS each, from seeds
# derived from tests/vectors (fuzz/seed_corpus.py). cargo-fuzz needs nightly-only flags, which
# RUSTC_BOOTSTRAP=1 enables on the stable toolchain (no nightly is fetched). A crash fails the
# target; its input is left in fuzz/artifacts/<target>/ (see tests/vectors/fuzz-regressions.json).
FUZZ_SECONDS ?= 20
FUZZ_SANITIZER ?= address
FUZZ_TARGETS := compact_token compact_token_mutate jwk_jwks catalog_yaml
FUZZ_TARGET_DIR = $(TARGET_DIR)/fuzz
FUZZ := RUSTC_BOOTSTRAP=1 cargo fuzz

.PHONY: fuzz-smoke
fuzz-smoke:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked --version 0.13.2
	python3 fuzz/seed_corpus.py
	cd fuzz && $(FUZZ) build -O -s $(FUZZ_SANITIZER) --target-dir $(FUZZ_TARGET_DIR)
	cd fuzz && for t in $(FUZZ_TARGETS); do \
	  log=$(FUZZ_TARGET_DIR)/smoke-$$t.log; \
	  $(FUZZ) run -O -s $(FUZZ_SANITIZER) --target-dir $(FUZZ_TARGET_DIR) $$t corpus/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >$$log 2>&1 \
	    || { tail -60 $$log; echo "fuzz-smoke: $$t failed; the input is in fuzz/artifacts/$$t/" >&2; exit 1; }; \
	  echo "fuzz-smoke: $$t: $$(grep -h stat::number_of_executed_units $$log | tr -s ' ' | cut -d' ' -f2) runs, corpus $$(ls corpus/$$t | wc -l)"; \
	done
	@echo "fuzz-smoke: every target ran $(FUZZ_SECONDS) s without a failure"

# serve under wrk (bench/serve_wrk.sh): /auth with a valid token vs a bare 200 of the same
# server, p50/p99, RSS. DURATION=10s for a quick run.
bench-serve:
	bash bench/serve_wrk.sh

# The load proof of issue 8 (bench/serve_load.sh, 60 s at saturation, mixed tokens, every answer
# checked, RSS growth < 10 %). Not in `make test`.
load-serve:
	bash bench/serve_load.sh
