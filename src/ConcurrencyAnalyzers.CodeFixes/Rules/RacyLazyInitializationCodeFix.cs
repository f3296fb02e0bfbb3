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
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC050 and CONC051 fix. When the value can be built without the object's state or the method's
    /// locals, the field becomes `readonly Lazy&lt;T&gt;` (ExecutionAndPublication) built by the code that
    /// built it by hand, and every reader of the field reads `.Value`. Otherwise (the factory uses `this`
    /// or a parameter, or the field is used in ways `.Value` cannot stand for) the check is replaced in
    /// place by `LazyInitializer.EnsureInitialized(ref field, ref lock, factory)`, which runs the factory
    /// once. A lock field that only the removed double-checked locking used goes with it. The flag form
    /// (`if (!_initialized)`) has no value to wrap and gets no fix.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RacyLazyInitializationCodeFix)), Shared]
    public sealed class RacyLazyInitializationCodeFix : PlannedCodeFix
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(RuleIdentifiers.RacyLazyInitialization, RuleIdentifiers.BrokenDoubleCheckedLocking);

        private protected override string? Plan(DocumentEditor editor, SyntaxNode node, Diagnostic diagnostic, string action, CancellationToken cancellationToken)
        {
            var model = editor.SemanticModel;
            var types = KnownTypes.For(model.Compilation);
            if (Find(node, model, cancellationToken) is not { } initialization
                || initialization.Form == LazyInitializationForm.Flag
                || initialization.Value is null
                || !initialization.Field.Type.IsReferenceType
                || initialization.Field.DeclaredAccessibility != Accessibility.Private
                || initialization.Field.ContainingType.DeclaringSyntaxReferences.Length != 1
                || initialization.Field.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not VariableDeclaratorSyntax declarator
                || declarator.SyntaxTree != node.SyntaxTree
                || declarator.Parent?.Parent is not FieldDeclarationSyntax fieldDeclaration
                || fieldDeclaration.Declaration.Variables.Count != 1
                || (declarator.Initializer is { } initializer && !initializer.Value.IsKind(SyntaxKind.NullLiteralExpression))
                || fieldDeclaration.Parent is not TypeDeclarationSyntax typeDeclaration
                || MovesAwaitOrExit(initialization)
                || !Shape(initialization, out var removed, out var finalReturn))
            {
                return null;
            }

            var factory = Factory(initialization, model, finalReturn, cancellationToken);
            var endOfLine = FixSyntax.EndOfLineText(node.SyntaxTree.GetRoot(cancellationToken));

            if (factory is null)
            {
                return null;
            }

            var statePerCall = UsesStateOfTheCall(initialization, finalReturn);
            if (!statePerCall && LazyRewrite(editor, initialization, typeDeclaration, fieldDeclaration, removed, Place(factory, fieldDeclaration, endOfLine), types, cancellationToken))
            {
                return "Use Lazy<" + initialization.Field.Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) + "> for '" + initialization.Field.Name + "'";
            }

            // EnsureInitialized throws when the factory returns null; the hand-written code simply tried again.
            if (!MayBeNull(initialization.Value) && EnsureInitializedRewrite(editor, initialization, typeDeclaration, fieldDeclaration, removed, finalReturn, Place(factory, initialization.Check.Syntax.FirstAncestorOrSelf<StatementSyntax>() ?? initialization.Check.Syntax, endOfLine), types, cancellationToken))
            {
                return "Use LazyInitializer.EnsureInitialized for '" + initialization.Field.Name + "'";
            }

            return null;
        }

        /// <summary>
        /// An await, return, throw, break or continue among the statements that would move into the factory:
        /// a synchronous lambda cannot await, and an early exit there would be cached (Lazy) or change
        /// what the member returns.
        /// </summary>
        private static bool MovesAwaitOrExit(LazyInitialization initialization)
        {
            var finalReturnOfField = new HashSet<IOperation>(initialization.Completion.Where(s => s is IReturnOperation { ReturnedValue: { } value } && SymbolEqualityComparer.Default.Equals(LazyInitialization.OwnField(value), initialization.Field)));
            foreach (var operation in initialization.FactoryOperations())
            {
                if (finalReturnOfField.Contains(operation))
                {
                    continue;
                }

                foreach (var inner in operation.DescendantsInSameFunction().Prepend(operation))
                {
                    if (inner is IAwaitOperation or IReturnOperation or IThrowOperation or IBranchOperation or INameOfOperation)
                    {
                        return true;
                    }
                }
            }

            return initialization.Value is { } value && value.DescendantsInSameFunction().Prepend(value).Any(o => o is IAwaitOperation);
        }

        /// <summary>A value that can be null: `as`, `?.`, a Try/OrDefault lookup, a call whose result is nullable-annotated.</summary>
        private static bool MayBeNull(IOperation? value)
        {
            switch (value?.WalkDownConversions())
            {
                case null:
                    return true;
                case IObjectCreationOperation or IArrayCreationOperation or IAnonymousObjectCreationOperation:
                    return false;
                case IConditionalAccessOperation:
                    return true;
                case IConversionOperation { IsTryCast: true }:
                    return true;
                case IInvocationOperation call:
                    return call.TargetMethod.ReturnNullableAnnotation == NullableAnnotation.Annotated
                        || call.TargetMethod.Name.EndsWith("OrDefault", System.StringComparison.Ordinal)
                        || call.TargetMethod.Name.StartsWith("Find", System.StringComparison.Ordinal);
                case var other:
                    return other.Type?.NullableAnnotation == NullableAnnotation.Annotated;
            }
        }

        /// <summary>The factory text with the indentation of the line <paramref name="anchor"/> starts on.</summary>
        private static string Place(string factory, SyntaxNode anchor, string endOfLine)
        {
            var indentation = anchor.GetLeadingTrivia().LastOrDefault(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).ToFullString();
            return factory.Replace("{{I}}", indentation).Replace("{{N}}", endOfLine);
        }

        private static LazyInitialization? Find(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
        {
            foreach (var candidate in node.AncestorsAndSelf())
            {
                if (candidate is StatementSyntax and not (IfStatementSyntax or ExpressionStatementSyntax or ReturnStatementSyntax))
                {
                    break;
                }

                if (candidate is IfStatementSyntax or AssignmentExpressionSyntax or BinaryExpressionSyntax
                    && model.GetOperation(candidate, cancellationToken) is { } operation
                    && LazyInitialization.Match(operation) is { } match
                    && RacyLazyInitializationAnalyzer.ReportLocation(match).SourceSpan == node.Span)
                {
                    return match;
                }
            }

            return null;
        }

        /// <summary>
        /// The statements the rewrite removes, and the `return field;` that ends an early-return shape. False
        /// when the guarded code holds anything the rewrite would not know where to put.
        /// </summary>
        private static bool Shape(LazyInitialization initialization, out ImmutableArray<IOperation> removed, out IReturnOperation? finalReturn)
        {
            removed = ImmutableArray<IOperation>.Empty;
            finalReturn = null;
            var outer = initialization.Form == LazyInitializationForm.EarlyReturn
                ? initialization.Region
                : initialization.Check is IConditionalOperation conditional ? conditional.WhenTrue.Statements() : ImmutableArray<IOperation>.Empty;

            if (initialization.Form == LazyInitializationForm.EarlyReturn)
            {
                if (outer.IsEmpty || outer[outer.Length - 1] is not IReturnOperation { ReturnedValue: { } returned } last
                    || !SymbolEqualityComparer.Default.Equals(LazyInitialization.OwnField(returned), initialization.Field))
                {
                    return false;
                }

                finalReturn = last;
                removed = outer.RemoveAt(outer.Length - 1);
            }

            if (initialization.Lock is { } lockOperation)
            {
                // The lock must be all there is around the creation (besides the early return's `return field;`).
                var others = initialization.Form == LazyInitializationForm.EarlyReturn ? removed : outer;
                if (others.Length != 1 || !ReferenceEquals(others[0], lockOperation))
                {
                    return false;
                }

                foreach (var inside in lockOperation.Body.Statements())
                {
                    if (inside is IReturnOperation { ReturnedValue: { } value } && SymbolEqualityComparer.Default.Equals(LazyInitialization.OwnField(value), initialization.Field))
                    {
                        // `return field;` inside the lock: the rewrite returns the value instead.
                        if (finalReturn is null)
                        {
                            return false;
                        }

                        continue;
                    }

                    if (!initialization.Setup.Contains(inside) && !ReferenceEquals(inside, initialization.Store) && !initialization.Completion.Contains(inside)
                        && !(inside is IConditionalOperation inner
                            && LazyInitialization.TryReadCheck(inner.Condition, out var checkedField, out var unsetWhenTrue, out _)
                            && SymbolEqualityComparer.Default.Equals(checkedField, initialization.Field)
                            && (unsetWhenTrue ? initialization.Store?.IsWithin(inner) ?? false : inner.WhenTrue.Statements() is { Length: 1 } only && only[0] is IReturnOperation)))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        /// <summary>The factory: `() => value`, or a block that builds, fills in and returns it.</summary>
        private static string? Factory(LazyInitialization initialization, SemanticModel model, IReturnOperation? finalReturn, CancellationToken cancellationToken)
        {
            var value = initialization.Value!;
            var completion = initialization.Completion.Where(s => !(s is IReturnOperation { ReturnedValue: { } returned } && SymbolEqualityComparer.Default.Equals(LazyInitialization.OwnField(returned), initialization.Field))).ToList();
            if (initialization.Form is LazyInitializationForm.CoalesceAssignment or LazyInitializationForm.CoalesceWithAssignment
                || (initialization.Setup.IsEmpty && completion.Count == 0))
            {
                return "() => " + Text(value.Syntax, initialization.Field, null, model, cancellationToken);
            }

            if (completion.Any(s => s is IReturnOperation) || initialization.Setup.Any(s => s is IReturnOperation))
            {
                return null;
            }

            var local = FixSyntax.UniqueName(model, value.Syntax.SpanStart, "instance");
            var statements = new List<string>();
            statements.AddRange(initialization.Setup.Select(s => Text(s.Syntax, initialization.Field, local, model, cancellationToken)));
            statements.Add("var " + local + " = " + Text(value.Syntax, initialization.Field, local, model, cancellationToken) + ";");
            statements.AddRange(completion.Select(s => Text(s.Syntax, initialization.Field, local, model, cancellationToken)));
            statements.Add("return " + local + ";");
            // `{{I}}` and `{{N}}` stand for the indentation and line ending of where the factory goes.
            return "() =>{{N}}{{I}}{{{N}}" + string.Join(string.Empty, statements.Select(t => "{{I}}    " + t + "{{N}}")) + "{{I}}}";
        }

        /// <summary>The text of a node with the field's references replaced by <paramref name="local"/>.</summary>
        private static string Text(SyntaxNode syntax, IFieldSymbol field, string? local, SemanticModel model, CancellationToken cancellationToken)
        {
            var references = local is null ? new List<ExpressionSyntax>() : FixSyntax.ReferencesTo(syntax, field, model, cancellationToken).ToList();
            var rewritten = syntax.ReplaceNodes(references, (original, _) => SyntaxFactory.IdentifierName(local!).WithTriviaFrom(original));
            return rewritten.WithoutLeadingTrivia().WithoutTrailingTrivia().ToFullString();
        }

        /// <summary>The factory reads `this`, a parameter or a local of the method: it must run where the check was.</summary>
        private static bool UsesStateOfTheCall(LazyInitialization initialization, IReturnOperation? finalReturn)
        {
            var declared = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
            foreach (var operation in initialization.FactoryOperations())
            {
                foreach (var inner in operation.DescendantsInSourceOrder().Prepend(operation))
                {
                    if (inner is IVariableDeclaratorOperation declaration)
                    {
                        declared.Add(declaration.Symbol);
                    }
                }
            }

            foreach (var operation in initialization.FactoryOperations())
            {
                foreach (var inner in operation.DescendantsInSourceOrder().Prepend(operation))
                {
                    switch (inner)
                    {
                        case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                        case IParameterReferenceOperation parameter when !IsLambdaParameter(parameter, operation):
                        case ILocalReferenceOperation local when !declared.Contains(local.Local):
                        case IInvocationOperation { TargetMethod.MethodKind: MethodKind.LocalFunction }:
                        case IMethodReferenceOperation { Method.MethodKind: MethodKind.LocalFunction }:
                            return true;
                        case { Type: { } type } when MentionsMethodTypeParameter(type):
                            return true;
                    }
                }
            }

            return false;
        }

        private static bool MentionsMethodTypeParameter(ITypeSymbol type) => type switch
        {
            ITypeParameterSymbol { TypeParameterKind: TypeParameterKind.Method } => true,
            INamedTypeSymbol named => named.TypeArguments.Any(MentionsMethodTypeParameter),
            IArrayTypeSymbol array => MentionsMethodTypeParameter(array.ElementType),
            _ => false,
        };

        private static bool IsLambdaParameter(IParameterReferenceOperation parameter, IOperation root) =>
            root.DescendantsInSourceOrder().OfType<IAnonymousFunctionOperation>().Any(l => l.Symbol.Parameters.Contains(parameter.Parameter, SymbolEqualityComparer.Default));

        private static bool LazyRewrite(
            DocumentEditor editor,
            LazyInitialization initialization,
            TypeDeclarationSyntax typeDeclaration,
            FieldDeclarationSyntax fieldDeclaration,
            ImmutableArray<IOperation> removed,
            string factory,
            KnownTypes types,
            CancellationToken cancellationToken)
        {
            // An attribute on the field ([NonSerialized], [JsonIgnore]) was meant for a T, not a Lazy<T>.
            if (types.LazyOfT is null || types.LazyThreadSafetyMode is null || fieldDeclaration.AttributeLists.Count > 0)
            {
                return false;
            }

            var model = editor.SemanticModel;
            var field = initialization.Field;
            var checkSyntax = initialization.Check.Syntax;
            var removedSpans = removed.Select(s => s.Syntax.FullSpan).Append(checkSyntax.FullSpan).ToList();

            // Every other use of the field must be a read that `.Value` can stand for.
            var reads = new List<ExpressionSyntax>();
            foreach (var reference in FixSyntax.ReferencesTo(typeDeclaration, field, model, cancellationToken))
            {
                if (removedSpans.Any(span => span.Contains(reference.Span)))
                {
                    continue;
                }

                if (model.GetOperation(reference, cancellationToken) is not { } operation
                    || operation.IsWriteTarget()
                    || operation.WalkUpConversions(out _) is IArgumentOperation { Parameter.RefKind: not RefKind.None }
                    || IsNullCheck(operation))
                {
                    return false;
                }

                reads.Add(reference);
            }

            var position = fieldDeclaration.SpanStart;
            var lazy = FixSyntax.TypeName(editor, model, position, types.LazyOfT);
            var mode = FixSyntax.TypeName(editor, model, position, types.LazyThreadSafetyMode);
            var valueType = fieldDeclaration.Declaration.Type is NullableTypeSyntax nullable ? nullable.ElementType : fieldDeclaration.Declaration.Type;
            var lazyType = lazy + "<" + valueType.ToString() + ">";
            var modifiers = fieldDeclaration.Modifiers.Where(m => !m.IsKind(SyntaxKind.VolatileKeyword) && !m.IsKind(SyntaxKind.ReadOnlyKeyword)).Select(m => m.ValueText).ToList();
            modifiers.Add("readonly");
            var declaration = string.Join(" ", modifiers) + " " + lazyType + " " + field.Name + " = new " + lazyType + "(" + factory + ", " + mode + ".ExecutionAndPublication);";
            var member = SyntaxFactory.ParseMemberDeclaration(declaration)!
                .WithTriviaFrom(fieldDeclaration);
            editor.ReplaceNode(fieldDeclaration, member);

            foreach (var read in reads)
            {
                editor.ReplaceNode(read, (current, _) => SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, ((ExpressionSyntax)current).WithoutTrivia(), SyntaxFactory.IdentifierName("Value")).WithTriviaFrom(current));
            }

            var valueRead = SyntaxFactory.ParseExpression(field.Name + ".Value");
            switch (initialization.Form)
            {
                case LazyInitializationForm.CoalesceAssignment or LazyInitializationForm.CoalesceWithAssignment:
                    if (checkSyntax.Parent is ExpressionStatementSyntax alone)
                    {
                        editor.RemoveNode(alone, SyntaxRemoveOptions.KeepUnbalancedDirectives);
                    }
                    else
                    {
                        editor.ReplaceNode(checkSyntax, valueRead.WithTriviaFrom(checkSyntax));
                    }

                    break;
                default:
                    RemoveStatements(editor, removed.Select(s => s.Syntax).Prepend(checkSyntax).ToList());
                    break;
            }

            RemoveLockFieldIfUnused(editor, initialization, typeDeclaration, removedSpans, cancellationToken);
            return true;
        }

        private static bool EnsureInitializedRewrite(
            DocumentEditor editor,
            LazyInitialization initialization,
            TypeDeclarationSyntax typeDeclaration,
            FieldDeclarationSyntax fieldDeclaration,
            ImmutableArray<IOperation> removed,
            IReturnOperation? finalReturn,
            string factory,
            KnownTypes types,
            CancellationToken cancellationToken)
        {
            // EnsureInitialized(ref T, ref object, Func<T>): .NET Core 3.0 and later.
            if (types.LazyInitializer is null
                || !types.LazyInitializer.GetMembers("EnsureInitialized").OfType<IMethodSymbol>().Any(m => m.Parameters.Length == 3 && m.Parameters[1].Type.SpecialType == SpecialType.System_Object))
            {
                return false;
            }

            var model = editor.SemanticModel;
            var field = initialization.Field;
            var checkSyntax = initialization.Check.Syntax;
            var initializer = FixSyntax.TypeName(editor, model, checkSyntax.SpanStart, types.LazyInitializer);
            var stem = field.Name.TrimStart('_');
            var prefix = field.Name.Substring(0, field.Name.Length - stem.Length);
            if (stem.StartsWith("s_", System.StringComparison.Ordinal))
            {
                prefix = "s_";
                stem = stem.Substring(2);
            }

            // A lock an earlier fix of the same field added is the lock: two would let two threads both create.
            var wanted = prefix + stem + "Lock";
            var existing = field.ContainingType.GetMembers(wanted).OfType<IFieldSymbol>().FirstOrDefault(f => f.Type.SpecialType == SpecialType.System_Object && f.IsStatic == field.IsStatic);
            var lockName = existing?.Name ?? FixSyntax.UniqueName(model, checkSyntax.SpanStart, wanted);
            var call = initializer + ".EnsureInitialized(ref " + field.Name + ", ref " + lockName + ", " + factory + ")";
            var nullable = model.GetNullableContext(fieldDeclaration.SpanStart).AnnotationsEnabled();
            var lockDeclaration = "private " + (field.IsStatic ? "static " : string.Empty) + "object" + (nullable ? "?" : string.Empty) + " " + lockName + ";";
            var lockMember = SyntaxFactory.ParseMemberDeclaration(lockDeclaration)!
                .WithLeadingTrivia(fieldDeclaration.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)))
                .WithTrailingTrivia(fieldDeclaration.GetTrailingTrivia());
            if (existing is null)
            {
                editor.InsertAfter(fieldDeclaration, lockMember);
            }

            // A volatile field passed by ref loses its volatility (CS0420); EnsureInitialized does the fencing.
            if (fieldDeclaration.Modifiers.Any(SyntaxKind.VolatileKeyword))
            {
                var volatileKeyword = fieldDeclaration.Modifiers.First(m => m.IsKind(SyntaxKind.VolatileKeyword));
                editor.ReplaceNode(fieldDeclaration, (current, _) =>
                {
                    var currentField = (FieldDeclarationSyntax)current;
                    var index = currentField.Modifiers.IndexOf(SyntaxKind.VolatileKeyword);
                    var modifiers = currentField.Modifiers.RemoveAt(index);
                    return currentField.WithModifiers(index == 0 && modifiers.Count > 0 ? modifiers.Replace(modifiers[0], modifiers[0].WithLeadingTrivia(volatileKeyword.LeadingTrivia)) : modifiers);
                });
            }

            switch (initialization.Form)
            {
                case LazyInitializationForm.CoalesceAssignment or LazyInitializationForm.CoalesceWithAssignment:
                    editor.ReplaceNode(checkSyntax, SyntaxFactory.ParseExpression(call).WithTriviaFrom(checkSyntax));
                    break;
                case LazyInitializationForm.EarlyReturn:
                    editor.ReplaceNode(checkSyntax, SyntaxFactory.ParseStatement("return " + call + ";").WithTriviaFrom(checkSyntax));
                    RemoveStatements(editor, removed.Select(s => s.Syntax).Concat(finalReturn is null ? Enumerable.Empty<SyntaxNode>() : new[] { finalReturn.Syntax }).ToList());
                    break;
                default:
                    editor.ReplaceNode(checkSyntax, SyntaxFactory.ParseStatement(call + ";").WithTriviaFrom(checkSyntax));
                    break;
            }

            var removedSpans = removed.Select(s => s.Syntax.FullSpan).Append(checkSyntax.FullSpan).ToList();
            RemoveLockFieldIfUnused(editor, initialization, typeDeclaration, removedSpans, cancellationToken);
            return true;
        }

        /// <summary>`field == null`, `field is null`, `field != null`: a question `.Value` would answer differently.</summary>
        private static bool IsNullCheck(IOperation reference)
        {
            var parent = reference.WalkUpConversions(out _);
            return parent is IBinaryOperation binary && (binary.LeftOperand.ConstantValue is { HasValue: true, Value: null } || binary.RightOperand.ConstantValue is { HasValue: true, Value: null })
                || parent is IIsPatternOperation or ICoalesceOperation or IConditionalAccessOperation;
        }

        /// <summary>
        /// Removes consecutive statements of a block; the statement after them takes the first one's leading
        /// trivia, so that no blank line is left where they were.
        /// </summary>
        private static void RemoveStatements(DocumentEditor editor, IReadOnlyList<SyntaxNode> statements)
        {
            if (statements.Count == 0)
            {
                return;
            }

            var first = statements[0];
            var last = statements[statements.Count - 1];
            if (last.Parent is BlockSyntax block && block.Statements.IndexOf((StatementSyntax)last) is var index && index >= 0 && index + 1 < block.Statements.Count
                && !statements.Contains(block.Statements[index + 1]))
            {
                var next = block.Statements[index + 1];
                var leading = first.GetLeadingTrivia();
                editor.ReplaceNode(next, (current, _) => current.WithLeadingTrivia(leading));
            }

            foreach (var statement in statements)
            {
                editor.RemoveNode(statement, SyntaxRemoveOptions.KeepNoTrivia);
            }
        }

        /// <summary>The private lock field that only the removed double-checked locking used.</summary>
        private static void RemoveLockFieldIfUnused(DocumentEditor editor, LazyInitialization initialization, TypeDeclarationSyntax typeDeclaration, List<Microsoft.CodeAnalysis.Text.TextSpan> removedSpans, CancellationToken cancellationToken)
        {
            if (initialization.Lock?.LockedValue.WalkDownConversions() is not IFieldReferenceOperation { Field: { DeclaredAccessibility: Accessibility.Private } lockField }
                || lockField.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Parent.Parent: FieldDeclarationSyntax lockDeclaration } lockDeclarator
                || lockDeclaration.Declaration.Variables.Count != 1
                || lockDeclarator.SyntaxTree != typeDeclaration.SyntaxTree)
            {
                return;
            }

            var model = editor.SemanticModel;
            var scope = lockDeclaration.Parent ?? typeDeclaration;
            var stillUsed = FixSyntax.ReferencesTo(scope, lockField, model, cancellationToken).Any(r => !removedSpans.Any(span => span.Contains(r.Span)));
            if (!stillUsed)
            {
                editor.RemoveNode(lockDeclaration, SyntaxRemoveOptions.KeepUnbalancedDirectives);
            }
        }
    }
}
