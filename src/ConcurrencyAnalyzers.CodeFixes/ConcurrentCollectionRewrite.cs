using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers
{
    /// <summary>
    /// Replaces a collection that is not thread-safe with its concurrent counterpart, when the variable is a
    /// private field or a local and every use of it means the same on the new type: Dictionary →
    /// ConcurrentDictionary (Add → TryAdd, Remove(k) → TryRemove(k, out _)), List → ConcurrentBag (no
    /// order, no indexer), Queue → ConcurrentQueue, Stack → ConcurrentStack. Any other use (an indexer on a
    /// list, passing it on, returning it as its own type) and no rewrite is offered.
    /// </summary>
    internal static class ConcurrentCollectionRewrite
    {
        private sealed class Mapping
        {
            public Mapping(string from, string to, ImmutableHashSet<string> members, ImmutableDictionary<string, string> renames)
            {
                From = from;
                To = to;
                Members = members;
                Renames = renames;
            }

            public string From { get; }
            public string To { get; }
            public ImmutableHashSet<string> Members { get; }
            public ImmutableDictionary<string, string> Renames { get; }
        }

        private static readonly ImmutableArray<Mapping> Mappings = ImmutableArray.Create(
            new Mapping("System.Collections.Generic.Dictionary`2", "ConcurrentDictionary",
                ImmutableHashSet.Create("this[]", "TryGetValue", "ContainsKey", "Count", "Keys", "Values", "Clear", "TryAdd", "Add", "Remove", "GetEnumerator"),
                ImmutableDictionary<string, string>.Empty.Add("Add", "TryAdd").Add("Remove", "TryRemove")),
            new Mapping("System.Collections.Generic.List`1", "ConcurrentBag",
                ImmutableHashSet.Create("Add", "Count", "ToArray", "Clear", "GetEnumerator"),
                ImmutableDictionary<string, string>.Empty),
            new Mapping("System.Collections.Generic.Queue`1", "ConcurrentQueue",
                ImmutableHashSet.Create("Enqueue", "TryDequeue", "TryPeek", "Count", "ToArray", "Clear", "GetEnumerator"),
                ImmutableDictionary<string, string>.Empty),
            new Mapping("System.Collections.Generic.Stack`1", "ConcurrentStack",
                ImmutableHashSet.Create("Push", "TryPop", "TryPeek", "Count", "ToArray", "Clear", "GetEnumerator"),
                ImmutableDictionary<string, string>.Empty));

        public static string? Plan(DocumentEditor editor, SemanticModel model, SyntaxNode node, IOperation operation, CancellationToken cancellationToken)
        {
            var receiver = operation switch
            {
                IInvocationOperation { Instance: { } instance } => instance,
                ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Instance: { } instance } } => instance,
                _ => null,
            };
            var variable = receiver?.WalkDownConversions().ReferencedSymbol();
            if (variable is not (IFieldSymbol { DeclaredAccessibility: Accessibility.Private } or ILocalSymbol)
                || variable.ValueType() is not INamedTypeSymbol { IsGenericType: true } type
                || variable.DeclaringSyntaxReferences.Length != 1
                || variable.DeclaringSyntaxReferences[0].SyntaxTree != model.SyntaxTree
                || (variable is IFieldSymbol && variable.ContainingType.DeclaringSyntaxReferences.Length != 1)
                || variable.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax declarator
                || declarator.Parent is not VariableDeclarationSyntax declaration
                || declarator.FirstAncestorOrSelf<GlobalStatementSyntax>() is not null)
            {
                // Partial types and top-level statements spread the variable's uses beyond what is checked here.
                return null;
            }

            var mapping = Mappings.FirstOrDefault(m => SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, model.Compilation.GetTypeByMetadataName(m.From)));
            var concurrentType = mapping is null ? null : model.Compilation.GetTypeByMetadataName("System.Collections.Concurrent." + mapping.To + "`" + type.TypeArguments.Length);
            if (mapping is null || concurrentType is null || declaration.Variables.Count != 1)
            {
                return null;
            }

            // Every use, in the declaring type (a field) or method (a local), must be one the new type keeps.
            var scope = variable is IFieldSymbol ? declarator.FirstAncestorOrSelf<TypeDeclarationSyntax>() as SyntaxNode : declarator.FirstAncestorOrSelf<MemberDeclarationSyntax>();
            if (scope is null)
            {
                return null;
            }

            var uses = new List<(SyntaxNode Use, string? Rename, IInvocationOperation? Call)>();
            foreach (var identifier in scope.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (identifier.Identifier.ValueText != variable.Name
                    || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, variable))
                {
                    continue;
                }

                var use = Classify(model, identifier, mapping, cancellationToken);
                if (use is null || !HasMember(concurrentType, use.Value))
                {
                    return null;
                }

                uses.Add(use.Value);
            }

            // The initializer must be one the new type has: `new X<…>()` or `new()`, with nothing in it.
            if (declarator.Initializer?.Value is not (ObjectCreationExpressionSyntax { ArgumentList.Arguments.Count: 0, Initializer: null } or ImplicitObjectCreationExpressionSyntax { ArgumentList.Arguments.Count: 0, Initializer: null }))
            {
                return null;
            }

            var typeArguments = "<" + string.Join(", ", type.TypeArguments.Select(t => t.ToMinimalDisplayString(model, declaration.SpanStart))) + ">";
            var newType = FixSyntax.TypeName(editor, model, declaration.SpanStart, concurrentType) + typeArguments;
            if (!declaration.Type.IsVar)
            {
                editor.ReplaceNode(declaration.Type, SyntaxFactory.ParseTypeName(newType).WithTriviaFrom(declaration.Type));
            }

            if (declarator.Initializer.Value is ObjectCreationExpressionSyntax creation)
            {
                editor.ReplaceNode(creation.Type, SyntaxFactory.ParseTypeName(newType).WithTriviaFrom(creation.Type));
            }

            foreach (var (use, rename, call) in uses)
            {
                if (rename is null || call is null || use is not MemberAccessExpressionSyntax access)
                {
                    continue;
                }

                editor.ReplaceNode(access.Name, SyntaxFactory.IdentifierName(rename).WithTriviaFrom(access.Name));
                if (rename == "TryRemove" && call.Syntax is InvocationExpressionSyntax invocation)
                {
                    // `out _` is a discard only where no `_` (a lambda parameter, say) is in scope.
                    var discard = model.LookupSymbols(invocation.SpanStart, name: "_").IsEmpty
                        ? (ExpressionSyntax)SyntaxFactory.IdentifierName("_")
                        : SyntaxFactory.DeclarationExpression(SyntaxFactory.IdentifierName("var"), SyntaxFactory.SingleVariableDesignation(SyntaxFactory.Identifier(FixSyntax.UniqueName(model, invocation.SpanStart, "removed"))));
                    editor.ReplaceNode(invocation.ArgumentList, invocation.ArgumentList.AddArguments(
                        SyntaxFactory.Argument(null, SyntaxFactory.Token(SyntaxKind.OutKeyword), discard)));
                }
            }

            return "Use " + mapping.To + typeArguments + " for '" + variable.Name + "'";
        }

        /// <summary>The concurrent type has the member the use needs on this framework (ConcurrentBag.Clear is .NET Core 2.0+).</summary>
        private static bool HasMember(INamedTypeSymbol concurrentType, (SyntaxNode Use, string? Rename, IInvocationOperation? Call) use)
        {
            if (use.Use is not MemberAccessExpressionSyntax access)
            {
                return true;
            }

            var name = use.Rename ?? access.Name.Identifier.ValueText;
            for (var type = (ITypeSymbol?)concurrentType; type is not null; type = type.BaseType)
            {
                if (!type.GetMembers(name).IsEmpty)
                {
                    return true;
                }
            }

            return concurrentType.AllInterfaces.Any(i => !i.GetMembers(name).IsEmpty);
        }

        /// <summary>How one use of the variable carries over; null when it does not.</summary>
        private static (SyntaxNode Use, string? Rename, IInvocationOperation? Call)? Classify(SemanticModel model, IdentifierNameSyntax identifier, Mapping mapping, CancellationToken cancellationToken)
        {
            var parent = identifier.Parent;

            // `foreach (var x in collection)` enumerates both types the same way.
            if (parent is ForEachStatementSyntax loop && loop.Expression == identifier)
            {
                return (identifier, null, null);
            }

            if (parent is MemberAccessExpressionSyntax access && access.Expression == identifier)
            {
                var member = access.Name.Identifier.ValueText;
                if (!mapping.Members.Contains(member))
                {
                    return null;
                }

                var call = access.Parent is InvocationExpressionSyntax invocation ? model.GetOperation(invocation, cancellationToken) as IInvocationOperation : null;

                // Remove(key, out value) has no TryRemove counterpart in the same shape; Add must be a statement.
                if (mapping.Renames.TryGetValue(member, out var rename))
                {
                    if (call is null || call.Arguments.Length != (member == "Add" ? 2 : 1))
                    {
                        return null;
                    }

                    return (access, rename, call);
                }

                return (access, null, call);
            }

            // dictionary[key] and dictionary[key] = value.
            if (parent is ElementAccessExpressionSyntax element && element.Expression == identifier && mapping.Members.Contains("this[]"))
            {
                return (identifier, null, null);
            }

            return null;
        }
    }
}
