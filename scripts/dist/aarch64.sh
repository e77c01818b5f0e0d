#!/usr/bin/env bash
# The non-x86_64-glibc artifacts of `make dist`: every native library (each Ruby minor's of both
# platform gems too) has the ELF machine and C library of its platform and no debug info; then the
# aarch64 wheel, gem and npm packages are installed and run (scripts/dist/smoke/*) by Debian's
# arm64 python3.11, node 18 and every Ruby the gem ships for (3.1 of Debian 12, 3.3 and 3.4 of
# scripts/dist/rubies.sh) under qemu-aarch64-static (scripts/dist/tools.sh unpacks them). The manylinux /
# musllinux policy of each wheel is checked by python.sh (auditwheel show).
# Usage: aarch64.sh DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
# shellcheck source=scripts/dist/rubies.sh
. "$here/rubies.sh"
dir=$(realpath "$1")
work=$TARGET_DIR/dist-work/aarch64
rm -rf "$work" && mkdir -p "$work/libs"

# extract ARTIFACT MEMBER NAME: the native library MEMBER of a wheel / gem / npm tarball.
extract() {
  case $1 in
    *.whl) unzip -p "$1" "$2" >"$work/libs/$3" ;;
    *.gem) tar -xOf "$1" data.tar.gz | tar -xzO "$2" >"$work/libs/$3" ;;
    *.tgz) tar -xzOf "$1" "$2" >"$work/libs/$3" ;;
  esac
}
expect() { # NAME MACHINE LIBC
  local lib=$work/libs/$1 header dyn
  header=$(readelf -h "$lib") dyn=$(readelf -d "$lib")
  grep -q "Machine:[[:space:]]*$2" <<<"$header" || { echo "dist aarch64: $1 is not $2" >&2; exit 1; }
  grep -q "Shared library: \[$3\]" <<<"$dyn" || { echo "dist aarch64: $1 does not link $3" >&2; exit 1; }
  if readelf -S "$lib" | grep -q '\.debug_'; then echo "dist aarch64: $1 ships debug info" >&2; exit 1; fi
  echo "dist aarch64: $1: $2, $3, no debug info"
}
whl() { ls "$dir"/gitlab_cloud_connector-*-cp310-abi3-*"$1"*.whl; }
extract "$(whl manylinux_2_17_aarch64)" gitlab_cloud_connector/_native.abi3.so wheel-aarch64.so
extract "$(whl musllinux_1_2_x86_64)" gitlab_cloud_connector/_native.abi3.so wheel-musl-x86_64.so
extract "$(ls "$dir"/gitlab-cloud-connector-linux-arm64-gnu-*.tgz)" package/cloud-connector.linux-arm64-gnu.node npm-arm64.node
extract "$(ls "$dir"/gitlab-cloud-connector-linux-x64-musl-*.tgz)" package/cloud-connector.linux-x64-musl.node npm-musl-x64.node
expect wheel-aarch64.so AArch64 libc.so.6
for spec in "aarch64-linux AArch64" "x86_64-linux Advanced Micro Devices X86-64"; do
  read -r platform machine <<<"$spec"
  gem=$(ls "$dir"/gitlab-cloud-connector-*-"$platform".gem)
  minors=$(gem_minors "$gem" | tr '\n' ' ')
  [ "$minors" = "$RUBY_MINORS " ] || { echo "dist aarch64: $(basename "$gem") has Ruby $minors, not $RUBY_MINORS" >&2; exit 1; }
  for minor in $minors; do
    extract "$gem" "lib/gitlab_cloud_connector/$minor/gitlab_cloud_connector.so" "gem-$platform-$minor.so"
    expect "gem-$platform-$minor.so" "$machine" libc.so.6
  done
done
expect npm-arm64.node AArch64 libc.so.6
expect wheel-musl-x86_64.so "Advanced Micro Devices X86-64" libc.so
expect npm-musl-x64.node "Advanced Micro Devices X86-64" libc.so

arm() { qemu-aarch64-static -L "$ARM64_ROOT" "$@"; }

# Python: the wheel unpacked onto the path (an installer does no more for this wheel).
mkdir -p "$work/py"
unzip -q "$(whl manylinux_2_17_aarch64)" -d "$work/py"
(cd "$work" && PYTHONPATH=$work/py arm "$ARM64_ROOT/usr/bin/python3.11" "$here/smoke/smoke.py")

# Ruby: `gem install` by name by the arm64 RubyGems from an index holding the source gem and the
# aarch64-linux gem (see check.sh); it must choose the aarch64-linux one.
mkdir -p "$work/gem-index/gems"
cp "$dir"/gitlab-cloud-connector-*-aarch64-linux.gem "$dir"/gitlab-cloud-connector-[0-9]*[0-9].gem "$work/gem-index/gems/"
gem generate_index -q -d "$work/gem-index" >/dev/null
for minor in $RUBY_MINORS; do
  gems=$work/gems-$minor
  "$(gem_cmd "$minor" aarch64-linux)" install --clear-sources --source "file://$work/gem-index/" --no-document \
    --install-dir "$gems" gitlab-cloud-connector >/dev/null
  ls -d "$gems"/gems/gitlab-cloud-connector-*-aarch64-linux >/dev/null
  smoke=$(cd "$work" && GEM_HOME=$gems GEM_PATH=$gems "$(ruby_cmd "$minor" aarch64-linux)" "$here/smoke/smoke.rb")
  echo "$smoke (Ruby $minor)"
  grep -q -- "-aarch64-linux/lib/gitlab_cloud_connector/$minor/gitlab_cloud_connector.so" <<<"$smoke" ||
    { echo "dist aarch64: Ruby $minor did not load the gem's extension for $minor" >&2; exit 1; }
done

# Node: npm (on this machine) installs for linux/arm64/glibc, offline; arm64 node runs it. npm
# checks an explicit tarball's os/cpu against this machine whatever --cpu says, hence --force.
mkdir -p "$work/node"
(cd "$work/node" && npm init -y >/dev/null &&
  npm install --offline --no-audit --no-fund --loglevel=error --os=linux --cpu=arm64 --libc=glibc --force \
    "$(ls "$dir"/gitlab-cloud-connector-[0-9]*.tgz)" "$(ls "$dir"/gitlab-cloud-connector-linux-arm64-gnu-*.tgz)" >/dev/null &&
  cp "$here/smoke/smoke.cjs" . && arm "$ARM64_ROOT/usr/bin/node" smoke.cjs)
echo "dist aarch64: every aarch64 artifact works under qemu"
