using Messenger.ClientApi.Sessions;

namespace Messenger.Tests.Sessions;

/// <summary>
/// The repeats on their own, with the gateway loss or silo death raised by hand: a call caught
/// waiting when a gateway or silo goes is made again at once instead of waiting out the response
/// timeout, and a call the cluster keeps turning away or losing fails after a few tries.
/// FailoverTests checks the same through real processes, where which call is caught depends on timing.
/// </summary>
public sealed class LostCallRepeaterTests
{
    [Fact]
    public async Task ACallWaitingWhenAGatewayGoes_IsMadeAgain_AndAnswersFromTheRepeat()
    {
        var watcher = new ClusterConnectionWatcher();
        var repeater = new LostCallRepeater(watcher);
        var unanswered = new TaskCompletionSource<int>();
        var calls = 0;
        var repeats = new List<string>();

        var answer = repeater.CallAsync(
            "token check",
            (_, gatewayLoss) => Interlocked.Increment(ref calls) == 1 ? unanswered.Task.WaitAsync(gatewayLoss) : Task.FromResult(42),
            (_, attempt, reason) => repeats.Add($"{attempt}: {reason}"));
        Assert.False(answer.IsCompleted);
        watcher.NotifyGatewayCountChanged(currentNumberOfGateways: 1, previousNumberOfGateways: 2, connectionRecovered: false);

        Assert.Equal(42, await answer.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(2, calls);
        Assert.Equal(["1: gateway or silo lost"], repeats);
    }

    [Fact]
    public async Task ACallTurnedAwayEveryTime_FailsAfterItsLastAttempt()
    {
        var repeater = new LostCallRepeater(new ClusterConnectionWatcher());
        var calls = 0;

        await Assert.ThrowsAsync<SiloUnavailableException>(() => repeater.CallAsync<int, int>(
            0, (_, _) => Interlocked.Increment(ref calls) > 0 ? throw new SiloUnavailableException("silo is shutting down") : Task.FromResult(0)));

        Assert.Equal(LostCallRepeater.MaxAttempts, calls);
    }

    [Fact]
    public async Task ACallWaitingWhenASiloIsDeclaredDead_IsMadeAgain_AndAnswersFromTheRepeat()
    {
        var watcher = new ClusterConnectionWatcher();
        var repeater = new LostCallRepeater(watcher);
        var unanswered = new TaskCompletionSource<int>();
        var calls = 0;

        var answer = repeater.CallAsync(0, (_, callsLost) => Interlocked.Increment(ref calls) == 1 ? unanswered.Task.WaitAsync(callsLost) : Task.FromResult(7));
        Assert.False(answer.IsCompleted);
        watcher.SiloDeclaredDead();

        Assert.Equal(7, await answer.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Rejections_AndLosses_AreCountedApart_SoACallRejectedThenLostStillGetsItsRepeat()
    {
        var watcher = new ClusterConnectionWatcher();
        var repeater = new LostCallRepeater(watcher);
        var waiting = new TaskCompletionSource();
        var calls = 0;

        // Turned away until its last rejection but one, then caught waiting when a silo is declared dead.
        var answer = repeater.CallAsync(0, (_, callsLost) =>
        {
            var call = Interlocked.Increment(ref calls);
            if (call < LostCallRepeater.MaxAttempts)
            {
                throw new SiloUnavailableException("silo is shutting down");
            }

            if (call == LostCallRepeater.MaxAttempts)
            {
                waiting.SetResult();
                return new TaskCompletionSource<int>().Task.WaitAsync(callsLost);
            }

            return Task.FromResult(call);
        });
        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(5));
        watcher.SiloDeclaredDead();

        Assert.Equal(LostCallRepeater.MaxAttempts + 1, await answer.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task ACallLostEveryTime_FailsAfterItsLastLoss()
    {
        var watcher = new ClusterConnectionWatcher();
        var repeater = new LostCallRepeater(watcher);
        var calls = 0;
        var started = new SemaphoreSlim(0);

        var answer = repeater.CallAsync(0, (_, callsLost) =>
        {
            Interlocked.Increment(ref calls);
            started.Release();
            return new TaskCompletionSource<int>().Task.WaitAsync(callsLost);
        });
        for (var i = 0; i < LostCallRepeater.MaxAttempts; i++)
        {
            Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(5)), $"attempt {i + 1} was made");
            watcher.SiloDeclaredDead();
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => answer.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(LostCallRepeater.MaxAttempts, calls);
    }
}
