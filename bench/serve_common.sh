# Shared by serve_wrk.sh and serve_load.sh (sourced): wrk from Debian, the release binary, a
# fresh key ring, and a `serve` started on a free port that is stopped on exit.

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
bin=$target/release/cloud-connector

need_wrk() {
  command -v wrk >/dev/null && return
  echo "bench: apt-get install wrk" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
}

build_release() {
  (cd "$repo" && cargo build --release --locked -q -p cloud-connector-cli)
}

work=$(mktemp -d)
serve_pid=
redis_pid=
stop_serve() {
  if [ -n "$serve_pid" ]; then kill -TERM "$serve_pid" 2>/dev/null || true; wait "$serve_pid" 2>/dev/null || true; fi
  serve_pid=
}
cleanup() {
  stop_serve
  if [ -n "$redis_pid" ]; then kill -TERM "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

make_ring() {
  "$bin" keys generate --dir "$work/keys" >/dev/null
}

# start_serve ARGS...: sets serve_pid and base. The request log goes to SERVE_LOG (default
# /dev/null: a 60 s run logs hundreds of megabytes; the lines are still formatted and written).
start_serve() {
  # A restarted serve must not be found by the previous one's "listening on" line.
  rm -f "$work/serve.out"
  "$bin" serve --listen 127.0.0.1:0 "$@" >"$work/serve.out" 2>"${SERVE_LOG:-/dev/null}" &
  serve_pid=$!
  for _ in $(seq 100); do
    base=$(sed -n 's/^listening on //p' "$work/serve.out" 2>/dev/null)
    [ -n "$base" ] && return
    sleep 0.1
  done
  echo "bench: serve did not start" >&2
  exit 2
}

# serve's CPU time (user + system) in clock ticks: per request, a cost that other load on a
# shared machine disturbs less than throughput.
cpu_ticks() {
  awk '{print $14 + $15}' "/proc/$serve_pid/stat"
}
wrk_requests() { awk '/requests in/ {print $1}' "$1"; }
# us_per_request TICKS_BEFORE TICKS_AFTER WRK_OUTPUT
us_per_request() {
  awk -v t="$(( $2 - $1 ))" -v r="$(wrk_requests "$3")" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", 1e6 * t / hz / r}'
}

rss_kib() {
  awk '/^VmRSS:/ {print $2}' "/proc/$serve_pid/status"
}

# wrk_field FILE NAME: from wrk --latency output, req/s or a latency percentile (50%, 99%).
wrk_rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
wrk_pct() { awk -v p="$2" '$1 == p {print $2}' "$1"; }
wrk_non2xx() { awk '/Non-2xx or 3xx responses:/ {n = $5} END {print n + 0}' "$1"; }

# start_redis: Debian's redis-server on a free port of 127.0.0.1; sets redis_pid and redis_url.
start_redis() {
  command -v redis-server >/dev/null || { echo "bench: apt-get install redis-server" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; }
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no >/dev/null 2>&1 &
  redis_pid=$!
  redis_url="redis://127.0.0.1:$port"
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return
    sleep 0.1
  done
  echo "bench: redis-server did not start" >&2
  exit 2
}
