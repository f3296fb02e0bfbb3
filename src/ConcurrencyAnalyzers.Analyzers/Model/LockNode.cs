using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// A lock as the lock-order graph sees it, the same in every method and file: a field or property that
    /// holds lock objects (all instances of `Account._sync` are one node), a `typeof(T)`, or the instances of
    /// a class of this compilation locked directly (`lock (this)`, `lock (account)`). Locks on locals and
    /// parameters of other types (`object`, a lock looked up in a dictionary) have no node: nothing says
    /// two of them are the same lock.
    /// </summary>
    internal sealed class LockNode : IEquatable<LockNode>
    {
        private LockNode(string key, string display, Location? declaration, bool isStatic)
        {
            Key = key;
            Display = display;
            Declaration = declaration;
            IsStatic = isStatic;
        }

        public string Key { get; }

        /// <summary>`Ledger._accounts`, `typeof(Registry)`, `Account instances`.</summary>
        public string Display { get; }

        /// <summary>Where the lock's variable or type is declared, to order nodes the same way on every run.</summary>
        public Location? Declaration { get; }

        /// <summary>One lock object for the whole program: a static field or a typeof.</summary>
        public bool IsStatic { get; }

        public static LockNode? Of(LockIdentity lockIdentity)
        {
            switch (lockIdentity.Symbol)
            {
                // A property of a framework type (ICollection.SyncRoot) is a different object for every instance
                // of every implementing type: no one node. A semaphore that is not created as a mutex
                // (`new SemaphoreSlim(1, 1)`) is a throttle or a signal, whose "holder" waits for nobody.
                case IPropertySymbol { IsStatic: false } frameworkProperty when frameworkProperty.Locations.All(l => !l.IsInSource):
                    return null;
                case IFieldSymbol when lockIdentity.Kind == LockKind.Semaphore && !IsCreatedAsMutex(lockIdentity.Symbol):
                    return null;
                case IFieldSymbol or IPropertySymbol:
                    var member = lockIdentity.Symbol.OriginalDefinition;
                    return new LockNode(
                        "M:" + member.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                        member.ContainingType.Name + "." + member.Name,
                        FirstSourceLocation(member),
                        member.IsStatic);
                case ILocalSymbol or IParameterSymbol:
                    return InstancesOf(lockIdentity.Symbol.ValueType());
                case null when lockIdentity.LockedValue is ITypeOfOperation { TypeOperand: var operand }:
                    return new LockNode("T:" + operand.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), lockIdentity.Display, FirstSourceLocation(operand), isStatic: true);
                case null when lockIdentity.LockedValue is IInstanceReferenceOperation instance:
                    return InstancesOf(instance.Type);
                default:
                    return null;
            }
        }

        /// <summary>`new SemaphoreSlim(1)` or `new SemaphoreSlim(1, 1)` in the field's declaration.</summary>
        private static bool IsCreatedAsMutex(ISymbol field) =>
            field.DeclaringSyntaxReferences.Length == 1
            && field.DeclaringSyntaxReferences[0].GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax { Initializer.Value: var value }
            && value.ChildNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.ArgumentListSyntax>().FirstOrDefault() is { Arguments.Count: > 0 } arguments
            && arguments.Arguments[0].Expression is Microsoft.CodeAnalysis.CSharp.Syntax.LiteralExpressionSyntax { Token.Value: 1 };

        /// <summary>Instances of a class declared in this compilation; `object`, strings and framework types are too general to be one lock.</summary>
        private static LockNode? InstancesOf(ITypeSymbol? type)
        {
            if (type is not INamedTypeSymbol { TypeKind: TypeKind.Class } named || named.SpecialType != SpecialType.None || named.Locations.IsEmpty || !named.Locations[0].IsInSource)
            {
                return null;
            }

            var original = named.OriginalDefinition;
            return new LockNode("I:" + original.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), original.Name + " instances", FirstSourceLocation(original), isStatic: false);
        }

        private static Location? FirstSourceLocation(ISymbol symbol)
        {
            foreach (var location in symbol.Locations)
            {
                if (location.IsInSource)
                {
                    return location;
                }
            }

            return null;
        }

        /// <summary>
        /// Which object of the node a lock is taken on, as seen where it is taken: `this`, a local, parameter
        /// or field holding the object, "static" for a static lock, null when the code does not say.
        /// </summary>
        public static string? ReceiverOf(LockIdentity lockIdentity)
        {
            if (lockIdentity.Symbol is { IsStatic: true } || lockIdentity.Display.StartsWith("typeof(", StringComparison.Ordinal))
            {
                return Static;
            }

            var value = lockIdentity.LockedValue;
            return value switch
            {
                IFieldReferenceOperation field => ReceiverKey(field.Instance),
                IPropertyReferenceOperation property => ReceiverKey(property.Instance),
                _ => ReceiverKey(value),
            };
        }

        public const string Static = "static";

        public const string This = "this";

        /// <summary>The receiver key of an expression that names an object.</summary>
        public static string? ReceiverKey(IOperation? instance) => instance?.WalkDownConversions() switch
        {
            null => This,
            IInstanceReferenceOperation => This,
            ILocalReferenceOperation local => "local:" + local.Local.Name + "@" + (local.Local.Locations.IsEmpty ? 0 : local.Local.Locations[0].SourceSpan.Start),
            IParameterReferenceOperation parameter => "parameter:" + parameter.Parameter.Name,
            IFieldReferenceOperation { Instance: null or IInstanceReferenceOperation } field => "field:" + field.Field.Name,
            _ => null,
        };

        public bool Equals(LockNode? other) => other is not null && Key == other.Key;

        public override bool Equals(object? obj) => Equals(obj as LockNode);

        public override int GetHashCode() => Key.GetHashCode();

        public override string ToString() => Display;
    }
}
