using System;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace ConcurrencyAnalyzers.EndToEndTests
{
    /// <summary>Runs the dotnet CLI the way a user or CI does, and captures what it prints.</summary>
    internal static class DotNet
    {
        public sealed record Result(int ExitCode, string Output)
        {
            public override string ToString() => "exit " + ExitCode + Environment.NewLine + Output;
        }

        public static Result Run(string workingDirectory, params string[] arguments)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            // A nested build must not inherit the test host's MSBuild settings or reuse build servers
            // across runs (they would keep the analyzer assemblies of an older package loaded).
            start.Environment["MSBUILDNOINPROCNODE"] = "1";
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            start.Environment.Remove("MSBuildExtensionsPath");
            start.Environment.Remove("MSBUILD_EXE_PATH");
            start.Environment.Remove("MSBuildSDKsPath");

            var output = new StringBuilder();
            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("dotnet " + string.Join(' ', arguments) + " did not finish in 5 minutes");
            }

            process.WaitForExit();
            lock (output)
            {
                return new Result(process.ExitCode, output.ToString());
            }
        }

        public static string RepositoryRoot { get; } = FindRoot();

        private static string FindRoot()
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "ConcurrencyAnalyzers.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new DirectoryNotFoundException("ConcurrencyAnalyzers.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
