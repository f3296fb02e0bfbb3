using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC022 fix, offered only where the rewrite is unambiguous and the loop does nothing but sleep:
    /// polling task.IsCompleted becomes await/Wait, polling thread.IsAlive becomes Join, and polling a
    /// private bool field that is only ever set to true becomes a wait on a signal set next to every
    /// `_flag = true;` (ManualResetEventSlim in synchronous code, TaskCompletionSource in async code).
    /// The flag stays when other code reads it; when the loop was its only reader the signal replaces it.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PollingLoopCodeFix)), Shared]
    public sealed class PollingLoopCodeFix : PlannedCodeFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.PollingLoop);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            var model = editor.SemanticModel;
            var types = KnownTypes.For(model.Compilation);
            var operation = model.GetOperation(node, cancellationToken);
            if (operation is null)
            {
                return null;
            }

            var function = EnclosingFunction.Of(operation, model.GetEnclosingSymbol(node.SpanStart, cancellationToken));
            PollingLoop? polling = null;
            var found = operation switch
            {
                ILoopOperation loop => PollingLoop.TryGet(loop, function, types, out polling),
                IInvocationOperation invocation => PollingLoop.TryGetSpinUntil(invocation, function, types, out polling),
                _ => false,
            };

            if (!found || polling is null || !polling.OnlySleeps)
            {
                return null;
            }

            // What the wait must see for it to be over: the polled state itself, or its negation.
            var endsWhenStateTrue = EndsWhenStateIs(polling, wantTrue: true);
            var endsWhenStateFalse = EndsWhenStateIs(polling, wantTrue: false);
            var isSpinUntil = operation is IInvocationOperation;
            var timeout = isSpinUntil && ((IInvocationOperation)operation).Arguments.Length == 2
                ? ((IInvocationOperation)operation).Arguments[1].Value.Syntax.ToString()
                : null;
            var canAwait = !isSpinUntil && SleepInAsyncCodeAnalyzer.CanAwaitAt(operation, function);

            switch (polling.StateKind)
            {
                case PolledStateKind.Task when endsWhenStateTrue && polling.PolledState is IPropertyReferenceOperation { Instance: { } task } && types.IsTask(task.Type):
                    var taskText = task.Syntax.WithoutTrivia().ToString();
                    Replace(editor, node, isSpinUntil, canAwait ? "await " + taskText : taskText + ".Wait(" + timeout + ")");
                    return canAwait ? "Await the task instead of polling it" : "Wait for the task instead of polling it";

                case PolledStateKind.Thread when endsWhenStateFalse && polling.PolledState is IPropertyReferenceOperation { Instance: { } thread }:
                    Replace(editor, node, isSpinUntil, thread.Syntax.WithoutTrivia() + ".Join(" + timeout + ")");
                    return "Join the thread instead of polling it";

                case PolledStateKind.Flag when endsWhenStateTrue:
                    return PlanFlagSignal(editor, model, types, node, polling, isSpinUntil, canAwait, timeout, cancellationToken);

                default:
                    return null;
            }
        }

        /// <summary>
        /// True when the loop ends exactly when the polled state has the value <paramref name="wantTrue"/>:
        /// `while (!state)` / `if (state) break;` for true, `while (state)` / `if (!state) break;` for false.
        /// </summary>
        private static bool EndsWhenStateIs(PollingLoop polling, bool wantTrue)
        {
            var condition = polling.Condition.WalkDownConversions();
            var state = polling.PolledState;
            bool conditionIsState;
            if (ReferenceEquals(condition, state))
            {
                conditionIsState = true;
            }
            else if (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not && ReferenceEquals(not.Operand.WalkDownConversions(), state))
            {
                conditionIsState = false;
            }
            else if (condition is IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals } equals
                && ReferenceEquals(equals.LeftOperand.WalkDownConversions(), state)
                && equals.RightOperand.ConstantValue is { HasValue: true, Value: bool constant })
            {
                conditionIsState = constant;
            }
            else
            {
                return false;
            }

            // The wait ends when the condition is true (until-form) or false (while-form).
            var endsWhenConditionIs = polling.WaitsUntilConditionTrue;
            var endsWhenStateIs = conditionIsState ? endsWhenConditionIs : !endsWhenConditionIs;
            return endsWhenStateIs == wantTrue;
        }

        private static void Replace(DocumentEditor editor, SyntaxNode node, bool isSpinUntil, string wait)
        {
            if (isSpinUntil)
            {
                editor.ReplaceNode(node, SyntaxFactory.ParseExpression(wait).WithTriviaFrom(node).WithAdditionalAnnotations(Formatter.Annotation));
            }
            else
            {
                editor.ReplaceNode(node, FixSyntax.Statement(wait + ";").WithTriviaFrom(node));
            }
        }

        private static string? PlanFlagSignal(DocumentEditor editor, SemanticModel model, KnownTypes types, SyntaxNode node, PollingLoop polling, bool isSpinUntil, bool canAwait, string? timeout, CancellationToken cancellationToken)
        {
            var fieldReference = polling.PolledState as IFieldReferenceOperation
                ?? (polling.PolledState as IInvocationOperation)?.Arguments[0].Value as IFieldReferenceOperation;
            var field = fieldReference?.Field;
            if (field is null
                || field.DeclaredAccessibility != Accessibility.Private
                || field.IsReadOnly
                || field.DeclaringSyntaxReferences.Length != 1
                || field.ContainingType.DeclaringSyntaxReferences.Length != 1
                || field.DeclaringSyntaxReferences[0].SyntaxTree != model.SyntaxTree
                || field.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax declarator
                || declarator.Parent?.Parent is not FieldDeclarationSyntax fieldDeclaration
                || !(declarator.Initializer is null || declarator.Initializer.Value.IsKind(SyntaxKind.FalseLiteralExpression)))
            {
                return null;
            }

            var useTaskCompletionSource = canAwait && (types.TaskCompletionSource ?? types.TaskCompletionSourceOfT) is not null && types.TaskCreationOptions is not null;
            var signalType = useTaskCompletionSource ? types.TaskCompletionSource ?? types.TaskCompletionSourceOfT : types.ManualResetEventSlim;
            if (signalType is null
                || FindSetStatements(model, field, fieldDeclaration.Parent!, node, types, cancellationToken) is not { Sets.Count: > 0 } usage)
            {
                return null;
            }

            var setStatements = usage.Sets;

            var typeSyntax = (TypeDeclarationSyntax)fieldDeclaration.Parent!;
            var signal = FixSyntax.UniqueName(model, typeSyntax.OpenBraceToken.Span.End, field.Name + "Signal");
            var generic = useTaskCompletionSource && types.TaskCompletionSource is null;
            var typeName = FixSyntax.TypeName(editor, model, node.SpanStart, signalType) + (generic ? "<bool>" : string.Empty);
            string initializer;
            string set;
            string wait;
            if (useTaskCompletionSource)
            {
                var options = FixSyntax.TypeName(editor, model, node.SpanStart, types.TaskCreationOptions!);
                initializer = "new " + typeName + "(" + options + ".RunContinuationsAsynchronously)";
                set = signal + (generic ? ".TrySetResult(true);" : ".TrySetResult();");
                wait = "await " + signal + ".Task";
            }
            else
            {
                initializer = "new " + typeName + "(false)";
                set = signal + ".Set();";
                wait = signal + ".Wait(" + timeout + ")";
            }

            var modifiers = field.IsStatic ? "private static readonly " : "private readonly ";
            var signalField = SyntaxFactory.ParseMemberDeclaration(modifiers + typeName + " " + signal + " = " + initializer + ";")!
                .WithLeadingTrivia(fieldDeclaration.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)))
                .WithTrailingTrivia(fieldDeclaration.GetTrailingTrivia())
                .WithAdditionalAnnotations(Formatter.Annotation);
            if (usage.HasOtherReads)
            {
                // Others still read the flag: keep it and set the signal next to it.
                editor.InsertAfter(fieldDeclaration, signalField);
                foreach (var statement in setStatements)
                {
                    FixSyntax.ReplaceStatement(editor, statement, new[] { statement.WithoutTrivia(), FixSyntax.Statement(set) });
                }
            }
            else
            {
                // The loop was the flag's only reader: the signal takes its place, or the flag would be
                // left assigned but never read (CS0414).
                foreach (var statement in setStatements)
                {
                    FixSyntax.ReplaceStatement(editor, statement, new[] { FixSyntax.Statement(set) });
                }

                if (((VariableDeclarationSyntax)declarator.Parent!).Variables.Count == 1)
                {
                    editor.ReplaceNode(fieldDeclaration, signalField.WithLeadingTrivia(fieldDeclaration.GetLeadingTrivia()));
                }
                else
                {
                    editor.InsertAfter(fieldDeclaration, signalField);
                    editor.RemoveNode(declarator);
                }
            }

            Replace(editor, node, isSpinUntil, wait);
            return useTaskCompletionSource
                ? "Await a TaskCompletionSource completed where '" + field.Name + "' is set"
                : "Wait on a ManualResetEventSlim set where '" + field.Name + "' is set";
        }

        /// <summary>
        /// Every statement that sets the flag (`_flag = true;` or `Volatile.Write(ref _flag, true);`) and
        /// whether anything besides the polling loop reads it; null when anything writes it otherwise
        /// (resets it, passes it by ref): then a one-shot signal would be wrong.
        /// </summary>
        private static (List<StatementSyntax> Sets, bool HasOtherReads)? FindSetStatements(SemanticModel model, IFieldSymbol field, SyntaxNode typeSyntax, SyntaxNode pollingNode, KnownTypes types, CancellationToken cancellationToken)
        {
            var sets = new List<StatementSyntax>();
            var hasOtherReads = false;
            foreach (var identifier in typeSyntax.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (identifier.Identifier.ValueText != field.Name
                    || model.GetOperation(identifier, cancellationToken) is not IFieldReferenceOperation reference
                    || !SymbolEqualityComparer.Default.Equals(reference.Field, field))
                {
                    continue;
                }

                var parent = reference.WalkUpConversions(out var child);
                switch (parent)
                {
                    case ISimpleAssignmentOperation assignment when ReferenceEquals(assignment.Target, child):
                        if (assignment.Value.ConstantValue is not { HasValue: true, Value: true }
                            || assignment.Parent is not IExpressionStatementOperation { Syntax: ExpressionStatementSyntax statement })
                        {
                            return null;
                        }

                        sets.Add(statement);
                        break;
                    case IArgumentOperation { Parent: IInvocationOperation call } when KnownTypes.Is(call.TargetMethod.ContainingType, types.Volatile):
                        if (call.TargetMethod.Name == "Read")
                        {
                            hasOtherReads |= !pollingNode.Span.Contains(identifier.Span);
                            break;
                        }

                        if (call.TargetMethod.Name != "Write"
                            || call.Arguments.Length != 2
                            || call.Arguments[1].Value.ConstantValue is not { HasValue: true, Value: true }
                            || call.Parent is not IExpressionStatementOperation { Syntax: ExpressionStatementSyntax volatileStatement })
                        {
                            return null;
                        }

                        sets.Add(volatileStatement);
                        break;
                    default:
                        if (reference.IsWriteTarget() || parent is IArgumentOperation { Parameter.RefKind: not RefKind.None })
                        {
                            return null;
                        }

                        hasOtherReads |= !pollingNode.Span.Contains(identifier.Span);
                        break;
                }
            }

            return (sets, hasOtherReads);
        }
    }
}
