namespace Messenger.Bench.Load;

/// <summary>The cluster's processes as run.sh's pid folder names them (silo-0, clientapi-0, postgres…).</summary>
public static class ClusterPids
{
    /// <summary>Process id by name; empty without a pid folder. run.sh's own pid file is left out.</summary>
    public static Dictionary<string, int> Read(string? pidDirectory)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        if (pidDirectory is null || !Directory.Exists(pidDirectory))
        {
            return result;
        }

        foreach (var file in Directory.GetFiles(pidDirectory, "*.pid"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (name != "run.sh" && int.TryParse(File.ReadAllText(file).Trim(), out var pid))
            {
                result[name] = pid;
            }
        }

        return result;
    }
}
