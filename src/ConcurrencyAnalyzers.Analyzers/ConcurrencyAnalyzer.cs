using Microsoft.CodeAnalysis.Diagnostics;
using ConcurrencyAnalyzers.Model;

namespace ConcurrencyAnalyzers
{
    /// <summary>
    /// What every analyzer of the package does first: run concurrently, skip generated code, and resolve
    /// the threading types once per compilation. A compilation without the types a rule needs gets no
    /// callbacks at all.
    /// </summary>
    public abstract class ConcurrencyAnalyzer : DiagnosticAnalyzer
    {
        public sealed override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                var types = KnownTypes.For(start.Compilation);
                if (IsApplicable(types))
                {
                    Register(start, types);
                }
            });
        }

        /// <summary>Whether the compilation has what the rule looks for.</summary>
        private protected abstract bool IsApplicable(KnownTypes types);

        /// <summary>Registers the rule's actions for one compilation.</summary>
        private protected abstract void Register(CompilationStartAnalysisContext context, KnownTypes types);
    }
}
