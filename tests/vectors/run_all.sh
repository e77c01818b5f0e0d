#!/usr/bin/env bash
# `make vectors` (tests/vectors/README.md "make vectors"): checks compare.py itself, runs every
# language's vector runner into target/vectors/<language>.json, then compare.py over them.
#
# Runners: the Rust example (core/examples/vectors_run.rs) always, and every
# tests/vectors/run_<language>.{py,rb,mjs}: .py with $PY (the venv with the wheel installed), .rb
# with ruby ($GEM_PATH holds the installed gem), .mjs with node ($CLOUD_CONNECTOR_NODE names the
# installed package; unset, run_node.mjs loads bindings-node/). run_node.mjs runs only when
# bindings-node/ exists; without it (or without the runner) Node is skipped with a note. A runner
# that exists and fails fails the target.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
PY=${PY:-.venv/bin/python}
CARGO=${CARGO:-cargo}
VENV_BIN=$(dirname "$PY")
out=target/vectors
py_files=(tests/vectors/run_python.py tests/vectors/compare.py tests/vectors/test_compare.py)

echo "vectors: lint, types and tests of the Python runner and compare.py"
"$VENV_BIN/ruff" check --config bindings-python/pyproject.toml "${py_files[@]}"
"$VENV_BIN/ruff" format --config bindings-python/pyproject.toml --check "${py_files[@]}"
"$VENV_BIN/mypy" --config-file bindings-python/pyproject.toml "${py_files[@]}"
"$PY" -m pytest -q -p no:cacheprovider tests/vectors/test_compare.py

rm -rf "$out"
mkdir -p "$out"
# Rust, Python and Ruby must always answer; any other runner found is required too.
require=rust,python,ruby
run() { # <language> <command...>: the runner's stdout into $out/<language>.json
    local lang=$1
    shift
    echo "vectors: $lang: $*"
    if ! "$@" >"$out/$lang.json"; then
        echo "vectors: the $lang runner failed ($*)" >&2
        exit 1
    fi
}

run rust "$CARGO" run -q --locked -p cloud-connector --example vectors_run -- "$repo"
for runner in tests/vectors/run_*.py tests/vectors/run_*.rb tests/vectors/run_*.mjs; do
    [ -e "$runner" ] || continue
    name=$(basename "$runner")
    lang=${name#run_}
    lang=${lang%.*}
    case "$runner" in
    *.py) run "$lang" "$PY" "$runner" "$repo" ;;
    *.rb) run "$lang" ruby "$runner" "$repo" ;;
    *.mjs)
        if [ "$lang" = node ] && [ ! -d bindings-node ]; then
            echo "vectors: note: skipping $runner: there is no bindings-node/ in this checkout"
            continue
        fi
        run "$lang" node "$runner" "$repo"
        ;;
    esac
    case ",$require," in *",$lang,"*) ;; *) require="$require,$lang" ;; esac
done
if [ ! -e tests/vectors/run_node.mjs ]; then
    if [ -d bindings-node ]; then
        echo "vectors: note: skipping Node: bindings-node/ exists but tests/vectors/run_node.mjs does not (README \"make vectors\")"
    else
        echo "vectors: note: skipping Node: no bindings-node/ and no tests/vectors/run_node.mjs"
    fi
fi

"$PY" tests/vectors/compare.py --vectors tests/vectors --require "$require" "$out"/*.json
