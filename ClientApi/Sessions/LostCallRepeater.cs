namespace Messenger.ClientApi.Sessions;

/// <summary>
/// Repeats a grain call that the cluster lost, for calls that are safe to make twice. Three cases:
/// <list type="bullet">
/// <item>Orleans turned the call away (<see cref="OrleansMessageRejectionException"/>, which
/// includes <see cref="SiloUnavailableException"/>). That happens while a silo stops gracefully:
/// a call that reaches a grain as it deactivates is forwarded, and the stopping silo refuses to
/// place it ("is shutting down").</item>
/// <item>A gateway connection closed while the call waited (its silo stopped or died). The answer
/// comes back through the gateway the call went out on, and Orleans' client does not fail calls
/// waiting on a gateway that is gone: they would wait out the whole response timeout.</item>
/// <item>A silo was declared dead while the call waited. A call that went through a gateway on
/// another silo to a grain on the dead one is lost with it just the same, and no gateway of this
/// process closed (<see cref="SiloDeathWatcher"/>).</item>
/// </list>
/// In the last two, every call waiting stops waiting and is made again (<see cref="ClusterConnectionWatcher.CallsMayBeLost"/>):
/// which gateway and silo a call used is not visible from here, and losing one is rare enough
/// that repeating the calls that were fine costs nothing that matters. Only a few quick repeats
/// of each kind, so a silo that is really gone still answers <c>unavailable</c> within a second.
/// </summary>
public sealed class LostCallRepeater
{
    /// <summary>Rejections a call may meet, the last of which fails it; as many losses again.</summary>
    public const int MaxAttempts = 3;

    private static readonly TimeSpan RepeatDelay = TimeSpan.FromMilliseconds(100);

    // Cancelled, and replaced, when calls may have been lost; every call waiting holds the one current then.
    private CancellationTokenSource _callsLost = new();

    public LostCallRepeater(ClusterConnectionWatcher connection)
    {
        connection.CallsMayBeLost += OnCallsMayBeLost;
    }

    /// <summary>
    /// Makes the call, and makes it again when it was lost. The call gets a token that is
    /// cancelled when a gateway or silo goes: a cancellable grain method takes it, any other call is
    /// awaited with it (<see cref="Task.WaitAsync(CancellationToken)"/>) and its late answer, if
    /// any, is dropped. <paramref name="repeating"/> hears of each repeat (attempt, reason). The
    /// state is passed through so that the send path's delegates can be static (no closure per call).
    /// </summary>
    public async Task<T> CallAsync<TState, T>(
        TState state, Func<TState, CancellationToken, Task<T>> call, Action<TState, int, string>? repeating = null)
    {
        for (int attempt = 1, rejected = 0, lost = 0; ; attempt++)
        {
            var callsLost = Volatile.Read(ref _callsLost).Token;
            try
            {
                return await call(state, callsLost);
            }
            catch (OrleansMessageRejectionException ex) when (++rejected < MaxAttempts)
            {
                repeating?.Invoke(state, attempt, ex.GetType().Name);
            }
            catch (OperationCanceledException) when (callsLost.IsCancellationRequested && ++lost < MaxAttempts)
            {
                repeating?.Invoke(state, attempt, "gateway or silo lost");
            }

            await Task.Delay(RepeatDelay * Math.Min(attempt, MaxAttempts));
        }
    }

    private void OnCallsMayBeLost()
    {
        var lost = Interlocked.Exchange(ref _callsLost, new CancellationTokenSource());

        // Off the Orleans client's thread: cancelling completes the waiting calls, and their
        // continuations must not run on it.
        ThreadPool.UnsafeQueueUserWorkItem(static source => source.Cancel(), lost, preferLocal: false);
    }
}
