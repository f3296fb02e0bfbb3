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
    /// CONC005 fix: the same Interlocked rewrite as CONC001's, on the volatile field. The field stays
    /// volatile for its plain reads and writes.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(VolatileReadModifyWriteCodeFix)), Shared]
    public sealed class VolatileReadModifyWriteCodeFix : PlannedCodeFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.VolatileReadModifyWrite);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            var model = editor.SemanticModel;
            var types = KnownTypes.For(model.Compilation);
            var operation = model.GetOperation(node, cancellationToken);
            return operation is null || types.Interlocked is null
                ? null
                : InterlockedRewrite.Plan(editor, model, types, node, operation, allowVolatile: true);
        }
    }
}
