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
    public sealed class SleepInAsyncCodeCodeFix : PlannedCodeFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.SleepInAsyncCode);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            if (node is not InvocationExpressionSyntax sleep || sleep.ArgumentList.Arguments.Count != 1)
            {
                return null;
            }

            var model = editor.SemanticModel;
            if (model.GetOperation(sleep, cancellationToken) is not IInvocationOperation invocation)
            {
                return null;
            }

            var types = KnownTypes.For(model.Compilation);
            if (types.Task is null || !SleepCall.TryGet(invocation, types, out var sleepCall) || sleepCall.Kind != SleepKind.ThreadSleep)
            {
                return null;
            }

            var function = EnclosingFunction.Of(invocation, model.GetEnclosingSymbol(sleep.SpanStart, cancellationToken));
            if (!SleepInAsyncCodeAnalyzer.CanAwaitAt(invocation, function))
            {
                return null;
            }

            var task = FixSyntax.TypeName(editor, model, sleep.SpanStart, types.Task);
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
            return "Await Task.Delay instead of Thread.Sleep";
        }
    }
}
