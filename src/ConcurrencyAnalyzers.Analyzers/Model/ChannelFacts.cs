using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// The channel and BlockingCollection calls of one member body (lambdas and local functions
    /// included), with the order they can run in. Built once per body by each channel rule, after a
    /// syntactic check that the body names a channel method at all.
    /// </summary>
    internal sealed class ChannelFacts
    {
        private ChannelFacts(IOperation root, IMethodSymbol? member, ImmutableArray<ChannelOperation> operations, ImmutableArray<IInvocationOperation> calls, FlowOrder? order)
        {
            Root = root;
            Member = member;
            Operations = operations;
            Calls = calls;
            Order = order;
        }

        public IOperation Root { get; }

        /// <summary>The method, accessor or constructor the body belongs to.</summary>
        public IMethodSymbol? Member { get; }

        /// <summary>Every recognized channel call, in source order.</summary>
        public ImmutableArray<ChannelOperation> Operations { get; }

        /// <summary>The other invocations of the body (calls to helpers), in source order.</summary>
        public ImmutableArray<IInvocationOperation> Calls { get; }

        public IEnumerable<ChannelOperation> Writes => Operations.Where(o => o.Kind == ChannelOperationKind.Write);

        public IEnumerable<ChannelOperation> Completions => Operations.Where(o => o.Kind == ChannelOperationKind.Complete);

        /// <summary>
        /// The control-flow order of the body's calls, built while the body's callback runs (only for bodies
        /// that complete a channel: every order question starts at a completion or at started work before
        /// one); null without a completion or when the graph is not available (code with errors).
        /// </summary>
        public FlowOrder? Order { get; }

        public bool MayRunAfter(IOperation earlier, IOperation later) => Order?.MayRunAfter(earlier, later) == true;

        /// <summary>The facts of one operation block, or null when it has no channel call.</summary>
        public static ChannelFacts? Collect(OperationBlockAnalysisContext context, IOperation block, KnownTypes types)
        {
            if (!MentionsChannelMethod(block.Syntax) || block.SemanticModel is null)
            {
                return null;
            }

            var operations = ImmutableArray.CreateBuilder<ChannelOperation>();
            var calls = ImmutableArray.CreateBuilder<IInvocationOperation>();
            foreach (var operation in block.DescendantsInSourceOrder())
            {
                if (operation is IInvocationOperation invocation)
                {
                    if (ChannelOperation.TryGet(invocation, types, out var channelOperation))
                    {
                        operations.Add(channelOperation);
                    }
                    else
                    {
                        calls.Add(invocation);
                    }
                }
            }

            if (operations.Count == 0 && !calls.Any(c => c.Arguments.Any(a => IsChannelEnd(a.Value, types))))
            {
                return null;
            }

            var order = operations.Any(o => o.Kind == ChannelOperationKind.Complete) && GraphOf(context, block) is { } graph
                ? FlowOrder.Build(graph, context.CancellationToken)
                : null;
            return new ChannelFacts(block, context.OwningSymbol as IMethodSymbol, operations.ToImmutable(), calls.ToImmutable(), order);
        }

        private static bool IsChannelEnd(IOperation value, KnownTypes types)
        {
            var type = value.WalkDownConversions().Type;
            return types.IsChannelWriter(type) || types.IsChannel(type) || types.IsBlockingCollection(type) || types.IsChannelWriter(value.Type);
        }

        private static ControlFlowGraph? GraphOf(OperationBlockAnalysisContext context, IOperation block)
        {
            try
            {
                return context.GetControlFlowGraph(block);
            }
            catch (ArgumentException)
            {
                return null;
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }

        /// <summary>
        /// Runs <paramref name="onBody"/> on each member body of a type that makes channel calls, and
        /// <paramref name="onType"/> once with all of them when the type is done, for facts that span the
        /// members of a type (a writer completed in Stop and written in Publish). Types whose text names no
        /// channel method are skipped before anything is bound.
        /// </summary>
        public static void RegisterPerType(
            CompilationStartAnalysisContext context,
            KnownTypes types,
            Action<OperationBlockAnalysisContext, ChannelFacts> onBody,
            Action<SymbolAnalysisContext, IReadOnlyList<ChannelFacts>> onType)
        {
            context.RegisterSymbolStartAction(symbolStart =>
            {
                var type = (INamedTypeSymbol)symbolStart.Symbol;
                if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct)
                    || !type.DeclaringSyntaxReferences.Any(r => MentionsChannelMethod(r.GetSyntax(symbolStart.CancellationToken))))
                {
                    return;
                }

                var collected = new System.Collections.Concurrent.ConcurrentBag<ChannelFacts>();
                symbolStart.RegisterOperationBlockAction(blockContext =>
                {
                    if (!SymbolEqualityComparer.Default.Equals(blockContext.OwningSymbol.ContainingType, type))
                    {
                        return;
                    }

                    foreach (var block in blockContext.OperationBlocks)
                    {
                        if (Collect(blockContext, block, types) is { } facts)
                        {
                            collected.Add(facts);
                            onBody(blockContext, facts);
                        }
                    }
                });
                symbolStart.RegisterSymbolEndAction(symbolEnd =>
                    onType(symbolEnd, collected.OrderBy(f => f.Root.Syntax.SyntaxTree.FilePath, StringComparer.Ordinal).ThenBy(f => f.Root.Syntax.SpanStart).ToList()));
            }, SymbolKind.NamedType);
        }

        /// <summary>A field or property of the type itself: state that outlives one call and is shared by its members.</summary>
        public static bool IsMemberOf(ISymbol? root, INamedTypeSymbol type) =>
            root is IFieldSymbol or IPropertySymbol && SymbolEqualityComparer.Default.Equals(root.ContainingType.OriginalDefinition, type.OriginalDefinition);

        /// <summary>Constructors run before the object is shared; they are no "other member" that can run later.</summary>
        public static bool IsConstruction(IMethodSymbol? member) =>
            member is { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor };

                /// <summary>The syntactic prefilter: an identifier naming a channel or BlockingCollection method.</summary>
        public static bool MentionsChannelMethod(SyntaxNode node)
        {
            foreach (var token in node.DescendantTokens())
            {
                if (token.IsKind(SyntaxKind.IdentifierToken) && ChannelOperation.IsInterestingName(token.ValueText))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The same channel: equal roots.</summary>
        public static bool SameChannel(ChannelOperation a, ChannelOperation b) =>
            a.Root is not null && SymbolEqualityComparer.Default.Equals(a.Root, b.Root) && a.IsBlockingCollection == b.IsBlockingCollection
            && SymbolEqualityComparer.Default.Equals(a.InstanceRoot, b.InstanceRoot);

        /// <summary>
        /// A later iteration of a loop reaches <paramref name="later"/> again from <paramref name="earlier"/>,
        /// but the channel is a local declared inside that loop: each iteration has its own channel.
        /// </summary>
        public static bool IsFreshEachIteration(ChannelOperation earlier, ChannelOperation later)
        {
            if (earlier.Root is not ILocalSymbol local || later.Invocation.Syntax.SpanStart > earlier.Invocation.Syntax.SpanStart)
            {
                return false;
            }

            var declaration = local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax();
            if (declaration is null)
            {
                return false;
            }

            foreach (var loop in earlier.Invocation.Syntax.Ancestors())
            {
                if (loop is StatementSyntax and (WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or CommonForEachStatementSyntax)
                    && loop.Span.Contains(later.Invocation.Syntax.Span))
                {
                    return loop.Span.Contains(declaration.Span);
                }
            }

            return false;
        }

        /// <summary>
        /// `if (!_stopped) writer.TryWrite(x)`, `!_stopping &amp;&amp; queue.TryAdd(x)`, `if (_disposed) return;`
        /// before the write, `if (Interlocked.Decrement(ref _pending) == 0) writer.TryComplete()`: the
        /// code checks the type's own state first. The check and what it guards against may still race,
        /// but the author has made the order a decision, and the rules do not second-guess it.
        /// </summary>
        public static bool IsGuardedByState(IOperation operation)
        {
            IOperation child = operation;
            for (var current = operation.Parent; current is not null; child = current, current = current.Parent)
            {
                switch (current)
                {
                    case IConditionalOperation conditional when !ReferenceEquals(conditional.Condition, child) && ChecksState(conditional.Condition):
                        return true;
                    case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } both
                        when ReferenceEquals(both.RightOperand, child) && ChecksState(both.LeftOperand):
                        return true;
                    case IBlockOperation block:
                        // An earlier `if (state) return;` in an enclosing block.
                        foreach (var statement in block.Operations)
                        {
                            if (ReferenceEquals(statement, child))
                            {
                                break;
                            }

                            if (statement is IConditionalOperation { WhenFalse: null } exit && ChecksState(exit.Condition) && Exits(exit.WhenTrue))
                            {
                                return true;
                            }
                        }

                        break;
                    case IAnonymousFunctionOperation or ILocalFunctionOperation:
                        return false;
                }
            }

            return false;
        }

        private static bool ChecksState(IOperation condition) =>
            condition.DescendantsAndSelf().Any(o =>
                o is IFieldReferenceOperation { Field.Type.SpecialType: SpecialType.System_Boolean }
                    or IPropertyReferenceOperation { Property.Name: "IsAddingCompleted" or "IsCompleted" or "IsCancellationRequested" }
                    or IInvocationOperation { TargetMethod.ContainingType.Name: "Interlocked" or "Volatile" });

        private static bool Exits(IOperation branch) => branch switch
        {
            IReturnOperation or IThrowOperation or IBranchOperation => true,
            IExpressionStatementOperation { Operation: IThrowOperation } => true,
            IBlockOperation block => block.Operations.Length > 0 && Exits(block.Operations[block.Operations.Length - 1]),
            _ => false,
        };

        /// <summary>
        /// The channel variable is given a new channel between the completion and the write
        /// (`_ch.Writer.Complete(); _ch = Channel.CreateUnbounded&lt;T&gt;(); _ch.Writer.TryWrite(x);`), or, when
        /// the write comes back round in a loop, inside that loop.
        /// </summary>
        public static bool IsReassignedBetween(ChannelOperation completion, ChannelOperation write, IOperation body)
        {
            if (completion.Root is null)
            {
                return false;
            }

            var from = completion.Invocation.Syntax.SpanStart;
            var to = write.Invocation.Syntax.SpanStart;
            SyntaxNode? loop = null;
            if (to < from)
            {
                loop = completion.Invocation.Syntax.Ancestors().FirstOrDefault(a => a is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or CommonForEachStatementSyntax && a.Span.Contains(write.Invocation.Syntax.Span));
                if (loop is null)
                {
                    return false;
                }
            }

            foreach (var operation in body.DescendantsInSourceOrder())
            {
                if (operation is ISimpleAssignmentOperation assignment
                    && SymbolEqualityComparer.Default.Equals(assignment.Target.TargetSymbol(), completion.Root)
                    && (loop is null
                        ? assignment.Syntax.SpanStart > from && assignment.Syntax.SpanStart < to
                        : loop.Span.Contains(assignment.Syntax.Span)))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The line (1-based) an operation starts on, for messages.</summary>
        public static int LineOf(IOperation operation) => operation.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;

        /// <summary>What goes wrong when this write meets a completed writer.</summary>
        public static string Consequence(ChannelOperation write) => write.MethodName switch
        {
            "TryWrite" => "TryWrite returns false and the item is lost",
            "WaitToWriteAsync" => "WaitToWriteAsync returns false and nothing more can be written",
            "WriteAsync" => "WriteAsync throws ChannelClosedException",
            _ => write.MethodName + " throws InvalidOperationException",
        };

        /// <summary>
        /// A completion that passes on an exception from a catch: the usual way to fail a pipeline on
        /// purpose, not a second, competing completion.
        /// </summary>
        public static bool IsFaultPropagation(ChannelOperation completion)
        {
            if (completion.Invocation.Arguments.Length == 0
                || completion.Invocation.Arguments[0].Value.WalkDownConversions() is ILiteralOperation or IDefaultValueOperation
                || completion.Invocation.Arguments[0].IsImplicit)
            {
                return false;
            }

            for (var current = completion.Invocation.Parent; current is not null; current = current.Parent)
            {
                if (current is ICatchClauseOperation)
                {
                    return true;
                }

                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    break;
                }
            }

            return completion.Invocation.Syntax.FirstAncestorOrSelf<CatchClauseSyntax>() is not null;
        }
    }
}
