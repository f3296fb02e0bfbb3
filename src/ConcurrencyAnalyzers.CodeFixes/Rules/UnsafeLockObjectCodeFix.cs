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

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC031 fix: lock on a private readonly object of the class instead. The field is added once per
    /// kind of lock object (`_sync` for `this`, `s_sync` for a Type, `s_ordersLock` for "orders") and
    /// reused by the other fixes in the class, so Fix All keeps the locks that were one lock one lock.
    /// Monitor calls in the same function on the same object (Exit, Wait, Pulse) move with it.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnsafeLockObjectCodeFix)), Shared]
    public sealed class UnsafeLockObjectCodeFix : PlannedCodeFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.UnsafeLockObject);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            if (!diagnostic.Properties.TryGetValue(UnsafeLockObjectAnalyzer.FieldNameProperty, out var baseName) || baseName is null
                || node is not ExpressionSyntax lockedValue
                || node.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } typeDeclaration
                || typeDeclaration is not (ClassDeclarationSyntax or RecordDeclarationSyntax))
            {
                return null;
            }

            var model = editor.SemanticModel;
            var isStatic = diagnostic.Properties.TryGetValue(UnsafeLockObjectAnalyzer.FieldKindProperty, out var kind) && kind == "static";
            var types = KnownTypes.For(model.Compilation);
            var usesMonitor = typeDeclaration.DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => n.Identifier.ValueText == "Monitor");
            var useLockType = types.Lock is not null && !usesMonitor
                && ((CSharpParseOptions)typeDeclaration.SyntaxTree.Options).LanguageVersion >= (LanguageVersion)1300;
            var fieldName = LockFields.Choose(editor, model, typeDeclaration, baseName, isStatic, useLockType ? types.Lock : null, lockedValue.SpanStart, cancellationToken);
            if (fieldName is null)
            {
                return null;
            }

            // The Monitor calls on the same object in this function (Exit, Wait, Pulse) move with the lock.
            var function = lockedValue.Ancestors().FirstOrDefault(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or BaseMethodDeclarationSyntax or AccessorDeclarationSyntax) ?? typeDeclaration;
            var replaced = new List<ExpressionSyntax> { lockedValue };
            if (!(lockedValue is ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax))
            {
                foreach (var call in function.DescendantNodes().OfType<InvocationExpressionSyntax>())
                {
                    if (call.Expression is MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "Monitor" } }
                        && call.ArgumentList.Arguments.Count > 0
                        && call.ArgumentList.Arguments[0].Expression is var argument
                        && argument != lockedValue
                        && SyntaxFactory.AreEquivalent(argument, lockedValue)
                        && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(argument, cancellationToken).Symbol, model.GetSymbolInfo(lockedValue, cancellationToken).Symbol))
                    {
                        replaced.Add(argument);
                    }
                }
            }

            foreach (var expression in replaced)
            {
                editor.ReplaceNode(expression, SyntaxFactory.IdentifierName(fieldName).WithTriviaFrom(expression));
            }

            return "Lock on a private readonly object ('" + fieldName + "')";
        }
    }
}
