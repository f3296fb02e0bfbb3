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

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC041 fixes.
    /// <list type="bullet">
    /// <item>A writer completed twice: `writer.Complete(e)` becomes `writer.TryComplete(e)`, which does
    /// nothing on a writer that is already completed.</item>
    /// <item>Each of the producers started in a loop or per item completes the shared writer: the
    /// completion leaves the producers and runs once, after the statement that awaits all of them
    /// (`await Task.WhenAll(producers);`). A completion that sat in a `finally` keeps running on failure:
    /// the await is wrapped in try/finally.</item>
    /// </list>
    /// For a consumer that completes the writer, or producers not awaited in the member that starts
    /// them, the code needs a structure only its author can choose; no fix is offered.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RepeatedCompletionCodeFix)), Shared]
    public sealed class RepeatedCompletionCodeFix : PlannedCodeFix
    {
        private const string TryCompleteAction = "TryComplete";
        private const string CompleteAfterProducersAction = "CompleteAfterProducers";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.RepeatedCompletion);

        private protected override ImmutableArray<string> Actions { get; } = ImmutableArray.Create(TryCompleteAction, CompleteAfterProducersAction);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            if (node is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } completion)
            {
                return null;
            }

            if (action == TryCompleteAction)
            {
                if (!diagnostic.Properties.ContainsKey(RepeatedCompletionAnalyzer.UseTryCompleteProperty) || access.Name.Identifier.ValueText != "Complete")
                {
                    return null;
                }

                editor.ReplaceNode(access.Name, SyntaxFactory.IdentifierName("TryComplete").WithTriviaFrom(access.Name));
                return "Use TryComplete, which does nothing on a completed writer";
            }

            return diagnostic.Properties.ContainsKey(RepeatedCompletionAnalyzer.CompleteAfterProducersProperty)
                ? PlanCompleteAfterProducers(editor, completion, access, cancellationToken)
                : null;
        }

        private static string? PlanCompleteAfterProducers(DocumentEditor editor, InvocationExpressionSyntax completion, MemberAccessExpressionSyntax access, CancellationToken cancellationToken)
        {
            var model = editor.SemanticModel;
            var types = KnownTypes.For(model.Compilation);
            if (completion.Parent is not ExpressionStatementSyntax statement || statement.Parent is not BlockSyntax block
                || model.GetOperation(completion, cancellationToken) is not { } operation
                || ConcurrentEntryPoint.Enclosing(operation, types) is not { } entry)
            {
                return null;
            }

            // The writer (and any argument) must be nameable where the producers are awaited: nothing declared inside the producer.
            var producerSpan = entry.Operation.Syntax.Span;
            foreach (var name in access.Expression.DescendantNodesAndSelf().Concat(completion.ArgumentList.DescendantNodes()).OfType<IdentifierNameSyntax>())
            {
                var symbol = model.GetSymbolInfo(name, cancellationToken).Symbol;
                if (symbol is ILocalSymbol or IParameterSymbol && symbol.DeclaringSyntaxReferences.Any(r => producerSpan.Contains(r.Span)))
                {
                    return null;
                }
            }

            var handle = ProducerJoins.HandleName(entry.Operation.Syntax);
            var start = ProducerJoins.MemberLevelStatement(entry.Operation.Syntax);
            var join = handle is null || start is null ? null : ProducerJoins.AwaitAfter(start, handle);
            if (join is null || ReadsTheChannelInTheSameAwait(model, types, join, access.Expression, cancellationToken))
            {
                return null;
            }

            // TryComplete: a producer's error path may already have completed the writer with its exception.
            var method = access.Name.Identifier.ValueText == "CompleteAdding" ? "CompleteAdding" : "TryComplete";
            var completeOnce = access.Expression.WithoutTrivia().ToString() + "." + method + completion.ArgumentList.WithoutTrivia().ToString() + ";";
            var inFinally = block.Parent is FinallyClauseSyntax;
            if (inFinally && block.Statements.Count == 1 && block.Parent?.Parent is TryStatementSyntax tryStatement)
            {
                if (tryStatement.Catches.Count > 0)
                {
                    editor.RemoveNode(block.Parent, SyntaxRemoveOptions.KeepNoTrivia);
                }
                else
                {
                    // try { … } finally { writer.Complete(); } -> the try's statements.
                    FixSyntax.ReplaceStatement(editor, tryStatement, tryStatement.Block.Statements.Select(s => s.WithAdditionalAnnotations(Formatter.Annotation)).ToList());
                }
            }
            else
            {
                editor.RemoveNode(statement, SyntaxRemoveOptions.KeepNoTrivia);
            }

            if (inFinally)
            {
                var guarded = SyntaxFactory.ParseStatement("try\n{\n" + join.WithoutTrivia().ToFullString() + "\n}\nfinally\n{\n" + completeOnce + "\n}\n")
                    .WithTriviaFrom(join)
                    .WithAdditionalAnnotations(Formatter.Annotation);
                editor.ReplaceNode(join, guarded);
            }
            else
            {
                var indentation = join.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).LastOrDefault();
                editor.InsertAfter(join, SyntaxFactory.ParseStatement(completeOnce).WithLeadingTrivia(indentation).WithTrailingTrivia(join.GetTrailingTrivia()));
            }

            return "Complete the writer once, after all producers finish";
        }

        /// <summary>
        /// The awaited tasks include a consumer of the same channel (`await Task.WhenAll(tasks)` where
        /// `tasks` also holds the reader): completing after that await would never happen.
        /// </summary>
        private static bool ReadsTheChannelInTheSameAwait(SemanticModel model, KnownTypes types, StatementSyntax join, ExpressionSyntax writer, CancellationToken cancellationToken)
        {
            if (model.GetOperation(writer, cancellationToken) is not { } writerOperation || ChannelOperation.RootOf(writerOperation, types) is not { } root)
            {
                return true;
            }

            var block = join.Ancestors().OfType<MemberDeclarationSyntax>().FirstOrDefault() ?? join.Parent!;
            var handles = join.DescendantNodes().OfType<IdentifierNameSyntax>().Select(n => n.Identifier.ValueText).ToImmutableHashSet();
            foreach (var read in block.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (model.GetOperation(read, cancellationToken) is Microsoft.CodeAnalysis.Operations.IInvocationOperation invocation
                    && ChannelOperation.TryGet(invocation, types, out var operation)
                    && operation.Kind is ChannelOperationKind.Read or ChannelOperationKind.ReadToEnd
                    && SymbolEqualityComparer.Default.Equals(operation.Root, root))
                {
                    // The reader's task is kept in a variable the await names.
                    var kept = ConcurrentEntryPoint.Enclosing(invocation, types) is { } consumer ? ProducerJoins.HandleName(consumer.Operation.Syntax) : null;
                    if (kept is not null && handles.Contains(kept))
                    {
                        return true;
                    }
                }
            }

            return false;
        }
    }
}
