using System.IO;

namespace ConcurrencyAnalyzers.Tests
{
    /// <summary>Finds files of the repository from the test output folder (the solution file marks the root).</summary>
    internal static class RepositoryPaths
    {
        public static string Root { get; } = FindRoot();

        public static string Combine(params string[] parts) => Path.Combine(Root, Path.Combine(parts));

        private static string FindRoot()
        {
            for (var directory = new DirectoryInfo(System.AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "ConcurrencyAnalyzers.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new DirectoryNotFoundException("ConcurrencyAnalyzers.sln not found above " + System.AppContext.BaseDirectory);
        }
    }
}
