namespace Messenger.Bench.Load;

/// <summary>Resident memory of the cluster's processes, found through run.sh's pid files.</summary>
public static class ProcessMemory
{
    /// <summary>RSS in bytes by process name (silo-0, clientapi-0…), empty without a pid folder.</summary>
    public static Dictionary<string, long> Read(string? pidDirectory)
    {
        var result = new Dictionary<string, long>();
        if (pidDirectory is null || !Directory.Exists(pidDirectory))
        {
            return result;
        }

        foreach (var file in Directory.GetFiles(pidDirectory, "*.pid"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (name == "run.sh" || !int.TryParse(File.ReadAllText(file).Trim(), out var pid))
            {
                continue;
            }

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
