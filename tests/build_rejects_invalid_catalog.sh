#!/usr/bin/env bash
# An invalid catalog must fail the core's build with the validator's message (file, record,
# field). Builds against a broken copy of config/ through CLOUD_CONNECTOR_CATALOG_SRC, in a
# target directory of its own so the main build is untouched.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$root/config" "$work/config"
sed -i "s/^min_gitlab_version: '16.9'/min_gitlab_version: 16.10/" "$work/config/unit_primitives/duo_chat.yml"
grep -q "^min_gitlab_version: 16.10" "$work/config/unit_primitives/duo_chat.yml"

log="$work/build.log"
if CLOUD_CONNECTOR_CATALOG_SRC="$work/config" cargo check -q --locked -p cloud-connector \
     --target-dir "$root/target/catalog-check" >"$log" 2>&1; then
  echo "catalog-build-check: FAILED: the build accepted an invalid catalog" >&2
  exit 1
fi
for want in "unit_primitives/duo_chat.yml" "record 'duo_chat', field 'min_gitlab_version'" "quoted"; do
  if ! grep -qF "$want" "$log"; then
    echo "catalog-build-check: FAILED: build output lacks '$want':" >&2
    cat "$log" >&2
    exit 1
  fi
done
echo "catalog-build-check: an invalid catalog fails the build with the validator's message"
