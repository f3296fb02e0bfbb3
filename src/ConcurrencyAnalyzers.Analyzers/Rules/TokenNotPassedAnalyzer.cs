using System.Collections.Generic;
using System.Collections.Immutable;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC012: a call that can take a cancellation token (an optional parameter or an overload) is made
    /// without one while a token is in scope: a parameter, a local, a lambda's own token, a token field or
    /// property of the type, or the Token of a CancellationTokenSource local.
    /// <para>
    /// Not reported in catch and finally blocks, where cleanup after a cancellation must not be cancelled
    /// itself, nor for started work whose task is dropped (CONC010 reports that).
    /// </para>
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class TokenNotPassedAnalyzer : ConcurrencyAnalyzer
    {
        /// <summary>Diagnostic property: the expression that names the token to pass.</summary>
        public const string TokenProperty = "Token";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.TokenNotPassed);

        private protected override bool IsApplicable(KnownTypes types) => types.CancellationToken is not null;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
        {
            var memberTokens = new System.Collections.Concurrent.ConcurrentDictionary<INamedTypeSymbol, ImmutableArray<string>>(SymbolEqualityComparer.Default);
            // Keyed by the member's syntax, which the compilation keeps anyway (operation trees are not kept alive).
            var scopes = new System.Collections.Concurrent.ConcurrentDictionary<SyntaxNode, HashSet<string>>();
            var overloads = new TokenAcceptance.OverloadCache();
            context.RegisterOperationAction(
                operationContext =>
                {
                    var invocation = (IInvocationOperation)operationContext.Operation;
                    if (!TokenAcceptance.TryFind(invocation, types, overloads, out _))
                    {
                        return;
                    }

                    // The names of the tokens the member can see, found once per member that has such a call;
                    // each call then looks up only those names.
                    var root = invocation.Root();
                    var names = scopes.GetOrAdd(root.Syntax, _ => TokenNames(operationContext.ContainingSymbol, root, types, memberTokens));
                    if (names.Count > 0)
                    {
                        Analyze(operationContext, invocation, types, names);
                    }
                },
                OperationKind.Invocation);
        }

        /// <summary>Token parameters and token or source locals of the member and its functions, and token members of its types.</summary>
        private static HashSet<string> TokenNames(ISymbol owner, IOperation root, KnownTypes types, System.Collections.Concurrent.ConcurrentDictionary<INamedTypeSymbol, ImmutableArray<string>> memberTokens)
        {
            var names = new HashSet<string>(System.StringComparer.Ordinal);
            if (owner is IMethodSymbol method)
            {
                AddTokenParameters(method, types, names);
            }

            if (owner.ContainingType is { } containing)
            {
                names.UnionWith(memberTokens.GetOrAdd(containing, t => TokenMembers(t, types)));
            }

            foreach (var operation in root.DescendantsInSourceOrder())
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation declarator
                        when KnownTypes.Is(declarator.Symbol.Type, types.CancellationToken) || KnownTypes.Is(declarator.Symbol.Type, types.CancellationTokenSource):
                        names.Add(declarator.Symbol.Name);
                        break;
                    case IAnonymousFunctionOperation lambda:
                        AddTokenParameters(lambda.Symbol, types, names);
                        break;
                    case ILocalFunctionOperation local:
                        AddTokenParameters(local.Symbol, types, names);
                        break;
                }
            }

            return names;
        }

        private static void AddTokenParameters(IMethodSymbol function, KnownTypes types, HashSet<string> names)
        {
            foreach (var parameter in function.Parameters)
            {
                if (KnownTypes.Is(parameter.Type, types.CancellationToken))
                {
                    names.Add(parameter.Name);
                }
            }
        }

        private static ImmutableArray<string> TokenMembers(INamedTypeSymbol type, KnownTypes types)
        {
            var names = ImmutableArray.CreateBuilder<string>();

            // A primary constructor's parameters are in scope in every instance member (C# 12).
            foreach (var constructor in type.InstanceConstructors)
            {
                if (constructor.DeclaringSyntaxReferences.Length > 0
                    && constructor.DeclaringSyntaxReferences[0].GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax)
                {
                    foreach (var parameter in constructor.Parameters)
                    {
                        if (KnownTypes.Is(parameter.Type, types.CancellationToken))
                        {
                            names.Add(parameter.Name);
                        }
                    }
                }
            }

            names.AddRange(CancellationTokenScope.MemberNames(type, types, withSources: false));
            return names.ToImmutable();
        }

        private static void Analyze(OperationAnalysisContext context, IInvocationOperation invocation, KnownTypes types, HashSet<string> names)
        {
            if (IsInCleanup(invocation) || HasTimeout(invocation) || StartsWorkThatUsesToken(invocation, types) || IsWhenAnyTimer(invocation, types))
            {
                return;
            }

            if (DroppedTask.IsDroppedStart(invocation, types, out _) && !DroppedTask.ReceivesToken(invocation, types))
            {
                return;
            }

            var model = invocation.SemanticModel;
            if (model is null)
            {
                return;
            }

            // A source local counts only when it bounds this code (a timeout, a link, CancelAfter): a plain
            // `new CancellationTokenSource()` is most often the handle that stops something else.
            var symbol = CancellationTokenScope.Find(model, invocation.Syntax.SpanStart, types, out var isSource, CancellationTokenScope.IsDeadline, names);
            if (symbol is null)
            {
                return;
            }

            var token = isSource ? symbol.Name + ".Token" : symbol.Name;

            var properties = ImmutableDictionary<string, string?>.Empty.Add(TokenProperty, token);
            context.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.TokenNotPassed, invocation.Syntax.GetLocation(), properties, invocation.TargetMethod.Name, token));
        }

        /// <summary>A wait that is already bounded by a timeout argument (`TryAdd(item, millisecondsTimeout: 5)`).</summary>
        private static bool HasTimeout(IInvocationOperation invocation)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.ArgumentKind != ArgumentKind.DefaultValue
                    && argument.Parameter?.Name.IndexOf("timeout", System.StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Task.Run or StartNew whose delegate already uses a token: the token stops the work itself, and
        /// passing it to Task.Run as well would only keep a task from starting.
        /// </summary>
        private static bool StartsWorkThatUsesToken(IInvocationOperation invocation, KnownTypes types)
        {
            if (invocation.TargetMethod.Name is not ("Run" or "StartNew"))
            {
                return false;
            }

            foreach (var argument in invocation.Arguments)
            {
                if (argument.Value.WalkDownConversions() is IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda } && DroppedTask.UsesToken(lambda.Body, types))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// The Task.Delay of a `Task.WhenAny(work, Task.Delay(t))` timeout, inline or through a local: given the
        /// caller's token it would end first when the caller cancels, and the cancellation would read as a
        /// timeout. Whether the work is stopped is CONC014's concern.
        /// </summary>
        private static bool IsWhenAnyTimer(IInvocationOperation invocation, KnownTypes types)
        {
            if (invocation.TargetMethod.Name != "Delay" || !KnownTypes.Is(invocation.TargetMethod.ContainingType, types.Task))
            {
                return false;
            }

            ILocalSymbol? local = null;
            for (var current = invocation.Parent; current is not null; current = current.Parent)
            {
                switch (current)
                {
                    case IConversionOperation or IArgumentOperation or IArrayInitializerOperation or IArrayCreationOperation or IVariableInitializerOperation:
                        continue;
                    case IInvocationOperation { TargetMethod.Name: "WhenAny" }:
                        return true;
                    case IVariableDeclaratorOperation declarator:
                        local = declarator.Symbol;
                        break;
                }

                break;
            }

            if (local is null)
            {
                return false;
            }

            foreach (var operation in invocation.Root().DescendantsInSourceOrder())
            {
                if (operation is IInvocationOperation { TargetMethod.Name: "WhenAny" } whenAny && KnownTypes.Is(whenAny.TargetMethod.ContainingType, types.Task))
                {
                    foreach (var inner in whenAny.DescendantsInSourceOrder())
                    {
                        if (inner is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local))
                        {
                            return true;
                        }
                    }
                }
            }

            return false;
        }

        /// <summary>In a catch or finally block of the same function.</summary>
        internal static bool IsInCleanup(IOperation operation)
        {
            var child = operation;
            for (var current = operation.Parent; current is not null; child = current, current = current.Parent)
            {
                switch (current)
                {
                    case IAnonymousFunctionOperation or ILocalFunctionOperation:
                        return false;
                    case ICatchClauseOperation:
                        return true;
                    case ITryOperation @try when ReferenceEquals(@try.Finally, child):
                        return true;
                }
            }

            return false;
        }
    }
}
