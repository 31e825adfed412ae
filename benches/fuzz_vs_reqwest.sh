#!/usr/bin/env bash
# Bench (not CI): fuzz ops/s against the embedded reference server next to a bare reqwest loop that
# sends the same requests, and the ratio (goal >= 0.8); then the criterion benches of the model,
# the generator and the checks.
#
#   benches/fuzz_vs_reqwest.sh            # release build (slow to build on a small machine)
#   PROFILE=dev benches/fuzz_vs_reqwest.sh  # the dev build: our crate unoptimised, a pessimistic ratio
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${PROFILE:-release}" == dev ]]; then
  cargo build --benches --quiet
  deps=${CARGO_TARGET_DIR:-target}/debug/deps
  bin=$(ls -t "$deps"/fuzz_throughput-* | grep -v '\.d$' | head -n 1)
  "$bin"
  model=$(ls -t "$deps"/fuzz_model-* | grep -v '\.d$' | head -n 1)
  "$model" --bench --warm-up-time 1 --measurement-time 3
else
  cargo bench --quiet --bench fuzz_throughput
  cargo bench --quiet --bench fuzz_model -- --warm-up-time 1 --measurement-time 3
fi
