using System;
using System.Globalization;
using System.IO;
using System.Linq;

namespace ConcurrencyAnalyzers.EndToEndTests
{
    /// <summary>
    /// Packs the package once per test run with a unique version into a local folder feed, and creates a
    /// fresh consumer project (net8.0) that installs it from that feed the way a user would.
    /// </summary>
    public sealed class InstalledPackageFixture : IDisposable
    {
        public InstalledPackageFixture()
        {
            Root = Path.Combine(Path.GetTempPath(), "conc-e2e-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            Feed = Path.Combine(Root, "feed");
            Directory.CreateDirectory(Feed);

            // A version no earlier run used, so the global packages folder cannot hand back a stale copy.
            Version = "0.1.0-e2e." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
            var pack = DotNet.Run(
                DotNet.RepositoryRoot,
                "pack", Path.Combine("src", "ConcurrencyAnalyzers.Package", "ConcurrencyAnalyzers.Package.csproj"),
                "-c", "Release", "-o", Feed, "-p:Version=" + Version);
            if (pack.ExitCode != 0)
            {
                throw new InvalidOperationException("dotnet pack failed: " + pack);
            }

            PackagePath = Directory.GetFiles(Feed, "ConcurrencyAnalyzers." + Version + ".nupkg").Single();
            ConsumerTemplate = CreateConsumer(Path.Combine(Root, "template"));
        }

        public string Root { get; }

        public string Feed { get; }

        public string Version { get; }

        public string PackagePath { get; }

        /// <summary>A restored consumer project; tests that change files work on a copy (<see cref="CopyConsumer"/>).</summary>
        public string ConsumerTemplate { get; }

        public string CopyConsumer(string name)
        {
            var target = Path.Combine(Root, name);
            foreach (var file in Directory.GetFiles(ConsumerTemplate, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(ConsumerTemplate, file);
                if (relative.StartsWith("bin", StringComparison.Ordinal))
                {
                    continue;
                }

                var destination = Path.Combine(target, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                File.Copy(file, destination);
            }

            // obj/ holds absolute paths of the template; restore again for the copy.
            Directory.Delete(Path.Combine(target, "obj"), recursive: true);
            Restore(target);
            return target;
        }

        private string CreateConsumer(string directory)
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(Path.Combine(directory, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local-feed" value="{Feed}" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(directory, "Consumer.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <TargetFramework>net8.0</TargetFramework>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>disable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="ConcurrencyAnalyzers" Version="{Version}" PrivateAssets="all" />
                  </ItemGroup>
                </Project>
                """);
            // Isolate the consumer from the repository's Directory.Build.props and global.json.
            File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), "<Project />");
            File.WriteAllText(Path.Combine(directory, "Directory.Packages.props"), "<Project />");
            File.WriteAllText(Path.Combine(directory, "Jobs.cs"), ConsumerSources.Jobs);
            Restore(directory);
            return directory;
        }

        private static void Restore(string directory)
        {
            var restore = DotNet.Run(directory, "restore");
            if (restore.ExitCode != 0)
            {
                throw new InvalidOperationException("dotnet restore of the consumer failed: " + restore);
            }
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // A build server may still hold a file; the temp folder is cleaned up by the OS.
            }
        }
    }

    [CollectionDefinition(Name)]
    public sealed class InstalledPackageCollection : ICollectionFixture<InstalledPackageFixture>
    {
        public const string Name = "installed package";
    }
}
