using System.Collections.Immutable;
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
        /// <summary>
        /// The fix's actions, one plan each. Most fixes have one; a fix with alternatives (Interlocked or a
        /// lock) lists them here, and each gets its own equivalence key, so Fix All applies the chosen one.
        /// </summary>
        private protected virtual ImmutableArray<string> Actions { get; } = ImmutableArray.Create(string.Empty);

        /// <remarks>
        /// A key that names an action of the diagnostic's own rule applies that action where it fits. Any other
        /// key — none, or one of another rule, as `dotnet format` passes when it takes the key from the first
        /// diagnostic it meets — applies the rule's first action that fits, so a bulk fix does not depend on
        /// the order the diagnostics come in.
        /// </remarks>
        public sealed override FixAllProvider GetFixAllProvider() =>
            SequentialFixAll.Create(equivalenceKey => (document, node, diagnostic, cancellationToken) =>
                FixAsync(document, node, diagnostic, ActionOf(diagnostic.Id, equivalenceKey), cancellationToken));

        public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                var node = await SequentialFixAll.FindNodeAsync(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false);
                if (node is null)
                {
                    continue;
                }

                foreach (var action in Actions)
                {
                    // Planning on a throwaway editor tells whether the fix fits and what to call it.
                    var editor = await DocumentEditor.CreateAsync(context.Document, context.CancellationToken).ConfigureAwait(false);
                    var title = Plan(editor, node, diagnostic, action, context.CancellationToken);
                    if (title is null)
                    {
                        continue;
                    }

                    var chosen = action;
                    context.RegisterCodeFix(
                        CodeAction.Create(
                            title,
                            async cancellationToken => await FixAsync(context.Document, node, diagnostic, chosen, cancellationToken).ConfigureAwait(false) ?? context.Document,
                            equivalenceKey: EquivalenceKey(diagnostic.Id, action)),
                        diagnostic);
                }
            }
        }

        /// <summary>
        /// Actions applied only when asked for by their own key: a bulk fix that did not name them (`dotnet
        /// format`, a Fix All started from another action) passes them over. For rewrites a user should
        /// choose one by one, such as a change to a public signature.
        /// </summary>
        private protected virtual ImmutableArray<string> ExplicitOnlyActions { get; } = ImmutableArray<string>.Empty;

        /// <summary>Makes the edits of <paramref name="action"/> in <paramref name="editor"/> and returns its title, or null when it does not fit.</summary>
        private protected abstract string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken);

        /// <summary>`FixName`, or `FixName.CONC001.Action` for a fix that serves several rules or has several actions.</summary>
        private string EquivalenceKey(string diagnosticId, string action)
        {
            var key = GetType().Name;
            if (FixableDiagnosticIds.Length > 1)
            {
                key += "." + diagnosticId;
            }

            return action.Length == 0 ? key : key + "." + action;
        }

        /// <summary>The action a key names for this rule, or null for "the first that fits".</summary>
        private string? ActionOf(string diagnosticId, string? equivalenceKey)
        {
            foreach (var action in Actions)
            {
                if (EquivalenceKey(diagnosticId, action) == equivalenceKey)
                {
                    return action;
                }
            }

            return null;
        }

        private async Task<Document?> FixAsync(Document document, SyntaxNode node, Diagnostic diagnostic, string? action, CancellationToken cancellationToken)
        {
            var candidates = action is null ? Actions.RemoveRange(ExplicitOnlyActions) : ImmutableArray.Create(action);
            foreach (var candidate in candidates)
            {
                var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
                if (Plan(editor, node, diagnostic, candidate, cancellationToken) is not null)
                {
                    return editor.GetChangedDocument();
                }
            }

            return null;
        }
    }
}
