using System.Collections.Generic;
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
    /// CONC014 fix: give the work a token of its own source and cancel that source as soon as WhenAny
    /// returns, so the loser stops whichever task won.
    /// <code>
    /// using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    /// var work = LoadAsync(timeoutSource.Token);
    /// var winner = await Task.WhenAny(work, Task.Delay(timeout));
    /// timeoutSource.Cancel();
    /// </code>
    /// The source is linked to the token the work was given, or the one in scope, so the caller's
    /// cancellation still reaches it. When WhenAny sits in a condition (`if (await Task.WhenAny(…) != work)`)
    /// its result is first kept in a local, so the cancel runs before the timeout branch. Offered when the
    /// work is a call that can take a token; not for a task handed in as a parameter. Rewriting to
    /// `work.WaitAsync(timeout, token)` alone would still leave the work running, so that is not offered.
    /// Not offered either when later code reads the work's state (IsCompleted, Status), which the cancel
    /// could change.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TimeoutLeavesWorkRunningCodeFix)), Shared]
    public sealed class TimeoutLeavesWorkRunningCodeFix : PlannedCodeFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.TimeoutLeavesWorkRunning);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            var model = editor.SemanticModel;
            if (node is not InvocationExpressionSyntax whenAnySyntax
                || ((CSharpParseOptions)node.SyntaxTree.Options).LanguageVersion < LanguageVersion.CSharp8
                || model.GetOperation(whenAnySyntax, cancellationToken) is not IInvocationOperation whenAny)
            {
                return null;
            }

            var types = KnownTypes.For(model.Compilation);
            if (types.CancellationTokenSource is null
                || !WhenAnyTimeout.TryGet(whenAny, types, out var timeout)
                || !timeout.LeavesWorkRunning(types)
                || timeout.WorkCall is not { Syntax: InvocationExpressionSyntax workSyntax } workCall
                || workCall.TargetMethod.Name is "Run" or "StartNew"
                || ReadsStateAfterwards(timeout))
            {
                return null;
            }

            var awaited = AwaitOf(whenAnySyntax);
            var statement = awaited?.FirstAncestorOrSelf<StatementSyntax>();
            if (awaited is null || statement?.Parent is not BlockSyntax block)
            {
                return null;
            }

            // Where the source is declared: before the statement that starts the work, in a block that also holds WhenAny.
            var workStatement = workSyntax.FirstAncestorOrSelf<StatementSyntax>();
            if (workStatement is null || workStatement.Parent is not BlockSyntax workBlock || !statement.AncestorsAndSelf().Contains(workBlock)
                || workSyntax.Ancestors().TakeWhile(a => a != workStatement).Any(a => a is AnonymousFunctionExpressionSyntax))
            {
                return null;
            }

            // WhenAny in a loop that polls the same work (`while (await Task.WhenAny(work, tick) != work) Report();`):
            // cancelling after the first round would end the work the next round still waits for.
            if (statement.Ancestors().TakeWhile(a => a != workBlock).Any(a => a is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or ForEachStatementSyntax))
            {
                return null;
            }

            var hoist = statement is not (ExpressionStatementSyntax or LocalDeclarationStatementSyntax) || !IsWholeValue(awaited, statement);
            if (hoist && !FixSyntax.IsEvaluatedFirst(awaited, statement))
            {
                return null;
            }

            var taken = FixSyntax.LocalsDeclaredIn(workBlock);
            var name = FixSyntax.UniqueName(model, workStatement.SpanStart, "timeoutSource", taken);
            var sourceType = FixSyntax.TypeName(editor, model, workStatement.SpanStart, types.CancellationTokenSource);

            // The work gets the new source's token, linked to the token it had or the one in scope.
            string link;
            var passed = PassedToken(workCall, types);
            InvocationExpressionSyntax rewrittenWork;
            if (passed is { Syntax: ArgumentSyntax argumentSyntax })
            {
                link = sourceType + ".CreateLinkedTokenSource(" + argumentSyntax.Expression.WithoutTrivia().ToString() + ")";
                rewrittenWork = workSyntax.ReplaceNode(argumentSyntax.Expression, SyntaxFactory.ParseExpression(name + ".Token").WithTriviaFrom(argumentSyntax.Expression));
            }
            else if (TokenAcceptance.TryFind(workCall, types, out var acceptance)
                && TokenArguments.WithToken(workSyntax, workCall, acceptance, name + ".Token") is { } withToken)
            {
                var inScope = CancellationTokenScope.FindInnermost(model, workStatement.SpanStart, types);
                link = inScope is null || DroppedTask.IsStartupToken(inScope, workCall) ? "new " + sourceType + "()" : sourceType + ".CreateLinkedTokenSource(" + inScope + ")";
                rewrittenWork = withToken;
            }
            else
            {
                return null;
            }

            // The new statements take over the comments above the first statement they go before; that
            // statement keeps only its indentation.
            var endOfLine = FixSyntax.EndOfLineText(statement.SyntaxTree.GetRoot(cancellationToken));
            var indentation = statement.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).LastOrDefault().ToFullString();
            var workIndentation = workStatement.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).LastOrDefault().ToFullString();
            var declaration = SyntaxFactory.ParseStatement("using var " + name + " = " + link + ";" + endOfLine)
                .WithLeadingTrivia(workStatement.GetLeadingTrivia())
                .WithAdditionalAnnotations(Formatter.Annotation);
            editor.InsertBefore(workStatement, declaration);
            editor.ReplaceNode(workStatement, (current, _) => current.WithLeadingTrivia(SyntaxFactory.Whitespace(workIndentation)));

            // The delay keeps its own token: given the linked one, a cancellation by the caller would end the
            // delay first and read as a timeout.
            var rewrites = new Dictionary<SyntaxNode, SyntaxNode> { [workSyntax] = rewrittenWork.WithTriviaFrom(workSyntax) };

            // Those inside the hoisted await move with it; the others are replaced where they are.
            var moved = hoist ? rewrites.Keys.Where(n => awaited.Span.Contains(n.Span)).ToList() : new List<SyntaxNode>();
            foreach (var pair in rewrites)
            {
                if (!moved.Contains(pair.Key))
                {
                    var replacement = pair.Value;
                    editor.ReplaceNode(pair.Key, (current, _) => replacement);
                }
            }

            var cancel = SyntaxFactory.ParseStatement(indentation + name + ".Cancel();" + endOfLine);
            if (!hoist)
            {
                editor.InsertAfter(statement, cancel);
            }
            else
            {
                taken.UnionWith(FixSyntax.LocalsDeclaredIn(block));
                var resultName = FixSyntax.UniqueName(model, statement.SpanStart, "completed", taken);
                var movedAwait = awaited.ReplaceNodes(moved, (original, _) => rewrites[original]).WithoutTrivia();
                var result = (LocalDeclarationStatementSyntax)SyntaxFactory.ParseStatement(indentation + "var " + resultName + " = _;" + endOfLine);
                result = result.ReplaceNode(result.Declaration.Variables[0].Initializer!.Value, movedAwait);
                var leading = workStatement == statement ? SyntaxFactory.TriviaList(SyntaxFactory.Whitespace(indentation)) : statement.GetLeadingTrivia();
                editor.InsertBefore(statement, new SyntaxNode[] { result.WithLeadingTrivia(leading), cancel });
                editor.ReplaceNode(awaited, (current, _) => SyntaxFactory.IdentifierName(resultName).WithTriviaFrom(current));
                editor.ReplaceNode(statement, (current, _) => current.WithLeadingTrivia(SyntaxFactory.TriviaList(SyntaxFactory.Whitespace(indentation))));
            }

            return "Cancel the work when the timeout wins";
        }

        /// <summary>The await of WhenAny, directly or through ConfigureAwait.</summary>
        private static AwaitExpressionSyntax? AwaitOf(InvocationExpressionSyntax whenAny)
        {
            SyntaxNode current = whenAny;
            while (current.Parent is ParenthesizedExpressionSyntax)
            {
                current = current.Parent;
            }

            if (current.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Parent: InvocationExpressionSyntax configure })
            {
                current = configure;
            }

            return current.Parent as AwaitExpressionSyntax;
        }

        /// <summary>`await Task.WhenAny(…);` or `var winner = await Task.WhenAny(…);`.</summary>
        private static bool IsWholeValue(AwaitExpressionSyntax awaited, StatementSyntax statement) => statement switch
        {
            ExpressionStatementSyntax expression => expression.Expression == awaited,
            LocalDeclarationStatementSyntax { Declaration.Variables: { Count: 1 } variables } => variables[0].Initializer?.Value == awaited,
            _ => false,
        };

        /// <summary>A token argument the work call was given explicitly.</summary>
        private static IArgumentOperation? PassedToken(IInvocationOperation call, KnownTypes types)
        {
            foreach (var argument in call.Arguments)
            {
                if (argument.ArgumentKind != ArgumentKind.DefaultValue
                    && KnownTypes.Is(argument.Parameter?.Type, types.CancellationToken)
                    && argument.Syntax is ArgumentSyntax
                    && TokenAcceptance.IsCancellable(argument.Value))
                {
                    return argument;
                }
            }

            return null;
        }

        /// <summary>
        /// Code after WhenAny reads the work's state (`if (work.IsCompleted)`): cancelling it right after
        /// WhenAny could change what that reads, so the fix is not offered.
        /// </summary>
        private static bool ReadsStateAfterwards(WhenAnyTimeout timeout)
        {
            if (timeout.WorkLocal is null)
            {
                return false;
            }

            foreach (var operation in timeout.WhenAny.Root().DescendantsInSourceOrder())
            {
                if (operation is IPropertyReferenceOperation { Property.Name: "IsCompleted" or "IsCompletedSuccessfully" or "IsCanceled" or "IsFaulted" or "Status" or "Exception" } state
                    && state.Syntax.SpanStart > timeout.WhenAny.Syntax.Span.End
                    && SymbolEqualityComparer.Default.Equals(state.Instance.ReferencedSymbol(), timeout.WorkLocal))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
