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

            // A record compares its instance fields: a lock object would make equal records unequal.
            if (typeDeclaration is RecordDeclarationSyntax && !isStatic)
            {
                return null;
            }
            var types = KnownTypes.For(model.Compilation);
            var usesMonitor = typeDeclaration.DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => n.Identifier.ValueText is "Monitor" or "Enter" or "Exit" or "Wait" or "Pulse" or "PulseAll");
            var useLockType = types.Lock is not null && !usesMonitor
                && ((CSharpParseOptions)typeDeclaration.SyntaxTree.Options).LanguageVersion >= (LanguageVersion)1300;
            var fieldName = LockFields.Choose(editor, model, typeDeclaration, baseName, isStatic, useLockType ? types.Lock : null, lockedValue.SpanStart, cancellationToken);
            if (fieldName is null)
            {
                return null;
            }

            // Every lock and Monitor call of the class on the same object (Exit, Wait, Pulse, the other methods'
            // `lock (this)`) moves with it, or the two halves of a Wait/Pulse pair stop meeting.
            var replaced = new List<ExpressionSyntax> { lockedValue };
            if (!(lockedValue is ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax) && model.GetSymbolInfo(lockedValue, cancellationToken).Symbol is not ILocalSymbol)
            {
                var lockedSymbol = model.GetSymbolInfo(lockedValue, cancellationToken).Symbol;
                foreach (var candidate in LockObjectsIn(typeDeclaration, model, cancellationToken))
                {
                    if (candidate != lockedValue
                        && candidate.FirstAncestorOrSelf<TypeDeclarationSyntax>() == typeDeclaration
                        && SyntaxFactory.AreEquivalent(candidate, lockedValue)
                        && (lockedValue is ThisExpressionSyntax || SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(candidate, cancellationToken).Symbol, lockedSymbol)))
                    {
                        replaced.Add(candidate);
                    }
                }
            }

            foreach (var expression in replaced)
            {
                editor.ReplaceNode(expression, SyntaxFactory.IdentifierName(fieldName).WithTriviaFrom(expression));
            }

            return "Lock on a private readonly object ('" + fieldName + "')";
        }

        /// <summary>The locked expressions of `lock` statements and the first arguments of Monitor calls.</summary>
        private static IEnumerable<ExpressionSyntax> LockObjectsIn(TypeDeclarationSyntax type, SemanticModel model, CancellationToken cancellationToken)
        {
            foreach (var node in type.DescendantNodes())
            {
                switch (node)
                {
                    case LockStatementSyntax lockStatement:
                        yield return lockStatement.Expression;
                        break;
                    case InvocationExpressionSyntax { ArgumentList.Arguments.Count: > 0 } call
                        when model.GetSymbolInfo(call, cancellationToken).Symbol is IMethodSymbol { ContainingType: { Name: "Monitor" } monitor } && monitor.ContainingNamespace.ToDisplayString() == "System.Threading":
                        yield return call.ArgumentList.Arguments[0].Expression;
                        break;
                }
            }
        }
    }
}
