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
    /// function is async (only when chosen: a bulk fix never makes a caller wait for work that may not end).
    /// A host's StartAsync token is not passed: it only aborts the start, so it would not stop the work. The async void lambda form has no fix: which Func&lt;Task&gt; API replaces the
    /// void-delegate one is the author's choice.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(FireAndForgetCodeFix)), Shared]
    public sealed class FireAndForgetCodeFix : PlannedCodeFix
    {
        private const string PassToken = "PassToken";
        private const string AwaitTask = "Await";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.FireAndForget);

        private protected override ImmutableArray<string> Actions { get; } = ImmutableArray.Create(PassToken, AwaitTask);

        /// <summary>
        /// Awaiting makes the caller wait for the work, which for a loop or a pump means forever: a bulk fix
        /// must not decide that (`StartAsync` awaiting its receive loop would never start the next one).
        /// </summary>
        private protected override ImmutableArray<string> ExplicitOnlyActions { get; } = ImmutableArray.Create(AwaitTask);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            var model = editor.SemanticModel;
            if (node is not InvocationExpressionSyntax call || model.GetOperation(call, cancellationToken) is not IInvocationOperation invocation)
            {
                return null;
            }

            var types = KnownTypes.For(model.Compilation);
            // Fix All applies one fix after another: a call an earlier fix already gave a token is done.
            if (!DroppedTask.IsDroppedStart(invocation, types, out _) || DroppedTask.ReceivesToken(invocation, types))
            {
                return null;
            }

            return action == PassToken ? PlanPassToken(editor, call, invocation, types) : PlanAwait(editor, call, invocation, types, cancellationToken);
        }

        private static string? PlanPassToken(DocumentEditor editor, InvocationExpressionSyntax call, IInvocationOperation invocation, KnownTypes types)
        {
            var token = CancellationTokenScope.FindInnermost(editor.SemanticModel, call.SpanStart, types);
            if (token is null || DroppedTask.IsStartupToken(token, invocation))
            {
                return null;
            }

            var passed = false;
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Value.WalkDownConversions() is IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda })
                {
                    // A static lambda cannot capture the token; inside, the token must be one the lambda sees.
                    if (lambda.Symbol.IsStatic || CancellationTokenScope.FindInnermost(editor.SemanticModel, lambda.Body.Syntax.SpanStart, types) != token)
                    {
                        return null;
                    }

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

            // The call is the statement (`X;`) or the discard's value (`_ = X;`), not a call inside a lambda of it.
            var statement = call.Parent as ExpressionStatementSyntax
                ?? (call.Parent is AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" } } discard && discard.Right == call
                    ? discard.Parent as ExpressionStatementSyntax
                    : null);
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
