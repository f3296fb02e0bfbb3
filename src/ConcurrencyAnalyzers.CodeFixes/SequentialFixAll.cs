using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;

namespace ConcurrencyAnalyzers
{
    /// <summary>
    /// Fix All for rewrites that touch more than the diagnostic's own span (a new field, a new local, the
    /// places a flag is set): the fixes of one document are applied one after another, each on the result
    /// of the previous one, so two fixes never fight over the same text. Each diagnostic's node is tagged
    /// with an annotation first so that it can be found again after earlier fixes moved it.
    /// </summary>
    internal static class SequentialFixAll
    {
        public delegate Task<Document?> FixOne(Document document, SyntaxNode diagnosticNode, Diagnostic diagnostic, CancellationToken cancellationToken);

        /// <param name="forEquivalenceKey">The fix to apply for the action the user chose (its equivalence key).</param>
        public static FixAllProvider Create(Func<string?, FixOne> forEquivalenceKey) =>
            FixAllProvider.Create(async (context, document, diagnostics) =>
                await FixDocumentAsync(document, diagnostics, forEquivalenceKey(context.CodeActionEquivalenceKey), context.CancellationToken).ConfigureAwait(false));

        private static async Task<Document?> FixDocumentAsync(Document document, ImmutableArray<Diagnostic> diagnostics, FixOne fixOne, CancellationToken cancellationToken)
        {
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (root is null || diagnostics.IsEmpty)
            {
                return null;
            }

            var tagged = new Dictionary<SyntaxNode, SyntaxAnnotation>();
            var pending = new List<(SyntaxAnnotation Annotation, Diagnostic Diagnostic)>();
            foreach (var diagnostic in diagnostics.OrderBy(d => d.Location.SourceSpan.Start))
            {
                var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
                if (!tagged.TryGetValue(node, out var annotation))
                {
                    annotation = new SyntaxAnnotation(nameof(SequentialFixAll));
                    tagged.Add(node, annotation);
                }

                pending.Add((annotation, diagnostic));
            }

            root = root.ReplaceNodes(tagged.Keys, (original, rewritten) => rewritten.WithAdditionalAnnotations(tagged[original]));
            var current = document.WithSyntaxRoot(root);
            foreach (var (annotation, diagnostic) in pending)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var currentRoot = await current.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
                var node = currentRoot?.GetAnnotatedNodes(annotation).FirstOrDefault();
                if (node is null)
                {
                    continue;
                }

                var fixedDocument = await fixOne(current, node, diagnostic, cancellationToken).ConfigureAwait(false);
                if (fixedDocument is not null)
                {
                    current = fixedDocument;
                }
            }

            return current;
        }

        /// <summary>The node a diagnostic was reported on, as the single-diagnostic path of a fix finds it.</summary>
        public static async Task<SyntaxNode?> FindNodeAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
        {
            var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            return root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        }
    }
}
