# Shared settings of scripts/dist/*.sh (sourced). Paths are absolute so every step can cd.
REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
DIST_TOOLS=${DIST_TOOLS:-$TARGET_DIR/dist-tools}
DIST_VENV=$DIST_TOOLS/venv
ARM64_ROOT=$DIST_TOOLS/arm64-root
RUST_TARGETS="x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-musl"
# Oldest glibc the gnu artifacts link against: manylinux2014 (RHEL 7 and later, every current
# Debian and Ubuntu LTS).
GLIBC=2.17
# zig and the other tools come first on PATH; heavy steps run niced (a shared machine).
export PATH="$DIST_VENV/bin:$PATH"
NICE=${NICE:-nice -n 15}
export CARGO_TARGET_DIR=$TARGET_DIR
# A musl cdylib links only against the dynamic C runtime; set for every musl build (wheel and
# addon) so they share one set of compiled dependencies.
export CARGO_TARGET_X86_64_UNKNOWN_LINUX_MUSL_RUSTFLAGS="-C target-feature=-crt-static"
# The Ruby minors every platform gem ships an extension for (scripts/dist/rubies.sh says where
# each comes from). 3.2 is missing: no reachable source has its headers.
RUBY_MINORS="3.1 3.3 3.4"
RUBIES_DIR=$DIST_TOOLS/rubies
