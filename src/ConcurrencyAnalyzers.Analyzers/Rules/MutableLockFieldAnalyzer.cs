using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC032: a field of a type that the type uses as a lock object (`lock`, Monitor, Lock, SemaphoreSlim,
    /// ReaderWriterLockSlim, Mutex) and that is not readonly. Reported once per field, at its declaration.
    /// A field set only once through Interlocked.CompareExchange (the lazy SyncRoot idiom) is left alone.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class MutableLockFieldAnalyzer : ConcurrencyAnalyzer
    {
        /// <summary>Diagnostic property: present when nothing but constructors assigns the field, so `readonly` is the fix.</summary>
        internal const string CanBeReadonlyProperty = "CanBeReadonly";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.MutableLockField);

        private protected override bool IsApplicable(KnownTypes types) => true;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
        {
            context.RegisterSymbolStartAction(symbolStart =>
            {
                var type = (INamedTypeSymbol)symbolStart.Symbol;
                if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct)
                    || !type.GetMembers().Any(m => m is IFieldSymbol { IsReadOnly: false, IsConst: false, Type.IsReferenceType: true })
                    || !type.DeclaringSyntaxReferences.Any(r => LockSyntax.MayTakeLocks(r.GetSyntax(symbolStart.CancellationToken))))
                {
                    return;
                }

                var locked = new ConcurrentDictionary<IFieldSymbol, bool>(SymbolEqualityComparer.Default);
                var assigned = new ConcurrentBag<(IFieldSymbol Field, IOperation Write, ISymbol Member)>();
                var publishedOnce = new ConcurrentDictionary<IFieldSymbol, bool>(SymbolEqualityComparer.Default);
                symbolStart.RegisterOperationAction(operationContext =>
                {
                    var operation = operationContext.Operation;
                    if (operation is IFieldReferenceOperation reference)
                    {
                        if (Candidate(reference.Field, type) is { } field && IsWritten(reference) && !IsConstruction(operationContext.ContainingSymbol, field, reference))
                        {
                            // Published once (CompareExchange, EnsureInitialized), or given to another object (a clone's own
                            // lock, a deserialized copy): deliberate, and readonly would not compile.
                            if (IsPublishedOnce(reference) || !IsOnThis(reference) || IsDeserialization(operationContext.ContainingSymbol))
                            {
                                publishedOnce.TryAdd(field, true);
                            }
                            else
                            {
                                assigned.Add((field, reference, operationContext.ContainingSymbol));
                            }
                        }

                        return;
                    }

                    if (LockAcquisition.Of(operation, types, countThrottles: true) is { Lock.Symbol: IFieldSymbol lockField } && Candidate(lockField, type) is { } candidate)
                    {
                        locked.TryAdd(candidate, true);
                    }
                }, OperationKind.Lock, OperationKind.Invocation, OperationKind.FieldReference);

                symbolStart.RegisterSymbolEndAction(symbolEnd =>
                {
                    foreach (var field in locked.Keys.Where(f => !publishedOnce.ContainsKey(f)).OrderBy(f => f.Name, System.StringComparer.Ordinal))
                    {
                        var writes = assigned.Where(a => SymbolEqualityComparer.Default.Equals(a.Field, field))
                            .OrderBy(a => a.Write.Syntax.SyntaxTree.FilePath, System.StringComparer.Ordinal).ThenBy(a => a.Write.Syntax.SpanStart).ToList();
                        var where = string.Empty;
                        var properties = ImmutableDictionary<string, string?>.Empty;
                        if (writes.Count > 0)
                        {
                            var first = writes[0];
                            where = " and is assigned in '" + first.Member.Name + "' (line " + (first.Write.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1) + ")";
                        }
                        else if (field.DeclaredAccessibility == Accessibility.Private)
                        {
                            properties = properties.Add(CanBeReadonlyProperty, "true");
                        }

                        symbolEnd.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.MutableLockField, field.Locations[0], writes.Select(w => w.Write.Syntax.GetLocation()), properties, field.Name, where));
                    }
                });
            }, SymbolKind.NamedType);
        }

        /// <summary>A non-readonly field of reference type declared in source by this type.</summary>
        private static IFieldSymbol? Candidate(IFieldSymbol field, INamedTypeSymbol type)
        {
            var original = field.OriginalDefinition;
            return !original.IsReadOnly && !original.IsConst && original.Type.IsReferenceType
                && SymbolEqualityComparer.Default.Equals(original.ContainingType, type.OriginalDefinition)
                && !original.Locations.IsEmpty && original.Locations[0].IsInSource
                ? original
                : null;
        }

        /// <summary>
        /// Constructors (static ones for static fields) and initializers may assign a readonly field — on the
        /// object being built, and not from a lambda or local function, which may run later.
        /// </summary>
        private static bool IsConstruction(ISymbol member, IFieldSymbol field, IFieldReferenceOperation reference)
        {
            var inConstructor = member is IFieldSymbol or IPropertySymbol
                || member is IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor } method && method.IsStatic == field.IsStatic;
            if (!inConstructor || !IsOnThis(reference))
            {
                return false;
            }

            for (var current = reference.Parent; current is not null; current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsOnThis(IFieldReferenceOperation reference) => reference.Instance is null or IInstanceReferenceOperation;

        /// <summary>Assigned, passed by ref or out, a deconstruction target, or taken by a ref local or ref return.</summary>
        private static bool IsWritten(IFieldReferenceOperation reference)
        {
            if (reference.IsWriteTarget())
            {
                return true;
            }

            var parent = reference.WalkUpConversions(out _);
            return parent is ITupleOperation { Parent: IDeconstructionAssignmentOperation }
                || parent is IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol.RefKind: not RefKind.None } }
                || parent is IReturnOperation && reference.Syntax.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.RefExpressionSyntax;
        }

        /// <summary>`Interlocked.CompareExchange(ref _syncRoot, new object(), null)` and `LazyInitializer.EnsureInitialized(ref _syncRoot)` publish the object once.</summary>
        private static bool IsPublishedOnce(IFieldReferenceOperation reference) =>
            reference.Parent is IArgumentOperation { Parent: IInvocationOperation { TargetMethod: { Name: "CompareExchange", ContainingType.Name: "Interlocked" } or { Name: "EnsureInitialized", ContainingType.Name: "LazyInitializer" } } };

        private static bool IsDeserialization(ISymbol member) =>
            member.GetAttributes().Any(a => a.AttributeClass?.Name is "OnDeserializedAttribute" or "OnDeserializingAttribute");
    }
}
