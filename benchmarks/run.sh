#!/usr/bin/env bash
# Measures what ConcurrencyAnalyzers cost, two ways, on a corpus of realistic code we own (the sample
# service and the unseen-code corpus of the tests), copied into separate namespaces until it is large
# enough for stable figures:
#  1. a build with -p:ReportAnalyzer=true: the compiler's own per-analyzer execution times, and the
#     build's CPU time with and without the analyzers;
#  2. the per-document cost an editor pays after an edit (benchmarks/ConcurrencyAnalyzers.Benchmarks),
#     against an empty analyzer that registers the same callbacks.
# Write the results into docs/performance.md by hand; this is a benchmark, not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
copies=${COPIES:-12}
work="$root/artifacts/bench"
rm -rf "$work" && mkdir -p "$work/corpus"

for i in $(seq 1 "$copies"); do
  for file in samples/WorkerService/*.cs tests/ConcurrencyAnalyzers.Tests/Corpus/*/*.cs; do
    name=$(basename "$(dirname "$file")")-$(basename "$file" .cs)
    sed -E "s/^(\s*)namespace ([A-Za-z0-9_.]+)/\1namespace \2.Copy$i/" "$file" > "$work/corpus/${name}.Copy$i.cs"
  done
done

cat > "$work/Corpus.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net8.0</TargetFramework>
    <OutputType>Library</OutputType>
    <Nullable>enable</Nullable>
    <ImplicitUsings>disable</ImplicitUsings>
    <NoWarn>\$(NoWarn);CS1998;CS0414;CS0169;CS0649;CS4014;CS8618;CS0162</NoWarn>
  </PropertyGroup>
  <ItemGroup>
    <!-- The built assembly, as the package delivers it (a project reference would add its own build). -->
    <Analyzer Include="$root/src/ConcurrencyAnalyzers.Analyzers/bin/Release/netstandard2.0/ConcurrencyAnalyzers.Analyzers.dll" Condition="'\$(WithConcurrencyAnalyzers)' != 'false'" />
  </ItemGroup>
</Project>
PROJ
echo '<Project />' > "$work/Directory.Build.props"
echo '<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>' > "$work/Directory.Packages.props"

lines=$(cat "$work"/corpus/*.cs | wc -l)
echo "corpus: $(ls "$work"/corpus | wc -l) files, $lines lines"

dotnet build "$root/src/ConcurrencyAnalyzers.Analyzers" -c Release -nologo -v:q >/dev/null
dotnet restore "$work/Corpus.csproj" -nologo -v:q >/dev/null

measure() { # $1 label, rest: extra build arguments; prints the CPU seconds of the build and its children
  local label=$1; shift
  # No build servers: the compiler then runs in child processes of this build, so their CPU is counted.
  local TIMEFORMAT='%U %S'
  { time dotnet build "$work/Corpus.csproj" -c Release --no-restore --no-incremental --disable-build-servers -nologo "$@" > "$work/build.$label.log" 2>&1 ; } 2> "$work/time.$label" \
    || { echo "the $label build failed; see $work/build.$label.log" >&2; exit 1; }
  awk '{ printf "%.1f", $1 + $2 }' "$work/time.$label"
}

# Each figure is the best of three builds: on a small machine, the slower runs measure other load.
best_total=""
best_cpu_with=""
best_cpu_without=""
for run in 1 2 3; do
  # The same build with and without this package (the SDK's own analyzers run in both), then one
  # with the compiler's per-analyzer report.
  without=$(measure without -p:WithConcurrencyAnalyzers=false)
  with=$(measure with)
  measure report -p:ReportAnalyzer=true -v:detailed >/dev/null
  total=$(grep -E "^\s+[0-9.]+\s+\S+\s+ConcurrencyAnalyzers\.Analyzers," "$work/build.report.log" | head -1 | awk '{ print $1 }')
  echo "run $run: build CPU seconds without ConcurrencyAnalyzers $without, with $with; ConcurrencyAnalyzers $total s"
  if [ -z "$best_total" ] || awk -v a="$total" -v b="$best_total" 'BEGIN { exit !(a < b) }'; then
    best_total=$total
    cp "$work/build.report.log" "$work/build.best.log"
  fi
  if [ -z "$best_cpu_with" ] || awk -v a="$with" -v b="$best_cpu_with" 'BEGIN { exit !(a < b) }'; then best_cpu_with=$with; fi
  if [ -z "$best_cpu_without" ] || awk -v a="$without" -v b="$best_cpu_without" 'BEGIN { exit !(a < b) }'; then best_cpu_without=$without; fi
done

echo "best build CPU seconds: without ConcurrencyAnalyzers $best_cpu_without, with $best_cpu_with"
# The compiler's report of the best run: the assembly's total, then one line per analyzer.
grep -E "^\s+[0-9.]+\s+\S+\s+ConcurrencyAnalyzers\.(Analyzers,|Rules\.)" "$work/build.best.log" | sed -E 's/^\s+//'
grep -E "Total analyzer execution time" "$work/build.best.log" | tail -1 | sed -E 's/^\s+/all analyzers of the build (SDK ones included): /'
awk -v t="$best_total" -v l="$lines" 'BEGIN { printf "ReportAnalyzer (best of 3): %.3f s for %d lines = %.1f ms per 1,000 lines\n", t, l, t * 1000000 / l }'

# Ordinary code: the package's own sources (analysis code, little concurrency), built with and without it.
own="$root/artifacts/bench-own"
rm -rf "$own" && mkdir -p "$own/src"
cp -r "$root"/src/ConcurrencyAnalyzers.Analyzers/*.cs "$root"/src/ConcurrencyAnalyzers.Analyzers/Model "$root"/src/ConcurrencyAnalyzers.Analyzers/Rules "$own/src/"
mkdir -p "$own/src/Fixes" && cp "$root"/src/ConcurrencyAnalyzers.CodeFixes/*.cs "$root"/src/ConcurrencyAnalyzers.CodeFixes/Rules/*.cs "$own/src/Fixes/"
cat > "$own/Own.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>netstandard2.0</TargetFramework>
    <LangVersion>latest</LangVersion>
    <Nullable>enable</Nullable>
    <NoWarn>\$(NoWarn);RS1038;RS1041;RS1036;RS2008;RS1030;RS1001</NoWarn>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.CodeAnalysis.CSharp.Workspaces" Version="4.8.0" />
    <PackageReference Include="System.Composition" Version="8.0.0" />
    <Analyzer Include="$root/src/ConcurrencyAnalyzers.Analyzers/bin/Release/netstandard2.0/ConcurrencyAnalyzers.Analyzers.dll" Condition="'\$(WithConcurrencyAnalyzers)' != 'false'" />
  </ItemGroup>
</Project>
PROJ
echo '<Project />' > "$own/Directory.Build.props"
cp "$work/Directory.Packages.props" "$own/"
dotnet restore "$own/Own.csproj" -nologo -v:q >/dev/null
own_lines=$(cat "$own"/src/*.cs "$own"/src/*/*.cs | wc -l)
for run in 1 2 3; do
  { time dotnet build "$own/Own.csproj" -c Release --no-restore --no-incremental --disable-build-servers -nologo -p:WithConcurrencyAnalyzers=false > "$own/without.log" 2>&1 ; } 2> "$own/time.without"
  { time dotnet build "$own/Own.csproj" -c Release --no-restore --no-incremental --disable-build-servers -nologo -p:ReportAnalyzer=true -v:detailed > "$own/with.log" 2>&1 ; } 2> "$own/time.with"
  own_total=$(grep -E "^\s+[0-9.]+\s+\S+\s+ConcurrencyAnalyzers\.Analyzers," "$own/with.log" | head -1 | awk '{ print $1 }')
  awk -v w="$(cat "$own/time.with")" -v wo="$(cat "$own/time.without")" -v t="$own_total" -v l="$own_lines" 'BEGIN { split(w, a, " "); split(wo, b, " "); printf "ordinary code (%d lines), run: build CPU without %.1f s, with %.1f s; ConcurrencyAnalyzers %.3f s = %.1f ms per 1,000 lines\n", l, b[1] + b[2], a[1] + a[2], t, t * 1000000 / l }'
done

refs=$(ls -d "$HOME"/.nuget/packages/microsoft.netcore.app.ref/8.0.*/ref/net8.0 | sort -V | tail -1)
dotnet run --project "$root/benchmarks/ConcurrencyAnalyzers.Benchmarks" -c Release -- "$work/corpus" "$refs"
