namespace Messenger.Bench.Load;

/// <summary>Resident memory of the cluster's processes, found through run.sh's pid files.</summary>
public static class ProcessMemory
{
    /// <summary>RSS in bytes by process name (silo-0, clientapi-0…), empty without a pid folder.</summary>
    public static Dictionary<string, long> Read(string? pidDirectory)
    {
        var result = new Dictionary<string, long>();
        foreach (var (name, pid) in ClusterPids.Read(pidDirectory))
        {
            var status = $"/proc/{pid}/status";
            if (!File.Exists(status))
            {
                continue;
            }

            var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            if (line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kb))
            {
                result[name] = kb * 1024;
            }
        }

        return result;
    }
}
