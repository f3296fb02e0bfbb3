using System.Threading;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace ConcurrencyAnalyzers
{
    /// <summary>
    /// The private readonly lock object a fix locks on instead of something unsafe: the class's field of
    /// that name if it is one already (a previous fix of the same Fix All made it, or the author did), else
    /// a new one added as the first member.
    /// </summary>
    internal static class LockFields
    {
        /// <param name="lockType">System.Threading.Lock where the fix may use it; null for `object`.</param>
        /// <returns>The field's name, or null when the class cannot be found.</returns>
        public static string? Choose(DocumentEditor editor, SemanticModel model, TypeDeclarationSyntax typeDeclaration, string baseName, bool isStatic,
            INamedTypeSymbol? lockType, int position, CancellationToken cancellationToken)
        {
            // A partial class fixed in several files at once would get the field once per file.
            if (model.GetDeclaredSymbol(typeDeclaration, cancellationToken) is not INamedTypeSymbol type || type.DeclaringSyntaxReferences.Length != 1)
            {
                return null;
            }

            for (var suffix = 1; suffix < 100; suffix++)
            {
                var name = suffix == 1 ? baseName : baseName + suffix.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var members = type.GetMembers(name);
                if (members.IsEmpty && model.LookupSymbols(position, name: name).IsEmpty)
                {
                    var typeName = lockType is null ? "object" : FixSyntax.TypeName(editor, model, position, lockType);
                    FixSyntax.InsertFirstMember(editor, typeDeclaration, "private " + (isStatic ? "static " : string.Empty) + "readonly " + typeName + " " + name + " = new " + typeName + "();");
                    return name;
                }

                if (members.Length == 1
                    && members[0] is IFieldSymbol { IsReadOnly: true, DeclaredAccessibility: Accessibility.Private } field
                    && field.IsStatic == isStatic
                    && (lockType is null ? field.Type.SpecialType == SpecialType.System_Object : KnownTypes.Is(field.Type, lockType)))
                {
                    return name;
                }
            }

            return null;
        }
    }
}
