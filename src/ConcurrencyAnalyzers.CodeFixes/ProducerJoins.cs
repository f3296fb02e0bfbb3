using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConcurrencyAnalyzers
{
    /// <summary>
    /// Where a member waits for work it started, found in its syntax: the variable the work is kept in
    /// and the later `await …;` statement of the same block that names it. The channel fixes put a
    /// completion right after that statement.
    /// </summary>
    internal static class ProducerJoins
    {
        /// <summary>The variable the started work is kept in: `var t = Task.Run(…)`, `tasks = x.Select(… Task.Run …)`, `tasks.Add(Task.Run(…))`.</summary>
        public static string? HandleName(SyntaxNode start)
        {
            foreach (var ancestor in start.Ancestors())
            {
                switch (ancestor)
                {
                    case VariableDeclaratorSyntax declarator:
                        return declarator.Identifier.ValueText;
                    case AssignmentExpressionSyntax { Left: IdentifierNameSyntax name }:
                        return name.Identifier.ValueText;
                    case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Add", Expression: IdentifierNameSyntax list } }:
                        return list.Identifier.ValueText;
                    case StatementSyntax when IsMemberLevel(ancestor):
                        return null;
                }
            }

            return null;
        }

        /// <summary>The statement of the member's own code (not of a lambda) that contains <paramref name="node"/>.</summary>
        public static StatementSyntax? MemberLevelStatement(SyntaxNode node) =>
            node.AncestorsAndSelf().OfType<StatementSyntax>().FirstOrDefault(IsMemberLevel);

        /// <summary>
        /// The first `await …;` statement after <paramref name="start"/> — in its block or, when the work is
        /// started inside a loop or another statement, in the blocks around it — that names
        /// <paramref name="handle"/> and none of <paramref name="excluded"/>.
        /// </summary>
        public static StatementSyntax? AwaitAfter(StatementSyntax start, string handle, params string[] excluded)
        {
            foreach (var statement in start.AncestorsAndSelf().OfType<StatementSyntax>().Where(IsMemberLevel))
            {
                var join = ((BlockSyntax)statement.Parent!).Statements
                    .Where(s => s.SpanStart > statement.Span.End && s is ExpressionStatementSyntax { Expression: AwaitExpressionSyntax })
                    .FirstOrDefault(s => Names(s, handle) && !excluded.Any(e => Names(s, e)));
                if (join is not null)
                {
                    return join;
                }
            }

            return null;
        }

        public static bool Names(SyntaxNode node, string name) =>
            node.DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => n.Identifier.ValueText == name);

        private static bool IsMemberLevel(SyntaxNode statement) =>
            statement.Parent is BlockSyntax block
            && !block.Ancestors().TakeWhile(a => a is not MemberDeclarationSyntax).Any(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax);
    }
}
