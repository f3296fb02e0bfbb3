using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Editing;

namespace ConcurrencyAnalyzers
{
    /// <summary>
    /// The shape every fix of the package has: a plan that looks at the diagnostic's node in the current
    /// document, decides whether a rewrite fits, and makes its edits in a <see cref="DocumentEditor"/>.
    /// The same plan decides whether the fix is offered, applies it, and serves Fix All (which applies a
    /// document's fixes one after another, see <see cref="SequentialFixAll"/>).
    /// </summary>
    public abstract class PlannedCodeFix : CodeFixProvider
    {
        public sealed override FixAllProvider GetFixAllProvider() => SequentialFixAll.Create(FixAsync);

        public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                var node = await SequentialFixAll.FindNodeAsync(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false);
                if (node is null)
                {
                    continue;
                }

                // Planning on a throwaway editor tells whether the fix fits and what to call it.
                var editor = await DocumentEditor.CreateAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
                var title = Plan(editor, node, context.CancellationToken);
                if (title is null)
                {
                    continue;
                }

                context.RegisterCodeFix(
                    CodeAction.Create(title, SequentialFixAll.Apply(context.Document, node, diagnostic, FixAsync), equivalenceKey: GetType().Name),
                    diagnostic);
            }
        }

        /// <summary>Makes the fix's edits in <paramref name="editor"/> and returns its title, or null when no fix fits.</summary>
        private protected abstract string? Plan(DocumentEditor editor, SyntaxNode node, CancellationToken cancellationToken);

        private async Task<Document?> FixAsync(Document document, SyntaxNode node, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
            return Plan(editor, node, cancellationToken) is null ? null : editor.GetChangedDocument();
        }
    }
}
