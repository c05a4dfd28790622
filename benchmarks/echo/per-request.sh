#!/usr/bin/env bash
# What each echo server spends per request, from the kernel's own counters (perf stat on the server process while the
# C load client drives it): system calls, reads, epoll_waits, context switches and CPU time. Requests per second swing
# with a shared machine's load; these per-request counts mostly do not, so they show what a change to the request path
# did even when the machine is busy. Companion of run.sh (which measures requests per second, p50 and p99).
#
#   benchmarks/echo/per-request.sh            # C server, samples/Echo on dom0, plain .NET; 2 rounds of 4 s measured
#   ROUNDS=3 SECONDS_MEASURED=5 benchmarks/echo/per-request.sh
#
# Needs gcc, perf (with the syscalls tracepoints) and the .NET SDK; loopback only.
set -euo pipefail

CONNS=${CONNS:-50}
MSG=${MSG:-64}
ROUNDS=${ROUNDS:-2}
MEASURED=${SECONDS_MEASURED:-4}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOOLS=${TOOLS:-$ROOT/../shared/tools}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

gcc -O2 -o "$OUT/echo_client" "$TOOLS/echo_client.c"
gcc -O2 -o "$OUT/c_echo_server" "$TOOLS/c_echo_server.c"
dotnet build -c Release -v quiet -nologo "$ROOT/samples/Echo/Echo.csproj" -o "$OUT/miou" >/dev/null
dotnet build -c Release -v quiet -nologo "$ROOT/benchmarks/echo/PlainEcho/PlainEcho.csproj" -o "$OUT/plain" >/dev/null

server_command() { # contender port
  case "$1" in
    c) echo "$OUT/c_echo_server $2 $CONNS" ;;
    miou) echo "$OUT/miou/Echo $2 --connections $CONNS" ;;
    dotnet) echo "$OUT/plain/PlainEcho $2 $CONNS" ;;
  esac
}

echo "| round | server | requests/s | syscalls | reads | epoll_waits | context switches | CPU µs |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
port=$((20000 + RANDOM % 20000))
for round in $(seq 1 "$ROUNDS"); do
  for who in c miou dotnet; do
    port=$((port + 1))
    $(server_command "$who" "$port") >"$OUT/server.log" 2>&1 &
    server=$!
    for _ in $(seq 1 200); do ss -ltnH "sport = :$port" | grep -q . && break; sleep 0.05; done
    # The client runs one second longer on each side of the measured window, so start-up and JIT are not counted.
    "$OUT/echo_client" "$port" "$CONNS" $((MEASURED + 2)) "$MSG" >"$OUT/client.txt" &
    client=$!
    sleep 1
    perf stat -x, -e 'raw_syscalls:sys_enter,syscalls:sys_enter_read,syscalls:sys_enter_epoll_wait,context-switches,task-clock' \
      -p "$server" -o "$OUT/stat.txt" -- sleep "$MEASURED" >/dev/null 2>&1
    wait "$client"
    wait "$server"
    rps=$(sed -E 's/.*rps=([0-9]+).*/\1/' "$OUT/client.txt")
    awk -F, -v round="$round" -v who="$who" -v rps="$rps" -v secs="$MEASURED" '
      /raw_syscalls/ { sc = $1 } /sys_enter_read/ { rd = $1 } /epoll_wait/ { ew = $1 } /context-switches/ { cs = $1 } /task-clock/ { tc = $1 }
      END { q = rps * secs; printf "| %d | %s | %d | %.2f | %.2f | %.3f | %.3f | %.2f |\n", round, who, rps, sc / q, rd / q, ew / q, cs / q, tc * 1000 / q }' "$OUT/stat.txt"
  done
done
echo
echo "Per request = the server's counts over the measured window divided by (requests/s × $MEASURED s); requests/s is the client's figure for its whole run."
