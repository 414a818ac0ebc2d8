#!/usr/bin/env bash
# bench/run.sh - run Messenger's benchmark scenarios against a fresh cluster.
#
# Usage: bench/run.sh [--quick] [--find-max] [--chaos] [any Messenger.Bench option…]
#   --quick       every scenario small and short (about three minutes); exits non-zero
#                 when any message was lost, duplicated or left a gap
#   --find-max    raise each messaging scenario's rate until p99 passes 100 ms or errors
#                 appear, step down until that rate holds for --duration seconds, then
#                 measure at 80 % of the rate that held
#   --chaos       the fault-tolerance run instead of the scenarios: 3 silos and 2 ClientApis
#                 under steady load while silos and ClientApis are killed (kill -9 or
#                 SIGTERM) and restarted at random; reports lost, duplicated, gaps, failed
#                 sends after retries and the longest stalls; exits non-zero on any loss,
#                 duplicate or gap. Default 180 s (--duration N), --quick 90 s;
#                 --chaos-interval N: seconds between kills (12; 8 with --quick).
#                 See docs/fault-tolerance.md.
#   Other options go to the generator (dotnet …/Messenger.Bench.dll --help lists them).
#
# It starts ./run.sh on a data folder and ports of its own (a fresh database every time),
# waits until the cluster is healthy, runs the generator with the cluster's pid folder (for
# memory figures), writes JSON to bench/results/latest.json, and stops the cluster.
#
# Settings: MESSENGER_BENCH_DATA (default bench/.data), MESSENGER_BENCH_HTTP_PORT (5280),
# MESSENGER_BENCH_PG_PORT (5633), MESSENGER_BENCH_SILOS (2; 3 with --chaos),
# MESSENGER_BENCH_SILO_PORT (12111), MESSENGER_BENCH_GATEWAY_PORT (31000): change them to
# run two benchmarks side by side.
set -euo pipefail

# --chaos is ours; everything else goes to the generator.
CHAOS=0
ARGS=()
for arg in "$@"; do
  if [[ $arg == --chaos ]]; then CHAOS=1; else ARGS+=("$arg"); fi
done

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
DATA="${MESSENGER_BENCH_DATA:-$ROOT/bench/.data}"
PORT="${MESSENGER_BENCH_HTTP_PORT:-5280}"
RESULTS="$ROOT/bench/results"

say() { printf '[bench] %s\n' "$*"; }

# A fresh database each run, so figures do not depend on what earlier runs left behind.
rm -rf -- "$DATA"
mkdir -p -- "$DATA" "$RESULTS"

# 100k idle sessions need as many file descriptors in the generator and the ClientApi.
ulimit -n 1048576 2>/dev/null || ulimit -n 65536 2>/dev/null || say "could not raise the open-file limit ($(ulimit -n))"

export MESSENGER_DATA="$DATA" MESSENGER_HTTP_PORT="$PORT" MESSENGER_CLIENTAPIS=1
export MESSENGER_SILOS="${MESSENGER_BENCH_SILOS:-2}"
export MESSENGER_PG_PORT="${MESSENGER_BENCH_PG_PORT:-5633}"
export MESSENGER_SILO_PORT="${MESSENGER_BENCH_SILO_PORT:-12111}"
export MESSENGER_GATEWAY_PORT="${MESSENGER_BENCH_GATEWAY_PORT:-31000}"
export MESSENGER_CLUSTER_ID=messenger-bench
if (( CHAOS )); then
  # The chaos driver never takes down more than one process at a time, so 3 silos and 2
  # ClientApis always leave at least 2 silos and 1 ClientApi serving.
  export MESSENGER_SILOS="${MESSENGER_BENCH_SILOS:-3}" MESSENGER_CLIENTAPIS=2
  ARGS=(--scenarios chaos --clientapis 2 "${ARGS[@]+"${ARGS[@]}"}")
fi

say "starting a cluster (log: $DATA/run.log)"
"$ROOT/run.sh" >"$DATA/run.log" 2>&1 &
cluster=$!
stop_cluster() {
  if kill -0 "$cluster" 2>/dev/null; then
    say "stopping the cluster"
    kill -TERM "$cluster" 2>/dev/null || true
    wait "$cluster" 2>/dev/null || true
  fi
}
trap stop_cluster EXIT
trap 'exit 130' INT TERM

until grep -q "Press Ctrl-C" "$DATA/run.log" 2>/dev/null; do
  if ! kill -0 "$cluster" 2>/dev/null; then
    tail -n 30 "$DATA/run.log" >&2
    say "the cluster did not start"
    exit 1
  fi
  sleep 1
done
say "cluster is up on http://127.0.0.1:$PORT"

# run.sh built the whole solution in Release, the generator included. The generator gets a
# 64 MB first-generation budget: with the default, a baseline run at 40,000 sends/s spent 13-19 %
# of each second in its own collections and measured p99 397 ms; with 64 MB, 40 ms
# (docs/performance.md, Session 10). An explicit DOTNET_GCgen0size wins.
DOTNET_GCgen0size="${DOTNET_GCgen0size:-0x4000000}" \
dotnet "$ROOT/bench/Messenger.Bench/bin/Release/net10.0/Messenger.Bench.dll" \
  --url "http://127.0.0.1:$PORT" --pid-dir "$DATA/run" --json "$RESULTS/latest.json" "${ARGS[@]+"${ARGS[@]}"}"
