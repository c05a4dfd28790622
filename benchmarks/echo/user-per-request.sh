#!/usr/bin/env bash
# User and kernel CPU per request of the echo servers, split by sampling instead of by the kernel's tick accounting.
# /proc's utime/stime (what per-request.sh's "CPU µs (own)" and EchoStats' user figure rest on) split a process's
# exact run time in proportion to the ticks that found it in user or kernel mode: over a 4 s round about a hundred
# ticks land in user mode, so one round's user figure is only good to about ±10%. Here perf samples the server's main
# thread (dom0 for samples/Echo, the only thread of the C server) at 4999 Hz over the whole client run and counts the
# samples in user and in kernel mode: thousands of user samples per round. Rounds alternate the contenders; the last
# lines give each one's minimum and median, and each contender's per-round ratio to the first one (paired rounds: a
# round where the machine was slow is slow for both). Companion of per-request.sh (system calls, reads, epoll_waits).
#
#   benchmarks/echo/user-per-request.sh                      # C server and samples/Echo on dom0, 6 rounds of 4 s
#   ROUNDS=16 BASELINE=ee88ec1 benchmarks/echo/user-per-request.sh   # also samples/Echo as of that commit
#
# Needs gcc, perf (cpu-clock sampling of another process) and the .NET SDK; loopback only.
set -euo pipefail

ROUNDS=${ROUNDS:-6}
SECONDS_MEASURED=${SECONDS_MEASURED:-4}
source "$(dirname "$0")/servers.sh"

CONTENDERS=(miou c)
if [ -n "$BASELINE" ]; then CONTENDERS=(miou-baseline miou c); fi
echo "| round | server | requests/s | user µs | kernel µs | CPU µs | others |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: |"
port=$(first_port)
for round in $(seq 1 "$ROUNDS"); do
  for who in "${CONTENDERS[@]}"; do
    next_server "$who"
    # perf needs a moment to attach (it reads the process's mappings): start it before the client, whose run it then
    # covers from the first request (the server only waits in epoll_wait before, which takes no samples).
    perf record -e cpu-clock -F 4999 -t "$server" -o "$OUT/perf.data" >/dev/null 2>&1 &
    recorder=$!
    sleep 2
    machine_mark before
    started=$(date +%s.%N)
    "$OUT/echo_client" "$port" "$CONNS" "$SECONDS_MEASURED" "$MSG" >"$OUT/client.txt"
    wait "$server"
    wait "$recorder" || true # perf ends with the thread it follows; waited before the mark, so its own CPU is not "others"
    machine_mark after
    others=$(others_share "$before" "$after" "$(echo "$(date +%s.%N) - $started" | bc)")
    requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' "$OUT/client.txt")
    rps=$(sed -E 's/.*rps=([0-9]+).*/\1/' "$OUT/client.txt")
    perf script -i "$OUT/perf.data" -F ip 2>/dev/null | awk -v round="$round" -v who="$who" -v rps="$rps" -v q="$requests" -v others="$others" '
      { if ($1 ~ /^ffff/) k++; else u++ }
      END { printf "| %d | %s | %d | %.3f | %.3f | %.3f | %s%% |\n", round, who, rps, u / 4999 / q * 1e6, k / 4999 / q * 1e6, (u + k) / 4999 / q * 1e6, others }'
  done
done | tee "$OUT/rounds.txt"
echo
python3 - "$OUT/rounds.txt" "${CONTENDERS[0]}" <<'PY'
import statistics, sys
rows = [[c.strip() for c in line.strip().strip('|').split('|')] for line in open(sys.argv[1]) if line.startswith('| ')]
first, by_round, names = sys.argv[2], {}, []
for r in rows:
    by_round.setdefault(r[0], {})[r[1]] = (float(r[3]), float(r[5]))
    if r[1] not in names:
        names.append(r[1])
for n in names:
    user = [v[n][0] for v in by_round.values() if n in v]
    cpu = [v[n][1] for v in by_round.values() if n in v]
    line = f"{n}: user µs min {min(user):.3f} median {statistics.median(user):.3f}; CPU µs min {min(cpu):.3f} median {statistics.median(cpu):.3f}"
    pairs = [(v[n][0] / v[first][0], v[n][1] / v[first][1]) for v in by_round.values() if n in v and first in v]
    if n != first and pairs:
        lower = sum(p[0] < 1 for p in pairs)
        line += f"; per round vs {first}: user ratio median {statistics.median(p[0] for p in pairs):.3f} (lower in {lower} of {len(pairs)}), CPU ratio median {statistics.median(p[1] for p in pairs):.3f}"
    print(line)
PY
