using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ConcurrencyAnalyzers.Model;
using ConcurrencyAnalyzers.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConcurrencyAnalyzers.Tests.Model
{
    /// <summary>Compiles a snippet against the test reference assemblies and finds operations in it by text.</summary>
    internal sealed class ModelTestHelper
    {
        private static ImmutableArray<MetadataReference>? s_references;

        private ModelTestHelper(CSharpCompilation compilation, SyntaxTree tree)
        {
            Compilation = compilation;
            Tree = tree;
            Model = compilation.GetSemanticModel(tree);
            Types = KnownTypes.Create(compilation);
        }

        public CSharpCompilation Compilation { get; }
        public SyntaxTree Tree { get; }
        public SemanticModel Model { get; }
        public KnownTypes Types { get; }

        public static async Task<ModelTestHelper> CompileAsync(string source)
        {
            s_references ??= await TestReferences.Net80.ResolveAsync(LanguageNames.CSharp, CancellationToken.None);
            var tree = CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest));
            var compilation = CSharpCompilation.Create(
                "ModelTest",
                new[] { tree },
                s_references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.True(errors.Count == 0, string.Join("\n", errors));
            return new ModelTestHelper(compilation, tree);
        }

        /// <summary>The operation of the first node of the given kind whose text starts with <paramref name="text"/>.</summary>
        public IOperation Operation<TSyntax>(string text)
            where TSyntax : SyntaxNode
        {
            var node = Tree.GetRoot().DescendantNodes().OfType<TSyntax>().First(n => n.ToString().StartsWith(text, System.StringComparison.Ordinal));
            return Model.GetOperation(node)!;
        }

        public IOperation Invocation(string text) => Operation<InvocationExpressionSyntax>(text);

        public IOperation Creation(string text) => Operation<BaseObjectCreationExpressionSyntax>(text);

        /// <summary>The body operation of the method with the given name.</summary>
        public IOperation MethodBody(string name)
        {
            var method = Tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single(m => m.Identifier.ValueText == name);
            return Model.GetOperation(method)!;
        }

        public ISymbol? MethodSymbol(string name)
        {
            var method = Tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single(m => m.Identifier.ValueText == name);
            return Model.GetDeclaredSymbol(method);
        }

        public int PositionOf(string marker) => Tree.GetText().ToString().IndexOf(marker, System.StringComparison.Ordinal);
    }
}
