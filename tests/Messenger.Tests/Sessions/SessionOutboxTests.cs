using Messenger.ClientApi.Sessions;

namespace Messenger.Tests.Sessions;

/// <summary>
/// A session's outgoing frames go through this queue: pushes and acks from any thread, one
/// write loop reading. A lost, repeated or reordered frame here is one a client never sees.
/// </summary>
public sealed class SessionOutboxTests
{
    [Fact]
    public async Task ItemsComeOutInOrder_AndAWaitingReaderWakesOnAWrite()
    {
        var outbox = new SessionOutbox<int>(8);
        var waiting = outbox.WaitToReadAsync();
        Assert.False(waiting.IsCompleted);

        Assert.True(outbox.TryWrite(1));
        Assert.True(outbox.TryWrite(2));

        Assert.True(await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(outbox.TryRead(out var first));
        Assert.True(outbox.TryRead(out var second));
        Assert.False(outbox.TryRead(out _));
        Assert.Equal([1, 2], [first, second]);
    }

    [Fact]
    public void AFullOutbox_RefusesWrites_UntilTheReaderTakesOne()
    {
        var outbox = new SessionOutbox<int>(2);
        Assert.True(outbox.TryWrite(1));
        Assert.True(outbox.TryWrite(2));

        Assert.False(outbox.TryWrite(3));

        Assert.True(outbox.TryRead(out _));
        Assert.True(outbox.TryWrite(3));
    }

    [Fact]
    public async Task Completing_LetsTheReaderFinishWhatIsQueued_ThenEndsIt()
    {
        var outbox = new SessionOutbox<int>(8);
        outbox.TryWrite(1);
        outbox.Complete();

        Assert.False(outbox.TryWrite(2));
        Assert.True(await outbox.WaitToReadAsync());
        Assert.True(outbox.TryRead(out var item));
        Assert.Equal(1, item);
        Assert.False(await outbox.WaitToReadAsync());

        var idle = new SessionOutbox<int>(8);
        var waiting = idle.WaitToReadAsync();
        idle.Complete();
        Assert.False(await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task ManyWritersAtOnce_EveryItemIsReadExactlyOnce_InEachWritersOrder()
    {
        const int Writers = 8, PerWriter = 20_000;
        var outbox = new SessionOutbox<(int Writer, int Seq)>(64);
        var read = new List<(int Writer, int Seq)>();
        var reader = Task.Run(async () =>
        {
            while (await outbox.WaitToReadAsync())
            {
                while (outbox.TryRead(out var item))
                {
                    read.Add(item);
                }
            }
        });

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var seq = 0; seq < PerWriter; seq++)
            {
                while (!outbox.TryWrite((w, seq)))
                {
                    await Task.Yield(); // full: the reader catches up
                }
            }
        })));
        outbox.Complete();
        await reader.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(Writers * PerWriter, read.Count);
        foreach (var writer in read.GroupBy(i => i.Writer))
        {
            Assert.Equal(Enumerable.Range(0, PerWriter), writer.Select(i => i.Seq));
        }
    }
}
