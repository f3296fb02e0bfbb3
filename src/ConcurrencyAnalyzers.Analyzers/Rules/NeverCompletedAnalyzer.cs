using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC042: a channel read to the end (ReadAllAsync, a WaitToReadAsync loop, GetConsumingEnumerable)
    /// without a token, whose writer nothing in the compilation completes.
    /// <para>
    /// A whole-compilation fact, built once per compilation: every variable a channel passes through
    /// (fields, properties, locals, parameters of the methods it is handed to, what methods return) is put
    /// in one group with the variables it is assigned from. A group is reported only when everything about
    /// it is known: it holds the place the channel is created, no code outside the compilation can reach
    /// its writer (a public member, an argument to a method without source, a parameter of a public
    /// method) and none of its variables is completed.
    /// </para>
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class NeverCompletedAnalyzer : ConcurrencyAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.NeverCompleted);

        private protected override bool IsApplicable(KnownTypes types) => types.HasProducerConsumerTypes;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
        {
            var flow = new ChannelGroups(types);
            context.RegisterOperationBlockAction(blockContext =>
            {
                foreach (var block in blockContext.OperationBlocks)
                {
                    // Field and property initializers are short; `= new()` names no type, so they are always looked at.
                    if (blockContext.OwningSymbol is IFieldSymbol or IPropertySymbol || ChannelFacts.MentionsChannelMethod(block.Syntax) || MentionsChannelType(block.Syntax))
                    {
                        flow.Add(block, blockContext.OwningSymbol);
                    }
                }
            });
            context.RegisterSymbolAction(symbolContext => flow.AddMember(symbolContext.Symbol), SymbolKind.Field, SymbolKind.Property);
            context.RegisterCompilationEndAction(endContext =>
            {
                foreach (var read in flow.NeverCompletedReads())
                {
                    endContext.ReportDiagnostic(Diagnostic.Create(
                        RuleDescriptors.NeverCompleted,
                        read.Invocation.Syntax.GetLocation(),
                        Describe(read),
                        read.Display));
                }
            });
        }

        private static string Describe(ChannelOperation read) => read.MethodName switch
        {
            "ReadAllAsync" => "This await foreach over ReadAllAsync",
            "WaitToReadAsync" => "This WaitToReadAsync loop",
            _ => "This foreach over GetConsumingEnumerable",
        };

        private static bool MentionsChannelType(SyntaxNode node)
        {
            foreach (var token in node.DescendantTokens())
            {
                if (token.ValueText is "Channel" or "BlockingCollection" or "ChannelWriter" or "ChannelReader")
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The groups of variables one channel passes through, with what is known of each group.</summary>
        private sealed class ChannelGroups
        {
            private readonly KnownTypes _types;
            private readonly object _gate = new object();
            private readonly Dictionary<ISymbol, ISymbol> _parent = new Dictionary<ISymbol, ISymbol>(SymbolEqualityComparer.Default);
            private readonly HashSet<ISymbol> _created = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            private readonly HashSet<ISymbol> _completed = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            private readonly HashSet<ISymbol> _escaped = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            private readonly ConcurrentBag<ChannelOperation> _reads = new ConcurrentBag<ChannelOperation>();

            public ChannelGroups(KnownTypes types) => _types = types;

            /// <summary>Fields and properties the outside world can reach carry the channel out of sight.</summary>
            public void AddMember(ISymbol member)
            {
                var type = member.ValueType();
                if (IsWritingEnd(type) && IsVisibleOutside(member))
                {
                    lock (_gate)
                    {
                        _escaped.Add(member.OriginalDefinition);
                    }
                }
            }

            public void Add(IOperation block, ISymbol owner)
            {
                var created = new List<ISymbol>();
                var completed = new List<ISymbol>();
                var escaped = new List<ISymbol>();
                var links = new List<(ISymbol, ISymbol)>();

                foreach (var operation in block.DescendantsInSourceOrder())
                {
                    switch (operation)
                    {
                        case IInvocationOperation invocation:
                            if (ChannelOperation.TryGet(invocation, _types, out var channelOperation))
                            {
                                if (channelOperation.Root is { } root)
                                {
                                    if (channelOperation.Kind == ChannelOperationKind.Complete)
                                    {
                                        completed.Add(root);
                                    }
                                    else if (channelOperation.Kind == ChannelOperationKind.ReadToEnd && !StopsOnToken(channelOperation))
                                    {
                                        _reads.Add(channelOperation);
                                    }
                                }
                            }
                            else
                            {
                                AddArguments(invocation.TargetMethod, invocation.Arguments, escaped, links);
                                if (IsCreation(invocation) && AssignedTo(invocation) is { } target)
                                {
                                    created.Add(target);
                                }
                            }

                            break;
                        case IObjectCreationOperation creation:
                            if (creation.Constructor is { } constructor)
                            {
                                AddArguments(constructor, creation.Arguments, escaped, links);
                            }

                            if (_types.IsBlockingCollection(creation.Type) && AssignedTo(creation) is { } collection)
                            {
                                created.Add(collection);
                            }

                            break;
                        case IReturnOperation { ReturnedValue: { } returned } when IsWritingEnd(returned.WalkDownConversions().Type) || IsWritingEnd(returned.Type):
                            var returnedRoot = ChannelOperation.RootOf(returned, _types);
                            var function = EnclosingFunction.Of(operation, owner).Symbol;
                            if (returnedRoot is not null && function is not null)
                            {
                                if (function.MethodKind is MethodKind.AnonymousFunction or MethodKind.LocalFunction || IsVisibleOutside(function))
                                {
                                    escaped.Add(returnedRoot);
                                }
                                else
                                {
                                    links.Add((returnedRoot, Member(function)));
                                }
                            }

                            break;
                        case ISimpleAssignmentOperation assignment when IsAnyEnd(assignment.Target.Type):
                            Link(assignment.Target.TargetSymbol(), assignment.Value, links, escaped);
                            break;
                        case IVariableDeclaratorOperation declarator when IsAnyEnd(declarator.Symbol.Type) && (declarator.Initializer ?? declarator.GetVariableInitializer()) is { } initializer:
                            Link(declarator.Symbol, initializer.Value, links, escaped);
                            break;
                        case IFieldInitializerOperation fieldInitializer:
                            foreach (var field in fieldInitializer.InitializedFields)
                            {
                                if (IsAnyEnd(field.Type))
                                {
                                    Link(field.OriginalDefinition, fieldInitializer.Value, links, escaped);
                                }
                            }

                            break;
                        case IPropertyInitializerOperation propertyInitializer:
                            foreach (var property in propertyInitializer.InitializedProperties)
                            {
                                if (IsAnyEnd(property.Type))
                                {
                                    Link(property.OriginalDefinition, propertyInitializer.Value, links, escaped);
                                }
                            }

                            break;
                    }
                }

                // A property or method body that is a single expression returns it.
                if (owner is IMethodSymbol { MethodKind: MethodKind.PropertyGet } getter && block is IBlockOperation { Operations.Length: 1 } body
                    && body.Operations[0] is IReturnOperation { ReturnedValue: { } value } && ChannelOperation.RootOf(value, _types) is { } gotten)
                {
                    links.Add((gotten, Member(getter)));
                }

                lock (_gate)
                {
                    _created.UnionWith(created);
                    _completed.UnionWith(completed);
                    _escaped.UnionWith(escaped);
                    foreach (var (a, b) in links)
                    {
                        Union(a, b);
                    }
                }
            }

            public IEnumerable<ChannelOperation> NeverCompletedReads()
            {
                lock (_gate)
                {
                    var created = Groups(_created);
                    var spoiled = Groups(_completed.Concat(_escaped));

                    return _reads
                        .Where(r => r.Root is not null && created.Contains(Find(r.Root)) && !spoiled.Contains(Find(r.Root)))
                        .OrderBy(r => r.Invocation.Syntax.SyntaxTree.FilePath, System.StringComparer.Ordinal)
                        .ThenBy(r => r.Invocation.Syntax.SpanStart)
                        .ToList();
                }
            }

            private HashSet<ISymbol> Groups(IEnumerable<ISymbol> symbols) =>
                new HashSet<ISymbol>(symbols.Select(Find), SymbolEqualityComparer.Default);

            private void AddArguments(IMethodSymbol target, ImmutableArray<IArgumentOperation> arguments, List<ISymbol> escaped, List<(ISymbol, ISymbol)> links)
            {
                foreach (var argument in arguments)
                {
                    var value = argument.Value;
                    if (argument.IsImplicit && argument.ArgumentKind == ArgumentKind.DefaultValue)
                    {
                        continue;
                    }

                    var type = value.WalkDownConversions().Type;
                    if (!IsAnyEnd(type) && !IsAnyEnd(value.Type))
                    {
                        continue;
                    }

                    var root = ChannelOperation.RootOf(value, _types);
                    var parameter = argument.Parameter?.OriginalDefinition;
                    var hasSource = target.OriginalDefinition.Locations.Any(l => l.IsInSource) && !target.IsAbstract && !target.IsVirtual && !target.IsOverride && target.ContainingType.TypeKind != TypeKind.Interface;
                    if (parameter is not null && hasSource)
                    {
                        if (root is not null)
                        {
                            links.Add((root, parameter));
                        }
                        else
                        {
                            escaped.Add(parameter);
                        }
                    }
                    else if (root is not null && (IsWritingEnd(type) || IsWritingEnd(value.Type)))
                    {
                        escaped.Add(root);
                    }
                }
            }

            private void Link(ISymbol? target, IOperation value, List<(ISymbol, ISymbol)> links, List<ISymbol> escaped)
            {
                var inner = value.WalkDownConversions();
                if (inner is IInvocationOperation or IObjectCreationOperation)
                {
                    // Creations are recorded where they are seen; other calls of this compilation link through their returns.
                    if (target is not null && inner is IInvocationOperation call && !IsCreation(call))
                    {
                        if (call.TargetMethod.OriginalDefinition.Locations.Any(l => l.IsInSource))
                        {
                            links.Add((target, call.TargetMethod.OriginalDefinition));
                        }
                        else
                        {
                            escaped.Add(target); // made by code we cannot see
                        }
                    }

                    return;
                }

                var root = ChannelOperation.RootOf(value, _types);
                if (target is null)
                {
                    // Stored somewhere that is not a variable (an array slot, another object's member): out of sight.
                    if (root is not null && IsWritingEnd(inner.Type))
                    {
                        escaped.Add(root);
                    }

                    return;
                }

                if (root is not null)
                {
                    links.Add((target, root));
                }
                else if (inner is not (IDefaultValueOperation or ILiteralOperation))
                {
                    escaped.Add(target);
                }
            }

            private ISymbol? AssignedTo(IOperation creation)
            {
                var parent = creation.WalkUpConversions(out var child);
                switch (parent)
                {
                    case ISimpleAssignmentOperation assignment when ReferenceEquals(assignment.Value, child):
                        return assignment.Target.TargetSymbol();
                    case IVariableInitializerOperation initializer when initializer.Parent is IVariableDeclaratorOperation declarator:
                        return declarator.Symbol;
                    case IFieldInitializerOperation fieldInitializer when fieldInitializer.InitializedFields.Length == 1:
                        return fieldInitializer.InitializedFields[0].OriginalDefinition;
                    case IPropertyInitializerOperation propertyInitializer when propertyInitializer.InitializedProperties.Length == 1:
                        return propertyInitializer.InitializedProperties[0].OriginalDefinition;
                    case IReturnOperation:
                        return EnclosingFunction.Of(creation, null).Symbol is { MethodKind: not (MethodKind.AnonymousFunction or MethodKind.LocalFunction) } method ? Member(method) : null;
                    default:
                        return null;
                }
            }

            private bool IsCreation(IInvocationOperation invocation) =>
                invocation.TargetMethod.IsStatic
                && invocation.TargetMethod.Name.StartsWith("Create", System.StringComparison.Ordinal)
                && invocation.TargetMethod.ContainingType is { Name: "Channel" } container
                && container.ContainingNamespace?.ToDisplayString() == "System.Threading.Channels";

            /// <summary>The token given to the read (or checked by its loop) ends it; no completion is needed.</summary>
            private bool StopsOnToken(ChannelOperation read)
            {
                foreach (var argument in read.Invocation.Arguments)
                {
                    if (_types.IsCancellationToken(argument.Parameter?.Type) && !argument.IsImplicit
                        && argument.Value.WalkDownConversions() is not IDefaultValueOperation
                        && !(argument.Value.WalkDownConversions() is IPropertyReferenceOperation { Property.Name: "None" }))
                    {
                        return true;
                    }
                }

                // while (!token.IsCancellationRequested && await reader.WaitToReadAsync())
                var loop = read.Invocation.Parent;
                while (loop is not null and not ILoopOperation)
                {
                    loop = loop.Parent;
                }

                return loop is IWhileLoopOperation { Condition: { } condition }
                    && condition.DescendantsAndSelf().Any(o => o is IPropertyReferenceOperation { Property.Name: "IsCancellationRequested" });
            }

            private bool IsAnyEnd(ITypeSymbol? type) =>
                _types.IsChannel(type) || _types.IsChannelWriter(type) || _types.IsChannelReader(type) || _types.IsBlockingCollection(type);

            private bool IsWritingEnd(ITypeSymbol? type) =>
                _types.IsChannel(type) || _types.IsChannelWriter(type) || _types.IsBlockingCollection(type);

            private static bool IsVisibleOutside(ISymbol symbol)
            {
                for (var current = symbol; current is not null and not INamespaceSymbol; current = current.ContainingSymbol)
                {
                    if (current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal))
                    {
                        return false;
                    }
                }

                return true;
            }

            /// <summary>A getter stands for its property, so that `Writer => _channel.Writer` and uses of `Writer` meet.</summary>
            private static ISymbol Member(IMethodSymbol method) =>
                method.AssociatedSymbol is IPropertySymbol property ? property.OriginalDefinition : method.OriginalDefinition;

            private ISymbol Find(ISymbol symbol)
            {
                var current = symbol;
                while (_parent.TryGetValue(current, out var next) && !SymbolEqualityComparer.Default.Equals(next, current))
                {
                    current = next;
                }

                return current;
            }

            private void Union(ISymbol a, ISymbol b)
            {
                var rootA = Find(a);
                var rootB = Find(b);
                if (!SymbolEqualityComparer.Default.Equals(rootA, rootB))
                {
                    _parent[rootA] = rootB;
                }
            }
        }
    }
}
