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

        /// <summary>Whether some argument of the call is a CancellationToken the caller wrote (None and default included).</summary>
        public static bool PassesToken(IInvocationOperation invocation, KnownTypes types)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.ArgumentKind != ArgumentKind.DefaultValue && KnownTypes.Is(argument.Parameter?.Type, types.CancellationToken))
                {
                    return true;
                }
            }

            return false;
        }

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
        public static bool TryFind(IInvocationOperation invocation, KnownTypes types, out TokenAcceptance acceptance)
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

            var overload = FindOverload(method, token, invocation.SemanticModel?.Compilation);
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

        private static IMethodSymbol? FindOverload(IMethodSymbol method, INamedTypeSymbol token, Compilation? compilation)
        {
            var original = method.OriginalDefinition;
            for (var type = original.ContainingType; type is not null; type = type.BaseType)
            {
                foreach (var member in type.GetMembers(original.Name))
                {
                    if (member is IMethodSymbol candidate
                        && !SymbolEqualityComparer.Default.Equals(candidate, original)
                        && candidate.IsStatic == original.IsStatic
                        && candidate.Arity == original.Arity
                        && candidate.Parameters.Length == original.Parameters.Length + 1
                        && (compilation is null || compilation.IsSymbolAccessibleWithin(candidate, compilation.Assembly))
                        && !IsObsolete(candidate)
                        && MatchesWithOneMoreToken(original, candidate, token))
                    {
                        return candidate;
                    }
                }
            }

            return null;
        }

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

            if (SymbolEqualityComparer.Default.Equals(a.Type, b.Type))
            {
                return true;
            }

            // Method type parameters of two overloads are different symbols with the same shape.
            return a.Type.ToDisplayString() == b.Type.ToDisplayString();
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
