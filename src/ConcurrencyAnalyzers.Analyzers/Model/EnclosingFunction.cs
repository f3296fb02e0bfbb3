using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// The innermost function (method, local function, lambda or anonymous method) that contains an
    /// operation, with its body. Async-ness and "started work" are questions about this function, not
    /// about the declaring member: a sync lambda inside an async method is sync code.
    /// </summary>
    internal readonly struct EnclosingFunction
    {
        private EnclosingFunction(IMethodSymbol? symbol, IOperation body, IOperation? functionOperation)
        {
            Symbol = symbol;
            Body = body;
            FunctionOperation = functionOperation;
        }

        /// <summary>The function's symbol (null only for odd roots such as field initializers).</summary>
        public IMethodSymbol? Symbol { get; }

        /// <summary>The operation that holds the whole body: the lambda's body block or the method's root operation.</summary>
        public IOperation Body { get; }

        /// <summary>The lambda or local function operation; null for a member body.</summary>
        public IOperation? FunctionOperation { get; }

        public bool IsAsync => Symbol?.IsAsync == true;

        public bool IsLambda => FunctionOperation is IAnonymousFunctionOperation;

        /// <summary>
        /// Code that runs as part of a task: async functions, and functions that return a task-like type
        /// (including async iterators).
        /// </summary>
        public bool IsAsyncContext(KnownTypes types)
        {
            if (Symbol is null)
            {
                return false;
            }

            if (Symbol.IsAsync || types.IsTaskLike(Symbol.ReturnType))
            {
                return true;
            }

            return Symbol.ReturnType is INamedTypeSymbol returned
                && KnownTypes.Is(returned.OriginalDefinition, types.IAsyncEnumerableOfT);
        }

        /// <param name="operation">Any operation.</param>
        /// <param name="containingSymbol">The symbol of the member whose body the operation tree belongs to.</param>
        public static EnclosingFunction Of(IOperation operation, ISymbol? containingSymbol)
        {
            IOperation root = operation;
            for (var current = operation.Parent; current is not null; current = current.Parent)
            {
                switch (current)
                {
                    case IAnonymousFunctionOperation lambda:
                        return new EnclosingFunction(lambda.Symbol, lambda.Body, lambda);
                    case ILocalFunctionOperation local:
                        return new EnclosingFunction(local.Symbol, (IOperation?)local.Body ?? local, local);
                }

                root = current;
            }

            return new EnclosingFunction(containingSymbol as IMethodSymbol, root, null);
        }
    }
}
