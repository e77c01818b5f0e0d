#!/usr/bin/env bash
# Installs what `make test` needs on a fresh machine; a no-op where it is all present.
set -euo pipefail

need_apt=()
command -v python3 >/dev/null || need_apt+=(python3)
command -v cc >/dev/null || need_apt+=(gcc)
# Ruby gem (make ruby-test): Ruby with headers, rspec, and libclang for rb-sys' bindgen.
# ruby-jwt is for the token half's specs.
command -v ruby >/dev/null || need_apt+=(ruby)
[ -n "$(ls /usr/include/ruby-*/ruby.h 2>/dev/null)" ] || need_apt+=(ruby-dev)
command -v rspec >/dev/null || need_apt+=(ruby-rspec)
ruby -e 'require "jwt"' >/dev/null 2>&1 || need_apt+=(ruby-jwt)
# libclang itself, not libclang-cpp (which some images carry alone, and bindgen cannot use).
[ -n "$(ls /usr/lib/llvm-*/lib/libclang.so* /usr/lib/x86_64-linux-gnu/libclang-[0-9]*.so* 2>/dev/null)" ] || need_apt+=(libclang-dev)
# Node.js and npm for the npm package (make node-test).
command -v node >/dev/null || need_apt+=(nodejs)
command -v npm >/dev/null || need_apt+=(npm)
# nginx with auth_request, for the forward-auth integration test (cli/tests/nginx.rs).
[ -x /usr/sbin/nginx ] || need_apt+=(nginx-light)
# redis-server for the shared-quota test (cli/tests/quota_redis.rs); the test starts its own.
command -v redis-server >/dev/null || need_apt+=(redis-server)
# Headless Chromium and Node for the directory's browser test (make browser-test).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v node >/dev/null || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${need_apt[*]}"
  apt-get update -qq
  # Packages must not start services (nginx would bind port 80): the tests start their own.
  own_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  [ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
fi

if command -v rustup >/dev/null; then
  for component in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
      echo "install-deps: rustup component add ${component}"
      rustup component add "${component}"
    fi
  done
fi
