#!/usr/bin/env bash
# What each echo server spends per request, from the kernel's own counters (perf stat on the server process while the
# C load client drives it): system calls, reads, epoll_waits, context switches and CPU time. Requests per second swing
# with a shared machine's load; the system calls and reads per request barely do, so they show what a change to the
# request path did even when the machine is busy. CPU time, epoll_waits and context switches per request do move with
# the load (a server that keeps up sleeps in epoll_wait more often): compare those within one run only. For samples/Echo
# the last two columns are its own figures (MIOU_ECHO_STATS, samples/Echo/EchoStats.cs) over its serving window: bytes
# allocated and process CPU time per request. Client sleeps (the load client's voluntary context switches per request)
# and others (the share of both cores other processes used) say in which state the round ran: on this machine a wake-up
# of a sleeping peer costs its waker several µs, so a round where the client sleeps often is one where the server paid
# for it, and a round with other load shares a core. Companion of run.sh (requests per second, p50 and p99).
#
#   benchmarks/echo/per-request.sh            # C server, samples/Echo on dom0, plain .NET; 2 rounds of 4 s measured
#   ROUNDS=3 SECONDS_MEASURED=5 benchmarks/echo/per-request.sh
#
#   BASELINE=d1542b1 benchmarks/echo/per-request.sh   # also samples/Echo as of that commit
#   QUIET=90 benchmarks/echo/per-request.sh             # each round waits for a 90% idle machine (see servers.sh)
#
# Needs gcc, perf (with the syscalls tracepoints) and the .NET SDK; loopback only.
set -euo pipefail

ROUNDS=${ROUNDS:-2}
MEASURED=${SECONDS_MEASURED:-4}
source "$(dirname "$0")/servers.sh"

echo "| round | server | requests/s | syscalls | reads | epoll_waits | context switches | CPU µs | alloc B (own) | CPU µs (own) | client sleeps | others |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
window_mark() { # server client: "machine_busy_ticks server_ticks client_ticks client_voluntary_switches"
  echo "$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat) $(ticks "$1") $(ticks "$2") $(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$2/status")"
}
ticks() { # pid: the process's utime + stime (all its threads), in clock ticks
  sed -E 's/.*\) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
CONTENDERS=(c miou dotnet)
if [ -n "$BASELINE" ]; then CONTENDERS+=(miou-baseline); fi
port=$(first_port)
for round in $(seq 1 "$ROUNDS"); do
  for who in "${CONTENDERS[@]}"; do
    next_server "$who"
    # The client runs one second longer on each side of the measured window, so start-up and JIT are not counted.
    "$OUT/echo_client" "$port" "$CONNS" $((MEASURED + 2)) "$MSG" >"$OUT/client.txt" &
    client=$!
    sleep 1
    mark=$(window_mark "$server" "$client")
    perf stat -x, -e 'raw_syscalls:sys_enter,syscalls:sys_enter_read,syscalls:sys_enter_epoll_wait,context-switches,task-clock' \
      -p "$server" -o "$OUT/stat.txt" -- sleep "$MEASURED" >/dev/null 2>&1
    mark="$mark $(window_mark "$server" "$client")"
    wait "$client"
    wait "$server"
    rps=$(sed -E 's/.*rps=([0-9]+).*/\1/' "$OUT/client.txt")
    own=$(sed -nE 's/.*alloc_bytes_per_request=([0-9.]+) cpu_us_per_request=([0-9.]+).*/\1 \2/p' "$OUT/server.log")
    awk -F, -v round="$round" -v who="$who" -v rps="$rps" -v secs="$MEASURED" -v own="${own:-- -}" -v mark="$mark" -v hz="$(getconf CLK_TCK)" -v ncpu="$(nproc)" '
      /raw_syscalls/ { sc = $1 } /sys_enter_read/ { rd = $1 } /epoll_wait/ { ew = $1 } /context-switches/ { cs = $1 } /task-clock/ { tc = $1 }
      END { q = rps * secs; split(own, o, " "); split(mark, m, " ");
            others = ((m[5] - m[1]) - (m[6] - m[2]) - (m[7] - m[3])) / hz; if (others < 0) others = 0;
            printf "| %d | %s | %d | %.2f | %.2f | %.3f | %.3f | %.2f | %s | %s | %.3f | %.0f%% |\n", round, who, rps, sc / q, rd / q, ew / q, cs / q, tc * 1000 / q, o[1], o[2], (m[8] - m[4]) / q, 100 * others / (secs * ncpu) }' "$OUT/stat.txt"
  done
done
echo
echo "Per request = the server's counts over the measured window divided by (requests/s × $MEASURED s); requests/s is the client's figure for its whole run."
echo "Client sleeps = the load client's voluntary context switches per request (it found no reply ready and blocked in epoll_wait);"
echo "others = the share of both cores other processes used during the window (near 0 on a quiet machine)."
