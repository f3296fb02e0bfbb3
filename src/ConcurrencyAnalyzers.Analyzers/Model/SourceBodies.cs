using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// The operation trees of methods of the compilation, for the summaries that follow calls into other
    /// methods and files. One semantic model per file: a model keeps what it has bound, so every method
    /// summarized in a file after the first costs only its own body.
    /// </summary>
    internal sealed class SourceBodies
    {
        private readonly Compilation _compilation;
        private readonly ConcurrentDictionary<SyntaxTree, SemanticModel> _models = new ConcurrentDictionary<SyntaxTree, SemanticModel>();

        public SourceBodies(Compilation compilation) => _compilation = compilation;

        /// <summary>The model of the document being analysed, reused for the methods in that document.</summary>
        public void Remember(SemanticModel currentModel) => _models.TryAdd(currentModel.SyntaxTree, currentModel);

        /// <param name="worthBinding">A cheap look at a declaration's syntax; false skips binding it.</param>
        public IEnumerable<IOperation> Of(IMethodSymbol method, CancellationToken cancellationToken, System.Func<SyntaxNode, bool>? worthBinding = null)
        {
            foreach (var reference in method.DeclaringSyntaxReferences)
            {
                // In an IDE, a project reference's methods have source in trees of another compilation.
                if (!_compilation.ContainsSyntaxTree(reference.SyntaxTree))
                {
                    continue;
                }

                var syntax = reference.GetSyntax(cancellationToken);
                if (worthBinding is not null && !worthBinding(syntax))
                {
                    continue;
                }

                var model = _models.GetOrAdd(reference.SyntaxTree, CreateModel);
                if (model.GetOperation(syntax, cancellationToken) is { } body)
                {
                    yield return body;
                }
            }
        }

        /// <summary>The one model of a file of the compilation.</summary>
        public SemanticModel ModelOf(SyntaxTree tree) => _models.GetOrAdd(tree, CreateModel);

#pragma warning disable RS1030 // Summaries of methods in other files need their file's model; one is made per file per compilation.
        private SemanticModel CreateModel(SyntaxTree tree) => _compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
    }
}
