#!/usr/bin/env bash
# Python artifacts into OUT.
#   dist:  abi3 wheels (cp310 and up) for manylinux2014 x86_64 and aarch64 and musllinux_1_2
#          x86_64, cross-linked by zig (maturin --zig), and the sdist (which carries the catalog,
#          so it builds from source: checked here by building a wheel from it). The manylinux
#          wheels must satisfy their policy (auditwheel show) and all pass `twine check`.
#   check: the x86_64 wheel `make python-test` already built (target/wheels, built here only
#          when absent), given the manylinux tag its symbols allow (auditwheel repair).
# Usage: python.sh OUT dist|check
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
out=$(realpath -m "$1")
mode=$2
mkdir -p "$out"
rm -f "$out"/gitlab_cloud_connector-*
manifest=$REPO/bindings-python/Cargo.toml

if [ "$mode" = check ]; then
  built=$(ls "$TARGET_DIR"/wheels/gitlab_cloud_connector-*-cp310-abi3-linux_x86_64.whl 2>/dev/null | head -1)
  if [ -z "$built" ]; then
    echo "dist python: no wheel from make python-test; building it"
    python3 -m pip wheel -q --no-deps -w "$TARGET_DIR/wheels" "$REPO/bindings-python"
    built=$(ls "$TARGET_DIR"/wheels/gitlab_cloud_connector-*-cp310-abi3-linux_x86_64.whl)
  fi
  auditwheel repair --only-plat -w "$out" "$built" 2>&1 | grep -E "^Fixed-up|platform tag" || true
  ls "$out"/gitlab_cloud_connector-*-cp310-abi3-*manylinux*x86_64*.whl >/dev/null
  echo "dist python: $(basename "$out"/*.whl)"
  exit 0
fi

wheel() { # TARGET POLICY
  echo "dist python: $1 ($2)"
  $NICE maturin build --release --locked --quiet --manifest-path "$manifest" --target "$1" --zig \
    --compatibility "$2" --out "$out"
}
wheel x86_64-unknown-linux-gnu manylinux2014
wheel aarch64-unknown-linux-gnu manylinux2014
wheel x86_64-unknown-linux-musl musllinux_1_2
maturin sdist --manifest-path "$manifest" --out "$out" 2>/dev/null

# auditwheel judges a wheel against the C library it runs on, so here (glibc) it checks the
# manylinux wheels; the musllinux one is checked by maturin's own audit at build time (it refuses
# to tag a wheel that needs more than musl 1.2) and by aarch64.sh (ELF machine, NEEDED libc.so).
for w in "$out"/*manylinux*.whl; do
  case "$w" in
    *-cp310-abi3-*manylinux_2_17_x86_64*.whl) policy=manylinux_2_17_x86_64 ;;
    *-cp310-abi3-*manylinux_2_17_aarch64*.whl) policy=manylinux_2_17_aarch64 ;;
    *) echo "dist python: unexpected wheel $w" >&2; exit 1 ;;
  esac
  shown=$(auditwheel show "$w" | tr -s '\n ' '  ')
  grep -q "consistent with the following platform tag: \"$policy\"" <<<"$shown" || {
    echo "$shown" >&2; echo "dist python: $(basename "$w") is not $policy" >&2; exit 1; }
  echo "dist python: auditwheel: $(basename "$w") is $policy"
done
ls "$out"/gitlab_cloud_connector-*-cp310-abi3-musllinux_1_2_x86_64.whl >/dev/null
twine check --strict "$out"/gitlab_cloud_connector-*

# The sdist builds on its own (no repository around it): a wheel from it, in a scratch dir.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
tar xzf "$out"/gitlab_cloud_connector-*.tar.gz -C "$scratch"
$NICE python3 -m pip wheel -q --no-deps -w "$scratch/wheel" "$scratch"/gitlab_cloud_connector-*/
ls "$scratch"/wheel/gitlab_cloud_connector-*-cp310-abi3-*.whl >/dev/null
echo "dist python: the sdist builds a wheel from source"
