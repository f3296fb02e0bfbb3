using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC020 fix: `Thread.Sleep(x)` becomes `await Task.Delay(x, token)`, passing the innermost
    /// cancellation token in scope. Offered only where an await is allowed.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SleepInAsyncCodeCodeFix)), Shared]
    public sealed class SleepInAsyncCodeCodeFix : CodeFixProvider
    {
        private const string Title = "Await Task.Delay instead of Thread.Sleep";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.SleepInAsyncCode);

        public override FixAllProvider GetFixAllProvider() => SequentialFixAll.Create(FixAsync);

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                var node = await SequentialFixAll.FindNodeAsync(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false);
                if (node is null || await PlanAsync(context.Document, node, context.CancellationToken).ConfigureAwait(false) is null)
                {
                    continue;
                }

                context.RegisterCodeFix(
                    CodeAction.Create(Title, SequentialFixAll.Apply(context.Document, node, diagnostic, FixAsync), equivalenceKey: nameof(SleepInAsyncCodeCodeFix)),
                    diagnostic);
            }
        }

        private static async Task<(InvocationExpressionSyntax Sleep, SemanticModel Model, KnownTypes Types)?> PlanAsync(Document document, SyntaxNode node, CancellationToken cancellationToken)
        {
            if (node is not InvocationExpressionSyntax sleepSyntax || sleepSyntax.ArgumentList.Arguments.Count != 1)
            {
                return null;
            }

            var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
            if (model?.GetOperation(sleepSyntax, cancellationToken) is not IInvocationOperation invocation)
            {
                return null;
            }

            var types = KnownTypes.Create(model.Compilation);
            if (types.Task is null || !SleepCall.TryGet(invocation, types, out var sleep) || sleep.Kind != SleepKind.ThreadSleep)
            {
                return null;
            }

            var function = EnclosingFunction.Of(invocation, model.GetEnclosingSymbol(sleepSyntax.SpanStart, cancellationToken));
            return SleepInAsyncCodeAnalyzer.CanAwaitAt(invocation, function) ? (sleepSyntax, model, types) : null;
        }

        private static async Task<Document?> FixAsync(Document document, SyntaxNode node, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            var plan = await PlanAsync(document, node, cancellationToken).ConfigureAwait(false);
            if (plan is not var (sleep, model, types))
            {
                return null;
            }

            var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
            var task = FixSyntax.TypeName(editor, model, sleep.SpanStart, types.Task!);
            var arguments = sleep.ArgumentList.Arguments[0].Expression.WithoutTrivia().ToString();
            var token = CancellationTokenScope.FindInnermost(model, sleep.SpanStart, types);
            if (token is not null)
            {
                arguments += ", " + token;
            }

            var delay = SyntaxFactory.ParseExpression("await " + task + ".Delay(" + arguments + ")")
                .WithTriviaFrom(sleep)
                .WithAdditionalAnnotations(Formatter.Annotation);
            editor.ReplaceNode(sleep, delay);
            return editor.GetChangedDocument();
        }
    }
}
