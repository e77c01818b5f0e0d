#!/usr/bin/env bash
# Ruby artifacts into OUT: the source gem (compiles at `gem install`, as `make ruby-gem` builds it)
# and precompiled platform gems holding lib/gitlab_cloud_connector.so for one Ruby minor.
#   dist:  x86_64-linux and aarch64-linux, cross-linked by zig against glibc 2.17; the aarch64
#          extension is generated against Debian's arm64 Ruby headers (multiarch), whose RbConfig
#          comes from the arm64 ruby run under qemu (scripts/dist/tools.sh installs both).
#   check: x86_64-linux only, from the extension `make ruby-test` already compiled
#          ($TARGET_DIR/release/libgitlab_cloud_connector.so; built here only when absent).
# Usage: ruby.sh OUT dist|check
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
out=$(realpath -m "$1")
mode=$2
work=$TARGET_DIR/dist-work/ruby
mkdir -p "$out"
rm -rf "$work" && mkdir -p "$work"
rm -f "$out"/gitlab-cloud-connector-*.gem

python3 "$REPO/bindings-ruby/tools/stage_gem.py" "$REPO" "$work/src"
(cd "$work/src" && gem build -q gitlab-cloud-connector.gemspec >/dev/null && cp gitlab-cloud-connector-*.gem "$out/")
manifest=$work/src/ext/cloud_connector/Cargo.toml

platform_gem() { # PLATFORM EXTENSION RUBY_MINOR
  local stage=$work/$1
  cp -a "$work/src" "$stage"
  rm -f "$stage"/*.gem
  cp "$2" "$stage/lib/gitlab_cloud_connector.so"
  (cd "$stage" && CLOUD_CONNECTOR_GEM_PLATFORM=$1 CLOUD_CONNECTOR_GEM_RUBY=$3 \
    gem build -q gitlab-cloud-connector.gemspec >/dev/null && mv gitlab-cloud-connector-*-"$1".gem "$out/")
  echo "dist ruby: $(basename "$out"/gitlab-cloud-connector-*-"$1".gem) (Ruby $3)"
}
ruby_minor() { "$1" -e 'print RbConfig::CONFIG.values_at("MAJOR", "MINOR").join(".")'; }

if [ "$mode" = check ]; then
  so=$TARGET_DIR/release/libgitlab_cloud_connector.so
  if [ ! -f "$so" ]; then
    echo "dist ruby: no extension from make ruby-test; building it"
    cargo build --release --locked --quiet --manifest-path "$manifest"
  fi
  platform_gem x86_64-linux "$so" "$(ruby_minor ruby)"
  exit 0
fi

# The arm64 ruby, run under qemu, answers rb-sys' RbConfig questions (header dirs, flags).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
arm64_ruby=$DIST_TOOLS/ruby-arm64
printf '#!/bin/sh\nexec qemu-aarch64-static %s "$@"\n' "$ARM64_ROOT/usr/bin/ruby3.1" >"$arm64_ruby"
chmod +x "$arm64_ruby"
for spec in "x86_64-linux x86_64-unknown-linux-gnu ruby" "aarch64-linux aarch64-unknown-linux-gnu $arm64_ruby"; do
  read -r platform triple rb <<<"$spec"
  echo "dist ruby: extension for $platform"
  # From a directory that is no ancestor of zig: cargo-zigbuild hands bindgen zig's include
  # directories as zig reports them, relative to the current directory when zig lies below it,
  # and rb-sys' build script runs elsewhere (stdarg.h would not be found).
  (cd "$scratch" && RUBY=$rb $NICE cargo zigbuild --release --locked --quiet --manifest-path "$manifest" \
    --target "$triple.$GLIBC")
  platform_gem "$platform" "$TARGET_DIR/$triple/release/libgitlab_cloud_connector.so" "$(ruby_minor "$rb")"
done
