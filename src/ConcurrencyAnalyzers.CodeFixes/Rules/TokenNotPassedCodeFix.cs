using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>CONC012 fix: pass the token in scope that the diagnostic names (the innermost one).</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TokenNotPassedCodeFix)), Shared]
    public sealed class TokenNotPassedCodeFix : PlannedCodeFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.TokenNotPassed);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            if (node is not InvocationExpressionSyntax call
                || !diagnostic.Properties.TryGetValue(TokenNotPassedAnalyzer.TokenProperty, out var token)
                || token is null
                || editor.SemanticModel.GetOperation(call, cancellationToken) is not IInvocationOperation invocation)
            {
                return null;
            }

            var types = KnownTypes.For(editor.SemanticModel.Compilation);
            if (!TokenAcceptance.TryFind(invocation, types, out var acceptance))
            {
                return null;
            }

            var rewritten = TokenArguments.WithToken(call, invocation, acceptance, token);
            if (rewritten is null)
            {
                return null;
            }

            editor.ReplaceNode(call, rewritten);
            return "Pass '" + token + "'";
        }
    }
}
