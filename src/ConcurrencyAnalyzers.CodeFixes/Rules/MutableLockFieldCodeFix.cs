using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC032 fix: make the lock field readonly. Offered for a private field that nothing but its
    /// initializer and the constructors assign, declared alone (so no other field turns readonly with it).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MutableLockFieldCodeFix)), Shared]
    public sealed class MutableLockFieldCodeFix : PlannedCodeFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.MutableLockField);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            if (!diagnostic.Properties.ContainsKey(MutableLockFieldAnalyzer.CanBeReadonlyProperty)
                || node is not VariableDeclaratorSyntax declarator
                || declarator.Parent?.Parent is not FieldDeclarationSyntax field
                || field.Declaration.Variables.Count != 1)
            {
                return null;
            }

            editor.SetModifiers(field, editor.Generator.GetModifiers(field).WithIsReadOnly(true));
            return "Make '" + declarator.Identifier.ValueText + "' readonly";
        }
    }
}
