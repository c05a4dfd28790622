#!/usr/bin/env bash
# Echo-server benchmark (issue 6): the C epoll server (the ceiling), samples/Echo on Miou.Unix (all handlers on dom0,
# and --spread: every other handler on a worker domain with Fiber.Call), and a plain .NET
# Socket + async/await server, run back to back with the same load client and settings, RUNS rounds each (the
# contenders interleaved round by round, so drift of a shared machine hits them alike), medians reported.
#
#   benchmarks/echo/run.sh                 # 50 connections, 64-byte messages, 10 s, 5 runs each
#   CONNS=50 MSG=64 DURATION=10 RUNS=5 TOOLS=../shared/tools benchmarks/echo/run.sh
#   BASELINE=d1542b1 benchmarks/echo/run.sh # also samples/Echo (dom0 only) as of that commit: before/after in one run
#   QUIET=90 benchmarks/echo/run.sh        # each round waits (up to QUIET_WAIT s) for the machine to be 90% idle
#
# Needs gcc (for the C tools) and the .NET SDK; loopback only. Prints one markdown table on stdout, and how many rounds
# other processes disturbed; the raw client lines go to stderr, each with the share of both cores other processes used
# while that round ran (others_cpu; see machine_mark in servers.sh).
set -euo pipefail

SECONDS_PER_RUN=${DURATION:-10}
RUNS=${RUNS:-5}
source "$(dirname "$0")/servers.sh"

CONTENDERS=(c miou miou-spread dotnet)
if [ -n "$BASELINE" ]; then CONTENDERS+=(miou-baseline); fi
port=$(first_port)
for run in $(seq 1 "$RUNS"); do
  for who in "${CONTENDERS[@]}"; do
    port=$((port + 1))
    wait_quiet
    machine_mark before
    started=$(date +%s.%N)
    start_server "$who" "$port"
    line=$("$OUT/echo_client" "$port" "$CONNS" "$SECONDS_PER_RUN" "$MSG")
    wait "$server"
    machine_mark after
    others=$(others_share "$before" "$after" "$(echo "$(date +%s.%N) - $started" | bc)")
    echo "$who run $run: $line others_cpu=$others%" >&2
    echo "$others" >>"$OUT/others.txt"
    echo "$line" | sed -E 's/.*rps=([0-9]+) p50_us=([0-9]+) p99_us=([0-9]+).*/\1 \2 \3/' >>"$OUT/$who.txt"
  done
done

median() { # file column
  sort -n -k"$2","$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'
}

c_rps=$(median "$OUT/c.txt" 1)
echo "| server | requests/s (median of $RUNS) | p50 µs | p99 µs | vs C ceiling |"
echo "| --- | --- | --- | --- | --- |"
for who in "${CONTENDERS[@]}"; do
  rps=$(median "$OUT/$who.txt" 1)
  name=$(case "$who" in c) echo "C epoll server (ceiling)";; miou) echo "samples/Echo on Miou.Unix (dom0 only)";; miou-spread) echo "samples/Echo --spread (dom0 + 1 worker domain)";; dotnet) echo "plain .NET Socket async/await";; miou-baseline) echo "samples/Echo (dom0 only) at $BASELINE";; esac)
  echo "| $name | $rps | $(median "$OUT/$who.txt" 2) | $(median "$OUT/$who.txt" 3) | $(awk -v a="$rps" -v b="$c_rps" 'BEGIN { printf "%.0f%%", 100 * a / b }') |"
done
echo
awk '{ n++; if ($1 > 10) busy++; if ($1 > max) max = $1 } END { printf "Other processes used more than 10%% of the machine in %d of %d rounds (at most %d%%); such rounds measure a shared core, not the servers.\n", busy, n, max }' "$OUT/others.txt"
