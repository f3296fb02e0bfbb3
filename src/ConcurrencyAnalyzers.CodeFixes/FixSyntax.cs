using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;

namespace ConcurrencyAnalyzers
{
    /// <summary>Small syntax-building helpers the code fixes share.</summary>
    internal static class FixSyntax
    {
        /// <summary>
        /// The name to write for <paramref name="type"/> at <paramref name="position"/>: its simple name, with
        /// a using directive for its namespace added when the file does not import it yet.
        /// </summary>
        public static string TypeName(DocumentEditor editor, SemanticModel semanticModel, int position, INamedTypeSymbol type)
        {
            foreach (var candidate in semanticModel.LookupNamespacesAndTypes(position, name: type.Name))
            {
                if (SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, type.OriginalDefinition))
                {
                    return type.Name;
                }
            }

            AddUsing(editor, type.ContainingNamespace.ToDisplayString());
            return type.Name;
        }

        private static void AddUsing(DocumentEditor editor, string namespaceName)
        {
            var root = (CompilationUnitSyntax)editor.OriginalRoot;
            if (root.Usings.Any(u => u.Name?.ToString() == namespaceName))
            {
                return;
            }

            editor.ReplaceNode(root, (current, _) =>
            {
                var unit = (CompilationUnitSyntax)current;
                if (unit.Usings.Any(u => u.Name?.ToString() == namespaceName))
                {
                    return unit;
                }

                var directive = SyntaxFactory.UsingDirective(SyntaxFactory.ParseName(namespaceName))
                    .WithTrailingTrivia(EndOfLine(unit));

                // Keep sorted usings sorted: insert before the first one that sorts after the new one.
                var index = 0;
                while (index < unit.Usings.Count
                    && unit.Usings[index].StaticKeyword.IsKind(SyntaxKind.None)
                    && unit.Usings[index].Alias is null
                    && string.CompareOrdinal(unit.Usings[index].Name?.ToString(), namespaceName) < 0)
                {
                    index++;
                }

                if (index < unit.Usings.Count)
                {
                    directive = directive.WithLeadingTrivia(unit.Usings[index].GetLeadingTrivia());
                    var following = unit.Usings[index].WithLeadingTrivia();
                    return unit.WithUsings(unit.Usings.Replace(unit.Usings[index], following).Insert(index, directive));
                }

                if (unit.Usings.Count == 0)
                {
                    // The first using of the file: set it off from the code below with a blank line.
                    directive = directive.WithTrailingTrivia(EndOfLine(unit), EndOfLine(unit));
                }
                else
                {
                    // The last using: it takes over whatever separated the usings from the code below.
                    var last = unit.Usings[unit.Usings.Count - 1];
                    directive = directive.WithTrailingTrivia(last.GetTrailingTrivia());
                    unit = unit.ReplaceNode(last, last.WithTrailingTrivia(EndOfLine(unit)));
                }

                return unit.AddUsings(directive).WithAdditionalAnnotations(Formatter.Annotation);
            });
        }

        /// <summary>
        /// The expressions in <paramref name="root"/> that name <paramref name="symbol"/>: the identifier, or
        /// the whole `this.x` / `Type.x` member access when the identifier is its name.
        /// </summary>
        public static IEnumerable<ExpressionSyntax> ReferencesTo(SyntaxNode root, ISymbol symbol, SemanticModel model, System.Threading.CancellationToken cancellationToken)
        {
            foreach (var identifier in root.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
            {
                if (identifier.Identifier.ValueText != symbol.Name
                    || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, symbol))
                {
                    continue;
                }

                yield return identifier.Parent is MemberAccessExpressionSyntax access && access.Name == identifier ? access : identifier;
            }
        }

        /// <summary>The line ending the file already uses, as text ("\n" when the file has none yet).</summary>
        public static string EndOfLineText(SyntaxNode root)
        {
            var found = root.DescendantTrivia().FirstOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
            return found.IsKind(SyntaxKind.EndOfLineTrivia) ? found.ToFullString() : "\n";
        }

        /// <summary>The line ending the file already uses, so that added lines match it.</summary>
        private static SyntaxTrivia EndOfLine(SyntaxNode root)
        {
            foreach (var trivia in root.DescendantTrivia())
            {
                if (trivia.IsKind(SyntaxKind.EndOfLineTrivia))
                {
                    return trivia;
                }
            }

            return SyntaxFactory.ElasticCarriageReturnLineFeed;
        }

        /// <summary>A name for a new local or field that nothing in scope at <paramref name="position"/> uses yet.</summary>
        public static string UniqueName(SemanticModel semanticModel, int position, string baseName, ISet<string>? taken = null)
        {
            var name = baseName;
            for (var suffix = 2; IsTaken(semanticModel, position, name) || (taken?.Contains(name) ?? false); suffix++)
            {
                name = baseName + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            taken?.Add(name);
            return name;
        }

        private static bool IsTaken(SemanticModel semanticModel, int position, string name) =>
            !semanticModel.LookupSymbols(position, name: name).IsEmpty;

        /// <summary>
        /// The locals declared anywhere inside <paramref name="scope"/>: a new local declared directly in that
        /// block must not take one of these names either, or it clashes with the nested one (CS0136).
        /// </summary>
        public static HashSet<string> LocalsDeclaredIn(SyntaxNode scope)
        {
            var names = new HashSet<string>(System.StringComparer.Ordinal);
            foreach (var node in scope.DescendantNodes())
            {
                switch (node)
                {
                    case VariableDeclaratorSyntax declarator:
                        names.Add(declarator.Identifier.ValueText);
                        break;
                    case SingleVariableDesignationSyntax designation:
                        names.Add(designation.Identifier.ValueText);
                        break;
                    case ForEachStatementSyntax loop:
                        names.Add(loop.Identifier.ValueText);
                        break;
                }
            }

            return names;
        }

        /// <summary>
        /// Adds a field as the first member of a type, on its own line with the members' indentation: grouped
        /// with the fields that follow it, or set off by a blank line from a method.
        /// </summary>
        public static void InsertFirstMember(DocumentEditor editor, TypeDeclarationSyntax type, string declaration)
        {
            var endOfLine = EndOfLine(type.SyntaxTree.GetRoot());
            var member = SyntaxFactory.ParseMemberDeclaration(declaration)!;
            if (type.Members.Count == 0)
            {
                editor.AddMember(type, member.WithAdditionalAnnotations(Formatter.Annotation));
                return;
            }

            var first = type.Members[0];
            var indentation = first.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).LastOrDefault();
            var trailing = first is FieldDeclarationSyntax ? SyntaxFactory.TriviaList(endOfLine) : SyntaxFactory.TriviaList(endOfLine, endOfLine);
            member = member
                .WithLeadingTrivia(indentation.IsKind(SyntaxKind.WhitespaceTrivia) ? SyntaxFactory.TriviaList(indentation) : SyntaxFactory.TriviaList())
                .WithTrailingTrivia(trailing);
            editor.InsertBefore(first, member);
        }

        /// <summary>
        /// Nothing in <paramref name="statement"/> runs before <paramref name="expression"/> and it runs every
        /// time the statement does, so it can be moved out in front of the statement without changing what
        /// happens first: it is not inside a lambda, a `?:`, the right of `&amp;&amp;`, `||` or `??`, nor after a
        /// call, await, assignment or object creation of the same statement; in an if, it is in the condition.
        /// </summary>
        public static bool IsEvaluatedFirst(ExpressionSyntax expression, StatementSyntax statement)
        {
            if (statement is not (IfStatementSyntax or ReturnStatementSyntax or ExpressionStatementSyntax or LocalDeclarationStatementSyntax))
            {
                return false;
            }

            if (statement is IfStatementSyntax @if && !@if.Condition.Span.Contains(expression.Span))
            {
                return false;
            }

            foreach (var node in statement.DescendantNodes())
            {
                if (node.Span.End <= expression.SpanStart && node is InvocationExpressionSyntax or AwaitExpressionSyntax or AssignmentExpressionSyntax or ObjectCreationExpressionSyntax)
                {
                    return false;
                }
            }

            foreach (var ancestor in expression.Ancestors())
            {
                if (ancestor == statement)
                {
                    break;
                }

                if (ancestor is AnonymousFunctionExpressionSyntax or ConditionalExpressionSyntax or SwitchExpressionSyntax
                    || ancestor is BinaryExpressionSyntax binary && binary.Right.Span.Contains(expression.Span) && binary.Kind() is SyntaxKind.LogicalAndExpression or SyntaxKind.LogicalOrExpression or SyntaxKind.CoalesceExpression
                    || ancestor is ConditionalAccessExpressionSyntax access && access.WhenNotNull.Span.Contains(expression.Span))
                {
                    return false;
                }
            }

            return true;
        }

        public static StatementSyntax Statement(string text)
        {
            // Outside an async method the parser reads `await x;` as a declaration of a local `x` of type
            // `await`; an await statement is built from the expression instead.
            var statement = text.StartsWith("await ", System.StringComparison.Ordinal)
                ? SyntaxFactory.ExpressionStatement(SyntaxFactory.ParseExpression(text.TrimEnd(';')))
                : SyntaxFactory.ParseStatement(text);
            return statement.WithAdditionalAnnotations(Formatter.Annotation);
        }

        /// <summary>
        /// Replaces one statement by several. In a block the new statements take its place; anywhere else
        /// (the body of an if or a loop) they are wrapped in a block.
        /// </summary>
        public static void ReplaceStatement(DocumentEditor editor, StatementSyntax statement, IReadOnlyList<StatementSyntax> replacements)
        {
            var first = replacements[0].WithLeadingTrivia(statement.GetLeadingTrivia());
            if (replacements.Count == 1)
            {
                editor.ReplaceNode(statement, first.WithTrailingTrivia(statement.GetTrailingTrivia()));
                return;
            }

            // Each new statement goes on its own line with the indentation of the one it replaces.
            var endOfLine = EndOfLine(statement.SyntaxTree.GetRoot());
            var indentation = statement.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).LastOrDefault();
            first = first.WithTrailingTrivia(endOfLine);
            var rest = new List<StatementSyntax>();
            for (var i = 1; i < replacements.Count; i++)
            {
                var next = replacements[i].WithLeadingTrivia(indentation.IsKind(SyntaxKind.WhitespaceTrivia) ? SyntaxFactory.TriviaList(indentation) : SyntaxFactory.TriviaList());
                rest.Add(i == replacements.Count - 1 ? next.WithTrailingTrivia(statement.GetTrailingTrivia()) : next.WithTrailingTrivia(endOfLine));
            }

            if (statement.Parent is GlobalStatementSyntax global)
            {
                editor.InsertAfter(global, rest.Select(s => (SyntaxNode)SyntaxFactory.GlobalStatement(s)));
                editor.ReplaceNode(statement, first);
                return;
            }

            if (statement.Parent is BlockSyntax or SwitchSectionSyntax)
            {
                editor.InsertAfter(statement, rest);
                editor.ReplaceNode(statement, first);
                return;
            }

            // An embedded statement (the body of an if or a loop without braces) becomes a block.
            var block = SyntaxFactory.Block(new[] { first }.Concat(rest))
                .WithLeadingTrivia(statement.GetLeadingTrivia())
                .WithTrailingTrivia(statement.GetTrailingTrivia());
            editor.ReplaceNode(statement, block.WithAdditionalAnnotations(Formatter.Annotation));
        }
    }
}
