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
    /// CONC040 fix: move the completion after the last write. Two shapes are safe to move without
    /// changing what else the code does:
    /// <list type="bullet">
    /// <item>the completion is a statement of a block and the writes come in later statements of the
    /// same block: it moves after the last statement that writes;</item>
    /// <item>the completion is a statement of a loop's body and the loop writes again in later
    /// iterations: it moves after the loop.</item>
    /// </list>
    /// A completion inside a condition or a catch is left alone: moving it would change when the
    /// writer is completed, and that is the author's decision.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(WriteAfterCompletionCodeFix)), Shared]
    public sealed class WriteAfterCompletionCodeFix : PlannedCodeFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.WriteAfterCompletion);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            if (!diagnostic.Properties.ContainsKey(WriteAfterCompletionAnalyzer.MoveCompletionProperty) || node is not InvocationExpressionSyntax)
            {
                return null;
            }

            var model = editor.SemanticModel;
            var types = KnownTypes.For(model.Compilation);
            if (model.GetOperation(node, cancellationToken) is not IInvocationOperation invocation
                || !ChannelOperation.TryGet(invocation, types, out var write)
                || write.Kind != ChannelOperationKind.Write
                || write.Root is null)
            {
                return null;
            }

            var function = EnclosingFunction.Of(invocation, model.GetEnclosingSymbol(node.SpanStart, cancellationToken)).Body;
            var sameChannel = function.DescendantsInSameFunction()
                .OfType<IInvocationOperation>()
                .Select(i => ChannelOperation.TryGet(i, types, out var o) && ChannelFacts.SameChannel(o, write) ? o : null)
                .Where(o => o is not null)
                .Select(o => o!)
                .ToList();

            // The completion the diagnostic names first; in Fix All its location may be stale, and any other of the same channel is tried.
            var named = diagnostic.AdditionalLocations.Count > 0 ? diagnostic.AdditionalLocations[0].SourceSpan : default;
            var completions = sameChannel
                .Where(o => o.Kind == ChannelOperationKind.Complete)
                .OrderBy(o => o.Invocation.Syntax.Span == named ? 0 : 1)
                .ToList();
            foreach (var completion in completions)
            {
                if (completion.Invocation.Syntax.Parent is not ExpressionStatementSyntax statement
                    || statement.Parent is not BlockSyntax block
                    || IsInCatch(statement))
                {
                    continue;
                }

                var writes = sameChannel.Where(o => o.Kind == ChannelOperationKind.Write).Select(o => o.Invocation.Syntax).ToList();
                SyntaxNode? after;
                if (node.SpanStart > statement.Span.End && block.Span.Contains(node.Span))
                {
                    // Later statements of the same block write: after the last of them.
                    after = block.Statements.LastOrDefault(s => s.SpanStart >= statement.Span.End && writes.Any(w => s.Span.Contains(w.Span)));
                }
                else if (node.Span.End < statement.SpanStart && block.Parent is StatementSyntax loop && IsLoop(loop) && loop.Span.Contains(node.Span) && loop.Parent is BlockSyntax)
                {
                    // The loop's next iteration writes: after the loop.
                    after = loop;
                }
                else
                {
                    continue;
                }

                if (after is null || WaitsInBetween(block, statement, after))
                {
                    continue;
                }

                var moved = statement.WithoutLeadingTrivia().WithAdditionalAnnotations(Formatter.Annotation);
                if (after is not ExpressionStatementSyntax && after.GetTrailingTrivia().LastOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia)) is { } newLine && newLine.IsKind(SyntaxKind.EndOfLineTrivia))
                {
                    // A statement after a loop or block gets a blank line, as the rest of the code has.
                    moved = moved.WithLeadingTrivia(newLine);
                }

                var index = block.Statements.IndexOf(statement);
                if (index + 1 < block.Statements.Count && statement.GetLeadingTrivia().Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia)))
                {
                    // The blank line above the completion stays where it was, above the next statement.
                    editor.ReplaceNode(block.Statements[index + 1], (next, _) => next.WithLeadingTrivia(statement.GetLeadingTrivia()));
                }

                editor.RemoveNode(statement, SyntaxRemoveOptions.KeepNoTrivia);
                editor.InsertAfter(after, moved);
                return "Complete the writer after the last write";
            }

            return null;
        }

        /// <summary>
        /// Code between the old and the new place that waits for other work (`await consumer;`,
        /// `Task.WhenAll`, `Wait()`, `Join()`): if that work is the consumer, it only ends once the writer
        /// is completed, and moving the completion past the wait would hang. No fix then.
        /// </summary>
        private static bool WaitsInBetween(BlockSyntax block, StatementSyntax completion, SyntaxNode after)
        {
            var end = after.Span.End;
            foreach (var statement in block.Statements.Where(s => s.SpanStart > completion.Span.End && s.SpanStart < end).Append(after).Distinct())
            {
                foreach (var node in statement.DescendantNodesAndSelf())
                {
                    switch (node)
                    {
                        case AwaitExpressionSyntax { Expression: IdentifierNameSyntax or MemberAccessExpressionSyntax }:
                            return true;
                        case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "WhenAll" or "WhenAny" or "WaitAll" or "WaitAny" or "Wait" or "Join" or "GetResult" } }:
                            return true;
                    }
                }
            }

            return false;
        }

        private static bool IsInCatch(SyntaxNode statement) =>
            statement.Ancestors()
                .TakeWhile(a => a is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax))
                .Any(a => a is CatchClauseSyntax);

        private static bool IsLoop(StatementSyntax statement) =>
            statement is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or ForEachStatementSyntax or ForEachVariableStatementSyntax;
    }
}
