using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC033: an acquire call (Monitor.Enter, Lock.Enter, SemaphoreSlim.Wait/WaitAsync,
    /// ReaderWriterLockSlim.Enter*, Mutex.WaitOne) whose function releases the same lock, but never in a
    /// finally block. A lock released in another function (a releaser's Dispose, a continuation) is not
    /// this rule's business: the code does not say where its finally should be.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ReleaseNotInFinallyAnalyzer : ConcurrencyAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.ReleaseNotInFinally);

        private protected override bool IsApplicable(KnownTypes types) =>
            types.Monitor is not null || types.SemaphoreSlim is not null || types.ReaderWriterLockSlim is not null || types.Mutex is not null;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
        {
            context.RegisterOperationBlockAction(blockContext =>
            {
                foreach (var block in blockContext.OperationBlocks)
                {
                    if (!LockSyntax.MayTakeLocks(block.Syntax))
                    {
                        continue;
                    }

                    foreach (var function in block.FunctionBodies())
                    {
                        Analyze(function, types, blockContext.ReportDiagnostic);
                    }
                }
            });
        }

        private static void Analyze(IOperation function, KnownTypes types, System.Action<Diagnostic> report)
        {
            List<(IInvocationOperation Call, LockIdentity Lock)>? releases = null;
            foreach (var operation in function.DescendantsInSameFunction())
            {
                if (operation is IInvocationOperation call && HeldLocks.TryGetRelease(call, types, out var released))
                {
                    (releases ??= new List<(IInvocationOperation, LockIdentity)>()).Add((call, released));
                }
            }

            if (releases is null)
            {
                return;
            }

            foreach (var acquisition in UnprotectedAcquisitions(function, types, releases))
            {
                var release = acquisition.Release;
                report(Diagnostic.Create(
                    RuleDescriptors.ReleaseNotInFinally,
                    acquisition.Acquire.Syntax.GetLocation(),
                    new[] { release.Syntax.GetLocation() },
                    acquisition.Lock.Display,
                    ReleaseName(release),
                    release.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1));
            }
        }

        /// <summary>Acquires of a lock that the function releases only outside finally blocks, with the first such release.</summary>
        internal static IEnumerable<(IInvocationOperation Acquire, LockIdentity Lock, IInvocationOperation Release)> UnprotectedAcquisitions(
            IOperation function, KnownTypes types, List<(IInvocationOperation Call, LockIdentity Lock)> releases)
        {
            foreach (var operation in function.DescendantsInSameFunction())
            {
                if (operation is not IInvocationOperation call
                    || LockAcquisition.Of(call, types, countThrottles: true) is not { } acquisition
                    || call.TargetMethod.Name == "EnterScope")
                {
                    continue;
                }

                // The same lock of the same object: `Exit(to._sync)` does not release `Enter(from._sync)`.
                var same = releases.Where(r => r.Lock.Equals(acquisition.Lock) && r.Call.Syntax.SpanStart > call.Syntax.SpanStart
                    && SameObject(r.Lock.LockedValue, acquisition.Lock.LockedValue)).ToList();

                // Released only when something failed (`catch { _gate.Release(); throw; }`): the lock is handed
                // to the caller on success, as an AsyncLock or a lease does, and a finally would be the bug.
                if (same.Count > 0 && !same.Any(r => IsInFinally(r.Call, function)) && !same.All(r => IsInCatch(r.Call, function)))
                {
                    yield return (call, acquisition.Lock, same[0].Call);
                }
            }
        }

        internal static bool SameObject(IOperation? a, IOperation? b) =>
            a is not null && b is not null && Microsoft.CodeAnalysis.CSharp.SyntaxFactory.AreEquivalent(a.WalkDownConversions().Syntax, b.WalkDownConversions().Syntax);

        private static bool IsInCatch(IOperation operation, IOperation function)
        {
            for (var current = operation.Parent; current is not null && !ReferenceEquals(current, function); current = current.Parent)
            {
                if (current is ICatchClauseOperation)
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsInFinally(IOperation operation, IOperation function)
        {
            IOperation child = operation;
            for (var current = operation.Parent; current is not null && !ReferenceEquals(child, function); child = current, current = current.Parent)
            {
                if (current is ITryOperation { Finally: { } finallyBlock } && ReferenceEquals(finallyBlock, child))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>`Monitor.Exit`, `_gate.Release`: the call as the code writes it, without its arguments.</summary>
        private static string ReleaseName(IInvocationOperation release) =>
            release.Instance is { IsImplicit: false } instance ? instance.Syntax + "." + release.TargetMethod.Name : release.TargetMethod.ContainingType.Name + "." + release.TargetMethod.Name;
    }
}
