using System.Collections.Immutable;
using System.Composition;
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
    /// CONC010 fixes for dropped work: pass the token in scope (to the calls inside a Task.Run delegate that
    /// can take one, and to Task.Run itself, or to the method called), or await the task where the
    /// function is async. The async void lambda form has no fix: which Func&lt;Task&gt; API replaces the
    /// void-delegate one is the author's choice.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FireAndForgetCodeFix)), Shared]
    public sealed class FireAndForgetCodeFix : PlannedCodeFix
    {
        private const string PassToken = "PassToken";
        private const string AwaitTask = "Await";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.FireAndForget);

        private protected override ImmutableArray<string> Actions { get; } = ImmutableArray.Create(PassToken, AwaitTask);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            var model = editor.SemanticModel;
            if (node is not InvocationExpressionSyntax call || model.GetOperation(call, cancellationToken) is not IInvocationOperation invocation)
            {
                return null;
            }

            var types = KnownTypes.For(model.Compilation);
            if (!DroppedTask.IsDroppedStart(invocation, types, out _))
            {
                return null;
            }

            return action == PassToken ? PlanPassToken(editor, call, invocation, types) : PlanAwait(editor, call, invocation, types, cancellationToken);
        }

        private static string? PlanPassToken(DocumentEditor editor, InvocationExpressionSyntax call, IInvocationOperation invocation, KnownTypes types)
        {
            var token = CancellationTokenScope.FindInnermost(editor.SemanticModel, call.SpanStart, types);
            if (token is null)
            {
                return null;
            }

            var passed = false;
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Value.WalkDownConversions() is IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda })
                {
                    var inner = TokenArguments.CallsWithoutToken(lambda.Body, types);
                    TokenArguments.PassTo(editor, inner, token);
                    passed |= inner.Count > 0;
                }
            }

            if (TokenAcceptance.TryFind(invocation, types, out var acceptance) && TokenArguments.WithToken(call, invocation, acceptance, token) is not null)
            {
                editor.ReplaceNode(call, (current, _) =>
                    current is InvocationExpressionSyntax currentCall
                        ? (SyntaxNode?)TokenArguments.WithToken(currentCall, invocation, acceptance, token) ?? currentCall
                        : current);
                passed = true;
            }

            return passed ? "Pass '" + token + "' to the started work" : null;
        }

        private static string? PlanAwait(DocumentEditor editor, InvocationExpressionSyntax call, IInvocationOperation invocation, KnownTypes types, CancellationToken cancellationToken)
        {
            var function = EnclosingFunction.Of(invocation, editor.SemanticModel.GetEnclosingSymbol(call.SpanStart, cancellationToken));
            if (!SleepInAsyncCodeAnalyzer.CanAwaitAt(invocation, function))
            {
                return null;
            }

            var statement = call.FirstAncestorOrSelf<ExpressionStatementSyntax>();
            if (statement is null)
            {
                return null;
            }

            var awaited = SyntaxFactory.ExpressionStatement(
                    SyntaxFactory.AwaitExpression(SyntaxFactory.Token(SyntaxKind.AwaitKeyword).WithTrailingTrivia(SyntaxFactory.Space), call.WithoutTrivia()))
                .WithTriviaFrom(statement);
            editor.ReplaceNode(statement, awaited);
            return "Await the task";
        }
    }
}
