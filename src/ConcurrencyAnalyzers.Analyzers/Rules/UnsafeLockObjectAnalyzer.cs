using System.Collections.Immutable;
using System.Linq;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC031: `lock` (or Monitor.Enter/TryEnter) on an object that code outside the class can lock too —
    /// `this`, a Type, a string, a public or protected field — or on an object made for this call only,
    /// which nobody else locks.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class UnsafeLockObjectAnalyzer : ConcurrencyAnalyzer
    {
        /// <summary>Diagnostic property for the fix: "instance" or "static", the kind of private field that should replace the lock object.</summary>
        internal const string FieldKindProperty = "FieldKind";

        /// <summary>Diagnostic property for the fix: the name the new lock field starts from.</summary>
        internal const string FieldNameProperty = "FieldName";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.UnsafeLockObject);

        private protected override bool IsApplicable(KnownTypes types) => true;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
        {
            context.RegisterOperationAction(operationContext =>
            {
                var lockedValue = operationContext.Operation switch
                {
                    ILockOperation lockStatement => lockStatement.LockedValue,
                    IInvocationOperation { TargetMethod.Name: "Enter" or "TryEnter", Arguments.Length: > 0 } enter
                        when KnownTypes.Is(enter.TargetMethod.ContainingType, types.Monitor) => enter.Arguments[0].Value,
                    _ => null,
                };

                if (lockedValue is not null && Classify(lockedValue.WalkDownConversions(), operationContext.Operation, operationContext.ContainingSymbol) is { } finding)
                {
                    var properties = ImmutableDictionary<string, string?>.Empty;
                    if (finding.FieldName is not null)
                    {
                        properties = properties.Add(FieldKindProperty, finding.IsStatic ? "static" : "instance").Add(FieldNameProperty, finding.FieldName);
                    }

                    operationContext.ReportDiagnostic(Diagnostic.Create(RuleDescriptors.UnsafeLockObject, lockedValue.Syntax.GetLocation(), properties, finding.What, finding.Why));
                }
            }, OperationKind.Lock, OperationKind.Invocation);
        }

        private sealed class Finding
        {
            public Finding(string what, string why, string? fieldName, bool isStatic)
            {
                What = what;
                Why = why;
                FieldName = fieldName;
                IsStatic = isStatic;
            }

            public string What { get; }

            public string Why { get; }

            /// <summary>The name to start the replacing field from; null when no private field can stand in (a string key).</summary>
            public string? FieldName { get; }

            public bool IsStatic { get; }
        }

        private static Finding? Classify(IOperation value, IOperation lockOperation, ISymbol containingSymbol)
        {
            // A value type is boxed into a new object per call: CONC034's.
            if (value.Type is { IsValueType: true })
            {
                return null;
            }

            var inStaticCode = containingSymbol.IsStatic;
            switch (value)
            {
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                    return new Finding("'this'", "any code that holds a reference to this object can lock it too and block or deadlock this class; lock on a private readonly object", "_sync", isStatic: false);
                case ITypeOfOperation typeOf:
                    return new Finding("typeof(" + typeOf.TypeOperand.Name + ")", "the Type object is shared by the whole process, so any code can lock it too; lock on a private static readonly object", "s_sync", isStatic: true);
                case IInvocationOperation { TargetMethod.Name: "GetType", Arguments.Length: 0 }:
                    return new Finding("GetType()", "the Type object is shared by the whole process, so any code can lock it too; lock on a private static readonly object", "s_sync", isStatic: true);
                case ILiteralOperation { ConstantValue: { HasValue: true, Value: string text } }:
                    return new Finding("The string \"" + text + "\"", "string literals are interned, so every other lock on the same text anywhere in the process is the same lock; lock on a private static readonly object", LiteralFieldName(text), isStatic: true);
                case IObjectCreationOperation:
                    return new Finding("A new object", "it is made for this call only, so no other thread ever locks it and the lock excludes nothing; lock on an object stored in a private readonly field", inStaticCode ? "s_sync" : "_sync", inStaticCode);
                case ILocalReferenceOperation local when IsCreatedPerCall(local, lockOperation):
                    return new Finding("'" + local.Local.Name + "'", "it is made for this call only, so no other thread ever locks it and the lock excludes nothing; lock on an object stored in a private readonly field", inStaticCode ? "s_sync" : "_sync", inStaticCode);
                case IFieldReferenceOperation field when IsVisibleOutside(field.Field):
                    return new Finding("'" + field.Field.Name + "'", "it is " + Accessibility(field.Field) + ", so code outside the class can lock it too and block or deadlock this class; lock on a private readonly object", (field.Field.IsStatic ? "s_" : "_") + LockSyntax.FieldStem(field.Field.Name, "sync") + "Lock", field.Field.IsStatic);
            }

            if (value.Type is { } type)
            {
                if (type.SpecialType == SpecialType.System_String)
                {
                    return new Finding("A string", "strings with the same text can be one interned object shared by unrelated code, and equal strings built at run time are different objects that do not exclude each other", null, isStatic: true);
                }

                if (type.Name == "Type" && type.ContainingNamespace?.ToDisplayString() == "System")
                {
                    return new Finding("A Type object", "Type objects are shared by the whole process, so any code can lock the same one", null, isStatic: true);
                }
            }

            return null;
        }

        private static bool IsVisibleOutside(IFieldSymbol field) =>
            field.DeclaredAccessibility is Microsoft.CodeAnalysis.Accessibility.Public or Microsoft.CodeAnalysis.Accessibility.Protected or Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal
            && field.ContainingType.DeclaredAccessibility is Microsoft.CodeAnalysis.Accessibility.Public or Microsoft.CodeAnalysis.Accessibility.Protected or Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal;

        private static string Accessibility(IFieldSymbol field) => field.DeclaredAccessibility switch
        {
            Microsoft.CodeAnalysis.Accessibility.Public => "public",
            _ => "protected",
        };

        /// <summary>
        /// A local assigned only `new …()` in the same function and locked there, never handed to a lambda or
        /// local function: each call locks its own object.
        /// </summary>
        private static bool IsCreatedPerCall(ILocalReferenceOperation reference, IOperation lockOperation)
        {
            var local = reference.Local;
            var function = EnclosingFunction.Of(lockOperation, null).Body;
            var createdHere = false;
            foreach (var operation in function.DescendantsInSourceOrder())
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                        var initializer = declarator.Initializer?.Value ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer?.Value;
                        if (initializer?.WalkDownConversions() is not IObjectCreationOperation)
                        {
                            return false;
                        }

                        createdHere = !IsInNestedFunction(declarator, function);
                        break;
                    // Any use but locking it lets the object escape: stored, passed on, returned, captured.
                    case ILocalReferenceOperation use when SymbolEqualityComparer.Default.Equals(use.Local, local):
                        if (IsInNestedFunction(use, function) || !IsLockedHere(use))
                        {
                            return false;
                        }

                        break;
                }
            }

            return createdHere;
        }

        /// <summary>The object of a `lock` statement or the first argument of a Monitor call.</summary>
        private static bool IsLockedHere(ILocalReferenceOperation use)
        {
            var parent = use.WalkUpConversions(out var child);
            return parent switch
            {
                ILockOperation lockStatement => ReferenceEquals(lockStatement.LockedValue, child),
                IArgumentOperation { Parent: IInvocationOperation { TargetMethod.ContainingType.Name: "Monitor" } call } argument => ReferenceEquals(call.Arguments[0], argument),
                _ => false,
            };
        }

        private static bool IsInNestedFunction(IOperation operation, IOperation function)
        {
            for (var current = operation.Parent; current is not null && !ReferenceEquals(current, function); current = current.Parent)
            {
                if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>`lock ("orders")` becomes `lock (s_ordersLock)`: one field per text, so two texts stay two locks.</summary>
        private static string LiteralFieldName(string text)
        {
            var letters = new string(text.Where(char.IsLetterOrDigit).ToArray());
            return letters.Length == 0 || !char.IsLetter(letters[0]) ? "s_sync" : "s_" + LockSyntax.FieldStem(letters, "sync") + "Lock";
        }
    }
}
