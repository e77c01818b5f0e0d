# The Rubies of the platform gems (sourced by scripts/dist/*.sh after env.sh): each minor of
# $RUBY_MINORS on x86_64 and aarch64, to generate its extension against and to install and run
# the gems with.
# - 3.1 is this machine's (Debian 12); its arm64 twin comes through multiarch and $ARM64_ROOT
#   (tools.sh).
# - 3.3 (Debian 13) and 3.4 (Debian experimental) are unpacked with their Debian 13 C library
#   into $RUBIES_DIR/<arch>-root (rubies_fetch) and run under qemu-user with that root as prefix,
#   on x86_64 too: they need a newer glibc than this machine's, and their compiled-in paths
#   (/usr/lib/ruby/3.3.0...) resolve in the root first that way.
# ruby_cmd / gem_cmd make a small wrapper per Ruby in $RUBIES_DIR/bin and print its path.

# rubies_fetch ARCH (amd64|arm64): the 3.3 and 3.4 interpreters and headers with every package
# they need (a private apt state resolving against an empty dpkg database), unpacked; idempotent.
rubies_fetch() {
  local arch=$1 root=$RUBIES_DIR/$1-root apt=$RUBIES_DIR/apt-$1 deb
  [ -f "$root/.unpacked" ] && return 0
  echo "dist-tools: Ruby 3.3 and 3.4 ($arch) from Debian 13 and experimental into $root"
  rm -rf "$apt" "$root" && mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/parts" "$root"
  : >"$apt/status"
  printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian %s main\n' \
    trixie experimental >"$apt/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=$apt/parts"
              -o "Dir::State::Lists=$apt/lists" -o "Dir::State::status=$apt/status" -o "Dir::Cache=$apt"
              -o "Dir::Cache::Archives=$apt/archives" -o "Dir::Etc::Preferences=$apt/parts/none"
              -o "Dir::Etc::PreferencesParts=$apt/parts" -o "APT::Architecture=$arch"
              -o "APT::Architectures::=$arch" -o APT::Install-Recommends=false -o Debug::NoLocking=1)
  apt-get "${opts[@]}" update -qq
  apt-get "${opts[@]}" install -qq --download-only -y ruby3.3 ruby3.3-dev ruby3.4 ruby3.4-dev >/dev/null
  for deb in "$apt"/archives/*.deb; do dpkg -x "$deb" "$root"; done
  # Debian 13 ships its libraries under /usr only (merged /usr); the loader looks in /lib too.
  ln -sfn usr/lib "$root/lib"
  [ "$arch" = amd64 ] && ln -sfn usr/lib64 "$root/lib64"
  rm -rf "$apt"
  touch "$root/.unpacked"
}

# rubies_root PLATFORM: the unpacked root of the Debian 13 Rubies of a gem platform.
rubies_root() { case $1 in x86_64-linux) echo "$RUBIES_DIR/amd64-root" ;; aarch64-linux) echo "$RUBIES_DIR/arm64-root" ;; esac; }

# wrapper NAME COMMAND...: an executable $RUBIES_DIR/bin/NAME that runs COMMAND with its arguments.
wrapper() {
  local file=$RUBIES_DIR/bin/$1
  shift
  mkdir -p "$RUBIES_DIR/bin"
  printf '#!/bin/sh\nexec %s "$@"\n' "$*" >"$file"
  chmod +x "$file"
  echo "$file"
}

# ruby_cmd MINOR PLATFORM / gem_cmd MINOR PLATFORM: that Ruby, that Ruby's RubyGems.
ruby_cmd() {
  local root
  case $1-$2 in
    3.1-x86_64-linux) command -v ruby3.1 ;;
    3.1-aarch64-linux) wrapper "ruby$1-$2" /usr/bin/qemu-aarch64-static -L "$ARM64_ROOT" "$ARM64_ROOT/usr/bin/ruby3.1" ;;
    *) root=$(rubies_root "$2")
       wrapper "ruby$1-$2" "/usr/bin/qemu-${2%%-*}-static" -L "$root" "$root/usr/bin/ruby$1" ;;
  esac
}
gem_cmd() {
  case $1-$2 in
    3.1-x86_64-linux) command -v gem3.1 ;;
    3.1-aarch64-linux) wrapper "gem$1-$2" "$(ruby_cmd "$@")" "$ARM64_ROOT/usr/bin/gem3.1" ;;
    *) wrapper "gem$1-$2" "$(ruby_cmd "$@")" "$(rubies_root "$2")/usr/bin/gem$1" ;;
  esac
}

# ruby_headers_env MINOR PLATFORM: the rb-sys overrides (RBCONFIG_<key>=...) that point the
# extension build at the headers of an unpacked Ruby (its RbConfig names them as installed).
ruby_headers_env() {
  local rb root key
  rb=$(ruby_cmd "$@")
  case $1-$2 in 3.1-*) return 0 ;; esac
  root=$(rubies_root "$2")
  for key in rubyhdrdir rubyarchhdrdir; do
    echo "RBCONFIG_$key=$root$("$rb" -e "print RbConfig::CONFIG['$key']")"
  done
}

# gem_minors GEM: the Ruby minors a platform gem holds an extension for, in order.
gem_minors() {
  tar -xOf "$1" data.tar.gz | tar -tz | sed -n 's|^lib/gitlab_cloud_connector/\([0-9.]*\)/.*|\1|p' | sort -V
}
