namespace Messenger.Tests.Infrastructure;

/// <summary>
/// A fact that needs root and iptables (network partitions); elsewhere it is reported as
/// skipped with the reason, decided when the tests are discovered on the machine running them.
/// </summary>
public sealed class RequiresIptablesFactAttribute : FactAttribute
{
    public RequiresIptablesFactAttribute()
    {
        if (NetworkPartition.WhyUnavailable() is { } reason)
        {
            Skip = reason;
        }
    }
}
