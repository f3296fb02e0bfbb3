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
    /// CONC053: a ConcurrentDictionary GetOrAdd or AddOrUpdate factory that does something it must not do
    /// twice — I/O, starting work, creating a disposable object that is then dropped, blocking, changing
    /// other state — directly or in the methods of this compilation it calls (three calls deep). A
    /// dictionary of Lazy&lt;T&gt; values is the fix, so a factory that only creates a Lazy is fine.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class RepeatedFactoryAnalyzer : ConcurrencyAnalyzer
    {
        private const int MaxDepth = 3;

        /// <summary>Disposable types whose dropped instances hold nothing but memory (no handle, no timer, no connection).</summary>
        private static readonly ImmutableHashSet<string> s_harmlessDisposables = ImmutableHashSet.Create(
            "System.Threading.SemaphoreSlim",
            "System.Threading.ManualResetEventSlim",
            "System.Threading.CancellationTokenSource",
            "System.Threading.ReaderWriterLockSlim",
            "System.IO.MemoryStream",
            "System.IO.StringReader",
            "System.IO.StringWriter",
            "System.Threading.Tasks.Task");

        /// <summary>Types of the I/O namespaces that do no I/O.</summary>
        private static readonly ImmutableHashSet<string> s_pureIoTypes = ImmutableHashSet.Create(
            "System.IO.Path",
            "System.IO.MemoryStream",
            "System.IO.StringReader",
            "System.IO.StringWriter",
            "System.Net.IPAddress",
            "System.Net.WebUtility",
            "System.Net.Http.HttpRequestMessage",
            "System.Net.Http.StringContent");

        private static readonly string[] s_ioNamespaces =
        {
            "System.IO", "System.Net", "System.Data", "Microsoft.Data", "Microsoft.EntityFrameworkCore", "System.Diagnostics.Process",
        };

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(RuleDescriptors.RepeatedFactory);

        private protected override bool IsApplicable(KnownTypes types) => types.ConcurrentDictionaryOfT is not null;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
        {
            var bodies = new SourceBodies(context.Compilation);
            context.RegisterOperationAction(
                operationContext =>
                {
                    var invocation = (IInvocationOperation)operationContext.Operation;
                    if (invocation.TargetMethod.Name is not ("GetOrAdd" or "AddOrUpdate")
                        || !types.IsConcurrentDictionary(invocation.TargetMethod.ContainingType)
                        || invocation.TargetMethod.ContainingType.TypeArguments is not { Length: 2 } arguments
                        || types.IsLazy(arguments[1])
                        || HeldLocks.At(invocation, invocation.Root(), types).Any(l => l.IsExclusive))
                    {
                        // Under a lock, callers that race for one key take turns: the factory runs once.
                        return;
                    }

                    bodies.Remember(operationContext.Operation.SemanticModel!);
                    foreach (var argument in invocation.Arguments)
                    {
                        // A factory parameter (`Func<TKey, TValue>`), not a value that happens to be a delegate
                        // (`ConcurrentDictionary<string, Func<Task>>`), whose lambda never runs here.
                        if (argument.Parameter?.OriginalDefinition.Type.TypeKind != TypeKind.Delegate)
                        {
                            continue;
                        }

                        var factory = argument.Value.WalkDownConversions();
                        var visited = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
                        var effect = factory switch
                        {
                            IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda } => EffectOf(lambda.Body, types, bodies, visited, 0, operationContext.CancellationToken),
                            IAnonymousFunctionOperation lambda => EffectOf(lambda.Body, types, bodies, visited, 0, operationContext.CancellationToken),
                            IDelegateCreationOperation { Target: IMethodReferenceOperation reference } => EffectOfMethod(reference.Method, types, bodies, visited, 0, operationContext.CancellationToken),
                            _ => null,
                        };
                        effect ??= ChangesExistingValue(factory, argument, types);
                        if (effect is not null)
                        {
                            operationContext.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.RepeatedFactory, argument.Syntax.GetLocation(), invocation.TargetMethod.Name, effect));
                            return;
                        }
                    }
                },
                OperationKind.Invocation);
        }

        private static string? EffectOfMethod(IMethodSymbol method, KnownTypes types, SourceBodies bodies, HashSet<IMethodSymbol> visited, int depth, System.Threading.CancellationToken cancellationToken)
        {
            if (depth >= MaxDepth || !visited.Add(method.OriginalDefinition))
            {
                return null;
            }

            foreach (var body in bodies.Of(method.OriginalDefinition, cancellationToken))
            {
                if (EffectOf(body, types, bodies, visited, depth, cancellationToken) is { } effect)
                {
                    return effect;
                }
            }

            return null;
        }

        /// <summary>What a factory body does that must not happen twice, as a message phrase; null if nothing.</summary>
        private static string? EffectOf(IOperation body, KnownTypes types, SourceBodies bodies, HashSet<IMethodSymbol> visited, int depth, System.Threading.CancellationToken cancellationToken)
        {
            foreach (var operation in body.DescendantsInSameFunction())
            {
                switch (operation)
                {
                    case IObjectCreationOperation { Type: { } created } creation when types.IsDisposable(created) && !types.IsLazy(created)
                        && !s_harmlessDisposables.Contains(created.OriginalDefinition.ToDisplayString()) && !IsDisposedByUsing(creation):
                        return "creates a " + created.Name + ", which is disposable (the copies that lose are never disposed)";
                    case IInvocationOperation call:
                        if (Effect(call, types) is { } direct)
                        {
                            return direct;
                        }

                        if (call.TargetMethod.DeclaringSyntaxReferences.Length > 0
                            && !IsOnOwnObject(call)
                            && EffectOfMethod(call.TargetMethod, types, bodies, visited, depth + 1, cancellationToken) is { } nested)
                        {
                            return "calls '" + call.TargetMethod.Name + "', which " + nested;
                        }

                        break;
                    case IAssignmentOperation assignment when ChangedState(assignment.Target) is { } changed:
                        return "changes '" + changed + "'";
                    case IIncrementOrDecrementOperation step when ChangedState(step.Target) is { } stepped:
                        return "changes '" + stepped + "'";
                }
            }

            return null;
        }

        /// <summary>
        /// `AddOrUpdate(k, …, (_, list) => { list.Add(x); return list; })`: the update changes the stored value
        /// itself, outside the dictionary's locks, while other threads may read it or run the update too.
        /// </summary>
        private static string? ChangesExistingValue(IOperation factory, IArgumentOperation argument, KnownTypes types)
        {
            var lambda = factory switch
            {
                IDelegateCreationOperation { Target: IAnonymousFunctionOperation target } => target,
                IAnonymousFunctionOperation direct => direct,
                _ => null,
            };
            if (lambda is null || argument.Parameter?.Name != "updateValueFactory" || lambda.Symbol.Parameters.Length < 2)
            {
                return null;
            }

            var existing = lambda.Symbol.Parameters[1];
            foreach (var operation in lambda.Body.DescendantsInSameFunction())
            {
                var changed = operation switch
                {
                    // The result dropped: a mutable collection's Add, not an immutable one's, which returns the new list.
                    IInvocationOperation { Instance: IParameterReferenceOperation target, Parent: IExpressionStatementOperation } call
                        when WrittenLocationsNames.IsMutating(call.TargetMethod.Name) && types.IsMutableCollection(target.Type) => target,
                    IAssignmentOperation { Target: IMemberReferenceOperation { Instance: IParameterReferenceOperation target } } => target,
                    IIncrementOrDecrementOperation { Target: IMemberReferenceOperation { Instance: IParameterReferenceOperation target } } => target,
                    _ => null,
                };
                if (changed is not null && SymbolEqualityComparer.Default.Equals(changed.Parameter, existing))
                {
                    return "changes the existing value '" + existing.Name + "' in place (other threads can be reading it, or running the update on it too); return a new value instead";
                }
            }

            return null;
        }

        /// <summary>`new Builder().From(k)`, `builder.Add(k)` on a local: the callee changes an object the factory made, not shared state.</summary>
        private static bool IsOnOwnObject(IInvocationOperation call) =>
            call.Instance?.WalkDownConversions() is IObjectCreationOperation or ILocalReferenceOperation or IInvocationOperation or IParameterReferenceOperation;

        /// <summary>`using var h = new HMACSHA256(key);`: disposed by the factory itself.</summary>
        private static bool IsDisposedByUsing(IOperation creation)
        {
            for (var current = creation.Parent; current is not null; current = current.Parent)
            {
                switch (current)
                {
                    case IUsingOperation or IUsingDeclarationOperation:
                        return true;
                    case IVariableDeclaratorOperation or IVariableDeclarationOperation or IVariableInitializerOperation or IVariableDeclarationGroupOperation or IConversionOperation:
                        continue;
                    default:
                        return false;
                }
            }

            return false;
        }

        private static string? Effect(IInvocationOperation call, KnownTypes types)
        {
            var method = call.TargetMethod;
            var containing = method.ContainingType;
            var display = containing is null ? method.Name : containing.Name + "." + method.Name;
            if (ConcurrentEntryPoint.TryGet(call, types, out var entry) && entry.Kind != ConcurrencyKind.AsyncCall)
            {
                return "starts work (" + display + ")";
            }

            if (method.Name == "Sleep" && KnownTypes.Is(containing, types.Thread))
            {
                return "blocks its thread (Thread.Sleep)";
            }

            if (containing is not null && IsIo(containing))
            {
                return "does I/O (" + display + ")";
            }

            // Task.FromResult and friends only wrap a value.
            if (types.IsTaskLike(method.ReturnType) && !((KnownTypes.Is(containing, types.Task) || KnownTypes.Is(containing, types.ValueTask)) && method.Name.StartsWith("From", System.StringComparison.Ordinal)))
            {
                return "starts asynchronous work (" + display + ")";
            }

            // `Interlocked.Increment(ref _created)` and `_log.Add(…)`: changes to state outside the factory.
            if (KnownTypes.Is(containing, types.Interlocked) && call.Arguments.Length > 0 && ChangedState(call.Arguments[0].Value) is { } counter)
            {
                return "changes '" + counter + "'";
            }

            if (call.Instance is { } instance
                && WrittenLocationsNames.IsMutating(method.Name)
                && types.IsMutableCollection(instance.Type)
                && ChangedState(instance) is { } collection)
            {
                return "changes '" + collection + "'";
            }

            return null;
        }

        private static bool IsIo(INamedTypeSymbol type)
        {
            var name = type.OriginalDefinition.ToDisplayString();
            if (s_pureIoTypes.Contains(name))
            {
                return false;
            }

            var ns = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;
            return s_ioNamespaces.Any(n => ns == n || name == n || ns.StartsWith(n + ".", System.StringComparison.Ordinal) || name.StartsWith(n + ".", System.StringComparison.Ordinal));
        }

        /// <summary>
        /// A field or property of this object, a static, or one reached from them: state that outlives the
        /// factory call. The members of an object the factory creates itself (an initializer, a local) are not.
        /// </summary>
        private static string? ChangedState(IOperation target)
        {
            switch (target.WalkDownConversions())
            {
                case IMemberReferenceOperation member when member is IFieldReferenceOperation or IPropertyReferenceOperation:
                    if (member.Member.IsStatic || member.Instance is null)
                    {
                        return member.Member.Name;
                    }

                    var instance = member.Instance.WalkDownConversions();
                    if (instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance })
                    {
                        return member is IPropertyReferenceOperation { Property.IsIndexer: true } ? ChangedStateName(instance, member) : member.Member.Name;
                    }

                    return ChangedState(instance) is { } owner ? (member is IPropertyReferenceOperation { Property.IsIndexer: true } ? owner : owner + "." + member.Member.Name) : null;
                case IArrayElementReferenceOperation element:
                    return ChangedState(element.ArrayReference);
                default:
                    return null;
            }
        }

        private static string ChangedStateName(IOperation instance, IMemberReferenceOperation member) => "this[" + member.Syntax.ToString() + "]";
    }
}
