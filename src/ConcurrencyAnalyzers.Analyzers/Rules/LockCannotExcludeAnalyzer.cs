using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC034: locks that exclude nothing. Monitor.Enter/TryEnter on a value type (boxed into a new object
    /// per call); a SpinLock in a readonly field or copied into a local (each works on a copy); a Monitor,
    /// Lock or Mutex lock held across an await (the code after it may resume on another thread, which does
    /// not own the lock).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class LockCannotExcludeAnalyzer : ConcurrencyAnalyzer
    {
        /// <summary>Diagnostic property: which of the cases it is, for the fix.</summary>
        internal const string CaseProperty = "Case";

        internal const string BoxedCase = "Boxed";
        internal const string ReadonlySpinLockCase = "ReadonlySpinLock";
        internal const string CopiedSpinLockCase = "CopiedSpinLock";
        internal const string AcrossAwaitCase = "AcrossAwait";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.LockCannotExclude);

        private protected override bool IsApplicable(KnownTypes types) => types.Monitor is not null;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
        {
            context.RegisterOperationAction(operationContext =>
            {
                var call = (IInvocationOperation)operationContext.Operation;
                if (call.TargetMethod.Name is "Enter" or "TryEnter"
                    && KnownTypes.Is(call.TargetMethod.ContainingType, types.Monitor)
                    && call.Arguments.Length > 0
                    && call.Arguments[0].Value is IConversionOperation { Operand.Type.IsValueType: true } boxing)
                {
                    var type = boxing.Operand.Type!.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
                    operationContext.ReportDiagnostic(Create(call.Syntax.GetLocation(), BoxedCase,
                        "Monitor." + call.TargetMethod.Name + " boxes '" + boxing.Operand.Syntax + "' (" + type + ") into a new object on every call, so no two threads ever lock the same object; lock on a private readonly object instead"));
                }
            }, OperationKind.Invocation);

            if (types.SpinLock is not null)
            {
                context.RegisterSymbolAction(symbolContext =>
                {
                    var field = (IFieldSymbol)symbolContext.Symbol;
                    if (field.IsReadOnly && KnownTypes.Is(field.Type, types.SpinLock) && !field.Locations.IsEmpty)
                    {
                        symbolContext.ReportDiagnostic(Create(field.Locations[0], ReadonlySpinLockCase,
                            "SpinLock '" + field.Name + "' is a struct in a readonly field: every Enter and Exit works on a copy, so the lock is never held; remove readonly"));
                    }
                }, SymbolKind.Field);

                context.RegisterOperationAction(operationContext =>
                {
                    var declarator = (IVariableDeclaratorOperation)operationContext.Operation;
                    var local = declarator.Symbol;
                    var value = declarator.Initializer?.Value;
                    if (local.RefKind == RefKind.None && KnownTypes.Is(local.Type, types.SpinLock) && CopiedFrom(value) is { } source)
                    {
                        operationContext.ReportDiagnostic(Create(declarator.Syntax.GetLocation(), CopiedSpinLockCase,
                            "'" + local.Name + "' is a copy of SpinLock '" + source.Name + "': Enter on the copy does not lock '" + source.Name + "'; use a ref local"));
                    }
                }, OperationKind.VariableDeclarator);
            }

            context.RegisterOperationBlockAction(blockContext =>
            {
                foreach (var block in blockContext.OperationBlocks)
                {
                    if (!LockSyntax.MayAwaitUnderLock(block.Syntax))
                    {
                        continue;
                    }

                    if (blockContext.OwningSymbol is IMethodSymbol { IsAsync: true })
                    {
                        ReportAwaitsUnderThreadLocks(block, types, blockContext.ReportDiagnostic);
                    }

                    foreach (var operation in block.DescendantsInSourceOrder())
                    {
                        if (AsyncFunctionBody(operation) is { } body)
                        {
                            ReportAwaitsUnderThreadLocks(body, types, blockContext.ReportDiagnostic);
                        }
                    }
                }
            });
        }

        private static Diagnostic Create(Location location, string kind, string message) =>
            Diagnostic.Create(RuleDescriptors.LockCannotExclude, location, ImmutableDictionary<string, string?>.Empty.Add(CaseProperty, kind), message);

        /// <summary>`var spin = _spin;`: a SpinLock read from a variable that holds one.</summary>
        private static ISymbol? CopiedFrom(IOperation? value) => value?.WalkDownConversions() switch
        {
            IFieldReferenceOperation field => field.Field,
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            _ => null,
        };

        /// <summary>The body of an async lambda or local function.</summary>
        private static IOperation? AsyncFunctionBody(IOperation operation) => operation switch
        {
            IAnonymousFunctionOperation { Symbol.IsAsync: true } lambda => lambda.Body,
            ILocalFunctionOperation { Symbol.IsAsync: true, Body: { } body } => body,
            _ => null,
        };

        private static void ReportAwaitsUnderThreadLocks(IOperation body, KnownTypes types, System.Action<Diagnostic> report)
        {
            // Only a thread-owned lock (Monitor, Lock, Mutex) can be held wrongly across an await: without an
            // Enter or WaitOne in the function, no await needs its held locks worked out.
            if (!body.DescendantsInSameFunction().Any(o => o is IInvocationOperation { TargetMethod.Name: "Enter" or "TryEnter" or "WaitOne" }))
            {
                return;
            }

            var reported = new HashSet<LockIdentity>();
            foreach (var operation in body.DescendantsInSameFunction())
            {
                if (operation is not IAwaitOperation await)
                {
                    continue;
                }

                foreach (var held in HeldLocks.At(await, body, types))
                {
                    if (held.Kind is LockKind.Monitor or LockKind.Mutex && reported.Add(held))
                    {
                        var (owner, release) = held.Kind == LockKind.Mutex ? ("Mutex", "ReleaseMutex") : ("Monitor", "Monitor.Exit");
                        report(Create(await.Syntax.GetLocation(), AcrossAwaitCase,
                            "'" + held.Display + "' is held across this await, but a " + owner + " lock belongs to the thread that took it: the code after the await may run on another thread, where " + release + " throws SynchronizationLockException and the lock stays held; use SemaphoreSlim.WaitAsync and Release"));
                    }
                }
            }
        }
    }
}
