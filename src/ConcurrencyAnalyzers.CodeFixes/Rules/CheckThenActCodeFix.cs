using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC052 fix: the one atomic call that does what the check and the act did together — TryAdd,
    /// GetOrAdd, AddOrUpdate, TryRemove, TryGetValue, or TryDequeue/TryPop/TryTake as the condition. The
    /// shapes with no such call (a bound check before Enqueue, an update only if present) get none.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(CheckThenActCodeFix)), Shared]
    public sealed class CheckThenActCodeFix : PlannedCodeFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.CheckThenAct);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            if (!diagnostic.Properties.TryGetValue(CheckThenActAnalyzer.ShapeProperty, out var shapeName)
                || !System.Enum.TryParse<CheckThenActShape>(shapeName, out var shape)
                || shape == CheckThenActShape.None)
            {
                return null;
            }

            var model = editor.SemanticModel;
            var types = KnownTypes.For(model.Compilation);
            var match = Find(node, model, types, cancellationToken);
            if (match is null || match.Shape != shape)
            {
                return null;
            }

            // What the rewrite moves into a lambda must not await (the lambda would not be async).
            if (shape is CheckThenActShape.GetOrAdd or CheckThenActShape.AddOrUpdate or CheckThenActShape.TryAdd
                && match.Statement.DescendantsInSameFunction().Any(o => o is IAwaitOperation))
            {
                return null;
            }

            return shape switch
            {
                CheckThenActShape.TryAdd => TryAdd(editor, match),
                CheckThenActShape.GetOrAdd => GetOrAdd(editor, match, cancellationToken),
                CheckThenActShape.AddOrUpdate => AddOrUpdate(editor, match, types, cancellationToken),
                CheckThenActShape.TryRemove => TakeAsCondition(editor, match, "TryRemove"),
                CheckThenActShape.TryTake => TakeAsCondition(editor, match, ((IInvocationOperation)match.Act).TargetMethod.Name),
                CheckThenActShape.TryGetValue => TryGetValue(editor, match, types, cancellationToken),
                _ => null,
            };
        }

        private static CheckThenActMatch? Find(SyntaxNode node, SemanticModel model, KnownTypes types, CancellationToken cancellationToken)
        {
            foreach (var candidate in node.AncestorsAndSelf())
            {
                if (candidate is MemberDeclarationSyntax)
                {
                    break;
                }

                if (candidate is IfStatementSyntax or WhileStatementSyntax or ConditionalExpressionSyntax or AssignmentExpressionSyntax or PostfixUnaryExpressionSyntax or PrefixUnaryExpressionSyntax
                    && model.GetOperation(candidate, cancellationToken) is { } operation
                    && CheckThenActAnalyzer.Match(operation, types) is { } match
                    && match.Check.Syntax.Span == node.Span)
                {
                    return match;
                }
            }

            return null;
        }

        /// <summary>`if (!d.ContainsKey(k)) d[k] = v;` → `d.TryAdd(k, v);` (`d.GetOrAdd(k, _ => v)` when making v calls something).</summary>
        private static string? TryAdd(DocumentEditor editor, CheckThenActMatch match)
        {
            if (match.Statement.Syntax is not IfStatementSyntax statement)
            {
                return null;
            }

            var (key, value) = KeyAndValue(match.Act);
            if (key is null || value is null)
            {
                return null;
            }

            var collection = match.Collection.Syntax.ToString();
            var text = HasCalls(value)
                ? collection + ".GetOrAdd(" + key.Syntax + ", _ => " + value.Syntax + ");"
                : collection + ".TryAdd(" + key.Syntax + ", " + value.Syntax + ");";
            editor.ReplaceNode(statement, SyntaxFactory.ParseStatement(text).WithTriviaFrom(statement));
            return HasCalls(value) ? "Use GetOrAdd" : "Use TryAdd";
        }

        /// <summary>`if (!d.TryGetValue(k, out var v)) { v = create; d[k] = v; }` → `var v = d.GetOrAdd(k, _ => create);`</summary>
        private static string? GetOrAdd(DocumentEditor editor, CheckThenActMatch match, CancellationToken cancellationToken)
        {
            if (match.Statement.Syntax is not IfStatementSyntax statement
                || match.Check is not IInvocationOperation { Arguments.Length: 2 } check
                || check.Arguments[1].Syntax is not ArgumentSyntax { Expression: var outExpression }
                || ((IConditionalOperation)match.Statement).WhenTrue.Statements() is not { Length: 2 } statements
                || statements[0] is not IExpressionStatementOperation { Operation: ISimpleAssignmentOperation create })
            {
                return null;
            }

            var collection = match.Collection.Syntax.ToString();
            var call = collection + ".GetOrAdd(" + check.Arguments[0].Syntax + ", _ => " + create.Value.Syntax + ")";
            var text = outExpression switch
            {
                DeclarationExpressionSyntax declaration => declaration.Type + " " + declaration.Designation + " = " + call + ";",
                _ => outExpression + " = " + call + ";",
            };
            editor.ReplaceNode(statement, SyntaxFactory.ParseStatement(text).WithTriviaFrom(statement));
            return "Use GetOrAdd";
        }

        /// <summary>A counter or an update written as a check and two stores → `d.AddOrUpdate(k, add, (_, old) => update)`.</summary>
        private static string? AddOrUpdate(DocumentEditor editor, CheckThenActMatch match, KnownTypes types, CancellationToken cancellationToken)
        {
            var model = editor.SemanticModel;
            var collection = match.Collection.WalkDownConversions();
            var collectionText = collection.Syntax.ToString();
            if (collection.Type is not INamedTypeSymbol { TypeArguments.Length: 2 } dictionaryType)
            {
                return null;
            }

            var valueType = dictionaryType.TypeArguments[1];
            var taken = DeclaredNames(match.Statement.Syntax);
            string keyText, addText, updateText, oldName;
            var addHasCalls = false;
            SyntaxNode replaced;
            switch (match.Statement)
            {
                case IConditionalOperation conditional when conditional.Syntax is IfStatementSyntax ifStatement:
                    {
                        var negated = conditional.Condition.WalkDownConversions() is IUnaryOperation;
                        var present = (negated ? conditional.WhenFalse : conditional.WhenTrue).Statements()[0];
                        var absent = (negated ? conditional.WhenTrue : conditional.WhenFalse).Statements()[0];
                        if (absent is not IExpressionStatementOperation { Operation: ISimpleAssignmentOperation addStore }
                            || CheckThenActAnalyzer.Indexer(addStore.Target, types) is not { } addIndexer
                            || match.Check is not IInvocationOperation check)
                        {
                            return null;
                        }

                        keyText = addIndexer.Arguments[0].Syntax.ToString();
                        addText = addStore.Value.Syntax.ToString();
                        addHasCalls = HasCalls(addStore.Value);
                        if (check.TargetMethod.Name == "TryGetValue")
                        {
                            if (check.Arguments.Length != 2 || CheckThenActAnalyzer.OutLocal(check.Arguments[1].Value) is not { } outLocal || IsUsedOutside(outLocal, ifStatement, model, cancellationToken))
                            {
                                return null;
                            }

                            oldName = outLocal.Name;
                        }
                        else
                        {
                            oldName = FixSyntax.UniqueName(model, ifStatement.SpanStart, "current", taken);
                        }

                        var update = Update(((IExpressionStatementOperation)present).Operation, match, oldName, types);
                        if (update is null)
                        {
                            return null;
                        }

                        updateText = update;
                        replaced = ifStatement;
                        break;
                    }

                case ISimpleAssignmentOperation { Value: var value } assignment when value.WalkDownConversions() is IConditionalOperation ternary
                    && ternary.Condition.WalkDownConversions() is IInvocationOperation { TargetMethod.Name: "TryGetValue", Arguments.Length: 2 } tryGet
                    && CheckThenActAnalyzer.OutLocal(tryGet.Arguments[1].Value) is { } counter:
                    {
                        var statement = assignment.Syntax.Parent as StatementSyntax;
                        if (statement is null || IsUsedOutside(counter, statement, model, cancellationToken))
                        {
                            return null;
                        }

                        keyText = tryGet.Arguments[0].Syntax.ToString();
                        oldName = counter.Name;
                        addText = ternary.WhenFalse!.Syntax.ToString();
                        addHasCalls = HasCalls(ternary.WhenFalse);
                        updateText = ternary.WhenTrue.Syntax.ToString();
                        replaced = assignment.Syntax;
                        break;
                    }

                case ISimpleAssignmentOperation assignment when match.Check is IInvocationOperation { TargetMethod.Name: "GetValueOrDefault" } read:
                    {
                        keyText = read.Arguments[1].Syntax.ToString();
                        oldName = FixSyntax.UniqueName(model, assignment.Syntax.SpanStart, "current", taken);
                        var fallback = read.Arguments.Length > 2 ? "(" + read.Arguments[2].Syntax + ")" : Zero(valueType);
                        var valueSyntax = assignment.Value.Syntax;
                        addText = valueSyntax.ReplaceNode(read.Syntax, SyntaxFactory.ParseExpression(fallback).WithTriviaFrom(read.Syntax)).ToString();
                        updateText = valueSyntax.ReplaceNode(read.Syntax, SyntaxFactory.IdentifierName(oldName).WithTriviaFrom(read.Syntax)).ToString();
                        if (HasCalls(assignment.Value, except: read))
                        {
                            return null;
                        }

                        replaced = assignment.Syntax;
                        break;
                    }

                case ICompoundAssignmentOperation or IIncrementOrDecrementOperation:
                    {
                        var indexer = CheckThenActAnalyzer.Indexer(match.Statement is ICompoundAssignmentOperation compound ? compound.Target : ((IIncrementOrDecrementOperation)match.Statement).Target, types)!;
                        keyText = indexer.Arguments[0].Syntax.ToString();
                        oldName = FixSyntax.UniqueName(model, match.Statement.Syntax.SpanStart, "current", taken);
                        var update = Update(match.Statement, match, oldName, types);
                        var step = Step(match.Statement);
                        if (update is null || step is null || match.Statement.Parent is not IExpressionStatementOperation || step.Value.HasCalls)
                        {
                            return null;
                        }

                        addText = step.Value.Operator == "+" ? step.Value.Operand : Zero(valueType) + " " + step.Value.Operator + " " + step.Value.Operand;
                        updateText = update;
                        replaced = match.Statement.Syntax;
                        break;
                    }

                default:
                    return null;
            }

            // An add value that calls something runs only when the key is missing: keep it so with a factory.
            var addArgument = addHasCalls ? "_ => " + addText : addText;
            var call = collectionText + ".AddOrUpdate(" + keyText + ", " + addArgument + ", (_, " + oldName + ") => " + updateText + ")";
            var expression = SyntaxFactory.ParseExpression(call);
            if (replaced is StatementSyntax replacedStatement)
            {
                editor.ReplaceNode(replacedStatement, SyntaxFactory.ExpressionStatement(expression).WithTriviaFrom(replacedStatement));
            }
            else
            {
                editor.ReplaceNode(replaced, expression.WithTriviaFrom(replaced));
            }

            return "Use AddOrUpdate";
        }

        /// <summary>The new value an update stores, with the entry's current value named <paramref name="oldName"/>.</summary>
        private static string? Update(IOperation store, CheckThenActMatch match, string oldName, KnownTypes types)
        {
            switch (store)
            {
                case ISimpleAssignmentOperation assignment:
                    {
                        // `d[k] = d[k] + 1` reads the entry: that read becomes the lambda's parameter.
                        var reads = assignment.Value.DescendantsInSameFunction().Prepend(assignment.Value)
                            .Where(o => CheckThenActAnalyzer.Indexer(o, types) is { } indexer
                                && SharedAccess.SameVariable(indexer.Instance!.WalkDownConversions(), match.Collection.WalkDownConversions())
                                && CheckThenActAnalyzer.Indexer(assignment.Target, types) is { } target
                                && CheckThenActAnalyzer.SameKey(indexer.Arguments[0].Value, target.Arguments[0].Value))
                            .Select(o => o.Syntax)
                            .ToList();
                        return assignment.Value.Syntax.ReplaceNodes(reads, (original, _) => SyntaxFactory.IdentifierName(oldName).WithTriviaFrom(original)).ToString();
                    }

                case ICompoundAssignmentOperation or IIncrementOrDecrementOperation:
                    return Step(store) is { } step && !step.HasCalls ? oldName + " " + step.Operator + " " + step.Operand : null;
                default:
                    return null;
            }
        }

        /// <summary>The operator and operand of `d[k] += n` (`+`, n) or `d[k]++` (`+`, 1); null for the operators AddOrUpdate cannot seed.</summary>
        private static (string Operator, string Operand, bool HasCalls)? Step(IOperation operation)
        {
            switch (operation)
            {
                case ICompoundAssignmentOperation compound:
                    var op = compound.OperatorKind switch
                    {
                        BinaryOperatorKind.Add => "+",
                        BinaryOperatorKind.Subtract => "-",
                        BinaryOperatorKind.Multiply => "*",
                        _ => null,
                    };
                    // `current - (amount + fee)`: the operand keeps its grouping. A compound assignment converts its
                    // result back to a narrow type (`byte`, `float` += double); the lambda would not.
                    if (op is null || !SameType(compound.Value.WalkDownConversions().Type, compound.Target.Type) && compound.Value.WalkDownConversions().ConstantValue is not { HasValue: true, Value: int })
                    {
                        return null;
                    }

                    var operand = compound.Value.WalkDownConversions().Syntax is IdentifierNameSyntax or LiteralExpressionSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax or ElementAccessExpressionSyntax
                        ? compound.Value.WalkDownConversions().Syntax.ToString()
                        : "(" + compound.Value.WalkDownConversions().Syntax + ")";
                    return IsWide(compound.Target.Type) ? (op, operand, HasCalls(compound.Value)) : null;
                case IIncrementOrDecrementOperation step:
                    return IsWide(step.Target.Type) ? (step.Kind == OperationKind.Increment ? "+" : "-", "1", false) : null;
                default:
                    return null;
            }
        }

        /// <summary>`d.ContainsKey(k)` then `d.TryRemove(k, out …)` / `q.Count > 0` then `q.TryDequeue(out …)`: the Try call becomes the condition.</summary>
        private static string? TakeAsCondition(DocumentEditor editor, CheckThenActMatch match, string name)
        {
            if (match.Act.Parent?.Syntax is not ExpressionStatementSyntax takeStatement)
            {
                return null;
            }

            var take = ((IInvocationOperation)match.Act).Syntax.WithoutTrivia();

            // `out var item` moves from a statement of the body into the condition, whose scope is the enclosing
            // block: a later `item` there would clash.
            var designated = take.DescendantNodes().OfType<SingleVariableDesignationSyntax>().Select(d => d.Identifier.ValueText).ToList();
            if (match.Statement.Syntax.Parent is BlockSyntax enclosing
                && enclosing.Statements.Where(st => st != match.Statement.Syntax).Any(st => st.DescendantNodesAndSelf().Any(n =>
                    n is VariableDeclaratorSyntax v && designated.Contains(v.Identifier.ValueText)
                    || n is SingleVariableDesignationSyntax d && designated.Contains(d.Identifier.ValueText)
                    || n is ForEachStatementSyntax f && designated.Contains(f.Identifier.ValueText))))
            {
                return null;
            }
            switch (match.Statement.Syntax)
            {
                case IfStatementSyntax ifStatement:
                    {
                        var body = ifStatement.Statement is BlockSyntax block ? block.Statements.Remove(takeStatement) : default;
                        if (ifStatement.Statement is not BlockSyntax || body.Count == 0)
                        {
                            editor.ReplaceNode(ifStatement, SyntaxFactory.ExpressionStatement((ExpressionSyntax)take).WithTriviaFrom(ifStatement));
                        }
                        else
                        {
                            var newBlock = ((BlockSyntax)ifStatement.Statement).WithStatements(body);
                            newBlock = newBlock.WithStatements(newBlock.Statements.Replace(newBlock.Statements[0], KeepOwnComments(newBlock.Statements[0], takeStatement)));
                            editor.ReplaceNode(ifStatement, ifStatement.WithCondition((ExpressionSyntax)take).WithStatement(newBlock));
                        }

                        break;
                    }

                case WhileStatementSyntax loop:
                    {
                        StatementSyntax newBody;
                        if (loop.Statement is BlockSyntax block)
                        {
                            var body = block.Statements.Remove(takeStatement);
                            if (body.Count > 0)
                            {
                                body = body.Replace(body[0], KeepOwnComments(body[0], takeStatement));
                            }

                            newBody = block.WithStatements(body);
                        }
                        else
                        {
                            newBody = SyntaxFactory.Block().WithTriviaFrom(loop.Statement);
                        }

                        editor.ReplaceNode(loop, loop.WithCondition((ExpressionSyntax)take).WithStatement(newBody));
                        break;
                    }

                default:
                    return null;
            }

            return "Use the result of " + name;
        }

        /// <summary>`if (d.ContainsKey(k)) return d[k];` → `if (d.TryGetValue(k, out var value)) return value;`</summary>
        private static string? TryGetValue(DocumentEditor editor, CheckThenActMatch match, KnownTypes types, CancellationToken cancellationToken)
        {
            if (match.Statement is not IConditionalOperation conditional || match.Check is not IInvocationOperation check)
            {
                return null;
            }

            var model = editor.SemanticModel;
            var member = match.Statement.Syntax.FirstAncestorOrSelf<MemberDeclarationSyntax>();
            var name = FixSyntax.UniqueName(model, match.Statement.Syntax.SpanStart, "value", DeclaredNames(member ?? match.Statement.Syntax));
            var negated = conditional.Condition.WalkDownConversions() is IUnaryOperation;
            var present = negated ? conditional.WhenFalse : conditional.WhenTrue;
            if (present is null)
            {
                return null;
            }

            var reads = present.DescendantsInSameFunction().Prepend(present)
                .Where(o => CheckThenActAnalyzer.Indexer(o, types) is { } indexer
                    && !o.IsWriteTarget()
                    && SharedAccess.SameVariable(indexer.Instance!.WalkDownConversions(), match.Collection.WalkDownConversions())
                    && CheckThenActAnalyzer.SameKey(indexer.Arguments[0].Value, check.Arguments[0].Value))
                .ToList();
            editor.ReplaceNode(check.Syntax, SyntaxFactory.ParseExpression(match.Collection.Syntax + ".TryGetValue(" + check.Arguments[0].Syntax + ", out var " + name + ")").WithTriviaFrom(check.Syntax));
            foreach (var read in reads)
            {
                editor.ReplaceNode(read.Syntax, SyntaxFactory.IdentifierName(name).WithTriviaFrom(read.Syntax));
            }

            return "Use TryGetValue";
        }

        private static (IOperation? Key, IOperation? Value) KeyAndValue(IOperation act) => act switch
        {
            ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Arguments.Length: 1 } indexer } assignment => (indexer.Arguments[0].Value, assignment.Value),
            IInvocationOperation { Arguments.Length: 2 } call => (call.Arguments[0].Value, call.Arguments[1].Value),
            _ => (null, null),
        };

        /// <summary>Evaluating it does more than read: a call or a `new` (a Timer that starts ticking, a connection).</summary>
        private static bool HasCalls(IOperation operation, IOperation? except = null) =>
            operation.DescendantsInSameFunction().Prepend(operation).Any(o => o is IInvocationOperation or IObjectCreationOperation && !ReferenceEquals(o, except) && (except is null || !o.IsWithin(except)));

        private static bool IsUsedOutside(ILocalSymbol local, SyntaxNode statement, SemanticModel model, CancellationToken cancellationToken)
        {
            var scope = statement.Parent;
            if (scope is null)
            {
                return false;
            }

            foreach (var identifier in scope.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (identifier.Identifier.ValueText == local.Name
                    && !statement.Span.Contains(identifier.Span)
                    && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, cancellationToken).Symbol, local))
                {
                    return true;
                }
            }

            return false;
        }

        private static HashSet<string> DeclaredNames(SyntaxNode scope)
        {
            var names = new HashSet<string>();
            var root = scope.FirstAncestorOrSelf<MemberDeclarationSyntax>() ?? scope;
            foreach (var node in root.DescendantNodes())
            {
                switch (node)
                {
                    case VariableDeclaratorSyntax declarator:
                        names.Add(declarator.Identifier.ValueText);
                        break;
                    case SingleVariableDesignationSyntax designation:
                        names.Add(designation.Identifier.ValueText);
                        break;
                    // Another lambda's parameter does not clash with the new lambda's.
                    case ParameterSyntax parameter when parameter.Parent is not SimpleLambdaExpressionSyntax && parameter.Parent?.Parent is not ParenthesizedLambdaExpressionSyntax:
                        names.Add(parameter.Identifier.ValueText);
                        break;
                }
            }

            return names;
        }

        /// <summary>The statement that moves up takes the removed one's leading trivia, unless it has comments of its own.</summary>
        private static StatementSyntax KeepOwnComments(StatementSyntax statement, StatementSyntax removed) =>
            statement.GetLeadingTrivia().Any(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia) || t.IsKind(SyntaxKind.MultiLineCommentTrivia))
                ? statement
                : statement.WithLeadingTrivia(removed.GetLeadingTrivia());

        /// <summary>Types whose `x + 1` is of the same type (no narrowing needed): int, long, uint, ulong, double, decimal.</summary>
        private static bool IsWide(ITypeSymbol? type) =>
            type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_UInt32 or SpecialType.System_UInt64
                or SpecialType.System_Double or SpecialType.System_Decimal;

        private static bool SameType(ITypeSymbol? first, ITypeSymbol? second) =>
            first is not null && second is not null && SymbolEqualityComparer.Default.Equals(first, second);

        private static string Zero(ITypeSymbol type) => type.SpecialType switch
        {
            SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Double or SpecialType.System_Decimal
                or SpecialType.System_Single or SpecialType.System_Int16 or SpecialType.System_UInt32 or SpecialType.System_UInt64 => "0",
            _ => "default(" + type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + ")",
        };
    }
}
