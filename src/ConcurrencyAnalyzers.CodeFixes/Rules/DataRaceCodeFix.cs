using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC001 and CONC002 fixes. "Interlocked": `x++` → Interlocked.Increment(ref x), `x += k` and
    /// `x = x + k` → Interlocked.Add, `x = v` → Interlocked.Exchange, for int and long variables (and their
    /// unsigned forms where the framework has them) and references. "Lock": wrap the statement in `lock`
    /// on the object the type already locks for that variable, else on another lock object of the type,
    /// else on a new `private readonly object` (a `Lock` where the framework and language have it).
    /// "ConcurrentCollection" (CONC002): the matching concurrent collection, where the variable is private
    /// and every use of it carries over.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DataRaceCodeFix)), Shared]
    public sealed class DataRaceCodeFix : PlannedCodeFix
    {
        private const string Interlocked = "Interlocked";
        private const string Lock = "Lock";
        private const string ConcurrentCollection = "ConcurrentCollection";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(RuleIdentifiers.UnsynchronizedWrite, RuleIdentifiers.UnsafeCollectionMutation);

        private protected override ImmutableArray<string> Actions { get; } = ImmutableArray.Create(Interlocked, Lock, ConcurrentCollection);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            var model = editor.SemanticModel;
            var types = KnownTypes.For(model.Compilation);
            var operation = model.GetOperation(node, cancellationToken);
            if (operation is null || types.Interlocked is null)
            {
                return null;
            }

            // Fix All applies fixes one after another: an earlier one may have made this collection a
            // concurrent one, and then there is nothing left to fix here.
            if (diagnostic.Id == RuleIdentifiers.UnsafeCollectionMutation && !SharedAccess.IsUnsafeCollection(CollectionOf(operation)?.Type, types))
            {
                return null;
            }

            // Reported on a method group (`Parallel.ForEach(files, ProcessFile)`) or an async call left running
            // (`_ = RefreshAsync()`): the write runs elsewhere, later; a lock here would guard only the start.
            if (operation is IMethodReferenceOperation or IDelegateCreationOperation
                || (ConcurrentEntryPoint.TryGet(operation, types, out var entry) && entry.Kind == ConcurrencyKind.AsyncCall))
            {
                return null;
            }

            return action switch
            {
                Interlocked => diagnostic.Id == RuleIdentifiers.UnsynchronizedWrite ? InterlockedRewrite.Plan(editor, model, types, node, operation, allowVolatile: false) : null,
                ConcurrentCollection => diagnostic.Id == RuleIdentifiers.UnsafeCollectionMutation ? ConcurrentCollectionRewrite.Plan(editor, model, node, operation, cancellationToken) : null,
                _ => LockRewrite.Plan(editor, model, types, node, operation, requiredLock: null, cancellationToken),
            };
        }

        private static IOperation? CollectionOf(IOperation operation) => operation switch
        {
            IInvocationOperation { Instance: { } instance } => instance,
            ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Instance: { } instance } } => instance,
            _ => null,
        };
    }
}
