using Messenger.ClientApi.Sessions;

namespace Messenger.Tests.Sessions;

/// <summary>
/// The repeats on their own, with the gateway loss raised by hand: a call caught waiting when a
/// gateway goes is made again at once instead of waiting out the response timeout, and a call
/// the cluster keeps turning away fails after a few tries. FailoverTests checks the same through
/// real processes, where which call is caught depends on timing.
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
        Assert.Equal(["1: gateway lost"], repeats);
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
}
