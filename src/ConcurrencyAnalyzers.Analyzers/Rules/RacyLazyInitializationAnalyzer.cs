using System.Collections.Immutable;
using System.Linq;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC050 (lazy initialization with no lock) and CONC051 (double-checked locking done wrong): a field
    /// initialized on first use by hand, in code that may run on several threads — a static field, or a
    /// field of an instance that <see cref="SharedTypeEvidence"/> says is shared. One recognizer
    /// (<see cref="LazyInitialization"/>) serves both rules, which differ only in whether a lock is there.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class RacyLazyInitializationAnalyzer : ConcurrencyAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.RacyLazyInitialization, RuleDescriptors.BrokenDoubleCheckedLocking, RuleDescriptors.DoubleCheckedLockingNotVolatile);

        private protected override bool IsApplicable(KnownTypes types) => true;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
        {
            context.RegisterOperationAction(
                operationContext => Analyze(operationContext, types),
                OperationKind.Conditional,
                OperationKind.CoalesceAssignment,
                OperationKind.Coalesce);
        }

        private static void Analyze(OperationAnalysisContext context, KnownTypes types)
        {
            if (LazyInitialization.Match(context.Operation) is not { } initialization
                || context.ContainingSymbol is not IMethodSymbol member
                || member.MethodKind is MethodKind.Constructor or MethodKind.StaticConstructor or MethodKind.Destructor
                || (initialization.Form == LazyInitializationForm.Flag && IsTeardown(member))
                || IsSynchronizedMethod(member, types)
                || initialization.Field.ContainingType.TypeKind != TypeKind.Class
                || initialization.Field.GetAttributes().Any(a => KnownTypes.Is(a.AttributeClass, types.ThreadStaticAttribute)))
            {
                return;
            }

            var body = context.Operation.Root();
            if (HeldLocks.At(initialization.Check, body, types).Any(l => l.IsExclusive) || !initialization.IsUsedAfter(body))
            {
                return;
            }

            string where;
            if (initialization.Field.IsStatic)
            {
                where = string.Empty;
            }
            else if (SharedTypeEvidence.For(context.Compilation).WhyShared(initialization.Field.ContainingType, context.Options, context.Operation.Syntax.SyntaxTree, RuleIdentifiers.RacyLazyInitialization, RuleIdentifiers.BrokenDoubleCheckedLocking) is { } why)
            {
                where = ", in '" + initialization.Field.ContainingType.Name + "', " + why;
            }
            else
            {
                // Per-instance state of a type nothing shows being shared: one thread's, as far as we can tell.
                return;
            }

            var location = ReportLocation(initialization);
            if (initialization.Lock is { } lockOperation)
            {
                var what = initialization.Problem switch
                {
                    LazyInitializationProblem.NoInnerCheck => "does not check '" + initialization.Field.Name + "' again inside the lock, so a thread that waited for the lock initializes it a second time",
                    LazyInitializationProblem.PublishedEarly => initialization.Form == LazyInitializationForm.Flag
                        ? "sets '" + initialization.Field.Name + "' before the initialization it stands for is done, so another thread can skip the lock and use state that is not ready"
                        : "stores the object in '" + initialization.Field.Name + "' before it is filled in, so another thread can skip the lock and use it half built",
                    _ => "reads '" + initialization.Field.Name + "' outside the lock, but it is not volatile: another thread can see the reference before the object it points to is complete",
                };
                // A reference stored once complete is safe on the .NET runtimes' memory model; a flag is not,
                // since nothing orders the reads of the state it stands for after it.
                var descriptor = initialization.Problem == LazyInitializationProblem.NotVolatile && initialization.Form != LazyInitializationForm.Flag
                    ? RuleDescriptors.DoubleCheckedLockingNotVolatile
                    : RuleDescriptors.BrokenDoubleCheckedLocking;
                context.ReportDiagnostic(Diagnostic.Create(
                    descriptor,
                    location,
                    ImmutableArray.Create(lockOperation.Syntax.GetLocation()),
                    initialization.Field.Name,
                    what));
                return;
            }

            var early = initialization.Problem != LazyInitializationProblem.PublishedEarly
                ? string.Empty
                : initialization.Form == LazyInitializationForm.Flag
                    ? "; the flag is also set before the work it stands for is done, so another thread can go on before it is"
                    : "; it is also stored before it is filled in, so another thread can use it half built";
            context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.RacyLazyInitialization, location, initialization.Field.Name, where, early));
        }

        /// <summary>The condition of an `if` (`_instance == null`), or the whole `??=` / `??` expression.</summary>
        internal static Location ReportLocation(LazyInitialization initialization) => initialization.Check switch
        {
            IConditionalOperation conditional => conditional.Condition.Syntax.GetLocation(),
            _ => initialization.Check.Syntax.GetLocation(),
        };

        /// <summary>`if (_disposed) return; _disposed = true; …` is a run-once guard for teardown, not initialization.</summary>
        private static bool IsTeardown(IMethodSymbol member) =>
            member.Name is "Dispose" or "DisposeAsync" or "DisposeCore" or "DisposeAsyncCore" or "Close" or "Stop" or "StopAsync" or "Shutdown";

        /// <summary>`[MethodImpl(MethodImplOptions.Synchronized)]`: the runtime locks around the whole method.</summary>
        private static bool IsSynchronizedMethod(IMethodSymbol method, KnownTypes types)
        {
            return method.GetAttributes().Any(a =>
                KnownTypes.Is(a.AttributeClass, types.MethodImplAttribute)
                && a.ConstructorArguments.Length == 1
                && a.ConstructorArguments[0].Value is int options
                && (options & 0x20) != 0);
        }
    }
}
