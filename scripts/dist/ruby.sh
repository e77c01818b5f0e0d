#!/usr/bin/env bash
# Ruby artifacts into OUT: the source gem (compiles at `gem install`, as `make ruby-gem` builds it)
# and precompiled platform gems holding one extension per Ruby minor,
# lib/gitlab_cloud_connector/<minor>/gitlab_cloud_connector.so (the gem's loader, native.rb,
# picks the running one; its required_ruby_version admits exactly those minors).
#   dist:  x86_64-linux and aarch64-linux, each for every minor of $RUBY_MINORS, cross-linked by
#          zig against glibc 2.17; each extension is generated against that minor's headers, with
#          that Ruby (scripts/dist/rubies.sh, run under qemu where it is not this machine's)
#          answering rb-sys' RbConfig questions.
#   check: x86_64-linux for this machine's Ruby only, from the extension `make ruby-test` already
#          compiled ($TARGET_DIR/release/libgitlab_cloud_connector.so; built here only when absent).
# Usage: ruby.sh OUT dist|check
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
# shellcheck source=scripts/dist/rubies.sh
. "$here/rubies.sh"
out=$(realpath -m "$1")
mode=$2
work=$TARGET_DIR/dist-work/ruby
mkdir -p "$out"
rm -rf "$work" && mkdir -p "$work"
rm -f "$out"/gitlab-cloud-connector-*.gem

python3 "$REPO/bindings-ruby/tools/stage_gem.py" "$REPO" "$work/src"
(cd "$work/src" && gem build -q gitlab-cloud-connector.gemspec >/dev/null && cp gitlab-cloud-connector-*.gem "$out/")
manifest=$work/src/ext/cloud_connector/Cargo.toml

platform_gem() { # PLATFORM: the gem of the extensions staged in $work/$PLATFORM-libs/<minor>/
  local stage=$work/$1 minors
  cp -a "$work/src" "$stage"
  rm -f "$stage"/*.gem
  cp -a "$work/$1-libs" "$stage/lib/gitlab_cloud_connector"
  minors=$(ls "$stage/lib/gitlab_cloud_connector" | sort -V | paste -sd ' ')
  (cd "$stage" && CLOUD_CONNECTOR_GEM_PLATFORM=$1 CLOUD_CONNECTOR_GEM_RUBY=$minors \
    gem build -q gitlab-cloud-connector.gemspec >/dev/null && mv gitlab-cloud-connector-*-"$1".gem "$out/")
  echo "dist ruby: $(basename "$out"/gitlab-cloud-connector-*-"$1".gem) (Ruby $minors)"
}
stage_lib() { # PLATFORM MINOR EXTENSION
  mkdir -p "$work/$1-libs/$2"
  cp "$3" "$work/$1-libs/$2/gitlab_cloud_connector.so"
}
ruby_minor() { "$1" -e 'print RbConfig::CONFIG.values_at("MAJOR", "MINOR").join(".")'; }

if [ "$mode" = check ]; then
  so=$TARGET_DIR/release/libgitlab_cloud_connector.so
  if [ ! -f "$so" ]; then
    echo "dist ruby: no extension from make ruby-test; building it"
    cargo build --release --locked --quiet --manifest-path "$manifest"
  fi
  stage_lib x86_64-linux "$(ruby_minor ruby)" "$so"
  platform_gem x86_64-linux
  exit 0
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for spec in "x86_64-linux x86_64-unknown-linux-gnu" "aarch64-linux aarch64-unknown-linux-gnu"; do
  read -r platform triple <<<"$spec"
  for minor in $RUBY_MINORS; do
    rb=$(ruby_cmd "$minor" "$platform")
    [ "$(ruby_minor "$rb")" = "$minor" ] || { echo "dist ruby: $rb is not Ruby $minor" >&2; exit 1; }
    echo "dist ruby: extension for $platform, Ruby $minor"
    # From a directory that is no ancestor of zig: cargo-zigbuild hands bindgen zig's include
    # directories as zig reports them, relative to the current directory when zig lies below it,
    # and rb-sys' build script runs elsewhere (stdarg.h would not be found). Each minor rebuilds
    # rb-sys, magnus and the extension (their build scripts rerun when RUBY or RBCONFIG_* change).
    mapfile -t headers < <(ruby_headers_env "$minor" "$platform")
    (cd "$scratch" && env RUBY="$rb" "${headers[@]}" $NICE cargo zigbuild --release --locked --quiet \
      --manifest-path "$manifest" --target "$triple.$GLIBC")
    stage_lib "$platform" "$minor" "$TARGET_DIR/$triple/release/libgitlab_cloud_connector.so"
  done
  platform_gem "$platform"
done
