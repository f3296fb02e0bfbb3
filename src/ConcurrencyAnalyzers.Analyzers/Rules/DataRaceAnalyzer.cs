using System.Collections.Immutable;
using System.Linq;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC001 (a shared variable) and CONC002 (a collection that is not thread-safe): writes that can run
    /// at the same time as another access with no lock both hold. One analysis serves both rules, since
    /// they differ only in what is racing.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class DataRaceAnalyzer : ConcurrencyAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.UnsynchronizedWrite, RuleDescriptors.UnsafeCollectionMutation);

        private protected override bool IsApplicable(KnownTypes types) => types.Task is not null || types.Thread is not null;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
        {
            // Built once per compilation and shared by every member's analysis.
            var summaries = new MethodAccessSummaries(context.Compilation, types);
            // The compiler walks every member's operations anyway: an operation callback notes whether the
            // member starts concurrent work (a name check first), and only such members are analysed.
            context.RegisterOperationBlockStartAction(blockStart =>
            {
                var startsWork = false;
                blockStart.RegisterOperationAction(
                    operationContext =>
                    {
                        if (!startsWork && ConcurrentEntryPoint.TryGet(operationContext.Operation, types, out _))
                        {
                            startsWork = true;
                        }
                    },
                    OperationKind.Invocation,
                    OperationKind.ObjectCreation,
                    OperationKind.EventAssignment);
                blockStart.RegisterOperationBlockEndAction(blockContext =>
                {
                    if (ConcurrentTypes.Includes(blockContext.OwningSymbol, blockContext.Options, blockContext.FilterTree))
                    {
                        foreach (var block in blockContext.OperationBlocks)
                        {
                            foreach (var finding in RaceAnalysis.FindInConcurrentMember(block, (IMethodSymbol)blockContext.OwningSymbol, types, summaries, blockContext.CancellationToken))
                            {
                                if (Diagnose(finding) is { } diagnostic)
                                {
                                    blockContext.ReportDiagnostic(diagnostic);
                                }
                            }
                        }
                    }

                    if (!startsWork)
                    {
                        return;
                    }

                    foreach (var block in blockContext.OperationBlocks)
                    {
                        foreach (var finding in RaceAnalysis.Find(block, blockContext.OwningSymbol, types, summaries, blockContext.CancellationToken))
                        {
                            if (Diagnose(finding) is { } diagnostic)
                            {
                                blockContext.ReportDiagnostic(diagnostic);
                            }
                        }
                    }
                });
            });
        }

        /// <summary>
        /// Public instance methods of the types `dotnet_code_quality.CONC001.concurrent_types` lists run on
        /// several threads at once on one shared instance.
        /// </summary>
        private static class ConcurrentTypes
        {
            public static bool Includes(ISymbol member, AnalyzerOptions options, SyntaxTree? tree) =>
                member is IMethodSymbol { MethodKind: MethodKind.Ordinary or MethodKind.PropertySet or MethodKind.PropertyGet, DeclaredAccessibility: Accessibility.Public, IsStatic: false } method
                && ConcurrentTypesOption.Includes(method.ContainingType, options, tree, RuleIdentifiers.UnsynchronizedWrite);
        }

        private static Diagnostic? Diagnose(RaceFinding finding)
        {
            var access = finding.Access;

            // `volatile` read-modify-writes are CONC005's.
            if (access.Location is IFieldSymbol { IsVolatile: true } && access.Kind == AccessKind.ReadModifyWrite)
            {
                return null;
            }

            var additional = ImmutableArray.CreateBuilder<Location>();
            if (!finding.IsDirect)
            {
                additional.Add(access.Operation.Syntax.GetLocation());
            }

            if (finding.Other is not null)
            {
                additional.Add(finding.Other.Syntax.GetLocation());
            }

            var via = finding.IsDirect ? string.Empty : " in '" + string.Join("' → '", finding.Path.Select(m => m.Name)) + "' (called here)";
            if (access.Kind == AccessKind.CollectionMutation)
            {
                var type = access.Location.ValueType()?.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) ?? "collection";
                return Diagnostic.Create(RuleDescriptors.UnsafeCollectionMutation, finding.ReportAt.Syntax.GetLocation(), additional,
                    type, access.Location.Name, access.Verb, via, finding.Context);
            }

            return Diagnostic.Create(RuleDescriptors.UnsynchronizedWrite, finding.ReportAt.Syntax.GetLocation(), additional,
                access.Location.Name, access.Verb, via, finding.Context);
        }
    }
}
