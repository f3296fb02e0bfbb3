using System.Runtime.CompilerServices;
using Microsoft.Build.Locator;

namespace ConcurrencyAnalyzers.EndToEndTests
{
    internal static class MSBuildRegistration
    {
        /// <summary>
        /// MSBuild must be located before any MSBuild type is loaded, so this runs when the test assembly
        /// is loaded, ahead of every test.
        /// </summary>
        [ModuleInitializer]
        internal static void Register()
        {
            if (!MSBuildLocator.IsRegistered)
            {
                MSBuildLocator.RegisterDefaults();
            }
        }
    }
}
