namespace Messenger.ClientApi.Sessions;

/// <summary>
/// Repeats a grain call that the cluster lost, for calls that are safe to make twice. Two cases:
/// <list type="bullet">
/// <item>Orleans turned the call away (<see cref="OrleansMessageRejectionException"/>, which
/// includes <see cref="SiloUnavailableException"/>). That happens while a silo stops gracefully:
/// a call that reaches a grain as it deactivates is forwarded, and the stopping silo refuses to
/// place it ("is shutting down").</item>
/// <item>A gateway connection closed while the call waited (its silo stopped or died). The answer
/// comes back through the gateway the call went out on, and Orleans' client does not fail calls
/// waiting on a gateway that is gone: they would wait out the whole response timeout. So every
/// call waiting when a gateway goes stops waiting and is made again; which gateway a call used is
/// not visible from here, and losing a gateway is rare enough that repeating the few calls of the
/// other one costs nothing that matters.</item>
/// </list>
/// Only a few quick repeats, so a silo that is really gone still answers <c>unavailable</c>
/// within a second.
/// </summary>
public sealed class LostCallRepeater
{
    /// <summary>Calls made at most, the first included.</summary>
    public const int MaxAttempts = 3;

    private static readonly TimeSpan RepeatDelay = TimeSpan.FromMilliseconds(100);

    // Cancelled, and replaced, when a gateway goes; every call waiting holds the one current then.
    private CancellationTokenSource _gatewayLoss = new();

    public LostCallRepeater(ClusterConnectionWatcher connection)
    {
        connection.GatewayLost += OnGatewayLost;
    }

    /// <summary>
    /// Makes the call, and makes it again when it was lost. The call gets a token that is
    /// cancelled when a gateway goes: a cancellable grain method takes it, any other call is
    /// awaited with it (<see cref="Task.WaitAsync(CancellationToken)"/>) and its late answer, if
    /// any, is dropped. <paramref name="repeating"/> hears of each repeat (attempt, reason). The
    /// state is passed through so that the send path's delegates can be static (no closure per call).
    /// </summary>
    public async Task<T> CallAsync<TState, T>(
        TState state, Func<TState, CancellationToken, Task<T>> call, Action<TState, int, string>? repeating = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var gatewayLoss = Volatile.Read(ref _gatewayLoss).Token;
            try
            {
                return await call(state, gatewayLoss);
            }
            catch (OrleansMessageRejectionException ex) when (attempt < MaxAttempts)
            {
                repeating?.Invoke(state, attempt, ex.GetType().Name);
            }
            catch (OperationCanceledException) when (gatewayLoss.IsCancellationRequested && attempt < MaxAttempts)
            {
                repeating?.Invoke(state, attempt, "gateway lost");
            }

            await Task.Delay(RepeatDelay * attempt);
        }
    }

    private void OnGatewayLost()
    {
        var lost = Interlocked.Exchange(ref _gatewayLoss, new CancellationTokenSource());

        // Off the Orleans client's thread: cancelling completes the waiting calls, and their
        // continuations must not run on it.
        ThreadPool.UnsafeQueueUserWorkItem(static source => source.Cancel(), lost, preferLocal: false);
    }
}
