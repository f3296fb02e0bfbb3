using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC033 fix: the statements between the acquire and the release go into a try, the release into its
    /// finally. For Monitor.Enter(x) … Monitor.Exit(x) with no await between, a `lock (x)` statement says the
    /// same more plainly and is offered first. Offered when the acquire and the release are statements of
    /// one block and no local declared between them is used after the release.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReleaseNotInFinallyCodeFix)), Shared]
    public sealed class ReleaseNotInFinallyCodeFix : PlannedCodeFix
    {
        private const string LockAction = "Lock";
        private const string FinallyAction = "Finally";

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.ReleaseNotInFinally);

        private protected override ImmutableArray<string> Actions { get; } = ImmutableArray.Create(LockAction, FinallyAction);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            if (node is not InvocationExpressionSyntax acquire
                || acquire.FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { Parent: BlockSyntax block } acquireStatement
                || !IsWholeStatement(acquireStatement, acquire))
            {
                return null;
            }

            // The release is found again in the current tree (Fix All moves earlier code): the first later statement
            // of the block that releases the same lock object by its release call.
            var releaseName = ReleaseNameFor(acquire);
            var lockText = LockObjectText(acquire);
            var start = block.Statements.IndexOf(acquireStatement);
            var end = -1;
            for (var i = start + 1; releaseName is not null && lockText is not null && i < block.Statements.Count; i++)
            {
                if (block.Statements[i] is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax release }
                    && NameOf(release) == releaseName
                    && LockObjectText(release) == lockText)
                {
                    end = i;
                    break;
                }
            }

            if (end < 0)
            {
                return null;
            }

            var between = block.Statements.Skip(start + 1).Take(end - start - 1).ToList();
            if (DeclaresLocalsUsedAfter(between, block.Statements.Skip(end + 1)))
            {
                return null;
            }

            var releaseStatement = block.Statements[end];
            var statements = new List<StatementSyntax>(block.Statements.Take(start));
            string title;
            if (action == LockAction)
            {
                if (!IsMonitorEnter(acquire, out var lockedValue)
                    || editor.SemanticModel.GetTypeInfo(lockedValue, cancellationToken).Type is not { IsReferenceType: true }
                    || between.Any(s => s.DescendantNodesAndSelf().Any(n => n is AwaitExpressionSyntax)))
                {
                    return null;
                }

                statements.Add(SyntaxFactory.LockStatement(lockedValue.WithoutTrivia(), SyntaxFactory.Block(between))
                    .WithLeadingTrivia(acquireStatement.GetLeadingTrivia())
                    .WithTrailingTrivia(releaseStatement.GetTrailingTrivia())
                    .WithAdditionalAnnotations(Formatter.Annotation));
                title = "Use a lock statement";
            }
            else
            {
                statements.Add(acquireStatement);
                statements.Add(SyntaxFactory.TryStatement(
                        SyntaxFactory.Block(between),
                        default,
                        SyntaxFactory.FinallyClause(SyntaxFactory.Block(releaseStatement.WithoutLeadingTrivia())))
                    .WithTrailingTrivia(releaseStatement.GetTrailingTrivia())
                    .WithAdditionalAnnotations(Formatter.Annotation));
                title = "Release in a finally block";
            }

            statements.AddRange(block.Statements.Skip(end + 1));
            editor.ReplaceNode(block, block.WithStatements(SyntaxFactory.List(statements)).WithAdditionalAnnotations(Formatter.Annotation));
            return title;
        }

        private static string? NameOf(InvocationExpressionSyntax call) => (call.Expression as MemberAccessExpressionSyntax)?.Name.Identifier.ValueText;

        /// <summary>The release that pairs with an acquire, by name.</summary>
        private static string? ReleaseNameFor(InvocationExpressionSyntax acquire) => NameOf(acquire) switch
        {
            "Enter" => "Exit",
            "Wait" or "WaitAsync" => "Release",
            "EnterWriteLock" => "ExitWriteLock",
            "EnterReadLock" => "ExitReadLock",
            "EnterUpgradeableReadLock" => "ExitUpgradeableReadLock",
            "WaitOne" => "ReleaseMutex",
            _ => null,
        };

        /// <summary>The lock object as written: Monitor's first argument, else the receiver.</summary>
        private static string? LockObjectText(InvocationExpressionSyntax call) =>
            call.Expression is MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "Monitor" } }
                ? call.ArgumentList.Arguments.FirstOrDefault()?.Expression.WithoutTrivia().ToString()
                : (call.Expression as MemberAccessExpressionSyntax)?.Expression.WithoutTrivia().ToString();

        /// <summary>`x.Wait();`, `await x.WaitAsync();`, `await x.WaitAsync().ConfigureAwait(false);`.</summary>
        private static bool IsWholeStatement(ExpressionStatementSyntax statement, InvocationExpressionSyntax acquire)
        {
            var expression = statement.Expression;
            if (expression is AwaitExpressionSyntax awaited)
            {
                expression = awaited.Expression;
                if (expression is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Expression: var configured } })
                {
                    expression = configured;
                }
            }

            return expression == acquire;
        }

        private static bool IsMonitorEnter(InvocationExpressionSyntax acquire, out ExpressionSyntax lockedValue)
        {
            lockedValue = null!;
            if (acquire.Expression is MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "Monitor" }, Name.Identifier.ValueText: "Enter" }
                && acquire.ArgumentList.Arguments.Count == 1)
            {
                lockedValue = acquire.ArgumentList.Arguments[0].Expression;
                return true;
            }

            return false;
        }

        private static bool DeclaresLocalsUsedAfter(List<StatementSyntax> between, IEnumerable<StatementSyntax> after)
        {
            var declared = new HashSet<string>(between.OfType<LocalDeclarationStatementSyntax>().SelectMany(d => d.Declaration.Variables).Select(v => v.Identifier.ValueText));
            declared.UnionWith(between.SelectMany(s => s.DescendantNodes(n => n is not AnonymousFunctionExpressionSyntax)).OfType<SingleVariableDesignationSyntax>().Select(d => d.Identifier.ValueText));
            return declared.Count > 0
                && after.SelectMany(s => s.DescendantNodesAndSelf()).OfType<IdentifierNameSyntax>().Any(n => declared.Contains(n.Identifier.ValueText));
        }
    }
}
