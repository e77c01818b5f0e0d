#!/usr/bin/env bash
# wrk against `serve`'s /auth with a valid token (a verified-token cache hit after the first
# request) vs the same server's bare /healthz (a constant 200), identical requests to both: req/s,
# p50/p99 and the ratio (target: /auth >= 80 % of bare), and serve's RSS before and after the run.
# Then (QUOTAS=1, the default) /auth with --quotas in memory and in Redis against /auth without
# (targets: in-memory costs < 10 %, Redis < 40 % of /auth's throughput). Not a test. DURATION (60s), THREADS (2), CONNECTIONS (32) are wrk's; WARMUP (5s).
set -euo pipefail
source "$(dirname "$0")/serve_common.sh"
DURATION=${DURATION:-60s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-5s}

need_wrk
build_release
make_ring
export CC_TOKEN
CC_TOKEN=$("$bin" token issue --keys "$work/keys" --add-on duo_pro --subject bench-instance --realm saas --ttl 86400)
start_serve --keys "$work/keys"
# Sanity: the token passes, so /auth really measures the success path.
code=$(curl -s -o /dev/null -w '%{http_code}' "$base/auth" -H "Authorization: Bearer $CC_TOKEN" \
  -H 'X-Gitlab-Authentication-Type: oidc' -H 'X-Gitlab-Realm: saas' \
  -H 'X-Gitlab-Instance-Id: bench-instance' -H 'X-Gitlab-Unit-Primitive: duo_chat')
[ "$code" = 200 ] || { echo "bench: /auth answered $code to the valid token" >&2; exit 1; }

run() { # run PATH OUT: sets cpu (serve's CPU microseconds per request of the measured run)
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$repo/bench/wrk/auth.lua" "$base$1" >/dev/null
  local t0
  t0=$(cpu_ticks)
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$repo/bench/wrk/auth.lua" "$base$1" >"$2"
  cpu=$(us_per_request "$t0" "$(cpu_ticks)" "$2")
}
rss_start=$(rss_kib)
run /healthz "$work/bare.txt"
cpu_bare=$cpu
rss_before=$(rss_kib)
run /auth "$work/auth.txt"
cpu_auth=$cpu
rss_after=$(rss_kib)

bare=$(wrk_rps "$work/bare.txt")
auth=$(wrk_rps "$work/auth.txt")
echo "serve under wrk -t$THREADS -c$CONNECTIONS -d$DURATION (after a $WARMUP warm-up each), $(nproc) cores shared with wrk"
printf '%-28s %12s %10s %10s %8s %12s\n' endpoint req/s p50 p99 non-2xx "serve CPU/req"
printf '%-28s %12s %10s %10s %8s %12s\n' "/healthz (bare 200)" "$bare" "$(wrk_pct "$work/bare.txt" 50%)" "$(wrk_pct "$work/bare.txt" 99%)" "$(wrk_non2xx "$work/bare.txt")" "$cpu_bare us"
printf '%-28s %12s %10s %10s %8s %12s\n' "/auth (valid token)" "$auth" "$(wrk_pct "$work/auth.txt" 50%)" "$(wrk_pct "$work/auth.txt" 99%)" "$(wrk_non2xx "$work/auth.txt")" "$cpu_auth us"
ratio=$(awk -v a="$auth" -v b="$bare" 'BEGIN {printf "%.1f", 100 * a / b}')
echo "/auth / bare: $ratio % of the throughput (target >= 80 %); serve CPU per request: bare / auth = $(awk -v a="$cpu_auth" -v b="$cpu_bare" 'BEGIN {printf "%.1f", 100 * b / a}') %"
echo "RSS: ${rss_start} KiB at start, ${rss_before} KiB before the /auth run, ${rss_after} KiB after it"
missed=()
awk -v r="$ratio" 'BEGIN {exit !(r >= 80)}' || missed+=("/auth ${ratio} % of bare, needs 80 %")

if [ "${QUOTAS:-1}" = 1 ]; then
  # One limit every request falls under (the bench token has a realm, not an instance id), high
  # enough that no request is denied: the cost of judging, not of refusing.
  printf 'limits:\n  - {name: bench, per: realm, unit_primitives: [duo_chat], requests: 1000000, period: 1s}\n' >"$work/quotas.yml"
  stop_serve
  start_serve --keys "$work/keys" --quotas "$work/quotas.yml"
  run /auth "$work/quota_memory.txt"
  cpu_memory=$cpu
  stop_serve
  start_redis
  start_serve --keys "$work/keys" --quotas "$work/quotas.yml" --redis "$redis_url"
  run /auth "$work/quota_redis.txt"
  cpu_redis=$cpu
  row() { printf '%-28s %12s %10s %10s %8s %12s\n' "$1" "$(wrk_rps "$2")" "$(wrk_pct "$2" 50%)" "$(wrk_pct "$2" 99%)" "$(wrk_non2xx "$2")" "$3 us"; }
  row "/auth + quotas (memory)" "$work/quota_memory.txt" "$cpu_memory"
  row "/auth + quotas (redis)" "$work/quota_redis.txt" "$cpu_redis"
  for store in memory redis; do
    share=$(awk -v q="$(wrk_rps "$work/quota_$store.txt")" -v a="$auth" 'BEGIN {printf "%.1f", 100 * q / a}')
    floor=$([ "$store" = memory ] && echo 90 || echo 60)
    echo "/auth + quotas ($store) / /auth: $share % of the throughput (target >= $floor %)"
    awk -v r="$share" -v f="$floor" 'BEGIN {exit !(r >= f)}' || missed+=("quotas ($store) ${share} % of /auth, needs $floor %")
  done
fi

# A benchmark, not a test: a missed target is reported (and fails only with STRICT=1), so
# `make bench` still prints every number.
if [ ${#missed[@]} -eq 0 ]; then
    echo "bench: targets met"
else
    printf 'bench: target NOT met: %s\n' "${missed[@]}" >&2
    if [ "${STRICT:-0}" = 1 ]; then exit 1; fi
fi
