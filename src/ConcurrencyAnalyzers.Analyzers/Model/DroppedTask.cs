using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// A call that starts work and drops the task it returns: `Task.Run(...);`, `_ = Task.Factory.StartNew(...)`,
    /// `_ = PumpAsync()` for a task-returning method of this compilation. Library methods that return a
    /// task (`writer.WriteAsync(x)`) are not counted: dropping their task is often deliberate and they do
    /// not start work of this code's own.
    /// </summary>
    internal static class DroppedTask
    {
        /// <summary>The call's task is dropped and the call is one that starts work.</summary>
        public static bool IsDroppedStart(IInvocationOperation invocation, KnownTypes types, out string description)
        {
            description = string.Empty;
            if (!IsDropped(invocation))
            {
                return false;
            }

            var method = invocation.TargetMethod;
            var containing = method.ContainingType?.OriginalDefinition;
            if (method.Name == "Run" && KnownTypes.Is(containing, types.Task))
            {
                description = "Task.Run work";
                return true;
            }

            if (method.Name == "StartNew" && (KnownTypes.Is(containing, types.TaskFactory) || KnownTypes.Is(containing, types.TaskFactoryOfT)))
            {
                description = "StartNew work";
                return true;
            }

            if (types.IsTaskLike(method.ReturnType) && IsInSource(method))
            {
                description = "'" + method.Name + "'";
                return true;
            }

            return false;
        }

        /// <summary>An expression statement or a discard assignment (`_ = call`) that is its own statement.</summary>
        public static bool IsDropped(IOperation call)
        {
            var parent = call.WalkUpConversions(out var child);
            if (parent is IExpressionStatementOperation)
            {
                return true;
            }

            return parent is ISimpleAssignmentOperation { Target: IDiscardOperation } discard
                && ReferenceEquals(discard.Value, child)
                && discard.WalkUpConversions(out _) is IExpressionStatementOperation;
        }

        /// <summary>
        /// The started work can be stopped, or is deliberately not: a token (CancellationToken.None included) or
        /// a CancellationTokenSource is passed to the call, or the delegate it starts uses one, or the method
        /// it calls reads a token field of its type.
        /// </summary>
        public static bool ReceivesToken(IInvocationOperation invocation, KnownTypes types)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.ArgumentKind == ArgumentKind.DefaultValue)
                {
                    continue;
                }

                // CancellationToken.None or default written out says the work is not to be cancelled, on purpose;
                // so does a hosted service's StartAsync token (work that should give up only if starting does).
                var type = argument.Value.WalkDownConversions().Type;
                if (KnownTypes.Is(type, types.CancellationToken) || KnownTypes.Is(argument.Parameter?.Type, types.CancellationToken))
                {
                    return true;
                }

                if (KnownTypes.Is(type, types.CancellationTokenSource))
                {
                    return true;
                }

                if (argument.Value.WalkDownConversions() is IDelegateCreationOperation creation)
                {
                    switch (creation.Target)
                    {
                        case IAnonymousFunctionOperation lambda when UsesToken(lambda.Body, types):
                            return true;
                        case IMethodReferenceOperation reference when BodyNamesToken(reference.Method, types):
                            return true;
                    }
                }
            }

            // A method of this compilation that reads a token field of its type (`_stopping.Token`) can be stopped.
            return BodyNamesToken(invocation.TargetMethod, types);
        }

        /// <summary>
        /// Whether a source method's body names a token or source the method can reach without a parameter:
        /// a CancellationToken or CancellationTokenSource field or property of its type. A look at the
        /// syntax only, so that a call does not bind another file.
        /// </summary>
        private static bool BodyNamesToken(IMethodSymbol method, KnownTypes types)
        {
            var original = method.OriginalDefinition;
            if (original.DeclaringSyntaxReferences.Length == 0)
            {
                return false;
            }

            var names = new System.Collections.Generic.HashSet<string>(CancellationTokenScope.MemberNames(original.ContainingType, types, withSources: true), System.StringComparer.Ordinal);

            if (names.Count == 0)
            {
                return false;
            }

            foreach (var reference in original.DeclaringSyntaxReferences)
            {
                foreach (var token in reference.GetSyntax().DescendantTokens())
                {
                    if (token.RawKind == (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken && names.Contains(token.ValueText))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        /// <summary>
        /// Whether <paramref name="token"/>, the token a fix would pass at <paramref name="call"/>, is the token
        /// parameter of a hosted service's StartAsync (IHostedService.StartAsync or an override of
        /// BackgroundService's). The host cancels it only when starting is abandoned, never at stop, so it
        /// would not stop work that outlives StartAsync; a fix must not offer it as the way to stop that work.
        /// </summary>
        public static bool IsStartupToken(string token, IOperation call)
        {
            for (var current = call.SemanticModel?.GetEnclosingSymbol(call.Syntax.SpanStart); current is not null; current = current.ContainingSymbol)
            {
                if (current is IMethodSymbol { MethodKind: not (MethodKind.AnonymousFunction or MethodKind.LocalFunction) } method)
                {
                    foreach (var parameter in method.Parameters)
                    {
                        if (parameter.Name == token && IsStartAsyncParameter(parameter))
                        {
                            return true;
                        }
                    }

                    return false;
                }
            }

            return false;
        }

        private static bool IsStartAsyncParameter(IParameterSymbol parameter)
        {
            if (parameter.ContainingSymbol is not IMethodSymbol { Name: "StartAsync", Parameters.Length: 1 } method)
            {
                return false;
            }

            for (var overridden = method.OverriddenMethod; overridden is not null; overridden = overridden.OverriddenMethod)
            {
                if (overridden.ContainingType.Name == "BackgroundService")
                {
                    return true;
                }
            }

            foreach (var face in method.ContainingType.AllInterfaces)
            {
                if (face.Name == "IHostedService")
                {
                    foreach (var member in face.GetMembers("StartAsync"))
                    {
                        if (SymbolEqualityComparer.Default.Equals(method.ContainingType.FindImplementationForInterfaceMember(member), method))
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }

        /// <summary>Any read of a token or of a CancellationTokenSource in the body, nested lambdas included.</summary>
        public static bool UsesToken(IOperation body, KnownTypes types)
        {
            foreach (var operation in body.DescendantsInSourceOrder())
            {
                var type = operation switch
                {
                    ILocalReferenceOperation local => local.Local.Type,
                    IParameterReferenceOperation parameter => parameter.Parameter.Type,
                    IFieldReferenceOperation field => field.Field.Type,
                    IPropertyReferenceOperation property => property.Property.Type,
                    _ => null,
                };
                if (type is not null && (KnownTypes.Is(type, types.CancellationToken) || KnownTypes.Is(type, types.CancellationTokenSource)))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool IsInSource(IMethodSymbol method)
        {
            foreach (var location in method.OriginalDefinition.Locations)
            {
                if (location.IsInSource)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
