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

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC034 fixes, one per case: a readonly SpinLock field loses `readonly`; a SpinLock copied into a
    /// local becomes a ref local; a boxed value type gets a private readonly lock object that every Monitor
    /// call of the class on that value uses instead. A Monitor or Mutex held across an await has no
    /// mechanical fix: the lock has to become a SemaphoreSlim everywhere it is taken, which the rule's page
    /// shows.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LockCannotExcludeCodeFix)), Shared]
    public sealed class LockCannotExcludeCodeFix : PlannedCodeFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.LockCannotExclude);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            diagnostic.Properties.TryGetValue(LockCannotExcludeAnalyzer.CaseProperty, out var kind);
            return kind switch
            {
                LockCannotExcludeAnalyzer.ReadonlySpinLockCase => RemoveReadonly(editor, node),
                LockCannotExcludeAnalyzer.CopiedSpinLockCase => UseRefLocal(editor, node, cancellationToken),
                LockCannotExcludeAnalyzer.BoxedCase => UseLockObject(editor, node, cancellationToken),
                _ => null,
            };
        }

        private static string? RemoveReadonly(DocumentEditor editor, SyntaxNode node)
        {
            // The fields of a readonly struct must stay readonly: the SpinLock has to move out of it by hand.
            if (node is not VariableDeclaratorSyntax declarator || declarator.Parent?.Parent is not FieldDeclarationSyntax field || field.Declaration.Variables.Count != 1
                || field.Parent is StructDeclarationSyntax structDeclaration && structDeclaration.Modifiers.Any(SyntaxKind.ReadOnlyKeyword)
                || field.Parent is RecordDeclarationSyntax)
            {
                return null;
            }

            editor.SetModifiers(field, editor.Generator.GetModifiers(field).WithIsReadOnly(false));
            return "Remove readonly from '" + declarator.Identifier.ValueText + "'";
        }

        /// <summary>`var spin = _spin;` becomes `ref var spin = ref _spin;`, outside async methods and iterators, which cannot have ref locals.</summary>
        private static string? UseRefLocal(DocumentEditor editor, SyntaxNode node, CancellationToken cancellationToken)
        {
            if (node is not VariableDeclaratorSyntax { Initializer.Value: var value } declarator
                || declarator.Parent is not VariableDeclarationSyntax { Variables.Count: 1 } declaration
                || declaration.Parent is not LocalDeclarationStatementSyntax statement)
            {
                return null;
            }

            var model = editor.SemanticModel;
            var source = model.GetSymbolInfo(value, cancellationToken).Symbol;
            var function = model.GetEnclosingSymbol(statement.SpanStart, cancellationToken) as IMethodSymbol;
            var isIterator = statement.Ancestors().FirstOrDefault(a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or BaseMethodDeclarationSyntax or AccessorDeclarationSyntax)
                ?.DescendantNodes().Any(n => n is YieldStatementSyntax) ?? false;
            // A ref local cannot be captured by a lambda or local function.
            var captured = statement.Parent is BlockSyntax block && block.DescendantNodes().Where(n => n is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)
                .SelectMany(f => f.DescendantNodes().OfType<IdentifierNameSyntax>()).Any(n => n.Identifier.ValueText == declarator.Identifier.ValueText);
            if (function is null || function.IsAsync || isIterator || captured || source is not (IFieldSymbol { IsReadOnly: false } or ILocalSymbol))
            {
                return null;
            }

            var replacement = SyntaxFactory.ParseStatement("ref " + declaration.Type + " " + declarator.Identifier.ValueText + " = ref " + value + ";")
                .WithTriviaFrom(statement)
                .WithAdditionalAnnotations(Formatter.Annotation);
            editor.ReplaceNode(statement, replacement);
            return "Use a ref local, so that '" + declarator.Identifier.ValueText + "' is the SpinLock itself";
        }

        /// <summary>Every Monitor call of the class on the boxed value locks a new private readonly object instead.</summary>
        private static string? UseLockObject(DocumentEditor editor, SyntaxNode node, CancellationToken cancellationToken)
        {
            var model = editor.SemanticModel;
            if (node is not InvocationExpressionSyntax { ArgumentList.Arguments.Count: > 0 } enter
                || enter.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } typeDeclaration
                || typeDeclaration is not ClassDeclarationSyntax
                || enter.ArgumentList.Arguments[0].Expression is not (IdentifierNameSyntax or MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax })
                || model.GetTypeInfo(enter.ArgumentList.Arguments[0].Expression, cancellationToken).Type is not { IsValueType: true }
                || model.GetSymbolInfo(enter.ArgumentList.Arguments[0].Expression, cancellationToken).Symbol is not IFieldSymbol boxed
                || !SymbolEqualityComparer.Default.Equals(boxed.ContainingType, model.GetDeclaredSymbol(typeDeclaration, cancellationToken)))
            {
                return null;
            }

            var member = model.GetEnclosingSymbol(enter.SpanStart, cancellationToken);
            var isStatic = boxed.IsStatic || (member?.IsStatic ?? false);
            var fieldName = LockFields.Choose(editor, model, typeDeclaration, (isStatic ? "s_" : "_") + LockSyntax.FieldStem(boxed.Name, "value") + "Lock", isStatic, null, enter.SpanStart, cancellationToken);
            if (fieldName is null)
            {
                return null;
            }

            foreach (var call in typeDeclaration.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (call.Expression is MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "Monitor" } }
                    && call.ArgumentList.Arguments.Count > 0
                    && call.ArgumentList.Arguments[0].Expression is var argument
                    && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(argument, cancellationToken).Symbol, boxed))
                {
                    editor.ReplaceNode(argument, SyntaxFactory.IdentifierName(fieldName).WithTriviaFrom(argument));
                }
            }

            return "Lock on a private readonly object ('" + fieldName + "') instead of the boxed '" + boxed.Name + "'";
        }
    }
}
