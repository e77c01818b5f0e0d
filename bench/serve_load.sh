#!/usr/bin/env bash
# Load proof for `serve` (issue 8): wrk at saturation on /auth for DURATION (60s) rotating valid,
# tampered-signature, foreign-key and expired tokens; every answer is checked against the token
# sent (bench/wrk/mixed.lua, matched through the echoed X-Request-Id). Fails (exit 1) on any wrong
# answer, any non-2xx for a valid token, any unmatched answer or socket error, or RSS growth of
# 10 % or more between the end of the warm-up (WARMUP, 10s, same mix) and the end of the run.
# Not part of `make test`: it runs for a minute and saturates both cores.
set -euo pipefail
source "$(dirname "$0")/serve_common.sh"
DURATION=${DURATION:-60s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-10s}

need_wrk
build_release
make_ring
"$bin" keys generate --dir "$work/other" >/dev/null
issue() { "$bin" token issue --subject "$1" --realm saas --scope duo_chat --audience gitlab-ai-gateway "${@:2}"; }
export CC_VALID CC_TAMPERED CC_FOREIGN CC_EXPIRED CC_TAMPERED_CODE CC_FOREIGN_CODE CC_LOAD_RESULT
CC_VALID=$(issue load-valid --keys "$work/keys" --ttl 86400)
# The valid token's header and claims with another token's signature: same kid, bad signature.
other=$(issue load-tampered --keys "$work/keys" --ttl 86400)
CC_TAMPERED="${CC_VALID%.*}.${other##*.}"
CC_FOREIGN=$(issue load-foreign --keys "$work/other" --ttl 86400)
CC_EXPIRED=$(issue load-expired --keys "$work/keys" --ttl=-300)
start_serve --keys "$work/keys"

# Each token's expected answer once, outside the load, so the script checks against what a lone
# request gets (and fails early if that is not what the issue asks).
answer() {
  curl -s -w ' %{http_code}' "$base/auth" -H "Authorization: Bearer $1" -H 'X-Gitlab-Authentication-Type: oidc' \
    -H 'X-Gitlab-Realm: saas' -H 'X-Gitlab-Instance-Id: load-valid' -H 'X-Gitlab-Unit-Primitive: duo_chat'
}
code_of() { sed -n 's/.*"code":"\([a-z_]*\)".* 401$/\1/p'; }
[ "$(answer "$CC_VALID" | awk '{print $NF}')" = 200 ] || { echo "load: the valid token is refused" >&2; exit 1; }
CC_TAMPERED_CODE=$(answer "$CC_TAMPERED" | code_of)
CC_FOREIGN_CODE=$(answer "$CC_FOREIGN" | code_of)
[ "$(answer "$CC_EXPIRED" | code_of)" = token_expired ] || { echo "load: the expired token is not token_expired" >&2; exit 1; }
[ -n "$CC_TAMPERED_CODE" ] && [ -n "$CC_FOREIGN_CODE" ] || { echo "load: a bad token was not refused with 401" >&2; exit 1; }

rss_idle=$(rss_kib)
CC_LOAD_RESULT=$work/warmup.txt
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$repo/bench/wrk/mixed.lua" "$base/auth" >/dev/null
rss_before=$(rss_kib)
CC_LOAD_RESULT=$work/result.txt
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$repo/bench/wrk/mixed.lua" "$base/auth" >"$work/wrk.txt"
rss_after=$(rss_kib)

get() { awk -v k="$1" '$1 == k {print $2}' "$work/result.txt"; }
sum() { local t=0; for k in "$@"; do t=$((t + $(get "$k"))); done; echo "$t"; }
wrong=$(sum wrong_valid wrong_tampered wrong_foreign wrong_expired)
right=$(sum right_valid right_tampered right_foreign right_expired)
growth=$(awk -v a="$rss_after" -v b="$rss_before" 'BEGIN {printf "%.1f", 100 * (a - b) / b}')
echo "serve /auth under wrk -t$THREADS -c$CONNECTIONS -d$DURATION, mixed tokens, $(nproc) cores shared with wrk"
echo "throughput: $(wrk_rps "$work/wrk.txt") req/s, p50 $(wrk_pct "$work/wrk.txt" 50%), p99 $(wrk_pct "$work/wrk.txt" 99%)"
for c in valid tampered foreign expired; do
  echo "  $c: sent $(get "sent_$c"), right $(get "right_$c"), wrong $(get "wrong_$c")"
done
echo "expected codes: tampered=$CC_TAMPERED_CODE foreign=$CC_FOREIGN_CODE expired=token_expired"
echo "answers checked: $right right, $wrong wrong; valid tokens answered non-2xx: $(get valid_not_2xx); unmatched: $(get unmatched); socket errors: $(get errors)"
echo "RSS: ${rss_idle} KiB idle, ${rss_before} KiB after the $WARMUP warm-up, ${rss_after} KiB after the run ($growth %)"
failed=0
[ "$wrong" -eq 0 ] || { echo "load: FAIL: $wrong wrong answers; first: $(sed -n 's/^first_wrong //p' "$work/result.txt")"; failed=1; }
[ "$(get valid_not_2xx)" -eq 0 ] || { echo "load: FAIL: valid tokens answered non-2xx"; failed=1; }
[ "$(get unmatched)" -eq 0 ] && [ "$(get errors)" -eq 0 ] || { echo "load: FAIL: unmatched answers or socket errors"; failed=1; }
[ "$right" -gt 0 ] || { echo "load: FAIL: nothing was answered"; failed=1; }
awk -v g="$growth" 'BEGIN {exit !(g < 10)}' || { echo "load: FAIL: RSS grew $growth % (limit 10 %)"; failed=1; }
[ "$failed" -eq 0 ] && echo "load: PASS"
exit "$failed"
