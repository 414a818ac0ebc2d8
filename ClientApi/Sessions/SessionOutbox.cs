using System.Threading.Tasks.Sources;

namespace Messenger.ClientApi.Sessions;

/// <summary>
/// A session's bounded queue of outgoing frames: any thread writes, one loop reads. Hand-written
/// rather than a bounded <c>Channel</c> for memory: a channel preallocates its reader's and
/// writer's wait operations, about 800 bytes that every idle session kept, where the target is
/// 20 kB a session in all; this costs about 230.
/// </summary>
internal sealed class SessionOutbox<T> : IValueTaskSource<bool>
{
    private readonly Queue<T> _items = new();
    private readonly int _capacity;

    // Continuations run on the thread pool: a writer (a push, an ack) must never end up running
    // the session's socket writes itself.
    private ManualResetValueTaskSourceCore<bool> _signal = new() { RunContinuationsAsynchronously = true };
    private bool _readerWaiting;
    private bool _completed;

    public SessionOutbox(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>Queues an item; false when the queue is full or completed.</summary>
    public bool TryWrite(T item)
    {
        lock (_items)
        {
            if (_completed || _items.Count >= _capacity)
            {
                return false;
            }

            _items.Enqueue(item);
            if (!_readerWaiting)
            {
                return true;
            }

            _readerWaiting = false;
        }

        _signal.SetResult(true);
        return true;
    }

    /// <summary>No more items will be written; the reader still gets those already queued.</summary>
    public void Complete()
    {
        lock (_items)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            if (!_readerWaiting)
            {
                return;
            }

            _readerWaiting = false;
        }

        _signal.SetResult(false);
    }

    public bool TryRead(out T item)
    {
        lock (_items)
        {
            return _items.TryDequeue(out item!);
        }
    }

    /// <summary>True once an item can be read; false once the outbox is completed and empty. One caller at a time.</summary>
    public ValueTask<bool> WaitToReadAsync()
    {
        lock (_items)
        {
            if (_items.Count > 0)
            {
                return new ValueTask<bool>(true);
            }

            if (_completed)
            {
                return new ValueTask<bool>(false);
            }

            _signal.Reset();
            _readerWaiting = true;
            return new ValueTask<bool>(this, _signal.Version);
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _signal.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _signal.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _signal.OnCompleted(continuation, state, token, flags);
}
