#!/usr/bin/env bash
# npm artifacts into OUT, in napi-rs' layout: one package per platform
# (@gitlab/cloud-connector-<platform>, made by `napi create-npm-dirs` from package.json's
# napi.targets, holding cloud-connector.<platform>.node) and the main package, which depends on
# them as optionalDependencies (npm installs the one matching os/cpu/libc) and whose binding.js
# loader requires it. Each is an `npm pack` tarball.
#   dist:  linux-x64-gnu and linux-arm64-gnu (zig, glibc 2.17), linux-x64-musl (zig, musl).
#   check: linux-x64-gnu only, from the release addon `make node-test` already built
#          ($TARGET_DIR/node/build; built here only when absent).
# Usage: node.sh OUT dist|check
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
out=$(realpath -m "$1")
mode=$2
src=$REPO/bindings-node
work=$TARGET_DIR/dist-work/node
mkdir -p "$out"
rm -rf "$work" && mkdir -p "$work/main"
rm -f "$out"/gitlab-cloud-connector-*.tgz

[ -x "$src/node_modules/.bin/napi" ] || (cd "$src" && npm install --no-audit --no-fund --loglevel=error)
# The main package, staged with the files package.json publishes; platform packages beside it.
cp "$src"/{package.json,index.js,index.mjs,binding.js,claims.js,encode.js,promises.js,index.d.ts,README.md} "$REPO/LICENSE" "$work/main/"
(cd "$src" && npx --no-install napi create-npm-dirs --cwd "$work/main" --npm-dir npm >/dev/null 2>&1)

addon() { # NAPI_PLATFORM RUST_TARGET (prints the built file)
  local built=$TARGET_DIR/$2/release/libcloud_connector_node.so
  local target=$2
  case $2 in *-gnu) target=$2.$GLIBC ;; esac
  echo "dist node: addon for $1" >&2
  $NICE cargo zigbuild --release --locked --quiet --manifest-path "$REPO/Cargo.toml" -p cloud-connector-node \
    --target "$target" >&2
  echo "$built"
}

platforms=()
if [ "$mode" = check ]; then
  node_file=$TARGET_DIR/node/build/cloud-connector.linux-x64-gnu.node
  if [ ! -f "$node_file" ]; then
    echo "dist node: no addon from make node-test; building it"
    (cd "$src" && npx --no-install napi build --platform --release --target-dir "$TARGET_DIR" \
      --output-dir "$work/build" --no-js --no-dts >/dev/null)
    node_file=$work/build/cloud-connector.linux-x64-gnu.node
  fi
  cp "$node_file" "$work/main/npm/linux-x64-gnu/"
  platforms=(linux-x64-gnu)
else
  for spec in "linux-x64-gnu x86_64-unknown-linux-gnu" "linux-arm64-gnu aarch64-unknown-linux-gnu" \
              "linux-x64-musl x86_64-unknown-linux-musl"; do
    read -r platform triple <<<"$spec"
    cp "$(addon "$platform" "$triple")" "$work/main/npm/$platform/cloud-connector.$platform.node"
    platforms+=("$platform")
  done
fi

# Only the platforms built here become optionalDependencies (a check run has one).
node - "$work/main" "${platforms[@]}" <<'EOF'
const fs = require("fs");
const [dir, ...platforms] = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(`${dir}/package.json`, "utf8"));
pkg.optionalDependencies = Object.fromEntries(platforms.map((p) => [`${pkg.name}-${p}`, pkg.version]));
delete pkg.devDependencies;
delete pkg.scripts;
fs.writeFileSync(`${dir}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
for (const p of platforms) {
  const sub = `${dir}/npm/${p}/package.json`;
  const spkg = JSON.parse(fs.readFileSync(sub, "utf8"));
  spkg.files = [...new Set([...(spkg.files || []), "LICENSE"])];
  fs.writeFileSync(sub, JSON.stringify(spkg, null, 2) + "\n");
}
EOF
for p in "${platforms[@]}"; do
  cp "$REPO/LICENSE" "$work/main/npm/$p/"
  (cd "$work/main/npm/$p" && npm pack --silent --pack-destination "$out" >/dev/null)
done
rm -rf "$work/main/npm"
(cd "$work/main" && npm pack --silent --pack-destination "$out" >/dev/null)
for t in "$out"/gitlab-cloud-connector-*.tgz; do echo "dist node: $(basename "$t")"; done
