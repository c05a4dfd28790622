#!/usr/bin/env bash
# What each echo server spends per request, from the kernel's own counters (perf stat on the server process while the
# C load client drives it): system calls, reads, epoll_waits, context switches and CPU time. Requests per second swing
# with a shared machine's load; the system calls and reads per request barely do, so they show what a change to the
# request path did even when the machine is busy. CPU time, epoll_waits and context switches per request do move with
# the load (a server that keeps up sleeps in epoll_wait more often): compare those within one run only. For samples/Echo
# the last two columns are its own figures (MIOU_ECHO_STATS, samples/Echo/EchoStats.cs) over its serving window: bytes
# allocated and process CPU time per request. Companion of run.sh (which measures requests per second, p50 and p99).
#
#   benchmarks/echo/per-request.sh            # C server, samples/Echo on dom0, plain .NET; 2 rounds of 4 s measured
#   ROUNDS=3 SECONDS_MEASURED=5 benchmarks/echo/per-request.sh
#
#   BASELINE=d1542b1 benchmarks/echo/per-request.sh   # also samples/Echo as of that commit
#
# Needs gcc, perf (with the syscalls tracepoints) and the .NET SDK; loopback only.
set -euo pipefail

ROUNDS=${ROUNDS:-2}
MEASURED=${SECONDS_MEASURED:-4}
source "$(dirname "$0")/servers.sh"

echo "| round | server | requests/s | syscalls | reads | epoll_waits | context switches | CPU µs | alloc B (own) | CPU µs (own) |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
CONTENDERS=(c miou dotnet)
if [ -n "$BASELINE" ]; then CONTENDERS+=(miou-baseline); fi
port=$((20000 + RANDOM % 20000))
for round in $(seq 1 "$ROUNDS"); do
  for who in "${CONTENDERS[@]}"; do
    port=$((port + 1))
    start_server "$who" "$port"
    # The client runs one second longer on each side of the measured window, so start-up and JIT are not counted.
    "$OUT/echo_client" "$port" "$CONNS" $((MEASURED + 2)) "$MSG" >"$OUT/client.txt" &
    client=$!
    sleep 1
    perf stat -x, -e 'raw_syscalls:sys_enter,syscalls:sys_enter_read,syscalls:sys_enter_epoll_wait,context-switches,task-clock' \
      -p "$server" -o "$OUT/stat.txt" -- sleep "$MEASURED" >/dev/null 2>&1
    wait "$client"
    wait "$server"
    rps=$(sed -E 's/.*rps=([0-9]+).*/\1/' "$OUT/client.txt")
    own=$(sed -nE 's/.*alloc_bytes_per_request=([0-9.]+) cpu_us_per_request=([0-9.]+).*/\1 \2/p' "$OUT/server.log")
    awk -F, -v round="$round" -v who="$who" -v rps="$rps" -v secs="$MEASURED" -v own="${own:-- -}" '
      /raw_syscalls/ { sc = $1 } /sys_enter_read/ { rd = $1 } /epoll_wait/ { ew = $1 } /context-switches/ { cs = $1 } /task-clock/ { tc = $1 }
      END { q = rps * secs; split(own, o, " ");
            printf "| %d | %s | %d | %.2f | %.2f | %.3f | %.3f | %.2f | %s | %s |\n", round, who, rps, sc / q, rd / q, ew / q, cs / q, tc * 1000 / q, o[1], o[2] }' "$OUT/stat.txt"
  done
done
echo
echo "Per request = the server's counts over the measured window divided by (requests/s × $MEASURED s); requests/s is the client's figure for its whole run."
