using System.Diagnostics;

namespace Messenger.Tests.Infrastructure;

/// <summary>Runs one of the bench/ programs to its end, as a user would from its build folder.</summary>
public static class BenchTool
{
    /// <summary>
    /// Runs <c>bench/{project}/…/{project}.dll</c> with the arguments and waits for it; returns its
    /// exit code and everything it wrote, for the assertion message.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string project, string arguments, TimeSpan timeout)
    {
        var folder = ProcessCluster.BinaryFolder(Path.Combine("bench", project));
        var start = new ProcessStartInfo("dotnet", $"\"{Path.Combine(folder, project + ".dll")}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            // A hung tool must not outlive the test run (the call floor's silos are its children).
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, $"{await output}\n{await errors}");
    }
}
