# Sourced by run.sh and per-request.sh: builds the load client and every echo server into $OUT (a temporary folder,
# removed on exit) and names the command that starts each one. Settings: CONNS, MSG, TOOLS, and BASELINE (a commit
# whose samples/Echo is built too, as the contender miou-baseline).

CONNS=${CONNS:-50}
MSG=${MSG:-64}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TOOLS=${TOOLS:-$ROOT/../shared/tools}
BASELINE=${BASELINE:-}
OUT=$(mktemp -d)
cleanup() {
  rm -rf "$OUT"
}
trap cleanup EXIT

gcc -O2 -o "$OUT/echo_client" "$TOOLS/echo_client.c"
gcc -O2 -o "$OUT/c_echo_server" "$TOOLS/c_echo_server.c"
dotnet build -c Release -v quiet -nologo "$ROOT/samples/Echo/Echo.csproj" -o "$OUT/miou" >/dev/null
dotnet build -c Release -v quiet -nologo "$ROOT/benchmarks/echo/PlainEcho/PlainEcho.csproj" -o "$OUT/plain" >/dev/null
if [ -n "$BASELINE" ]; then
  # A plain copy of the commit's tree (git archive), not a worktree: nothing is registered in the repository.
  mkdir "$OUT/baseline-src"
  git -C "$ROOT" archive "$BASELINE" | tar -x -C "$OUT/baseline-src"
  dotnet build -c Release -v quiet -nologo "$OUT/baseline-src/samples/Echo/Echo.csproj" -o "$OUT/baseline" >/dev/null
fi

first_port() { # a port to start counting from, below the kernel's ephemeral range: the client's connections take
  # local ports from that range, and a server asked to listen on one still held by a closed connection (TIME_WAIT) fails
  # to bind (the plain .NET server aborted on it)
  local low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
  echo $((10000 + RANDOM % (low - 10000 - 1000)))
}

server_command() { # contender port
  case "$1" in
    c) echo "$OUT/c_echo_server $2 $CONNS" ;;
    miou) echo "$OUT/miou/Echo $2 --connections $CONNS" ;;
    miou-spread) echo "$OUT/miou/Echo $2 --connections $CONNS --spread" ;;
    miou-baseline) echo "$OUT/baseline/Echo $2 --connections $CONNS" ;;
    dotnet) echo "$OUT/plain/PlainEcho $2 $CONNS" ;;
  esac
}

wait_listening() { # port
  for _ in $(seq 1 200); do
    if ss -ltnH "sport = :$1" | grep -q .; then return 0; fi
    sleep 0.05
  done
  echo "server on port $1 did not start" >&2
  return 1
}

# What the rest of the machine did during a round. The figures of a round hold only when the client and the server had
# the cores to themselves: when other processes take one of the two cores, client and server share the other and every
# request costs two context switches more (measured: Miou and C alike lose a third to half of their rate). So each
# round reports the share of both cores that other processes used while it ran, from /proc/stat's busy time minus the CPU
# time of this shell's children (bash's `times`: the client and the server, once they have been waited for).
machine_mark() { # NAME: sets the variable NAME to "busy_seconds children_seconds" (no subshell: `times` must run here)
  local busy
  busy=$(awk -v hz="$(getconf CLK_TCK)" '/^cpu / { print ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat)
  times >"$OUT/times" # a $(...) subshell's children would not be this shell's
  printf -v "$1" '%s %s' "$busy" "$(awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); s += t[1] * 60 + t[2] } print s }' "$OUT/times")"
}

others_share() { # mark_before mark_after elapsed_seconds: other processes' CPU, as a percentage of both cores
  awk -v a="$1" -v b="$2" -v el="$3" -v ncpu="$(nproc)" 'BEGIN { split(a, x, " "); split(b, y, " ");
    o = (y[1] - x[1]) - (y[2] - x[2]); if (o < 0) o = 0; printf "%.0f", 100 * o / (el * ncpu) }'
}

# QUIET=N (percent, off by default): before each round, wait until the machine has been at least N% idle over two
# seconds (at most QUIET_WAIT seconds, default 120; the round then runs anyway and its others_cpu shows it), so that on
# a machine shared with other work the rounds run in its quiet moments instead of at random.
wait_quiet() {
  [ -n "${QUIET:-}" ] || return 0
  local waited=0 a b
  while [ "$waited" -lt "${QUIET_WAIT:-120}" ]; do
    a=$(awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
    sleep 2
    b=$(awk '/^cpu / { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
    if awk -v a="$a" -v b="$b" -v want="$QUIET" 'BEGIN { split(a, x, " "); split(b, y, " ");
         exit !(y[2] > x[2] && 100 * (y[1] - x[1]) / (y[2] - x[2]) >= want) }'; then
      return 0
    fi
    waited=$((waited + 2))
  done
  echo "the machine did not get ${QUIET}% idle within ${QUIET_WAIT:-120} s; running the round anyway" >&2
}

next_server() { # contender: the next port, a quiet machine if QUIET asks for one, and the contender's server on that
  # port (as start_server: its pid in $server); $port counts up from first_port's answer, set by the caller
  port=$((port + 1))
  wait_quiet
  start_server "$1" "$port"
}

start_server() { # contender port: starts it in the background (its pid in $server) and returns once it listens
  # MIOU_ECHO_STATS=1: samples/Echo prints its allocations and CPU per request at exit (the others ignore it).
  MIOU_ECHO_STATS=1 $(server_command "$1" "$2") >"$OUT/server.log" 2>&1 &
  server=$!
  wait_listening "$2"
}
