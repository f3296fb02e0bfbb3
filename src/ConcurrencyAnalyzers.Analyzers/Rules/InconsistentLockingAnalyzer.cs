using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using ConcurrencyAnalyzers.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace ConcurrencyAnalyzers.Rules
{
    /// <summary>
    /// CONC003: a field of a type written under a lock in one place and written or changed without any
    /// lock in another. Constructors and field initializers run before the object is shared and do not
    /// count. A private method whose every call in the type holds a lock is treated as holding it.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class InconsistentLockingAnalyzer : ConcurrencyAnalyzer
    {
        /// <summary>Diagnostic property naming the lock, for the fix: present when `lock (name)` is the right fix.</summary>
        internal const string LockProperty = "Lock";

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(RuleDescriptors.InconsistentLocking);

        private protected override bool IsApplicable(KnownTypes types) => true;

        private protected override void Register(CompilationStartAnalysisContext context, KnownTypes types)
        {
            context.RegisterSymbolStartAction(symbolStart =>
            {
                var type = (INamedTypeSymbol)symbolStart.Symbol;
                if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct) || !MayTakeLocks(type, symbolStart.CancellationToken))
                {
                    return;
                }

                var writes = new ConcurrentBag<(SharedAccess Access, IMethodSymbol Method)>();
                var calls = new ConcurrentBag<(IMethodSymbol Callee, IMethodSymbol Caller, ImmutableArray<LockIdentity> Locks)>();
                symbolStart.RegisterOperationBlockAction(blockContext =>
                {
                    if (blockContext.OwningSymbol is not IMethodSymbol method || !SymbolEqualityComparer.Default.Equals(method.ContainingType, type))
                    {
                        return;
                    }

                    foreach (var block in blockContext.OperationBlocks)
                    {
                        Collect(block, method, type, types, writes, calls);
                    }
                });
                symbolStart.RegisterSymbolEndAction(symbolEnd => Report(symbolEnd, writes, calls));
            }, SymbolKind.NamedType);
        }

        private static bool MayTakeLocks(INamedTypeSymbol type, System.Threading.CancellationToken cancellationToken)
        {
            foreach (var reference in type.DeclaringSyntaxReferences)
            {
                if (LockSyntax.MayTakeLocks(reference.GetSyntax(cancellationToken)))
                {
                    return true;
                }
            }

            return false;
        }

        private static void Collect(IOperation block, IMethodSymbol method, INamedTypeSymbol type, KnownTypes types,
            ConcurrentBag<(SharedAccess, IMethodSymbol)> writes, ConcurrentBag<(IMethodSymbol, IMethodSymbol, ImmutableArray<LockIdentity>)> calls)
        {
            foreach (var access in SharedAccess.In(block, null, block, types, includeReads: false))
            {
                if (access.Location is IFieldSymbol { IsReadOnly: false, IsConst: false } field
                    && SymbolEqualityComparer.Default.Equals(field.ContainingType, type)
                    && !IsInitialization(method, field))
                {
                    writes.Add((access, method));
                }
            }

            foreach (var operation in block.DescendantsInSourceOrder())
            {
                if (operation is IInvocationOperation { TargetMethod: { DeclaredAccessibility: Accessibility.Private } callee } call
                    && SymbolEqualityComparer.Default.Equals(callee.ContainingType, type))
                {
                    calls.Add((callee.OriginalDefinition, method, HeldLocks.At(call, block, types)));
                }
            }
        }

        /// <summary>The constructor (static for static fields) runs before anyone else can see the field.</summary>
        private static bool IsInitialization(IMethodSymbol method, IFieldSymbol field) =>
            method.MethodKind == (field.IsStatic ? MethodKind.StaticConstructor : MethodKind.Constructor);

        private static void Report(SymbolAnalysisContext context, IEnumerable<(SharedAccess Access, IMethodSymbol Method)> writes,
            IEnumerable<(IMethodSymbol Callee, IMethodSymbol Caller, ImmutableArray<LockIdentity> Locks)> calls)
        {
            var callList = calls.ToList();
            var callerLocks = LocksHeldByCallers(callList);

            // A private helper called only from constructors runs before the object is shared, like them.
            var initializationOnly = new HashSet<IMethodSymbol>(
                callList.GroupBy(c => c.Callee, SymbolEqualityComparer.Default)
                    .Where(g => g.All(c => c.Caller.MethodKind is MethodKind.Constructor or MethodKind.StaticConstructor))
                    .Select(g => (IMethodSymbol)g.Key!),
                SymbolEqualityComparer.Default);
            var byField = writes.Where(w => !initializationOnly.Contains(w.Method.OriginalDefinition)).GroupBy(w => w.Access.Location, SymbolEqualityComparer.Default);
            foreach (var field in byField)
            {
                // In source order, so that the example a message points at is the same on every run.
                var entries = field
                    .Select(w => (w.Access, w.Method, Locks: w.Access.Locks.AddRange(callerLocks.TryGetValue(w.Method.OriginalDefinition, out var held) ? held : ImmutableArray<LockIdentity>.Empty)))
                    .OrderBy(e => e.Access.Operation.Syntax.SyntaxTree.FilePath, System.StringComparer.Ordinal)
                    .ThenBy(e => e.Access.Operation.Syntax.SpanStart)
                    .ToList();
                var locked = entries.Where(e => e.Locks.Any(l => l.IsExclusive)).ToList();
                var unlocked = entries.Where(e => !e.Locks.Any(l => l.IsExclusive)).ToList();
                if (locked.Count == 0 || unlocked.Count == 0)
                {
                    continue;
                }

                // The lock the field is usually written under, and one place that shows it.
                var usual = locked.SelectMany(e => e.Locks.Where(l => l.IsExclusive)).GroupBy(l => l)
                    .OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Display, System.StringComparer.Ordinal).First().Key;
                var example = locked.First(e => e.Locks.Contains(usual));
                foreach (var write in unlocked)
                {
                    // `lock (name)` is the fix only for a Monitor lock on a field of this type that the writing
                    // member can reach (not an instance lock from static code).
                    var usable = usual.Kind == LockKind.Monitor
                        && usual.Symbol is IFieldSymbol lockField
                        && SymbolEqualityComparer.Default.Equals(lockField.ContainingType, write.Method.ContainingType)
                        && (lockField.IsStatic || !write.Method.IsStatic);
                    var properties = usable
                        ? ImmutableDictionary<string, string?>.Empty.Add(LockProperty, usual.Display)
                        : ImmutableDictionary<string, string?>.Empty;
                    context.ReportDiagnostic(Diagnostic.Create(
                        RuleDescriptors.InconsistentLocking,
                        write.Access.Operation.Syntax.GetLocation(),
                        new[] { example.Access.Operation.Syntax.GetLocation() },
                        properties,
                        field.Key!.Name,
                        usual.Display,
                        example.Method.Name));
                }
            }
        }

        /// <summary>
        /// The locks every call of a private method holds (calls from constructors aside), so that a helper
        /// used only inside `lock` counts as locked. Helpers of helpers are settled by repeating.
        /// </summary>
        private static Dictionary<IMethodSymbol, ImmutableArray<LockIdentity>> LocksHeldByCallers(List<(IMethodSymbol Callee, IMethodSymbol Caller, ImmutableArray<LockIdentity> Locks)> calls)
        {
            var held = new Dictionary<IMethodSymbol, ImmutableArray<LockIdentity>>(SymbolEqualityComparer.Default);
            for (var round = 0; round < 3; round++)
            {
                foreach (var group in calls.Where(c => c.Caller.MethodKind != MethodKind.Constructor).GroupBy(c => c.Callee, SymbolEqualityComparer.Default))
                {
                    ImmutableArray<LockIdentity>? common = null;
                    foreach (var call in group)
                    {
                        var atCall = call.Locks.AddRange(held.TryGetValue(call.Caller.OriginalDefinition, out var callerHeld) ? callerHeld : ImmutableArray<LockIdentity>.Empty);
                        common = common is null ? atCall : common.Value.Where(l => atCall.Contains(l)).ToImmutableArray();
                    }

                    held[(IMethodSymbol)group.Key!] = common ?? ImmutableArray<LockIdentity>.Empty;
                }
            }

            return held;
        }
    }
}
