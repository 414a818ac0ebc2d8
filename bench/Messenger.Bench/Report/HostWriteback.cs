using System.Globalization;

namespace Messenger.Bench.Report;

/// <summary>
/// The Linux kernel's writeback settings, which decide PostgreSQL's worst seconds on a host like
/// this one: with the defaults, dirty pages older than 30 s go out in one burst, and the commits
/// that wait behind it make a slow second every 30 s (docs/performance.md, "Session 8").
/// </summary>
public sealed record HostWriteback(long DirtyBackgroundBytes, int DirtyBackgroundRatio, int DirtyExpireCentisecs)
{
    private const string Folder = "/proc/sys/vm";

    /// <summary>Null where the settings cannot be read (not Linux).</summary>
    public static HostWriteback? Read()
    {
        try
        {
            return new HostWriteback(
                long.Parse(File.ReadAllText($"{Folder}/dirty_background_bytes"), CultureInfo.InvariantCulture),
                int.Parse(File.ReadAllText($"{Folder}/dirty_background_ratio"), CultureInfo.InvariantCulture),
                int.Parse(File.ReadAllText($"{Folder}/dirty_expire_centisecs"), CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Whether writeback starts only once a tenth of memory is dirty or pages are 30 s old (the defaults).</summary>
    public bool Bursty => DirtyBackgroundBytes == 0 && DirtyBackgroundRatio >= 5;

    public override string ToString() => DirtyBackgroundBytes > 0
        ? $"vm.dirty_background_bytes={DirtyBackgroundBytes}, vm.dirty_expire_centisecs={DirtyExpireCentisecs}"
        : $"vm.dirty_background_ratio={DirtyBackgroundRatio}, vm.dirty_expire_centisecs={DirtyExpireCentisecs}";
}
