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
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC042 fix: complete the writer once the producers are done. Offered where the member that holds
    /// the read (or starts the consumer) also starts the producers and awaits them in a statement of its
    /// own (`await Task.WhenAll(producers);`, `await producer;`) that does not wait for the consumer too:
    /// the completion goes right after that statement. The channel must be a local of that member, and
    /// nothing after that statement may still write it or hand it on. Elsewhere the place that knows the
    /// producers are done is a design decision, and no fix is offered.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NeverCompletedCodeFix)), Shared]
    public sealed class NeverCompletedCodeFix : PlannedCodeFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.NeverCompleted);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            var model = editor.SemanticModel;
            var types = KnownTypes.For(model.Compilation);
            if (model.GetOperation(node, cancellationToken) is not IInvocationOperation invocation
                || !ChannelOperation.TryGet(invocation, types, out var read)
                || read.Kind != ChannelOperationKind.ReadToEnd
                || read.Root is not ILocalSymbol)
            {
                return null;
            }

            var root = read.Root;

            IOperation member = invocation;
            while (member.Parent is not null)
            {
                member = member.Parent;
            }

            // The work the member starts (inside per-item lambdas too), by what it does with the channel.
            var entries = member.DescendantsInSourceOrder()
                .Where(o => o is IInvocationOperation or IObjectCreationOperation)
                .Select(o => ConcurrentEntryPoint.TryGet(o, types, out var entry) && entry.OutlivesStart ? entry : null)
                .Where(e => e is not null)
                .Select(e => e!)
                .ToList();
            bool Touches(ConcurrentEntryPoint entry, ChannelOperationKind kind) =>
                entry.Work.Any(body => body.DescendantsInSourceOrder().OfType<IInvocationOperation>()
                    .Any(i => ChannelOperation.TryGet(i, types, out var o) && o.Kind == kind && SymbolEqualityComparer.Default.Equals(o.Root, root)));

            var producers = entries.Where(e => Touches(e, ChannelOperationKind.Write) && !Touches(e, ChannelOperationKind.ReadToEnd)).ToList();
            var consumerHandles = entries.Where(e => Touches(e, ChannelOperationKind.ReadToEnd)).Select(e => ProducerJoins.HandleName(e.Operation.Syntax)).Where(h => h is not null).Select(h => h!).ToArray();
            if (producers.Count == 0)
            {
                return null;
            }

            StatementSyntax? after = null;
            foreach (var producer in producers)
            {
                var handle = ProducerJoins.HandleName(producer.Operation.Syntax);
                var start = ProducerJoins.MemberLevelStatement(producer.Operation.Syntax);
                var join = handle is null || start is null ? null : ProducerJoins.AwaitAfter(start, handle, consumerHandles);
                if (join is null)
                {
                    return null; // a producer the member does not wait for on its own
                }

                if (after is null || join.SpanStart > after.SpanStart)
                {
                    after = join;
                }
            }

            if (after is null || (!IsInLambda(read.Invocation.Syntax) && after.SpanStart > read.Invocation.Syntax.SpanStart))
            {
                return null;
            }

            // Nothing after that point may still write the channel or hand it on.
            var end = after.Span.End;
            foreach (var later in member.DescendantsInSourceOrder().Where(o => o.Syntax.SpanStart > end))
            {
                if ((later is IInvocationOperation call && ChannelOperation.TryGet(call, types, out var o) && o.Kind is ChannelOperationKind.Write or ChannelOperationKind.Complete && SymbolEqualityComparer.Default.Equals(o.Root, root))
                    || (later is IArgumentOperation argument && SymbolEqualityComparer.Default.Equals(ChannelOperation.RootOf(argument.Value, types), root)
                        && !types.IsChannelReader(argument.Value.Type)))
                {
                    return null;
                }
            }

            var completion = read.IsBlockingCollection ? root.Name + ".CompleteAdding();"
                : types.IsChannel(root.ValueType()) ? root.Name + ".Writer.Complete();"
                : null;
            if (completion is null)
            {
                return null;
            }

            if (after.Parent is BlockSyntax parent && parent.Statements.IndexOf(after) + 1 < parent.Statements.Count
                && parent.Statements[parent.Statements.IndexOf(after) + 1].ToString() == completion)
            {
                return null; // already completed there by an earlier fix of the same channel
            }

            // On its own line, indented like the await it follows.
            var indentation = after.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).LastOrDefault();
            var statement = SyntaxFactory.ParseStatement(completion)
                .WithLeadingTrivia(indentation)
                .WithTrailingTrivia(after.GetTrailingTrivia());
            editor.InsertAfter(after, statement);
            return "Complete the writer after the producers finish";
        }

        private static bool IsInLambda(SyntaxNode node) =>
            node.Ancestors().TakeWhile(a => a is not MemberDeclarationSyntax).Any(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax);
    }
}
