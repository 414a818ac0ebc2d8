namespace Messenger.Tests.Infrastructure;

/// <summary>
/// The system clock plus an offset that a test moves forward, for the session-lease clock only
/// (Orleans keeps its own clock, so membership is not disturbed). It keeps running between
/// advances, so grains that use it behave normally in tests that never touch it.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
