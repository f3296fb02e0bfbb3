using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// Where a call could be given a cancellation token it was not given: an optional CancellationToken
    /// parameter left at its default, or an overload of the same method that takes one more parameter,
    /// a CancellationToken (Task.Delay(int) and Task.Delay(int, CancellationToken)).
    /// </summary>
    internal readonly struct TokenAcceptance
    {
        private TokenAcceptance(IMethodSymbol method, IParameterSymbol parameter, bool isOverload)
        {
            Method = method;
            Parameter = parameter;
            IsOverload = isOverload;
        }

        /// <summary>The method that takes the token: the called one, or its overload.</summary>
        public IMethodSymbol Method { get; }

        /// <summary>The CancellationToken parameter of <see cref="Method"/>.</summary>
        public IParameterSymbol Parameter { get; }

        /// <summary>The token goes to another overload rather than to an omitted optional parameter.</summary>
        public bool IsOverload { get; }

        /// <summary>A token that can actually be cancelled: not CancellationToken.None and not default.</summary>
        public static bool IsCancellable(IOperation value)
        {
            var inner = value.WalkDownConversions();
            return inner switch
            {
                IPropertyReferenceOperation { Property.Name: "None", Property.IsStatic: true } => false,
                IDefaultValueOperation => false,
                IObjectCreationOperation { Arguments.Length: 0 } => false,
                _ => true,
            };
        }

        /// <summary>The token slot of a call made without a token, or false if it has none or already gets one.</summary>
        /// <summary>The token overloads found so far in a compilation, by method and whether the call is awaited.</summary>
        internal sealed class OverloadCache
        {
            private readonly System.Collections.Concurrent.ConcurrentDictionary<(IMethodSymbol, bool), IMethodSymbol?> _overloads =
                new System.Collections.Concurrent.ConcurrentDictionary<(IMethodSymbol, bool), IMethodSymbol?>(new KeyComparer());

            public IMethodSymbol? GetOrFind(IMethodSymbol method, bool awaited, System.Func<IMethodSymbol?> find)
            {
                var key = (method.OriginalDefinition, awaited);
                if (_overloads.TryGetValue(key, out var found))
                {
                    return found;
                }

                found = find();
                _overloads.TryAdd(key, found);
                return found;
            }

            private sealed class KeyComparer : IEqualityComparer<(IMethodSymbol Method, bool Awaited)>
            {
                public bool Equals((IMethodSymbol Method, bool Awaited) x, (IMethodSymbol Method, bool Awaited) y) =>
                    x.Awaited == y.Awaited && SymbolEqualityComparer.Default.Equals(x.Method, y.Method);

                public int GetHashCode((IMethodSymbol Method, bool Awaited) obj) =>
                    (SymbolEqualityComparer.Default.GetHashCode(obj.Method) * 2) + (obj.Awaited ? 1 : 0);
            }
        }

        public static bool TryFind(IInvocationOperation invocation, KnownTypes types, out TokenAcceptance acceptance) =>
            TryFind(invocation, types, null, out acceptance);

        /// <param name="cache">Remembers overload searches across the calls of a compilation; null to search every time.</param>
        public static bool TryFind(IInvocationOperation invocation, KnownTypes types, OverloadCache? cache, out TokenAcceptance acceptance)
        {
            acceptance = default;
            var token = types.CancellationToken;
            if (token is null)
            {
                return false;
            }

            var method = invocation.TargetMethod;
            IParameterSymbol? omitted = null;
            foreach (var argument in invocation.Arguments)
            {
                if (!KnownTypes.Is(argument.Parameter?.Type, token))
                {
                    continue;
                }

                if (argument.ArgumentKind != ArgumentKind.DefaultValue)
                {
                    return false;
                }

                omitted = argument.Parameter;
            }

            if (omitted is not null)
            {
                acceptance = new TokenAcceptance(method, omitted, isOverload: false);
                return true;
            }

            foreach (var parameter in method.Parameters)
            {
                if (KnownTypes.Is(parameter.Type, token))
                {
                    return false;
                }
            }

            // Only a direct await (ConfigureAwait included) can take a ValueTask for a Task: `.Wait()` and
            // `.Result` on a plain ValueTask do not exist.
            var awaited = invocation.IsAwaitedOnTheSpot();
            var compilation = invocation.SemanticModel?.Compilation;
            var overload = cache is null
                ? FindOverload(method, types, compilation, awaited)
                : cache.GetOrFind(method, awaited, () => FindOverload(method, types, compilation, awaited));
            if (overload is null)
            {
                return false;
            }

            foreach (var parameter in overload.Parameters)
            {
                if (KnownTypes.Is(parameter.Type, token))
                {
                    acceptance = new TokenAcceptance(overload, parameter, isOverload: true);
                    return true;
                }
            }

            return false;
        }

        /// <param name="awaited">
        /// The call is awaited where it is made, so an overload that returns another awaitable
        /// of the same result (ValueTask&lt;T&gt; for Task&lt;T&gt;) still fits; otherwise the return type must be the same.
        /// </param>
        private static IMethodSymbol? FindOverload(IMethodSymbol method, KnownTypes types, Compilation? compilation, bool awaited)
        {
            var token = types.CancellationToken!;
            var original = method.OriginalDefinition;
            for (var type = original.ContainingType; type is not null; type = type.BaseType)
            {
                foreach (var member in type.GetMembers(original.Name))
                {
                    // Cheap shape checks first; accessibility and attributes only for a match.
                    if (member is IMethodSymbol candidate
                        && candidate.Parameters.Length == original.Parameters.Length + 1
                        && candidate.IsStatic == original.IsStatic
                        && candidate.Arity == original.Arity
                        && !SymbolEqualityComparer.Default.Equals(candidate, original)
                        && MatchesWithOneMoreToken(original, candidate, token)
                        && SameResult(original, candidate, awaited, types)
                        && (compilation is null || compilation.IsSymbolAccessibleWithin(candidate, compilation.Assembly))
                        && !IsObsolete(candidate))
                    {
                        return candidate;
                    }
                }
            }

            return null;
        }

        private static bool SameResult(IMethodSymbol method, IMethodSymbol candidate, bool awaited, KnownTypes types)
        {
            if (SameType(method.ReturnType, candidate.ReturnType))
            {
                return true;
            }

            // Task<T> and ValueTask<T> (or Task and ValueTask) await to the same thing.
            if (!awaited
                || method.ReturnType is not INamedTypeSymbol returned
                || candidate.ReturnType is not INamedTypeSymbol other
                || !IsTaskOrValueTask(returned, types) || !IsTaskOrValueTask(other, types)
                || returned.TypeArguments.Length != other.TypeArguments.Length)
            {
                return false;
            }

            for (var i = 0; i < returned.TypeArguments.Length; i++)
            {
                if (!SameType(returned.TypeArguments[i], other.TypeArguments[i]))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsTaskOrValueTask(INamedTypeSymbol type, KnownTypes types)
        {
            var original = type.OriginalDefinition;
            return KnownTypes.Is(original, types.Task) || KnownTypes.Is(original, types.TaskOfT) || KnownTypes.Is(original, types.ValueTask) || KnownTypes.Is(original, types.ValueTaskOfT);
        }

        private static bool SameType(ITypeSymbol a, ITypeSymbol b) =>
            SymbolEqualityComparer.Default.Equals(a, b) || a.ToDisplayString() == b.ToDisplayString();

        /// <summary>The candidate's parameters are the method's in order, with one CancellationToken inserted.</summary>
        private static bool MatchesWithOneMoreToken(IMethodSymbol method, IMethodSymbol candidate, INamedTypeSymbol token)
        {
            var skipped = false;
            var i = 0;
            foreach (var parameter in candidate.Parameters)
            {
                if (!skipped && KnownTypes.Is(parameter.Type, token) && (i == method.Parameters.Length || !KnownTypes.Is(method.Parameters[i].Type, token)))
                {
                    skipped = true;
                    continue;
                }

                if (i >= method.Parameters.Length || !SameParameter(method.Parameters[i], parameter))
                {
                    return false;
                }

                i++;
            }

            return skipped;
        }

        private static bool SameParameter(IParameterSymbol a, IParameterSymbol b)
        {
            if (a.RefKind != b.RefKind || a.IsParams != b.IsParams)
            {
                return false;
            }

            // Method type parameters of two overloads are different symbols with the same shape.
            return SameType(a.Type, b.Type);
        }

        private static bool IsObsolete(ISymbol symbol)
        {
            foreach (var attribute in symbol.GetAttributes())
            {
                if (attribute.AttributeClass is { Name: "ObsoleteAttribute" })
                {
                    return true;
                }
            }

            return false;
        }
    }
}
