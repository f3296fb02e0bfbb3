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
  for file in samples/WorkerService/*.cs tests/ConcurrencyAnalyzers.Tests/Corpus/*.cs; do
    name=$(basename "$file" .cs)
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
    <Compile Include="corpus/*.cs" />
    <ProjectReference Include="$root/src/ConcurrencyAnalyzers.Analyzers/ConcurrencyAnalyzers.Analyzers.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
  </ItemGroup>
</Project>
PROJ
echo '<Project />' > "$work/Directory.Build.props"
echo '<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>' > "$work/Directory.Packages.props"

lines=$(cat "$work"/corpus/*.cs | wc -l)
echo "corpus: $(ls "$work"/corpus | wc -l) files, $lines lines"

dotnet build "$root/src/ConcurrencyAnalyzers.Analyzers" -c Release -nologo -v:q >/dev/null
dotnet restore "$work/Corpus.csproj" -nologo -v:q >/dev/null

measure() { # $1 label, rest: extra build arguments; prints CPU seconds of the build
  local label=$1; shift
  /usr/bin/time -f "%U %S" -o "$work/time.$label" dotnet build "$work/Corpus.csproj" -c Release --no-restore --no-incremental -nologo "$@" > "$work/build.$label.log" 2>&1
  awk '{ printf "%.1f", $1 + $2 }' "$work/time.$label"
}

# Warm up the build servers once so neither measured build pays for their start.
measure warmup >/dev/null
without=$(measure without -p:RunAnalyzers=false)
with=$(measure with -p:ReportAnalyzer=true -v:detailed)
echo "build CPU seconds without analyzers: $without, with ConcurrencyAnalyzers: $with"

# The compiler's report: the assembly's total, then one line per analyzer.
grep -E "ConcurrencyAnalyzers\.(Analyzers|Rules)" "$work/build.with.log" | sed -E 's/^\s+//' | sort -u | head -20
total=$(grep -E "^\s+[0-9.]+\s+\S+\s+ConcurrencyAnalyzers\.Analyzers," "$work/build.with.log" | head -1 | awk '{ print $1 }')
if [ -n "$total" ]; then
  awk -v t="$total" -v l="$lines" 'BEGIN { printf "ReportAnalyzer: %.3f s for %d lines = %.1f ms per 1,000 lines\n", t, l, t * 1000000 / l }'
fi

refs=$(ls -d "$HOME"/.nuget/packages/microsoft.netcore.app.ref/8.0.*/ref/net8.0 | sort -V | tail -1)
dotnet run --project "$root/benchmarks/ConcurrencyAnalyzers.Benchmarks" -c Release -- "$work/corpus" "$refs"
