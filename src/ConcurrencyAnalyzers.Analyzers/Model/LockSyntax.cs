using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// The cheap prefilter of the lock rules: code with no `lock` statement and no call named like an acquire
    /// cannot take a lock, so none of it needs binding. One walk of a member's syntax answers every lock rule
    /// (the answer is kept for the node, which the rules of one compilation share).
    /// </summary>
    internal static class LockSyntax
    {
        private sealed class Facts
        {
            public Facts(bool takesLocks, bool awaits, bool calls)
            {
                TakesLocks = takesLocks;
                Awaits = awaits;
                Calls = calls;
            }

            public bool TakesLocks { get; }

            public bool Awaits { get; }

            public bool Calls { get; }
        }

        private static readonly ConditionalWeakTable<SyntaxNode, Facts> s_facts = new ConditionalWeakTable<SyntaxNode, Facts>();

        public static bool MayTakeLocks(SyntaxNode node) => FactsOf(node).TakesLocks;

        /// <summary>Takes a lock and awaits: what a lock held across an await needs.</summary>
        public static bool MayAwaitUnderLock(SyntaxNode node) => FactsOf(node) is { TakesLocks: true, Awaits: true };

        /// <summary>Takes a lock or calls something that might: what a lock summary needs to bind.</summary>
        public static bool MayTakeLocksOrCall(SyntaxNode node) => FactsOf(node) is { TakesLocks: true } or { Calls: true };

        private static Facts FactsOf(SyntaxNode node) => s_facts.GetValue(node, Scan);

        private static Facts Scan(SyntaxNode node)
        {
            bool takesLocks = false, awaits = false, calls = false;
            foreach (var descendant in node.DescendantNodesAndSelf())
            {
                switch (descendant)
                {
                    case LockStatementSyntax:
                        takesLocks = true;
                        break;
                    case IdentifierNameSyntax identifier when IsAcquireName(identifier.Identifier.ValueText):
                        takesLocks = true;
                        break;
                    case AwaitExpressionSyntax:
                        awaits = true;
                        break;
                    case InvocationExpressionSyntax or ObjectCreationExpressionSyntax:
                        calls = true;
                        break;
                }
            }

            return new Facts(takesLocks, awaits, calls);
        }

        /// <summary>
        /// The stem of a lock field named after a variable: `_gate`, `s_gate`, `m_gate` and `Gate` all give
        /// `gate` (the fixes add the `_`/`s_` prefix and the `Lock` suffix).
        /// </summary>
        public static string FieldStem(string variableName, string fallback)
        {
            var trimmed = variableName.TrimStart('_');
            if (trimmed.StartsWith("s_", System.StringComparison.Ordinal) || trimmed.StartsWith("m_", System.StringComparison.Ordinal))
            {
                trimmed = trimmed.Substring(2);
            }

            return trimmed.Length == 0 ? fallback : char.ToLowerInvariant(trimmed[0]) + trimmed.Substring(1);
        }

        public static bool IsAcquireName(string name) => name is "Enter" or "TryEnter" or "Wait" or "WaitAsync"
            or "EnterWriteLock" or "TryEnterWriteLock" or "EnterReadLock" or "TryEnterReadLock"
            or "EnterUpgradeableReadLock" or "TryEnterUpgradeableReadLock" or "WaitOne" or "EnterScope";
    }
}
