#!/usr/bin/env bash
# Installs the x86_64 artifacts in DIR (manylinux wheel, x86_64-linux gem, linux-x64-gnu npm
# tarballs) into fresh environments whose PATH holds only the interpreters and a few shell tools
# (no cargo, rustc, cc or clang: a build would fail), and runs scripts/dist/smoke/* in each.
# Usage: check.sh DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/env.sh"
# shellcheck source=scripts/dist/rubies.sh
. "$here/rubies.sh"
dir=$(realpath "$1")
# The system interpreters, not the dist tools' virtualenv.
PATH=${PATH#"$DIST_VENV/bin:"}
env_root=$TARGET_DIR/dist-check-env
rm -rf "$env_root" && mkdir -p "$env_root/bin" "$env_root/home"

one() { # GLOB: the single file it names
  local files=($1)
  [ ${#files[@]} -eq 1 ] && [ -f "${files[0]}" ] || { echo "dist-check: expected one $1, found: ${files[*]}" >&2; exit 1; }
  echo "${files[0]}"
}
wheel=$(one "$dir/gitlab_cloud_connector-*-cp310-abi3-*manylinux*x86_64*.whl")
gem=$(one "$dir/gitlab-cloud-connector-*-x86_64-linux.gem")
src_gem=$(one "$dir/gitlab-cloud-connector-[0-9]*[0-9].gem")
npm_main=$(one "$dir/gitlab-cloud-connector-[0-9]*.tgz")
npm_platform=$(one "$dir/gitlab-cloud-connector-linux-x64-gnu-*.tgz")

for tool in ruby gem node npm sh bash env cat ls mkdir rm cp mv ln chmod dirname basename \
            readlink realpath uname grep sed tar gzip; do
  ln -s "$(command -v "$tool")" "$env_root/bin/$tool"
done
# The interpreter itself, not a version manager's shim (which needs more of PATH).
ln -s "$(python3 -c 'import sys; print(sys.executable)')" "$env_root/bin/python3"
bare() { env -i HOME="$env_root/home" PATH="$env_root/bin" LANG=C.UTF-8 NPM_CONFIG_UPDATE_NOTIFIER=false "$@"; }
for tool in cargo rustc cc gcc clang; do
  if bare sh -c "command -v $tool" >/dev/null; then echo "dist-check: $tool is reachable" >&2; exit 1; fi
done

# Python: a new virtualenv, the wheel only (pip may not fall back to a source build).
bare python3 -m venv "$env_root/py"
bare "$env_root/py/bin/python" -m pip install -q --no-index --only-binary :all: --no-deps "$wheel"
(cd "$env_root/home" && bare "$env_root/py/bin/python" "$here/smoke/smoke.py")

# Ruby: `gem install` by name from an index holding the source gem and the platform gem (what a
# gem server offers); RubyGems must pick the precompiled one (the source gem needs cargo), and the
# loader the extension of the running Ruby. (`--local` from a directory is no proof: RubyGems 3.3
# never picks a platform gem there by name.) Every minor the gem ships is installed by that Ruby's
# own RubyGems: this machine's, then the others of scripts/dist/rubies.sh (under qemu-x86_64,
# with the prefix of their root; the bare PATH still reaches no toolchain).
mkdir -p "$env_root/gem-index/gems"
cp "$gem" "$src_gem" "$env_root/gem-index/gems/"
gem generate_index -q -d "$env_root/gem-index" >/dev/null
# Its required_ruby_version admits exactly the minors it holds (3.2, between two shipped ones,
# and every other minor must get the source gem), early and late releases alike.
ruby -rrubygems/package - "$gem" $(gem_minors "$gem") <<'RUBY'
req = Gem::Package.new(ARGV.shift).spec.required_ruby_version
(0..6).to_a.product([0, 9, 19]).each do |minor, patch|
  admitted = req.satisfied_by?(Gem::Version.new("3.#{minor}.#{patch}"))
  next if admitted == ARGV.include?("3.#{minor}")
  abort "dist-check: the platform gem's required_ruby_version (#{req}) #{admitted ? 'admits' : 'refuses'} 3.#{minor}.#{patch}"
end
puts "dist-check: the platform gem admits Ruby #{ARGV.join(', ')} and no other minor"
RUBY
ruby_check() { # MINOR RUBY GEM
  local gems=$env_root/gems-$1 out
  bare "$3" install --clear-sources --source "file://$env_root/gem-index/" --no-document \
    --install-dir "$gems" gitlab-cloud-connector >/dev/null
  out=$(cd "$env_root/home" && bare env GEM_HOME="$gems" GEM_PATH="$gems" "$2" "$here/smoke/smoke.rb")
  echo "$out (Ruby $1)"
  grep -q -- "-x86_64-linux/lib/gitlab_cloud_connector/$1/gitlab_cloud_connector.so" <<<"$out" ||
    { echo "dist-check: Ruby $1 did not load the gem's precompiled extension for $1" >&2; exit 1; }
}
host_minor=$(ruby -e 'print RUBY_VERSION[/\A\d+\.\d+/]')
ruby_check "$host_minor" ruby gem
for minor in $(gem_minors "$gem"); do
  [ "$minor" = "$host_minor" ] && continue
  ruby_check "$minor" "$(ruby_cmd "$minor" x86_64-linux)" "$(gem_cmd "$minor" x86_64-linux)"
done

# Node: a new project, both tarballs, offline (the main package's optional dependency must be met
# by the platform tarball, not fetched).
mkdir -p "$env_root/node"
(cd "$env_root/node" && bare npm init -y >/dev/null &&
  bare npm install --offline --no-audit --no-fund --loglevel=error "$npm_main" "$npm_platform" >/dev/null &&
  cp "$here/smoke/smoke.cjs" . && bare node smoke.cjs)
echo "dist-check: every x86_64 artifact installs and works without a Rust toolchain"
