#!/usr/bin/env bash
# Issue 5's benchmark as a real build: Miou's analyzers on a generated project of 1,000 [Fiber] methods (100 files of 10,
# the same as tests/Miou.Analyzers.Tests/AnalyzerCost.cs, from method.template), measured by the compiler itself with
# `dotnet build -p:ReportAnalyzer=true`. The project references Miou.Runtime, and Miou.Generators and Miou.Analyzers as
# analyzers (as a consumer's ProjectReference does). One build builds the references and starts the compiler server,
# WARMUP rebuilds warm it up, then RUNS times: a rebuild of the project alone, printing the compiler's "Total analyzer
# execution time", Miou's per-analyzer lines, the generator time and the Csc task time, then the same rebuild without
# Miou.Analyzers (-p:MiouAnalyzers=false), whose Csc task time says how much elapsed time the analyzers really add (the
# telemetry sums the time of callbacks that run concurrently, so it can exceed it). Last, the median of the runs'
# "Miou.Analyzers share of Csc" (their telemetry over the Csc task), printed with every run's share.
# Settings: RUNS (3); WARMUP (2): unmeasured rebuilds with the analyzers before the runs, because a warm IDE or compiler
# server is one that has compiled the project before, tiered JIT having promoted the compiler's and the analyzers' hot
# code (without them the first run, only the second compile in a fresh server, is consistently slower); CONFIG (Release:
# what a consumer of the package gets); KEEP=1 to keep the generated project; SHARED (true: the compiler server, as
# `dotnet build` and the IDE run it; false: a fresh csc process per build, whose figures include the JIT of the compiler
# and of every analyzer, WARMUP or not; this workplace's environment sets UseSharedCompilation=false, so the script
# passes it explicitly).
set -euo pipefail

RUNS=${RUNS:-3}
WARMUP=${WARMUP:-2}
CONFIG=${CONFIG:-Release}
SHARED=${SHARED:-true}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$(mktemp -d)
if [ "${KEEP:-0}" != 1 ]; then trap 'rm -rf "$OUT"' EXIT; fi

cat >"$OUT/Bench.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <Import Project="$ROOT/Miou.Generators/build/Miou.Generators.props" />
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <LangVersion>latest</LangVersion>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <ProjectReference Include="$ROOT/Miou.Runtime/Miou.Runtime.csproj" />
    <ProjectReference Include="$ROOT/Miou.Generators/Miou.Generators.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
    <ProjectReference Include="$ROOT/Miou.Analyzers/Miou.Analyzers.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false"
                      Condition="'\$(MiouAnalyzers)' != 'false'" />
  </ItemGroup>
</Project>
EOF

# Ten methods per file from method.template, the template AnalyzerCost uses: a child, a resource, a catch and a finally
# in each, plus a plain method.
for file in $(seq 0 99); do
  {
    printf 'using Miou;\nnamespace Bench;\npublic static partial class F%d\n{\n' "$file"
    for i in $(seq 0 9); do
      sed "s/@N@/$((file * 10 + i))/g" "$ROOT/benchmarks/analyzers/method.template"
    done
    printf '}\n'
  } >"$OUT/F$file.cs"
done

echo "project: $OUT (100 files, 1,000 [Fiber] methods), configuration $CONFIG, compiler server $SHARED; load average $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet build "$OUT/Bench.csproj" -c "$CONFIG" -nologo -v:q -p:UseSharedCompilation="$SHARED" >/dev/null

build() { # log, extra properties…
  local log=$1
  shift
  dotnet build "$OUT/Bench.csproj" -c "$CONFIG" -nologo --no-incremental -p:BuildProjectReferences=false -p:UseSharedCompilation="$SHARED" \
    -p:ReportAnalyzer=true -v:d -clp:PerformanceSummary "$@" >"$log"
  if grep -q "warning MIOU\|error MIOU\|error CS" "$log"; then
    echo "the benchmark project is not clean, see $log" >&2
    exit 1
  fi
  # Csc appears once in the task summary: "  12345 ms  Csc  1 calls".
  grep -E '^ +[0-9]+ ms +Csc +[0-9]+ calls' "$log" | awk '{print $1}'
}

for warmup in $(seq 1 "$WARMUP"); do
  build "$OUT/warmup$warmup.log" >/dev/null
done

shares=()
for run in $(seq 1 "$RUNS"); do
  log="$OUT/run$run.log"
  before=$(cut -d' ' -f1 /proc/loadavg)
  csc=$(build "$log")
  # The same rebuild without Miou.Analyzers: the elapsed time they add to the Csc task, against the telemetry's sum.
  without=$(build "$OUT/run$run-without.log" -p:MiouAnalyzers=false)
  after=$(cut -d' ' -f1 /proc/loadavg)

  total=$(grep -m1 'Total analyzer execution time:' "$log" | sed -E 's/.*time: ([0-9.]+) seconds.*/\1/')
  generators=$(grep -m1 'Total generator execution time:' "$log" | sed -E 's/.*time: ([0-9.]+) seconds.*/\1/')
  # Per-analyzer rows: "   0.123   12      Miou.Analyzers.ChildNotAwaitedAnalyzer (MIOU0001)"; the assembly row carries its total.
  miou=$(grep -E '^ +[0-9.<]+ +[0-9<]+ +Miou\.Analyzers, Version' "$log" | head -1 | awk '{print $1}')
  echo "run $run (load average $before -> $after): Csc task ${csc} ms with Miou.Analyzers, ${without} ms without;" \
    "telemetry: all analyzers ${total} s, Miou.Analyzers ${miou:-?} s, generators ${generators} s"
  grep -E '^ +[0-9.<]+ +[0-9<]+ +Miou\.Analyzers\.[A-Za-z]+Analyzer' "$log" | sed -E 's/^ +/    /' || true
  share=$(awk -v csc="$csc" -v miou="${miou:-0}" 'BEGIN { printf "%.1f", 100 * miou * 1000 / csc }')
  shares+=("$share")
  awk -v csc="$csc" -v without="$without" -v all="$total" -v share="$share" 'BEGIN {
    printf "    telemetry over the Csc task: all analyzers %.1f%%, Miou.Analyzers %s%%\n", 100 * all * 1000 / csc, share
    printf "    Csc task time Miou.Analyzers add: %d ms = %.1f%% of the Csc task with them\n", csc - without, 100 * (csc - without) / csc }'
done

# The median of the runs' shares (the mean of the middle two for an even count), with every run's share.
median=$(printf '%s\n' "${shares[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }')
echo "Miou.Analyzers share of Csc (telemetry over the Csc task), after $WARMUP warm-up builds: median ${median}% of runs ${shares[*]/%/%}"
