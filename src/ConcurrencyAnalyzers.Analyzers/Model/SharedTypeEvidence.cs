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
    /// Only asked about an instance field a rule would report. A text prefilter (kept per file) picks the
    /// files that register singletons or start concurrent work and mention the type, its bases or its
    /// interfaces by name; only those are bound, once per file version.
    /// </remarks>
    internal sealed class SharedTypeEvidence
    {
        private static readonly ConditionalWeakTable<Compilation, SharedTypeEvidence> s_byCompilation = new ConditionalWeakTable<Compilation, SharedTypeEvidence>();

        /// <summary>
        /// What each file shows, by type name. A file that did not change between two compilations keeps its
        /// syntax tree, so after an edit only the edited file is read and bound again (in a build every
        /// compilation is new and everything is fresh).
        /// </summary>
        private static readonly ConditionalWeakTable<SyntaxTree, Facts> s_factsByTree = new ConditionalWeakTable<SyntaxTree, Facts>();

        /// <summary>The text prefilter's answer for a file, and the identifiers it mentions (kept only for files that pass).</summary>
        private static readonly ConditionalWeakTable<SyntaxTree, Words> s_wordsByTree = new ConditionalWeakTable<SyntaxTree, Words>();

        private sealed class Words
        {
            public Words(bool registers, bool concurrent, HashSet<string>? identifiers, bool parallel = false, bool plinq = false)
            {
                Registers = registers;
                Concurrent = concurrent;
                Identifiers = identifiers;
                Parallel = parallel;
                Plinq = plinq;
            }

            /// <summary>The file mentions `Parallel.`: only then can an `Invoke` be Parallel.Invoke.</summary>
            public bool Parallel { get; }

            /// <summary>The file mentions `AsParallel`: only then can a `Select` be PLINQ's.</summary>
            public bool Plinq { get; }

            public bool Registers { get; }

            public bool Concurrent { get; }

            public HashSet<string>? Identifiers { get; }
        }

        private static readonly string[] s_registrationNames = { "AddSingleton", "TryAddSingleton", "AddHostedService", "TryAddEnumerable" };

        private static readonly string[] s_concurrencyWords = { "Task.Run", "StartNew", "Parallel.", "Thread(", "ThreadPool", "Timer", "AsParallel" };

        private readonly Compilation _compilation;
        private readonly KnownTypes _types;
        private readonly SourceBodies _bodies;
        private readonly System.Collections.Concurrent.ConcurrentDictionary<ITypeSymbol, System.Lazy<string?>> _byType =
            new System.Collections.Concurrent.ConcurrentDictionary<ITypeSymbol, System.Lazy<string?>>(SymbolEqualityComparer.Default);

        private SharedTypeEvidence(Compilation compilation)
        {
            _compilation = compilation;
            _types = KnownTypes.For(compilation);
            _bodies = new SourceBodies(compilation);
        }

        public static SharedTypeEvidence For(Compilation compilation) => s_byCompilation.GetValue(compilation, c => new SharedTypeEvidence(c));

        private sealed class Facts
        {
            /// <summary>Types (by full name) registered as singletons, with the registration's method name.</summary>
            public Dictionary<string, string> Singletons { get; } = new Dictionary<string, string>(System.StringComparer.Ordinal);

            /// <summary>Types (by full name) whose instance members concurrent work uses, with the work's description and member.</summary>
            public Dictionary<string, string> UsedConcurrently { get; } = new Dictionary<string, string>(System.StringComparer.Ordinal);

            public void Merge(Facts other)
            {
                foreach (var pair in other.Singletons)
                {
                    if (!Singletons.ContainsKey(pair.Key))
                    {
                        Singletons.Add(pair.Key, pair.Value);
                    }
                }

                foreach (var pair in other.UsedConcurrently)
                {
                    if (!UsedConcurrently.ContainsKey(pair.Key))
                    {
                        UsedConcurrently.Add(pair.Key, pair.Value);
                    }
                }
            }
        }

        private static string Key(ITypeSymbol type) => type.OriginalDefinition.ToDisplayString();

        /// <summary>A phrase for a message ("which is registered with AddSingleton"), or null when nothing says the type is shared.</summary>
        public string? WhyShared(INamedTypeSymbol type, AnalyzerOptions options, SyntaxTree? tree, params string[] ruleIds)
        {
            if (ConcurrentTypesOption.Includes(type, options, tree, ruleIds))
            {
                return "which the configuration (concurrent_types) says is used from several threads at once";
            }

            return _byType.GetOrAdd(type, t => new System.Lazy<string?>(() => FromCode((INamedTypeSymbol)t))).Value;
        }

        /// <summary>What the code says about a type, asked once per type and compilation.</summary>
        private string? FromCode(INamedTypeSymbol type)
        {
            foreach (var member in type.GetMembers())
            {
                // A static field or auto-property holding the instance; a computed property may hand out one per
                // thread (`t_current ??= new …` behind it), so it says nothing.
                if (member.IsStatic && (member is IFieldSymbol || member is IPropertySymbol && IsAutoProperty(member)) && member.ValueType() is { } held
                    && !member.GetAttributes().Any(a => KnownTypes.Is(a.AttributeClass, _types.ThreadStaticAttribute))
                    && (KnownTypes.Is(held, type) || (KnownTypes.Is(held.OriginalDefinition, _types.LazyOfT) && held is INamedTypeSymbol { TypeArguments: { Length: 1 } arguments } && KnownTypes.Is(arguments[0], type)))
                    && !member.IsImplicitlyDeclared)
                {
                    return "whose one instance is shared through the static '" + member.Name + "'";
                }
            }

            var candidates = SelfAndBases(type).ToList();
            // Framework bases and interfaces (object, IDisposable) are named everywhere; a file must name one of ours.
            var names = new HashSet<string>(candidates.Where(c => !c.DeclaringSyntaxReferences.IsEmpty).Select(c => c.Name));
            var facts = new Facts();
            foreach (var file in _compilation.SyntaxTrees)
            {
                // Only files that register singletons or start concurrent work, and name the type, can say it is shared.
                var words = s_wordsByTree.GetValue(file, Scan);
                if (words.Identifiers is { } identifiers && identifiers.Overlaps(names))
                {
                    facts.Merge(s_factsByTree.GetValue(file, CollectTree));
                }
            }

            foreach (var candidate in candidates)
            {
                if (facts.Singletons.TryGetValue(Key(candidate), out var registration))
                {
                    return "which is registered with " + registration + ", so one instance serves every thread";
                }

                if (facts.UsedConcurrently.TryGetValue(Key(candidate), out var use))
                {
                    return "which " + use;
                }
            }

            return null;
        }

        private static bool IsAutoProperty(ISymbol property) =>
            property.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<PropertyDeclarationSyntax>().Any(p =>
                p.ExpressionBody is null && p.AccessorList is { } accessors && accessors.Accessors.All(a => a.Body is null && a.ExpressionBody is null));

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

        private static Words Scan(SyntaxTree tree)
        {
            var text = tree.GetText().ToString();
            var registers = s_registrationNames.Any(n => text.Contains(n));
            var concurrent = s_concurrencyWords.Any(w => text.Contains(w));
            if (!registers && !concurrent)
            {
                return new Words(false, false, null);
            }

            var identifiers = new HashSet<string>(System.StringComparer.Ordinal);
            foreach (var token in tree.GetRoot().DescendantTokens())
            {
                if (token.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken))
                {
                    identifiers.Add(token.ValueText);
                }
            }

            return new Words(registers, concurrent, identifiers, text.Contains("Parallel."), text.Contains("AsParallel"));
        }

        private Facts CollectTree(SyntaxTree tree)
        {
            var facts = new Facts();
            var words = s_wordsByTree.GetValue(tree, Scan);
            var registers = words.Registers;
            var concurrent = words.Concurrent;

            if (!registers && !concurrent)
            {
                return facts;
            }

            var model = _bodies.ModelOf(tree);
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                if (node is InvocationExpressionSyntax invocation)
                {
                    var name = MethodName(invocation.Expression);
                    if (registers && name is not null && s_registrationNames.Contains(name))
                    {
                        AddRegistration(model, invocation, name, facts);
                    }
                    else if (concurrent && (name is "Run" or "StartNew" or "For" or "ForEach" or "ForEachAsync" or "ForAsync" or "QueueUserWorkItem" or "UnsafeQueueUserWorkItem"
                        || (name is "Invoke" && words.Parallel)
                        || (name is "Select" or "ForAll" or "Where" or "Aggregate" && words.Plinq)))
                    {
                        AddWork(model, invocation, facts);
                    }
                }
                else if (concurrent
                    && (node is ObjectCreationExpressionSyntax { Type: var created } && created.ToString() is var createdName && (createdName.EndsWith("Thread", System.StringComparison.Ordinal) || createdName.EndsWith("Timer", System.StringComparison.Ordinal))
                        || node is ImplicitObjectCreationExpressionSyntax
                        || node is AssignmentExpressionSyntax { RawKind: (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.AddAssignmentExpression, Left: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Elapsed" } }))
                {
                    AddWork(model, node, facts);
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

            // AddSingleton<TService, TImplementation>() makes the implementation a singleton (not every
            // implementation of the service); AddSingleton<T>(), AddHostedService<T>() the one type.
            if (method.TypeArguments.Length > 0)
            {
                facts.Singletons[Key(method.TypeArguments[method.TypeArguments.Length - 1])] = name;
            }

            // AddSingleton(typeof(TService), typeof(TImplementation)) and AddSingleton<IService>(new Implementation()).
            foreach (var argument in invocation.ArgumentList.Arguments)
            {
                switch (argument.Expression)
                {
                    case TypeOfExpressionSyntax typeOf when model.GetTypeInfo(typeOf.Type).Type is { } type:
                        facts.Singletons[Key(type)] = name;
                        break;
                    case BaseObjectCreationExpressionSyntax creation when model.GetTypeInfo(creation).Type is { } created:
                        facts.Singletons[Key(created)] = name;
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
            while (user is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction })
            {
                user = user.ContainingSymbol;
            }

            var use = "is used by " + entry.Description + (user is null ? string.Empty : " in '" + user.Name + "'");
            var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            foreach (var work in entry.Work)
            {
                NoteReceivers(work, user?.ContainingType, use, facts, visited, depth: 0);
            }

            if (entry.WorkMethod is { } method && entry.Work.IsEmpty)
            {
                NoteMethod(method, use, facts, visited, depth: 0);
            }
        }

        /// <summary>The types whose instance members the work touches, and those of the methods it calls in turn (two calls deep).</summary>
        private void NoteReceivers(IOperation work, INamedTypeSymbol? own, string use, Facts facts, HashSet<IMethodSymbol> visited, int depth)
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

                // An object the work creates for itself (a local declared in it) or is handed per item (its own
                // parameter, a Parallel.ForEach element) is that run's own, not shared.
                if (IsOwnedBy(instance.WalkDownConversions(), root))
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

        private static bool IsOwnedBy(IOperation instance, IOperation work)
        {
            switch (instance)
            {
                case ILocalReferenceOperation local:
                    return local.Local.DeclaringSyntaxReferences.Any(r => work.Syntax.Span.Contains(r.Span) && r.SyntaxTree == work.Syntax.SyntaxTree);
                case IParameterReferenceOperation parameter:
                    return parameter.Parameter.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction } function
                        && function.DeclaringSyntaxReferences.Any(r => work.Syntax.Span.Contains(r.Span) || r.Span.Contains(work.Syntax.Span));
                default:
                    return false;
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

            foreach (var body in _bodies.Of(method, System.Threading.CancellationToken.None))
            {
                NoteReceivers(body, method.ContainingType, use, facts, visited, depth + 1);
            }
        }

        private static void Note(ITypeSymbol type, string use, Facts facts)
        {
            if (type.DeclaringSyntaxReferences.IsEmpty && type.TypeKind != TypeKind.Interface)
            {
                return;
            }

            var key = Key(type);
            if (!facts.UsedConcurrently.ContainsKey(key))
            {
                facts.UsedConcurrently[key] = use;
            }
        }
    }
}
