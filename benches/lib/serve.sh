# Sourced by the load benches (benches/load_rss.sh, benches/load_vs_oha.sh): the scimfuzz binary
# they run and `scimfuzz serve` started as a separate process. The caller sets ROOT (the
# repository) and WORK (a scratch folder, removed on exit).

# Sets BIN: $SCIMFUZZ_BIN when set (e.g. a debug build, to try a script itself), else a release
# build of scimfuzz.
scimfuzz_bin() {
  if [[ -n "${SCIMFUZZ_BIN:-}" ]]; then
    BIN=$SCIMFUZZ_BIN
  else
    echo "== building scimfuzz (release)"
    cargo build --release --bin scimfuzz 2>&1 | tail -1
    BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/scimfuzz
  fi
}

# Starts `$BIN serve --port 0` in the background, run under the command in the arguments if any
# (e.g. `taskset -c 0`); sets SERVER_PID, BASE and AUTH (read from what serve prints); on exit
# the server is stopped and $WORK removed. Exits 3 when the server does not start.
start_server() {
  "$@" "$BIN" serve --port 0 >"$WORK/serve.out" 2>&1 &
  SERVER_PID=$!
  trap 'kill "$SERVER_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
  for _ in $(seq 50); do grep -q SCIM_AUTH "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
  BASE=$(sed -n "s/^SCIM_BASE_URL='\{0,1\}\([^']*\)'\{0,1\}$/\1/p" "$WORK/serve.out")
  AUTH=$(sed -n "s/^SCIM_AUTH='\{0,1\}\([^']*\)'\{0,1\}$/\1/p" "$WORK/serve.out")
  [[ -n "$BASE" && -n "$AUTH" ]] || { echo "the server did not start:" >&2; cat "$WORK/serve.out" >&2; exit 3; }
}
