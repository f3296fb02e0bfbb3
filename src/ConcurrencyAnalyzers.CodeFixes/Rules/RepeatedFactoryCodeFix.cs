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
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC053 fix: store Lazy&lt;TValue&gt; values, so that of the factories racing for one key only the
    /// one whose Lazy wins runs. Offered for a private dictionary field whose every use the rewrite can
    /// follow: GetOrAdd with a factory (wrapped in a Lazy, and `.Value` read), indexer reads (`.Value`),
    /// and the calls that do not touch values (ContainsKey, Count, IsEmpty, Keys, Clear, TryRemove with the
    /// value discarded). The field's type and its `new ConcurrentDictionary&lt;…&gt;` change with it.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RepeatedFactoryCodeFix)), Shared]
    public sealed class RepeatedFactoryCodeFix : PlannedCodeFix
    {
        private static readonly ImmutableHashSet<string> s_valueFreeMembers = ImmutableHashSet.Create("ContainsKey", "Count", "IsEmpty", "Keys", "Clear");

        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.RepeatedFactory);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            var model = editor.SemanticModel;
            var types = KnownTypes.For(model.Compilation);
            if (types.LazyOfT is null || types.LazyThreadSafetyMode is null
                || node.FirstAncestorOrSelf<ArgumentSyntax>() is not { Parent.Parent: InvocationExpressionSyntax invocation }
                || model.GetOperation(invocation, cancellationToken) is not IInvocationOperation { TargetMethod.Name: "GetOrAdd", Instance: { } receiver } call
                || types.IsLazy(call.TargetMethod.ContainingType.TypeArguments.ElementAtOrDefault(1))
                || receiver.WalkDownConversions() is not IFieldReferenceOperation { Field: { DeclaredAccessibility: Accessibility.Private } field }
                || field.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not VariableDeclaratorSyntax declarator
                || declarator.SyntaxTree != node.SyntaxTree
                || declarator.Parent?.Parent is not FieldDeclarationSyntax fieldDeclaration
                || fieldDeclaration.Declaration.Variables.Count != 1
                || DictionaryType(fieldDeclaration.Declaration.Type) is not { } dictionaryType
                || field.ContainingType.DeclaringSyntaxReferences.Length != 1
                || fieldDeclaration.Parent is not TypeDeclarationSyntax typeDeclaration
                || !InitializerCarriesOver(declarator.Initializer?.Value, model, cancellationToken))
            {
                return null;
            }

            var valueType = dictionaryType.TypeArgumentList.Arguments[1];
            var lazy = FixSyntax.TypeName(editor, model, fieldDeclaration.SpanStart, types.LazyOfT);
            var mode = FixSyntax.TypeName(editor, model, fieldDeclaration.SpanStart, types.LazyThreadSafetyMode);
            var lazyType = lazy + "<" + valueType + ">";

            // Every use of the field, planned before anything is edited: one that cannot follow means no fix.
            var edits = new List<(SyntaxNode Node, string Text)>();
            foreach (var reference in FixSyntax.ReferencesTo(typeDeclaration, field, model, cancellationToken))
            {
                if (model.GetOperation(reference, cancellationToken) is not { } operation)
                {
                    return null;
                }

                var parent = operation.WalkUpConversions(out _);
                switch (parent)
                {
                    case IInvocationOperation { TargetMethod.Name: "GetOrAdd" } getOrAdd when ReferenceEquals(getOrAdd.Instance?.WalkDownConversions(), operation):
                        if (Rewrite(getOrAdd, lazyType, mode, model) is not { } text)
                        {
                            return null;
                        }

                        edits.Add((getOrAdd.Syntax, text));
                        break;
                    case IInvocationOperation { TargetMethod.Name: "TryRemove", Arguments.Length: 2 } remove
                        when remove.Arguments[1].Syntax is ArgumentSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "_" } } && remove.Arguments[1].Value is IDiscardOperation:
                        break;
                    case IInvocationOperation valueFree when s_valueFreeMembers.Contains(valueFree.TargetMethod.Name):
                        break;
                    case IPropertyReferenceOperation property when s_valueFreeMembers.Contains(property.Property.Name):
                        break;
                    case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when !indexer.IsWriteTarget():
                        edits.Add((indexer.Syntax, indexer.Syntax.WithoutTrivia() + ".Value"));
                        break;
                    default:
                        return null;
                }
            }

            if (edits.Any(e => edits.Any(other => !ReferenceEquals(other.Node, e.Node) && other.Node.Span.Contains(e.Node.Span))))
            {
                return null;
            }

            // The field's type, and the type in its initializer when it spells it out.
            var newType = dictionaryType.WithTypeArgumentList(dictionaryType.TypeArgumentList.WithArguments(
                dictionaryType.TypeArgumentList.Arguments.Replace(valueType, SyntaxFactory.ParseTypeName(lazyType).WithTriviaFrom(valueType))));
            var newDeclarator = declarator;
            if (declarator.Initializer?.Value is ObjectCreationExpressionSyntax { Type: var createdType } creation && DictionaryType(createdType) is { } createdDictionary)
            {
                var createdValue = createdDictionary.TypeArgumentList.Arguments[1];
                var newCreated = createdDictionary.WithTypeArgumentList(createdDictionary.TypeArgumentList.WithArguments(
                    createdDictionary.TypeArgumentList.Arguments.Replace(createdValue, SyntaxFactory.ParseTypeName(lazyType).WithTriviaFrom(createdValue))));
                newDeclarator = declarator.WithInitializer(declarator.Initializer.WithValue(creation.WithType(ReplaceDictionary(createdType, newCreated))));
            }

            editor.ReplaceNode(fieldDeclaration, fieldDeclaration.WithDeclaration(
                fieldDeclaration.Declaration.WithType(ReplaceDictionary(fieldDeclaration.Declaration.Type, newType)).WithVariables(SyntaxFactory.SingletonSeparatedList(newDeclarator))));
            foreach (var (editNode, text) in edits)
            {
                var replacement = SyntaxFactory.ParseExpression(text).WithTriviaFrom(editNode);
                if (editNode.Parent is ExpressionStatementSyntax statement && editNode is InvocationExpressionSyntax)
                {
                    // `d.GetOrAdd(k, f);` alone: reading Value is what runs the factory, and a bare read is no statement.
                    editor.ReplaceNode(statement, SyntaxFactory.ParseStatement("_ = " + text + ";").WithTriviaFrom(statement));
                }
                else
                {
                    editor.ReplaceNode(editNode, replacement);
                }
            }

            return "Store Lazy<" + valueType + "> values in '" + field.Name + "'";
        }

        /// <summary>
        /// No initializer, `new()`, or `new ConcurrentDictionary&lt;K, V&gt;(…)` with arguments that hold no values
        /// (a comparer, a capacity): an initializer with entries or a copied dictionary would not fit Lazy values.
        /// </summary>
        private static bool InitializerCarriesOver(ExpressionSyntax? value, SemanticModel model, CancellationToken cancellationToken)
        {
            switch (value)
            {
                case null:
                    return true;
                case BaseObjectCreationExpressionSyntax creation when creation.Initializer is null:
                    return creation.ArgumentList is null || creation.ArgumentList.Arguments.All(a =>
                        model.GetTypeInfo(a.Expression, cancellationToken).Type is { } type
                        && (type.SpecialType == SpecialType.System_Int32 || type.Name.EndsWith("Comparer", System.StringComparison.Ordinal) || type.AllInterfaces.Any(i => i.Name == "IEqualityComparer")));
                default:
                    return false;
            }
        }

        /// <summary>`GetOrAdd(k, factory)` with the factory's result wrapped in a Lazy, and its Value read.</summary>
        private static string? Rewrite(IInvocationOperation getOrAdd, string lazyType, string mode, SemanticModel model)
        {
            if (getOrAdd.Syntax is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } syntax)
            {
                return null;
            }

            var arguments = new List<string>();
            var sawFactory = false;
            foreach (var argument in syntax.ArgumentList.Arguments)
            {
                var operation = getOrAdd.Arguments.FirstOrDefault(a => a.Syntax == argument);
                if (operation?.Parameter?.OriginalDefinition.Type.TypeKind != TypeKind.Delegate)
                {
                    arguments.Add(argument.ToString());
                    continue;
                }

                sawFactory = true;
                switch (argument.Expression)
                {
                    case SimpleLambdaExpressionSyntax simple:
                        arguments.Add(simple.Parameter + " => new " + lazyType + "(" + Inner(simple.AsyncKeyword, simple.Body) + ", " + mode + ".ExecutionAndPublication)");
                        break;
                    case ParenthesizedLambdaExpressionSyntax parenthesized:
                        arguments.Add(parenthesized.ParameterList + " => new " + lazyType + "(" + Inner(parenthesized.AsyncKeyword, parenthesized.Body) + ", " + mode + ".ExecutionAndPublication)");
                        break;
                    case var methodGroup when operation.Value.WalkDownConversions() is IDelegateCreationOperation { Target: IMethodReferenceOperation reference }:
                        var parameters = reference.Method.Parameters.Select((p, i) => FixSyntax.UniqueName(model, argument.SpanStart, i == 0 ? "key" : p.Name)).ToList();
                        var list = parameters.Count == 1 ? parameters[0] : "(" + string.Join(", ", parameters) + ")";
                        arguments.Add(list + " => new " + lazyType + "(() => " + methodGroup + "(" + string.Join(", ", parameters) + "), " + mode + ".ExecutionAndPublication)");
                        break;
                    default:
                        return null;
                }
            }

            return sawFactory ? access.Expression + ".GetOrAdd(" + string.Join(", ", arguments) + ").Value" : null;
        }

        private static string Inner(SyntaxToken asyncKeyword, CSharpSyntaxNode body) =>
            (asyncKeyword.IsKind(SyntaxKind.AsyncKeyword) ? "async " : string.Empty) + "() => " + body.ToString();

        /// <summary>The `ConcurrentDictionary&lt;K, V&gt;` in a type, qualified or not.</summary>
        private static GenericNameSyntax? DictionaryType(TypeSyntax type) => type switch
        {
            GenericNameSyntax { Identifier.ValueText: "ConcurrentDictionary", TypeArgumentList.Arguments.Count: 2 } generic => generic,
            QualifiedNameSyntax { Right: GenericNameSyntax right } => DictionaryType(right),
            _ => null,
        };

        private static TypeSyntax ReplaceDictionary(TypeSyntax type, GenericNameSyntax replacement) => type switch
        {
            GenericNameSyntax => replacement.WithTriviaFrom(type),
            QualifiedNameSyntax qualified => qualified.WithRight(replacement),
            _ => type,
        };
    }
}
