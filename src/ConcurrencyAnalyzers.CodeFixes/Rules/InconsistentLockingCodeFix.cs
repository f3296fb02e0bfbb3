using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Editing;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC003 fix: wrap the unlocked write in `lock` on the same lock object the other writes hold.
    /// Offered when that lock is a `lock`/Monitor lock on a field; for SemaphoreSlim, ReaderWriterLockSlim
    /// or Mutex the release must be placed by hand.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InconsistentLockingCodeFix)), Shared]
    public sealed class InconsistentLockingCodeFix : PlannedCodeFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.InconsistentLocking);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            var model = editor.SemanticModel;
            var operation = model.GetOperation(node, cancellationToken);
            diagnostic.Properties.TryGetValue(InconsistentLockingAnalyzer.LockProperty, out var lockName);
            return operation is null || lockName is null
                ? null
                : LockRewrite.Plan(editor, model, KnownTypes.For(model.Compilation), node, operation, lockName, cancellationToken);
        }
    }
}
