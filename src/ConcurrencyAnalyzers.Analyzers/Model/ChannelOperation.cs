using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    internal enum ChannelOperationKind
    {
        /// <summary>WriteAsync, TryWrite, WaitToWriteAsync; BlockingCollection Add and TryAdd.</summary>
        Write,

        /// <summary>Complete, TryComplete; BlockingCollection CompleteAdding.</summary>
        Complete,

        /// <summary>A read that ends only when the writer is completed: ReadAllAsync, a WaitToReadAsync loop, GetConsumingEnumerable.</summary>
        ReadToEnd,

        /// <summary>Any other read: ReadAsync, TryRead, Take, TryTake, a WaitToReadAsync outside a loop condition.</summary>
        Read,
    }

    /// <summary>
    /// One call on the writing or reading end of a System.Threading.Channels channel or a
    /// BlockingCollection&lt;T&gt;, with the variable the end comes from (<see cref="Root"/>): for
    /// `_events.Writer.TryWrite(e)` the root is the field `_events`; for `writer.Complete()` where
    /// `var writer = channel.Writer;` it is the local `channel`.
    /// </summary>
    internal sealed class ChannelOperation
    {
        private ChannelOperation(ChannelOperationKind kind, IInvocationOperation invocation, IOperation endpoint, ISymbol? root, ISymbol? instanceRoot, bool isBlockingCollection)
        {
            InstanceRoot = instanceRoot;
            Kind = kind;
            Invocation = invocation;
            Endpoint = endpoint;
            Root = root;
            IsBlockingCollection = isBlockingCollection;
        }

        public ChannelOperationKind Kind { get; }

        public IInvocationOperation Invocation { get; }

        /// <summary>The writer, reader or collection the call is made on, as written.</summary>
        public IOperation Endpoint { get; }

        /// <summary>The field, property, local or parameter the channel or collection comes from; null when it cannot be named.</summary>
        public ISymbol? Root { get; }

        /// <summary>For `stage.Output.Writer`, the local or parameter `stage`: the channel belongs to that object.</summary>
        public ISymbol? InstanceRoot { get; }

        public bool IsBlockingCollection { get; }

        public string MethodName => Invocation.TargetMethod.Name;

        /// <summary>Complete() and Channel writes throw when repeated or late; TryComplete does not.</summary>
        public bool IsThrowingCompletion => Kind == ChannelOperationKind.Complete && MethodName == "Complete";

        /// <summary>How messages name the end: the expression as written (`_events.Writer`).</summary>
        public string Display => Endpoint.Syntax.ToString();

        /// <summary>
        /// The cheap check before anything is bound: could a member whose text contains this identifier
        /// make a channel or BlockingCollection call?
        /// </summary>
        public static bool IsInterestingName(string name) => name is
            "WriteAsync" or "TryWrite" or "WaitToWriteAsync" or "Complete" or "TryComplete" or "CompleteAdding"
            or "Add" or "TryAdd" or "ReadAllAsync" or "WaitToReadAsync" or "GetConsumingEnumerable"
            or "ReadAsync" or "TryRead" or "Take" or "TryTake" or "Writer" or "Reader";

        public static bool TryGet(IInvocationOperation invocation, KnownTypes types, out ChannelOperation operation)
        {
            operation = null!;
            var method = invocation.TargetMethod;
            if (invocation.Instance is null || !IsInterestingName(method.Name))
            {
                return false;
            }

            var receiverType = method.ContainingType;
            ChannelOperationKind kind;
            bool blocking;
            if (types.IsChannelWriter(receiverType))
            {
                blocking = false;
                switch (method.Name)
                {
                    case "WriteAsync" or "TryWrite" or "WaitToWriteAsync":
                        kind = ChannelOperationKind.Write;
                        break;
                    case "Complete" or "TryComplete":
                        kind = ChannelOperationKind.Complete;
                        break;
                    default:
                        return false;
                }
            }
            else if (types.IsChannelReader(receiverType))
            {
                blocking = false;
                switch (method.Name)
                {
                    case "ReadAllAsync":
                        kind = ChannelOperationKind.ReadToEnd;
                        break;
                    case "WaitToReadAsync":
                        kind = IsLoopCondition(invocation) ? ChannelOperationKind.ReadToEnd : ChannelOperationKind.Read;
                        break;
                    case "ReadAsync" or "TryRead":
                        kind = ChannelOperationKind.Read;
                        break;
                    default:
                        return false;
                }
            }
            else if (types.IsBlockingCollection(receiverType))
            {
                blocking = true;
                switch (method.Name)
                {
                    case "Add" or "TryAdd":
                        kind = ChannelOperationKind.Write;
                        break;
                    case "CompleteAdding":
                        kind = ChannelOperationKind.Complete;
                        break;
                    case "GetConsumingEnumerable":
                        kind = ChannelOperationKind.ReadToEnd;
                        break;
                    case "Take" or "TryTake":
                        kind = ChannelOperationKind.Read;
                        break;
                    default:
                        return false;
                }
            }
            else
            {
                return false;
            }

            var root = RootOf(invocation.Instance, types, out var instanceRoot);
            operation = new ChannelOperation(kind, invocation, invocation.Instance, root, instanceRoot, blocking);
            return true;
        }

        /// <summary>
        /// The variable a channel end comes from: through `.Writer`/`.Reader` of a channel, through the
        /// implicit conversion of a channel to its writer or reader, through `?.`, and through locals that
        /// are assigned once where they are declared.
        /// </summary>
        public static ISymbol? RootOf(IOperation endpoint, KnownTypes types) => RootOf(endpoint, types, out _);

        /// <param name="endpoint">The channel, writer, reader or collection expression.</param>
        /// <param name="types">The compilation's types.</param>
        /// <param name="instanceRoot">
        /// For a member of another object held in a local or parameter (`stage.Output`), that local or
        /// parameter: each object has its own channel, so two ends are the same only with the same instance.
        /// </param>
        public static ISymbol? RootOf(IOperation endpoint, KnownTypes types, out ISymbol? instanceRoot)
        {
            instanceRoot = null;
            var current = endpoint;
            for (var depth = 0; depth < 8; depth++)
            {
                current = current.WalkDownConversions();
                switch (current)
                {
                    case IPropertyReferenceOperation { Property.Name: "Writer" or "Reader", Instance: { } instance } property
                        when types.IsChannel(property.Property.ContainingType):
                        current = instance;
                        continue;
                    case IConditionalAccessInstanceOperation conditionalInstance:
                        var access = conditionalInstance.Parent;
                        while (access is not null and not IConditionalAccessOperation)
                        {
                            access = access.Parent;
                        }

                        if (access is not IConditionalAccessOperation conditionalAccess)
                        {
                            return null;
                        }

                        current = conditionalAccess.Operation;
                        continue;
                    case ILocalReferenceOperation local:
                        var initializer = SingleInitializer(local);
                        if (initializer is null || initializer.WalkDownConversions() is IObjectCreationOperation or IInvocationOperation)
                        {
                            return local.Local;
                        }

                        current = initializer;
                        continue;
                    case IFieldReferenceOperation field:
                        instanceRoot = InstanceSymbol(field.Instance);
                        return field.Field.OriginalDefinition;
                    case IPropertyReferenceOperation { Arguments.Length: 0 } property:
                        instanceRoot = InstanceSymbol(property.Instance);
                        return property.Property.OriginalDefinition;
                    case IParameterReferenceOperation parameter:
                        return parameter.Parameter;
                    default:
                        return null;
                }
            }

            return null;
        }

        private static ISymbol? InstanceSymbol(IOperation? instance) => instance?.WalkDownConversions() switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            _ => null,
        };

        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IOperation, System.Collections.Generic.Dictionary<ILocalSymbol, IOperation?>> s_initializers =
            new System.Runtime.CompilerServices.ConditionalWeakTable<IOperation, System.Collections.Generic.Dictionary<ILocalSymbol, IOperation?>>();

        /// <summary>
        /// The value a local gets where it is declared, when that is the only assignment to it in its
        /// member; null otherwise. The member's locals are mapped in one walk, kept as long as its tree.
        /// </summary>
        public static IOperation? SingleInitializer(ILocalReferenceOperation reference)
        {
            IOperation top = reference;
            while (top.Parent is not null)
            {
                top = top.Parent;
            }

            var map = s_initializers.GetValue(top, MapInitializers);
            lock (map)
            {
                return map.TryGetValue(reference.Local, out var value) ? value : null;
            }
        }

        private static System.Collections.Generic.Dictionary<ILocalSymbol, IOperation?> MapInitializers(IOperation top)
        {
            var map = new System.Collections.Generic.Dictionary<ILocalSymbol, IOperation?>(SymbolEqualityComparer.Default);
            var reassigned = new System.Collections.Generic.HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
            foreach (var operation in top.Descendants())
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation declarator:
                        map[declarator.Symbol] = declarator.Initializer?.Value ?? declarator.GetVariableInitializer()?.Value;
                        break;
                    case ILocalReferenceOperation local when local.IsWriteTarget():
                        reassigned.Add(local.Local);
                        break;
                }
            }

            foreach (var local in reassigned)
            {
                map[local] = null;
            }

            return map;
        }

        /// <summary>The condition of a while or do loop, or part of it: `while (await reader.WaitToReadAsync())`.</summary>
        private static bool IsLoopCondition(IOperation operation)
        {
            for (var current = operation; current.Parent is not null; current = current.Parent)
            {
                if (current.Parent is IWhileLoopOperation loop)
                {
                    return ReferenceEquals(loop.Condition, current);
                }

                if (current.Parent is IBlockOperation or IExpressionStatementOperation or IAnonymousFunctionOperation)
                {
                    return false;
                }
            }

            return false;
        }

        /// <summary>
        /// Whether a write copes with a completed writer by itself: TryWrite's and WaitToWriteAsync's result
        /// is looked at, the write sits in a try whose catch takes ChannelClosedException (or
        /// InvalidOperationException for a BlockingCollection, or a base of them), or a BlockingCollection
        /// write is guarded by IsAddingCompleted.
        /// </summary>
        public bool HandlesCompletion(KnownTypes types)
        {
            if (Kind != ChannelOperationKind.Write)
            {
                return true;
            }

            if (!IsBlockingCollection && MethodName is "TryWrite" or "WaitToWriteAsync" && ResultIsUsed())
            {
                return true;
            }

            for (var current = Invocation.Parent; current is not null; current = current.Parent)
            {
                switch (current)
                {
                    case ITryOperation { Catches.Length: > 0 } tryOperation when Invocation.IsWithin(tryOperation.Body)
                        && tryOperation.Catches.Any(c => CatchesClosure(c.ExceptionType, types)):
                        return true;
                    case IConditionalOperation conditional when IsBlockingCollection
                        && conditional.Condition.Descendants().Prepend(conditional.Condition).Any(o => o is IPropertyReferenceOperation { Property.Name: "IsAddingCompleted" or "IsCompleted" }):
                        return true;
                    case IAnonymousFunctionOperation or ILocalFunctionOperation:
                        return false;
                }
            }

            return false;
        }

        private bool ResultIsUsed()
        {
            var parent = Invocation.WalkUpConversions(out var child);
            if (parent is IAwaitOperation awaited)
            {
                parent = awaited.WalkUpConversions(out child);
            }

            return parent is not (null or IExpressionStatementOperation)
                && !(parent is ISimpleAssignmentOperation { Target: IDiscardOperation } discard && ReferenceEquals(discard.Value, child));
        }

        private bool CatchesClosure(ITypeSymbol? caught, KnownTypes types)
        {
            if (caught is null)
            {
                return true;
            }

            var thrown = IsBlockingCollection
                ? types.Compilation.GetTypeByMetadataName("System.InvalidOperationException")
                : (ITypeSymbol?)types.ChannelClosedException;
            for (var current = thrown; current is not null; current = current.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(current, caught))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
