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
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC021 fix: the sleep becomes a wait on the work itself — `await task` / `Task.WhenAll`, `Wait` /
    /// `Task.WaitAll` in synchronous code, `Join` for threads. Work that was started without being kept
    /// (`Task.Run(...);`, `new Thread(...).Start();`) is first stored in a new local. No fix is offered
    /// when some of the work has nothing to wait on (thread-pool items, timers) or is started in a loop
    /// without being collected.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SleepAsSynchronizationCodeFix)), Shared]
    public sealed class SleepAsSynchronizationCodeFix : PlannedCodeFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.SleepAsSynchronization);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            var model = editor.SemanticModel;
            var types = KnownTypes.For(model.Compilation);
            if (types.Task is null || FindSleep(model, node, types, cancellationToken) is not { } sleep)
            {
                return null;
            }

            var finding = SleepAsSynchronization.Find(sleep, model.GetEnclosingSymbol(node.SpanStart, cancellationToken), types, cancellationToken);
            if (finding?.Sleep.Statement?.Syntax is not StatementSyntax sleepStatement)
            {
                return null;
            }

            var taken = new HashSet<string>();
            var tasks = new List<string>();
            var taskCollections = new List<(string Name, ITypeSymbol? Type)>();
            var threads = new List<string>();
            var threadCollections = new List<string>();
            var introductions = new List<(StatementSyntax Original, List<StatementSyntax> Replacement)>();

            foreach (var work in finding.Works)
            {
                if (work.Entry.Kind is ConcurrencyKind.ThreadPool or ConcurrencyKind.ThreadingTimer or ConcurrencyKind.TimersTimer)
                {
                    return null;
                }

                if (!work.IsThread && !types.IsTask(work.Entry.Operation.Type))
                {
                    return null;
                }

                // A handle overwritten on every round of a loop only remembers the last piece of work.
                if (work.InLoop && work.Collection is null && !IsSameLoopIteration(work, finding))
                {
                    return null;
                }

                if (work.Handle is not null)
                {
                    (work.IsThread ? threads : tasks).Add(work.Handle.Name);
                }
                else if (work.Collection is not null)
                {
                    if (work.IsThread)
                    {
                        threadCollections.Add(work.Collection.Name);
                    }
                    else
                    {
                        taskCollections.Add((work.Collection.Name, work.Collection.ValueType()));
                    }
                }
                else if (Introduce(work, sleepStatement, model, taken) is { } introduction)
                {
                    introductions.Add((introduction.Original, introduction.Replacement));
                    (work.IsThread ? threads : tasks).Add(introduction.Name);
                }
                else
                {
                    return null;
                }
            }

            var canAwait = SleepInAsyncCodeAnalyzer.CanAwaitAt(finding.Sleep.Expression, finding.Function);
            var task = tasks.Count + taskCollections.Count > 0 ? FixSyntax.TypeName(editor, model, sleepStatement.SpanStart, types.Task) : "Task";
            var joins = new List<StatementSyntax>();
            if (tasks.Count == 1)
            {
                joins.Add(FixSyntax.Statement(canAwait ? "await " + tasks[0] + ";" : tasks[0] + ".Wait();"));
            }
            else if (tasks.Count > 1)
            {
                var list = string.Join(", ", tasks);
                joins.Add(FixSyntax.Statement(canAwait ? "await " + task + ".WhenAll(" + list + ");" : task + ".WaitAll(" + list + ");"));
            }

            foreach (var (name, type) in taskCollections)
            {
                joins.Add(FixSyntax.Statement(canAwait ? "await " + task + ".WhenAll(" + name + ");" : BlockingWaitAll(task, name, type)));
            }

            foreach (var thread in threads)
            {
                joins.Add(FixSyntax.Statement(thread + ".Join();"));
            }

            foreach (var collection in threadCollections)
            {
                var item = FixSyntax.UniqueName(model, sleepStatement.SpanStart, "thread", taken);
                joins.Add(FixSyntax.Statement("foreach (var " + item + " in " + collection + ") { " + item + ".Join(); }"));
            }

            foreach (var (original, replacement) in introductions)
            {
                FixSyntax.ReplaceStatement(editor, original, replacement);
            }

            FixSyntax.ReplaceStatement(editor, sleepStatement, joins);
            var title = finding.Works.All(w => w.IsThread)
                ? "Join the started thread(s) instead of sleeping"
                : canAwait ? "Await the started work instead of sleeping" : "Wait for the started work instead of sleeping";
            return title;
        }

        private static SleepCall? FindSleep(SemanticModel model, SyntaxNode node, KnownTypes types, CancellationToken cancellationToken)
        {
            var operation = model.GetOperation(node, cancellationToken);
            if (operation is null)
            {
                return null;
            }

            foreach (var candidate in new[] { operation }.Concat(operation.DescendantsInSameFunction()))
            {
                if (candidate is IInvocationOperation invocation
                    && SleepCall.TryGet(invocation, types, out var sleep)
                    && ReferenceEquals(sleep.Expression.Syntax, node))
                {
                    return sleep;
                }
            }

            return null;
        }

        private static bool IsSameLoopIteration(StartedWork work, SleepAsSynchronization finding)
        {
            // Started and slept on in one round of the same loop, with the handle declared in that round.
            return work.Handle is ILocalSymbol local
                && local.DeclaringSyntaxReferences.Length > 0
                && work.Start.Syntax.Parent is not null
                && SharesInnermostLoop(work.Start, finding.Sleep.Expression, local.DeclaringSyntaxReferences[0].Span);
        }

        private static bool SharesInnermostLoop(IOperation start, IOperation sleep, Microsoft.CodeAnalysis.Text.TextSpan declaration)
        {
            for (var current = start.Parent; current is not null; current = current.Parent)
            {
                if (current is ILoopOperation loop)
                {
                    return sleep.IsWithin(loop) && loop.Body.Syntax.Span.Contains(declaration);
                }
            }

            return false;
        }
        private static string BlockingWaitAll(string task, string collection, ITypeSymbol? type)
        {
            if (type is IArrayTypeSymbol)
            {
                return task + ".WaitAll(" + collection + ");";
            }

            var hasToArray = type?.GetMembers("ToArray").OfType<IMethodSymbol>().Any(m => m.Parameters.IsEmpty && !m.IsStatic) ?? false;
            return hasToArray
                ? task + ".WaitAll(" + collection + ".ToArray());"
                : task + ".WhenAll(" + collection + ").Wait();";
        }

        /// <summary>`Task.Run(...);` becomes `var task = Task.Run(...);`; `new Thread(...).Start();` becomes two statements.</summary>
        private static (StatementSyntax Original, List<StatementSyntax> Replacement, string Name)? Introduce(StartedWork work, StatementSyntax sleepStatement, SemanticModel model, HashSet<string> taken)
        {
            var startExpression = work.IsThread
                ? (work.Start as IInvocationOperation)?.Instance?.Syntax
                : work.Entry.Operation.Syntax;
            var statement = work.Start.Syntax.FirstAncestorOrSelf<StatementSyntax>();
            if (startExpression is null || statement is not ExpressionStatementSyntax expressionStatement)
            {
                return null;
            }

            // The start must be the whole statement (or a discard of it), in a block that also holds the sleep.
            var expression = expressionStatement.Expression;
            if (expression is AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" } } discard)
            {
                expression = discard.Right;
            }

            if (expression != work.Start.Syntax || statement.Parent is not (BlockSyntax or GlobalStatementSyntax))
            {
                return null;
            }

            var scope = statement.Parent is GlobalStatementSyntax ? statement.Parent.Parent : statement.Parent;
            if (scope is null || !scope.Span.Contains(sleepStatement.Span))
            {
                return null;
            }

            var name = FixSyntax.UniqueName(model, sleepStatement.SpanStart, work.IsThread ? "thread" : "task", taken);
            var replacement = new List<StatementSyntax> { FixSyntax.Statement("var " + name + " = " + startExpression.WithoutTrivia() + ";") };
            if (work.IsThread)
            {
                replacement.Add(FixSyntax.Statement(name + ".Start();"));
            }

            return (statement, replacement, name);
        }
    }
}
