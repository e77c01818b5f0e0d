#!/usr/bin/env bash
# Installs what `make test` needs on a fresh machine; a no-op where it is all present.
set -euo pipefail

need_apt=()
command -v python3 >/dev/null || need_apt+=(python3)
command -v cc >/dev/null || need_apt+=(gcc)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

if command -v rustup >/dev/null; then
  for component in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
      echo "install-deps: rustup component add ${component}"
      rustup component add "${component}"
    fi
  done
fi
