using System.Collections.Generic;
using System.Threading;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers
{
    /// <summary>Writes a cancellation token into a call that can take one (<see cref="TokenAcceptance"/>).</summary>
    internal static class TokenArguments
    {
        /// <summary>
        /// The call with <paramref name="token"/> added: positionally where the token parameter comes right
        /// after the arguments written, by name otherwise. Null when the call cannot take it safely (a params
        /// array expanded at the end).
        /// </summary>
        public static InvocationExpressionSyntax? WithToken(InvocationExpressionSyntax call, IInvocationOperation invocation, TokenAcceptance acceptance, string token)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.ArgumentKind == ArgumentKind.ParamArray)
                {
                    return null;
                }
            }

            var written = call.ArgumentList.Arguments;
            var named = false;
            foreach (var argument in written)
            {
                named |= argument.NameColon is not null;
            }

            // A reduced extension call (`reader.ReadAllAsync()`) has its receiver as the first parameter.
            var offset = invocation.TargetMethod.IsExtensionMethod && invocation.Instance is null && call.Expression is MemberAccessExpressionSyntax && IsReceiverArgument(invocation) ? 1 : 0;
            var position = acceptance.Parameter.Ordinal - offset;
            ArgumentSyntax added;
            if (!named && position == written.Count)
            {
                added = SyntaxFactory.Argument(SyntaxFactory.ParseExpression(token));
            }
            else if (!named && acceptance.IsOverload && position < written.Count && position >= 0)
            {
                var inserted = SyntaxFactory.Argument(SyntaxFactory.ParseExpression(token));
                return call.WithArgumentList(call.ArgumentList.WithArguments(written.Insert(position, inserted)));
            }
            else
            {
                added = SyntaxFactory.Argument(SyntaxFactory.NameColon(acceptance.Parameter.Name), default, SyntaxFactory.ParseExpression(token));
            }

            return call.WithArgumentList(call.ArgumentList.WithArguments(written.Add(added)));
        }

        private static bool IsReceiverArgument(IInvocationOperation invocation) =>
            invocation.Arguments.Length > 0 && invocation.Arguments[0].Syntax is not ArgumentSyntax;

        /// <summary>
        /// Each call in <paramref name="body"/> (its own function only) that can take a token and gets none,
        /// outside catch and finally blocks, as (syntax, operation, slot).
        /// </summary>
        public static List<(InvocationExpressionSyntax Syntax, IInvocationOperation Operation, TokenAcceptance Acceptance)> CallsWithoutToken(IOperation body, KnownTypes types)
        {
            var calls = new List<(InvocationExpressionSyntax, IInvocationOperation, TokenAcceptance)>();
            foreach (var operation in body.DescendantsInSameFunction())
            {
                if (operation is IInvocationOperation { Syntax: InvocationExpressionSyntax syntax } invocation
                    && TokenAcceptance.TryFind(invocation, types, out var acceptance)
                    && !Rules.TokenNotPassedAnalyzer.IsInCleanup(invocation))
                {
                    calls.Add((syntax, invocation, acceptance));
                }
            }

            return calls;
        }

        /// <summary>Replaces each call with its token-passing form in <paramref name="editor"/>, innermost first.</summary>
        public static void PassTo(Microsoft.CodeAnalysis.Editing.DocumentEditor editor, IEnumerable<(InvocationExpressionSyntax Syntax, IInvocationOperation Operation, TokenAcceptance Acceptance)> calls, string token)
        {
            foreach (var (syntax, operation, acceptance) in calls)
            {
                var captured = (operation, acceptance);
                editor.ReplaceNode(syntax, (current, _) =>
                    current is InvocationExpressionSyntax currentCall
                        ? (SyntaxNode?)WithToken(currentCall, captured.operation, captured.acceptance, token) ?? currentCall
                        : current);
            }
        }
    }
}
