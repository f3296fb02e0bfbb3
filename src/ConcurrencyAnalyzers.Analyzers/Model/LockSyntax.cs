using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace ConcurrencyAnalyzers.Model
{
    /// <summary>
    /// The cheap prefilter of the lock rules: code with no `lock` statement and no call named like an acquire
    /// cannot take a lock, so none of it needs binding.
    /// </summary>
    internal static class LockSyntax
    {
        public static bool MayTakeLocks(SyntaxNode node)
        {
            foreach (var descendant in node.DescendantNodesAndSelf())
            {
                if (descendant is LockStatementSyntax
                    || (descendant is IdentifierNameSyntax identifier && IsAcquireName(identifier.Identifier.ValueText)))
                {
                    return true;
                }
            }

            return false;
        }

        public static bool IsAcquireName(string name) => name is "Enter" or "TryEnter" or "Wait" or "WaitAsync"
            or "EnterWriteLock" or "TryEnterWriteLock" or "EnterReadLock" or "TryEnterReadLock"
            or "EnterUpgradeableReadLock" or "TryEnterUpgradeableReadLock" or "WaitOne" or "EnterScope";
    }
}
