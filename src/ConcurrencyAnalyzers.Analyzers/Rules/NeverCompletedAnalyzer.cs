using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC042: a channel read to the end (ReadAllAsync, a WaitToReadAsync loop, GetConsumingEnumerable)
    /// without a token and without another way out of the loop, whose writer nothing in the
    /// compilation completes.
    /// <para>
    /// A whole-compilation fact, built once per compilation: every variable a channel passes through
    /// (fields, properties, locals, parameters of the methods it is handed to, what methods return) is put
    /// in one group with the variables it is assigned from. A group is reported only when everything about
    /// it is known: it holds the place the channel is created, and every use of its writing end is one
    /// the rule understands — any other use (a public member, an argument to a method without source, an
    /// array, a tuple, another channel) counts as code that may complete it.
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
            var groups = new ChannelGroups(types);
            context.RegisterOperationAction(
                operationContext => groups.Add(operationContext.Operation, operationContext.ContainingSymbol),
                OperationKind.Invocation,
                OperationKind.ObjectCreation,
                OperationKind.FieldReference,
                OperationKind.PropertyReference,
                OperationKind.LocalReference,
                OperationKind.ParameterReference);
            context.RegisterSymbolAction(symbolContext => groups.AddMember(symbolContext.Symbol), SymbolKind.Field, SymbolKind.Property);
            context.RegisterCompilationEndAction(endContext =>
            {
                foreach (var read in groups.NeverCompletedReads())
                {
                    endContext.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.NeverCompleted, read.Location, read.Description, read.Display));
                }
            });
        }

        private sealed class Read
        {
            public Read(Location location, ISymbol root, string description, string display)
            {
                Location = location;
                Root = root;
                Description = description;
                Display = display;
            }

            public Location Location { get; }

            public ISymbol Root { get; }

            public string Description { get; }

            public string Display { get; }
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
            private readonly List<Read> _reads = new List<Read>();

            public ChannelGroups(KnownTypes types) => _types = types;

            /// <summary>Fields and properties the outside world can reach carry the channel out of sight.</summary>
            public void AddMember(ISymbol member)
            {
                if (IsWritingEnd(member.ValueType()) && IsVisibleOutside(member))
                {
                    lock (_gate)
                    {
                        _escaped.Add(member.OriginalDefinition);
                    }
                }

                // record Pipe(ChannelWriter<int> Writer): the parameter initializes the property.
                if (member is IPropertySymbol property && property.ContainingType.IsRecord && IsAnyEnd(property.Type))
                {
                    foreach (var constructor in property.ContainingType.InstanceConstructors)
                    {
                        var parameter = constructor.Parameters.FirstOrDefault(p => p.Name == property.Name && SymbolEqualityComparer.Default.Equals(p.Type, property.Type));
                        if (parameter is not null && constructor.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is RecordDeclarationSyntax))
                        {
                            lock (_gate)
                            {
                                Union(parameter.OriginalDefinition, property.OriginalDefinition);
                            }
                        }
                    }
                }
            }

            public void Add(IOperation operation, ISymbol? owner)
            {
                switch (operation)
                {
                    case IInvocationOperation invocation:
                        AddInvocation(invocation, owner);
                        break;
                    case IObjectCreationOperation creation when _types.IsBlockingCollection(creation.Type):
                        if (AssignedTo(creation, owner) is { } collection)
                        {
                            lock (_gate)
                            {
                                _created.Add(collection);
                            }
                        }

                        break;
                    default:
                        AddReference(operation, owner);
                        break;
                }
            }

            private void AddInvocation(IInvocationOperation invocation, ISymbol? owner)
            {
                if (ChannelOperation.TryGet(invocation, _types, out var channelOperation))
                {
                    if (channelOperation.Root is not { } root)
                    {
                        return;
                    }

                    if (channelOperation.Kind == ChannelOperationKind.Complete)
                    {
                        lock (_gate)
                        {
                            _completed.Add(root);
                        }
                    }
                    else if (channelOperation.Kind == ChannelOperationKind.ReadToEnd && IsConsumedToTheEnd(channelOperation))
                    {
                        var read = new Read(invocation.Syntax.GetLocation(), root, Describe(channelOperation), channelOperation.Display);
                        lock (_gate)
                        {
                            _reads.Add(read);
                        }
                    }

                    return;
                }

                if (IsCreation(invocation) && AssignedTo(invocation, owner) is { } created)
                {
                    lock (_gate)
                    {
                        _created.Add(created);
                    }
                }
            }

            /// <summary>
            /// A reference to a variable that holds a channel or a writing end: the uses the rule
            /// understands link it to other variables; any other use lets it escape.
            /// </summary>
            private void AddReference(IOperation reference, ISymbol? owner)
            {
                if (!IsAnyEnd(reference.Type) || reference.TargetSymbol() is not { } symbol)
                {
                    return;
                }

                // `x.Field` of another object: the member's own reference is handled by the walk below; the instance is not a channel.
                IOperation value = reference;
                var parent = value.WalkUpConversions(out var child);
                while (parent is IPropertyReferenceOperation { Property.Name: "Writer" or "Reader" } end && ReferenceEquals(end.Instance, child) && _types.IsChannel(end.Property.ContainingType))
                {
                    value = end;
                    parent = value.WalkUpConversions(out child);
                }

                // Where a reading end goes links variables to their channel, but reading never completes it.
                var reading = !IsWritingEnd(value.Type) && !IsWritingEnd(child.Type);

                var root = ChannelOperation.RootOf(value, _types);
                if (root is null)
                {
                    return;
                }

                var links = new List<(ISymbol, ISymbol)>();
                var escapes = false;
                switch (parent)
                {
                    case IInvocationOperation call when ReferenceEquals(call.Instance, child):
                    case IPropertyReferenceOperation member when ReferenceEquals(member.Instance, child):
                        // A method or property of the writer, channel or collection itself (Complete, Count, Dispose): understood.
                        break;
                    case IConditionalAccessOperation access when ReferenceEquals(access.Operation, child):
                        break;
                    case IArgumentOperation argument when argument.Parent is IInvocationOperation or IObjectCreationOperation:
                        var target = argument.Parent is IInvocationOperation invoked ? invoked.TargetMethod : ((IObjectCreationOperation)argument.Parent).Constructor;
                        if (target is not null && argument.Parameter is { } parameter && HasSource(target))
                        {
                            links.Add((root, parameter.OriginalDefinition));
                        }
                        else
                        {
                            escapes = true;
                        }

                        break;
                    case ISimpleAssignmentOperation assignment when ReferenceEquals(assignment.Value, child):
                        if (assignment.Target.TargetSymbol() is { } assigned && IsAnyEnd(assigned.ValueType()))
                        {
                            links.Add((root, assigned));
                        }
                        else
                        {
                            escapes = true;
                        }

                        break;
                    case ISimpleAssignmentOperation assignment when ReferenceEquals(assignment.Target, child):
                        // A new value for the variable: recorded where the value is seen.
                        break;
                    case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator }:
                        links.Add((root, declarator.Symbol));
                        break;
                    case IFieldInitializerOperation fieldInitializer:
                        foreach (var field in fieldInitializer.InitializedFields)
                        {
                            links.Add((root, field.OriginalDefinition));
                        }

                        break;
                    case IPropertyInitializerOperation propertyInitializer:
                        foreach (var property in propertyInitializer.InitializedProperties)
                        {
                            links.Add((root, property.OriginalDefinition));
                        }

                        break;
                    case IReturnOperation:
                        var function = EnclosingFunction.Of(reference, owner).Symbol;
                        if (function is null || function.MethodKind is MethodKind.AnonymousFunction or MethodKind.LocalFunction || IsVisibleOutside(function) || IsReachedThroughAnotherSymbol(function))
                        {
                            escapes = true;
                        }
                        else
                        {
                            links.Add((root, Member(function)));
                        }

                        break;
                    case ICoalesceOperation or IConditionalOperation or IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } or IIsPatternOperation:
                        // `writer ?? throw …`, `x ? a : b`, null checks: the value flows on or is only compared.
                        if (parent is ICoalesceOperation or IConditionalOperation)
                        {
                            var outer = parent.WalkUpConversions(out _);
                            if (outer is ISimpleAssignmentOperation { Target: var outerTarget } && outerTarget.TargetSymbol() is { } flowsTo)
                            {
                                links.Add((root, flowsTo));
                            }
                            else if (outer is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation outerDeclarator })
                            {
                                links.Add((root, outerDeclarator.Symbol));
                            }
                            else
                            {
                                escapes = true;
                            }
                        }

                        break;
                    case IExpressionStatementOperation or INameOfOperation or null:
                        break;
                    default:
                        escapes = true; // an array, a tuple, another channel, an interpolation, a lambda's return…
                        break;
                }

                lock (_gate)
                {
                    foreach (var (a, b) in links)
                    {
                        Union(a, b);
                    }

                    if (escapes && !reading)
                    {
                        _escaped.Add(root);
                    }
                }
            }

            public IEnumerable<Read> NeverCompletedReads()
            {
                lock (_gate)
                {
                    var created = Groups(_created);
                    var spoiled = Groups(_completed.Concat(_escaped));
                    return _reads
                        .Where(r => created.Contains(Find(r.Root)) && !spoiled.Contains(Find(r.Root)))
                        .OrderBy(r => r.Location.SourceTree?.FilePath, System.StringComparer.Ordinal)
                        .ThenBy(r => r.Location.SourceSpan.Start)
                        .ToList();
                }
            }

            private static string Describe(ChannelOperation read) => read.MethodName switch
            {
                "ReadAllAsync" => "This await foreach over ReadAllAsync",
                "WaitToReadAsync" => "This WaitToReadAsync loop",
                _ => "This foreach over GetConsumingEnumerable",
            };

            private HashSet<ISymbol> Groups(IEnumerable<ISymbol> symbols) =>
                new HashSet<ISymbol>(symbols.Select(Find), SymbolEqualityComparer.Default);

            /// <summary>
            /// The read really waits for the end: it is the collection of a foreach in the same function (or
            /// of Parallel.ForEach), no token stops it, and its loop has no other way out.
            /// </summary>
            private bool IsConsumedToTheEnd(ChannelOperation read)
            {
                if (HasToken(read.Invocation))
                {
                    return false;
                }

                ILoopOperation? loop;
                if (read.MethodName == "WaitToReadAsync")
                {
                    loop = Ancestor<ILoopOperation>(read.Invocation);
                    if (loop is IWhileLoopOperation { Condition: { } condition }
                        && condition.DescendantsAndSelf().Any(o => o is IPropertyReferenceOperation { Property.Name: "IsCancellationRequested" }))
                    {
                        return false;
                    }
                }
                else
                {
                    var consumer = read.Invocation.WalkUpConversions(out var child);

                    // ReadAllAsync().WithCancellation(token) / .ConfigureAwait(false)
                    while (consumer is IInvocationOperation { TargetMethod.Name: "WithCancellation" or "ConfigureAwait" } wrapper && ReferenceEquals(wrapper.Instance?.WalkDownConversions(), child.WalkDownConversions()))
                    {
                        if (wrapper.TargetMethod.Name == "WithCancellation" && HasToken(wrapper))
                        {
                            return false;
                        }

                        consumer = wrapper.WalkUpConversions(out child);
                    }

                    if (consumer is IArgumentOperation { Parent: IInvocationOperation { TargetMethod.Name: "ForEach" } parallel } && KnownTypes.Is(parallel.TargetMethod.ContainingType, _types.Parallel))
                    {
                        return true;
                    }

                    loop = consumer as IForEachLoopOperation;
                    if (loop is null)
                    {
                        return false; // returned, passed on, or cut short with Take/First
                    }
                }

                return loop is not null && !LeavesEarly(loop);
            }

            /// <summary>A break, return, throw or goto that leaves the loop: it ends on a sentinel, not on completion.</summary>
            private static bool LeavesEarly(ILoopOperation loop)
            {
                foreach (var node in loop.Body.Syntax.DescendantNodesAndSelf(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
                {
                    switch (node)
                    {
                        case ReturnStatementSyntax or ThrowStatementSyntax or GotoStatementSyntax or YieldStatementSyntax { RawKind: (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.YieldBreakStatement }:
                            return true;
                        case BreakStatementSyntax brk when brk.Ancestors().TakeWhile(a => a != loop.Syntax).All(a => a is not (WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or CommonForEachStatementSyntax or SwitchStatementSyntax)):
                            return true;
                    }
                }

                return false;
            }

            private bool HasToken(IInvocationOperation invocation) =>
                invocation.Arguments.Any(argument =>
                    _types.IsCancellationToken(argument.Parameter?.Type) && !argument.IsImplicit
                    && argument.Value.WalkDownConversions() is not IDefaultValueOperation
                    && argument.Value.WalkDownConversions() is not IPropertyReferenceOperation { Property.Name: "None" });

            private static T? Ancestor<T>(IOperation operation)
                where T : class, IOperation
            {
                for (var current = operation.Parent; current is not null; current = current.Parent)
                {
                    if (current is T found)
                    {
                        return found;
                    }

                    if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                    {
                        return null;
                    }
                }

                return null;
            }

            private static ISymbol? AssignedTo(IOperation creation, ISymbol? owner)
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
                        return EnclosingFunction.Of(creation, owner).Symbol is { MethodKind: not (MethodKind.AnonymousFunction or MethodKind.LocalFunction) } method && !IsVisibleOutside(method) ? Member(method) : null;
                    default:
                        return null;
                }
            }

            private static bool IsCreation(IInvocationOperation invocation) =>
                invocation.TargetMethod.IsStatic
                && invocation.TargetMethod.Name.StartsWith("Create", System.StringComparison.Ordinal)
                && invocation.TargetMethod.ContainingType is { Name: "Channel" } container
                && container.ContainingNamespace?.ToDisplayString() == "System.Threading.Channels";

            /// <summary>A method whose body this compilation has and that no override can replace.</summary>
            private static bool HasSource(IMethodSymbol method) =>
                method.OriginalDefinition.Locations.Any(l => l.IsInSource)
                && !method.IsAbstract && !method.IsVirtual && !method.IsOverride && !method.IsExtern
                && method.ContainingType.TypeKind != TypeKind.Interface;

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

            /// <summary>An override or an interface implementation: callers reach it through the base or interface member, which the groups do not follow.</summary>
            private static bool IsReachedThroughAnotherSymbol(IMethodSymbol method)
            {
                ISymbol member = method.AssociatedSymbol ?? method;
                if (method.IsOverride || method.ExplicitInterfaceImplementations.Length > 0
                    || (member is IPropertySymbol { IsOverride: true } or IPropertySymbol { ExplicitInterfaceImplementations.Length: > 0 }))
                {
                    return true;
                }

                foreach (var face in method.ContainingType.AllInterfaces)
                {
                    foreach (var candidate in face.GetMembers(member.Name))
                    {
                        if (SymbolEqualityComparer.Default.Equals(method.ContainingType.FindImplementationForInterfaceMember(candidate), member))
                        {
                            return true;
                        }
                    }
                }

                return false;
            }

            /// <summary>A getter stands for its property, so that `Writer => _channel.Writer` and uses of `Writer` meet.</summary>
            private static ISymbol Member(IMethodSymbol method) =>
                method.AssociatedSymbol is IPropertySymbol property ? property.OriginalDefinition : method.OriginalDefinition;

            private ISymbol Find(ISymbol symbol)
            {
                var root = symbol;
                while (_parent.TryGetValue(root, out var next) && !SymbolEqualityComparer.Default.Equals(next, root))
                {
                    root = next;
                }

                // Path compression: later finds of the same symbols are one step.
                var current = symbol;
                while (_parent.TryGetValue(current, out var next) && !SymbolEqualityComparer.Default.Equals(next, root))
                {
                    _parent[current] = root;
                    current = next;
                }

                return root;
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
