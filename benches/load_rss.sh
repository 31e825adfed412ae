#!/usr/bin/env bash
# Bench (not CI): the peak RSS (VmHWM, via GNU time's %M) of `scimfuzz load` with 1,000 workers against
# `scimfuzz serve` running as a separate process, so the server's store is not counted against the load
# tool. Two shapes: the raw GET calibration (bench-get-user: one user per worker, closed loop) and the
# Okta mixed day (assignments, syncs, deprovisions, group pushes, an import; integrity check and cleanup
# on). Each run is bounded by `timeout` (RUN_LIMIT); the numbers go to stdout.
#
#   benches/load_rss.sh                                   # 1,000 workers, 20 s each
#   WORKERS=5000 DURATION=30s benches/load_rss.sh
#   SCIMFUZZ_BIN=target/debug/scimfuzz DURATION=5s benches/load_rss.sh   # try the script
#
# Needs: cargo, /usr/bin/time (GNU), jq, timeout. The open-file limit must exceed the workers (each
# holds a connection): the script says so and stops when it does not.
set -euo pipefail

WORKERS=${WORKERS:-1000}
DURATION=${DURATION:-20s}
RUN_LIMIT=${RUN_LIMIT:-600}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/scimfuzz-rss.XXXXXX)
cd "$ROOT"
# shellcheck source=benches/lib/serve.sh
source "$ROOT/benches/lib/serve.sh"

if (( $(ulimit -n) < WORKERS + 100 )); then
  echo "the open-file limit ($(ulimit -n)) is below $WORKERS workers + 100: raise it (ulimit -n)" >&2
  exit 2
fi

scimfuzz_bin

echo "== starting scimfuzz serve (a separate process)"
start_server

server_hwm_mib() { awk '/VmHWM/ {printf "%d", $2/1024}' "/proc/$SERVER_PID/status"; }

# One load run under GNU time: prints its peak RSS, request count, rate and p99, and the exit code.
measure() {
  local name=$1 profile=$2 ; shift 2
  echo "== $name: scimfuzz load --profile $profile --users $WORKERS --duration $DURATION $*"
  local rc=0
  timeout --signal=INT "$RUN_LIMIT" /usr/bin/time -f '%M %e %U %S' -o "$WORK/$name.time" \
    "$BIN" load --profile "$profile" --target "$BASE" --auth "$AUTH" --users "$WORKERS" \
    --duration "$DURATION" --no-progress --report "$WORK/$name" "$@" >"$WORK/$name.out" 2>&1 || rc=$?
  local rss_kb wall user sys
  read -r rss_kb wall user sys < <(tail -1 "$WORK/$name.time")   # GNU time may prefix an exit line
  local report=$WORK/$name/report.json
  echo "   peak RSS $((rss_kb / 1024)) MiB ($rss_kb KiB) · exit $rc · wall ${wall} s, CPU $(echo "$user + $sys" | bc) s"
  if [[ -f "$report" ]]; then
    echo "   $(jq '.total.requests' "$report") requests, $(jq '.total.rps | floor' "$report") req/s, p99 $(jq '.total.latency_ms.p99' "$report") ms, peak workers $(jq '.run.peak_users' "$report")"
  fi
  grep -E '^(integrity:|cleanup:)' "$WORK/$name.out" | sed 's/^/   /' || true
  if (( rc == 2 || rc == 3 )); then tail -5 "$WORK/$name.out" | sed 's/^/   | /'; fi
  echo "   server peak RSS so far $(server_hwm_mib) MiB"
}

measure get-user load-profiles/bench-get-user.toml --no-integrity
measure mixed-day load-profiles/okta-mixed-day.toml
echo "PEAK_RSS workers=$WORKERS duration=$DURATION get-user=$(( $(tail -1 "$WORK/get-user.time" | cut -d' ' -f1) / 1024 ))MiB mixed-day=$(( $(tail -1 "$WORK/mixed-day.time" | cut -d' ' -f1) / 1024 ))MiB"
