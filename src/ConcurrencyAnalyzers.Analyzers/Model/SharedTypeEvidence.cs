using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// Why one instance of a type may be used by several threads at once, as far as the code shows it: the
    /// type is registered as a singleton (`AddSingleton`, `AddHostedService`), keeps its one instance in a
    /// static member, is listed in `concurrent_types`, or its members are called from concurrent work
    /// (Task.Run, Parallel.*, threads, timers) somewhere in the compilation. Per-instance state of a type
    /// with none of these is taken to belong to one thread.
    /// </summary>
    /// <remarks>
    /// The registrations and the concurrent work are found once per compilation, and only when a rule asks
    /// about an instance field: a text prefilter picks the files that can have either, and only those
    /// are bound.
    /// </remarks>
    internal sealed class SharedTypeEvidence
    {
        private static readonly ConditionalWeakTable<Compilation, SharedTypeEvidence> s_byCompilation = new ConditionalWeakTable<Compilation, SharedTypeEvidence>();

        /// <summary>
        /// What the text prefilter found in a file. Files that did not change between two compilations keep
        /// their syntax tree, so an edit re-reads only the edited file's text.
        /// </summary>
        private static readonly ConditionalWeakTable<SyntaxTree, Words> s_wordsByTree = new ConditionalWeakTable<SyntaxTree, Words>();

        private sealed class Words
        {
            public Words(bool registers, bool concurrent)
            {
                Registers = registers;
                Concurrent = concurrent;
            }

            public bool Registers { get; }

            public bool Concurrent { get; }
        }

        private static readonly string[] s_registrationNames = { "AddSingleton", "TryAddSingleton", "AddHostedService", "TryAddEnumerable" };

        private static readonly string[] s_concurrencyWords = { "Task.Run", "StartNew", "Parallel.", "Thread(", "ThreadPool", "Timer", "AsParallel" };

        private readonly Compilation _compilation;
        private readonly KnownTypes _types;
        private readonly System.Lazy<Facts> _facts;

        private SharedTypeEvidence(Compilation compilation)
        {
            _compilation = compilation;
            _types = KnownTypes.For(compilation);
            _facts = new System.Lazy<Facts>(Collect, System.Threading.LazyThreadSafetyMode.ExecutionAndPublication);
        }

        public static SharedTypeEvidence For(Compilation compilation) => s_byCompilation.GetValue(compilation, c => new SharedTypeEvidence(c));

        private sealed class Facts
        {
            /// <summary>Types registered as singletons, with the registration's method name.</summary>
            public Dictionary<ITypeSymbol, string> Singletons { get; } = new Dictionary<ITypeSymbol, string>(SymbolEqualityComparer.Default);

            /// <summary>Types whose instance members concurrent work uses, with the work's description and member.</summary>
            public Dictionary<ITypeSymbol, string> UsedConcurrently { get; } = new Dictionary<ITypeSymbol, string>(SymbolEqualityComparer.Default);
        }

        /// <summary>A phrase for a message ("which is registered with AddSingleton"), or null when nothing says the type is shared.</summary>
        public string? WhyShared(INamedTypeSymbol type, AnalyzerOptions options, SyntaxTree? tree, params string[] ruleIds)
        {
            if (ConcurrentTypesOption.Includes(type, options, tree, ruleIds))
            {
                return "which the configuration (concurrent_types) says is used from several threads at once";
            }

            foreach (var member in type.GetMembers())
            {
                if (member.IsStatic && member is IFieldSymbol or IPropertySymbol && member.ValueType() is { } held
                    && (KnownTypes.Is(held, type) || (KnownTypes.Is(held.OriginalDefinition, _types.LazyOfT) && held is INamedTypeSymbol { TypeArguments: { Length: 1 } arguments } && KnownTypes.Is(arguments[0], type)))
                    && !member.IsImplicitlyDeclared)
                {
                    return "whose one instance is shared through the static '" + member.Name + "'";
                }
            }

            var facts = _facts.Value;
            foreach (var candidate in SelfAndBases(type))
            {
                if (facts.Singletons.TryGetValue(candidate, out var registration))
                {
                    return "which is registered with " + registration + ", so one instance serves every thread";
                }

                if (facts.UsedConcurrently.TryGetValue(candidate, out var use))
                {
                    return "which " + use;
                }
            }

            return null;
        }

        private static IEnumerable<ITypeSymbol> SelfAndBases(INamedTypeSymbol type)
        {
            for (var current = type; current is not null; current = current.BaseType)
            {
                yield return current;
            }

            foreach (var face in type.AllInterfaces)
            {
                yield return face;
            }
        }

        private Facts Collect()
        {
            var facts = new Facts();
            foreach (var tree in _compilation.SyntaxTrees)
            {
                var words = s_wordsByTree.GetValue(tree, t =>
                {
                    var text = t.GetText().ToString();
                    return new Words(s_registrationNames.Any(n => text.Contains(n)), s_concurrencyWords.Any(w => text.Contains(w)));
                });
                var registers = words.Registers;
                var concurrent = words.Concurrent;
                if (!registers && !concurrent)
                {
                    continue;
                }

#pragma warning disable RS1030 // The evidence spans files; it is collected once per compilation, only for the files the prefilter picks.
                var model = _compilation.GetSemanticModel(tree);
#pragma warning restore RS1030
                foreach (var node in tree.GetRoot().DescendantNodes())
                {
                    if (node is InvocationExpressionSyntax invocation)
                    {
                        var name = MethodName(invocation.Expression);
                        if (registers && name is not null && s_registrationNames.Contains(name))
                        {
                            AddRegistration(model, invocation, name, facts);
                        }
                        else if (concurrent && name is "Run" or "StartNew" or "For" or "ForEach" or "ForEachAsync" or "ForAsync" or "Invoke" or "QueueUserWorkItem" or "UnsafeQueueUserWorkItem" or "Select" or "ForAll" or "Where" or "Aggregate")
                        {
                            AddWork(model, invocation, facts);
                        }
                    }
                    else if (concurrent && node is ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax or AssignmentExpressionSyntax)
                    {
                        AddWork(model, node, facts);
                    }
                }
            }

            return facts;
        }

        private static string? MethodName(ExpressionSyntax expression) => expression switch
        {
            MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
            SimpleNameSyntax simple => simple.Identifier.ValueText,
            _ => null,
        };

        private static void AddRegistration(SemanticModel model, InvocationExpressionSyntax invocation, string name, Facts facts)
        {
            if (model.GetSymbolInfo(invocation).Symbol is not IMethodSymbol method)
            {
                return;
            }

            // AddSingleton<TService, TImplementation>(), AddSingleton<T>(), AddHostedService<T>().
            foreach (var argument in method.TypeArguments)
            {
                facts.Singletons[argument] = name;
            }

            // AddSingleton(typeof(TService), typeof(TImplementation)) and AddSingleton<IService>(new Implementation()).
            foreach (var argument in invocation.ArgumentList.Arguments)
            {
                switch (argument.Expression)
                {
                    case TypeOfExpressionSyntax typeOf when model.GetTypeInfo(typeOf.Type).Type is { } type:
                        facts.Singletons[type] = name;
                        break;
                    case BaseObjectCreationExpressionSyntax creation when model.GetTypeInfo(creation).Type is { } created:
                        facts.Singletons[created] = name;
                        break;
                }
            }
        }

        private void AddWork(SemanticModel model, SyntaxNode node, Facts facts)
        {
            if (model.GetOperation(node) is not { } operation || !ConcurrentEntryPoint.TryGet(operation, _types, out var entry) || entry.Kind == ConcurrencyKind.AsyncCall)
            {
                return;
            }

            var user = model.GetEnclosingSymbol(node.SpanStart);
            var use = "is used by " + entry.Description + (user is null ? string.Empty : " in '" + user.Name + "'");
            var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            foreach (var work in entry.Work)
            {
                NoteReceivers(model, work, user?.ContainingType, use, facts, visited, depth: 0);
            }

            if (entry.WorkMethod is { } method && entry.Work.IsEmpty)
            {
                NoteMethod(method, use, facts, visited, depth: 0);
            }
        }

        /// <summary>The types whose instance members the work touches, and those of the methods it calls in turn (two calls deep).</summary>
        private void NoteReceivers(SemanticModel model, IOperation work, INamedTypeSymbol? own, string use, Facts facts, HashSet<IMethodSymbol> visited, int depth)
        {
            var root = work is IDelegateCreationOperation creation ? creation.Target : work;
            if (root is IMethodReferenceOperation reference)
            {
                if (reference.Instance?.Type is { } receiver)
                {
                    Note(receiver, use, facts);
                }

                NoteMethod(reference.Method, use, facts, visited, depth);
                return;
            }

            foreach (var operation in root.DescendantsInSourceOrder())
            {
                IOperation? instance = operation switch
                {
                    IInvocationOperation call => call.Instance,
                    IPropertyReferenceOperation property => property.Instance,
                    IFieldReferenceOperation field => field.Instance,
                    _ => null,
                };
                if (instance is null)
                {
                    continue;
                }

                var instanceType = instance.WalkDownConversions() is IInstanceReferenceOperation ? own : instance.Type;
                if (instanceType is not null)
                {
                    Note(instanceType, use, facts);
                }

                if (operation is IInvocationOperation { TargetMethod: var target })
                {
                    NoteMethod(target, use, facts, visited, depth);
                }
            }
        }

        private void NoteMethod(IMethodSymbol method, string use, Facts facts, HashSet<IMethodSymbol> visited, int depth)
        {
            if (depth >= 2 || method.DeclaringSyntaxReferences.IsEmpty || !visited.Add(method))
            {
                return;
            }

            if (!method.IsStatic)
            {
                Note(method.ContainingType, use, facts);
            }

            foreach (var syntaxReference in method.DeclaringSyntaxReferences)
            {
                if (!_compilation.ContainsSyntaxTree(syntaxReference.SyntaxTree))
                {
                    continue;
                }

#pragma warning disable RS1030 // See Collect.
                var model = _compilation.GetSemanticModel(syntaxReference.SyntaxTree);
#pragma warning restore RS1030
                if (model.GetOperation(syntaxReference.GetSyntax()) is { } body)
                {
                    NoteReceivers(model, body, method.ContainingType, use, facts, visited, depth + 1);
                }
            }
        }

        private static void Note(ITypeSymbol type, string use, Facts facts)
        {
            if (type.DeclaringSyntaxReferences.IsEmpty && type.TypeKind != TypeKind.Interface)
            {
                return;
            }

            if (!facts.UsedConcurrently.ContainsKey(type))
            {
                facts.UsedConcurrently[type] = use;
            }
        }
    }
}
