#!/usr/bin/env bash
# Bench (not CI): the max req/s of `scimfuzz load` on one GET endpoint of the embedded reference server,
# next to oha (or wrk) on the same endpoint with the same number of connections, in the same run; prints
# the ratio (goal >= 0.7). Then the RSS curve and peak (VmHWM) of `scimfuzz load` and of the server, as
# separate processes, over a longer run with the integrity check on (memory must stay flat).
#
#   benches/load_vs_oha.sh                  # 15 s per tool, 50 connections, 120 s memory run
#   DURATION=30s CONNS=100 SOAK=600s SOAK_ROW=30 benches/load_vs_oha.sh
#   SCIMFUZZ_BIN=target/debug/scimfuzz DURATION=3s SOAK=20s benches/load_vs_oha.sh   # try the script
#
# Layout as in shared/load-notes.md §5.1: the server pinned to CPU 0, each load generator to CPU 1
# (set PIN=0 to let the scheduler place them). Needs: cargo, curl, jq, /usr/bin/time, and oha or wrk
# (installs wrk with apt-get when neither is present and we are root).
set -euo pipefail

DURATION=${DURATION:-15s}
CONNS=${CONNS:-50}
SOAK=${SOAK:-120s}
PIN=${PIN:-1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d /tmp/scimfuzz-bench.XXXXXX)
cd "$ROOT"
# shellcheck source=benches/lib/serve.sh
source "$ROOT/benches/lib/serve.sh"

server_cpu=() ; client_cpu=()
if [[ "$PIN" == 1 ]] && command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]]; then
  server_cpu=(taskset -c 0) ; client_cpu=(taskset -c 1)
fi

if ! command -v oha >/dev/null && ! command -v wrk >/dev/null; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
  else
    echo "install oha (cargo install oha --locked) or wrk first" >&2 ; exit 2
  fi
fi

scimfuzz_bin

echo "== starting the embedded server"
start_server "${server_cpu[@]}"

USER_ID=$(curl -sf -X POST "$BASE/Users" -H "Authorization: $AUTH" -H 'Content-Type: application/scim+json' \
  -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bench@load.scimfuzz.test","name":{"givenName":"B","familyName":"Ench"},"emails":[{"primary":true,"value":"bench@load.scimfuzz.test","type":"work"}],"active":true}' \
  | jq -r .id)
URL="$BASE/Users/$USER_ID"
echo "   endpoint: GET $URL"

server_cpu_seconds() { awk '{print ($14+$15)/100}' "/proc/$SERVER_PID/stat"; }

# The machine is shared: wait (at most QUIET_WAIT seconds) until both CPUs are mostly idle.
busy_percent() {
  local a b
  a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
  local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
  echo $(( 100 * (total - idle) / (total > 0 ? total : 1) ))
}
wait_quiet() {
  local waited=0 busy
  busy=$(busy_percent)
  while (( busy > ${QUIET_BUSY:-15} && waited < ${QUIET_WAIT:-120} )); do sleep 4; waited=$((waited + 5)); busy=$(busy_percent); done
  echo "   (machine ${busy}% busy before this run)"
}

echo "== reference tool, $CONNS connections, $DURATION"
wait_quiet
if command -v oha >/dev/null; then
  TOOL="oha $(oha --version | awk '{print $2}')"
  REF_RPS=$("${client_cpu[@]}" oha -z "$DURATION" -c "$CONNS" --no-tui --output-format json \
    -H "Authorization: $AUTH" -H 'Accept: application/scim+json' "$URL" | jq '.summary.requestsPerSec')
else
  TOOL="wrk $( (wrk -v 2>&1 || true) | head -1 | awk '{print $2}')"
  REF_RPS=$("${client_cpu[@]}" wrk -t1 -c"$CONNS" -d"$DURATION" -H "Authorization: $AUTH" \
    -H 'Accept: application/scim+json' "$URL" | awk '/Requests\/sec/ {print $2}')
fi
echo "   $TOOL: $REF_RPS req/s"

echo "== scimfuzz load (goose, profile bench-get-user), $CONNS workers, $DURATION"
wait_quiet
S0=$(server_cpu_seconds)
"${client_cpu[@]}" /usr/bin/time -f '%M %U %S %e' -o "$WORK/load.time" "$BIN" load --profile load-profiles/bench-get-user.toml \
  --target "$BASE" --auth "$AUTH" --users "$CONNS" --duration "$DURATION" --no-integrity --no-progress \
  --report "$WORK/report" >"$WORK/load.out" || true   # exit 4 (an SLO) still has numbers
S1=$(server_cpu_seconds)
LOAD_RPS=$(jq '.total.rps' "$WORK/report/report.json")
read -r RSS_KB USER_S SYS_S WALL_S < <(tail -1 "$WORK/load.time")   # GNU time may prefix an exit-status line
echo "   scimfuzz load: $LOAD_RPS req/s (p50 $(jq '.total.latency_ms.p50' "$WORK/report/report.json") ms, p99 $(jq '.total.latency_ms.p99' "$WORK/report/report.json") ms), client CPU $(echo "$USER_S + $SYS_S" | bc) s over $WALL_S s, server CPU $(echo "$S1 - $S0" | bc) s, peak RSS $((RSS_KB / 1024)) MiB"
RATIO=$(echo "scale=3; $LOAD_RPS / $REF_RPS" | bc)
echo "RATIO scimfuzz load / $TOOL = $RATIO (goal >= 0.7)"

echo "== memory over a longer run: okta-mixed-day shape for $SOAK, integrity check on, load and server as two processes"
# The server is a separate process here, so its growth (it stores every user the load creates, ~1.2 KB
# each) is not counted against the load tool. Both are sampled every second; a row every SOAK_ROW seconds.
"${client_cpu[@]}" "$BIN" load --profile load-profiles/okta-mixed-day.toml --target "$BASE" --auth "$AUTH" \
  --duration "$SOAK" --no-progress --report "$WORK/soak" >"$WORK/soak.out" 2>&1 &
SOAK_PID=$!
SOAK_T0=$(date +%s) ; SOAK_ROW=${SOAK_ROW:-30} ; TICK=0 ; LAST=""
mem_of() { awk '/VmRSS/ {r=$2} /VmHWM/ {h=$2} END {printf "%d %d", r/1024, h/1024}' "/proc/$1/status" 2>/dev/null; }
printf '   %6s %14s %14s %16s %16s\n' t_s load_RSS_MiB load_peak_MiB server_RSS_MiB server_peak_MiB
while kill -0 "$SOAK_PID" 2>/dev/null; do
  read -r L_RSS L_HWM < <(mem_of "$SOAK_PID") || true
  read -r S_RSS S_HWM < <(mem_of "$SERVER_PID") || true
  [[ -n "${L_RSS:-}" ]] && LAST=$(printf '   %6d %14s %14s %16s %16s' $(( $(date +%s) - SOAK_T0 )) "$L_RSS" "$L_HWM" "$S_RSS" "$S_HWM")
  (( TICK % SOAK_ROW == 0 )) && [[ -n "$LAST" ]] && echo "$LAST"
  TICK=$((TICK + 1)) ; sleep 1
done
SOAK_RC=0 ; wait "$SOAK_PID" || SOAK_RC=$?
echo "$LAST   (last sample before the load exited, with code $SOAK_RC)"
echo "   $(jq '.total.requests' "$WORK/soak/report.json") requests, $(jq '.integrity.users_checked' "$WORK/soak/report.json") users created and checked"
grep -E '^(SLO|integrity:)' "$WORK/soak.out" | sed 's/^/   /' || true   # exit 4 = a profile SLO, judged on the server's latency
