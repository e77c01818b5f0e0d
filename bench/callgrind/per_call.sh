#!/bin/bash
# Instructions per call of one binding path on the realistic token (bench/realistic_token.json),
# repeatable on a loaded machine where wall-clock time is not: callgrind counts the whole process
# with 0 and with N calls, and the difference over N is one call. After `make python-test` /
# `make ruby-test` / `make node-test` (it uses what they install):
#   bash bench/callgrind/per_call.sh ruby|node verify|hit|issue N
#   bash bench/callgrind/per_call.sh python verify|auth|hit N
# Caveat: callgrind counts each byte of a `rep stos`/`rep movs` (glibc's memset/memcpy of a few
# kB) as one instruction, where the CPU moves 32 bytes or more per cycle.
set -euo pipefail
lang=$1 what=$2 n=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() {
  case $lang in
    python) valgrind --tool=callgrind --callgrind-out-file="$out/$1" \
            "$root/.venv/bin/python" "$root/bench/callgrind/python_loop.py" "$what" "$1" ;;
    ruby) GEM_PATH=$target/ruby/gem-home:$(gem env gempath) valgrind --tool=callgrind \
            --callgrind-out-file="$out/$1" ruby "$root/bench/callgrind/ruby_loop.rb" "$what" "$1" ;;
    node) CLOUD_CONNECTOR_NODE=${CLOUD_CONNECTOR_NODE:-$target/node/fresh/node_modules/@gitlab/cloud-connector} \
            valgrind --tool=callgrind --callgrind-out-file="$out/$1" node "$root/bench/callgrind/node_loop.mjs" "$what" "$1" ;;
    *) echo "per_call.sh: python, ruby or node, not $lang" >&2; exit 2 ;;
  esac >/dev/null 2>"$out/log"
  grep -h '^summary:\|^totals:' "$out/$1" | head -1 | awk '{print $2}'
}
base=$(count 0)
total=$(count "$n")
echo "$lang $what: $(( (total - base) / n )) instructions per call (N=$n)"
