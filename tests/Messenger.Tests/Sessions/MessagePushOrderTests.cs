using Messenger.ClientApi.Sessions;
using Messenger.Grains.Interfaces.Push;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Sessions;

/// <summary>
/// The ClientApi's ordering of a conversation's message pushes, which arrive both in answers to
/// its own sends and on its push stream.
/// </summary>
public sealed class MessagePushOrderTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<string> _delivered = [];
    private readonly MessagePushOrder _order;

    public MessagePushOrderTests() => _order = new MessagePushOrder(_time);

    [Fact]
    public void PushesInOrder_AreDeliveredAtOnce()
    {
        Arrive(7, 8, 9);

        Assert.Equal([7, 8, 9], Delivered());
    }

    [Fact]
    public void AnEarlyPush_WaitsForTheOneBeforeIt_ThenBothGoInOrder()
    {
        Arrive(1, 3, 4);
        Assert.Equal([1], Delivered());

        Arrive(2);

        Assert.Equal([1, 2, 3, 4], Delivered());
    }

    [Fact]
    public async Task APushThatNeverComes_IsPassedOverAfterTheGapWait_AndDroppedIfItComesLater()
    {
        Arrive(1, 3);
        _time.Advance(_order.GapWait - TimeSpan.FromMilliseconds(1));
        await Task.Delay(50);
        Assert.Equal([1], Delivered());

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.TrueAsync(() => Delivered().Length == 2, "the push after the gap");
        Assert.Equal([1, 3], Delivered());

        // Its sessions saw the gap and catch up on 2; pushing it now would be out of order.
        Arrive(2, 4);
        Assert.Equal([1, 3, 4], Delivered());
    }

    [Fact]
    public void AConversationFirstSeenThroughAnswers_StartsAtItsBurst_WhicheverAnswerComesFirst()
    {
        // One commit of three sends, answered together and handled in any order.
        foreach (var seq in new long[] { 3, 1, 2 })
        {
            _order.Arrive("c", seq, Envelope("c", seq), Record, burstStart: 1);
        }

        Assert.Equal([1, 2, 3], Delivered());
    }

    [Fact]
    public void AKnownConversation_WaitsForWhatIsOnItsWay_WhateverTheBurstSays()
    {
        Arrive(1); // 2 is on its way by stream
        _order.Arrive("c", 3, Envelope("c", 3), Record, burstStart: 3);
        Assert.Equal([1], Delivered());

        Arrive(2);
        Assert.Equal([1, 2, 3], Delivered());
    }

    [Fact]
    public void ARepeatedPush_IsDropped()
    {
        Arrive(1, 2, 2, 1, 3);

        Assert.Equal([1, 2, 3], Delivered());
    }

    [Fact]
    public void Conversations_AreOrderedApart()
    {
        _order.Arrive("a", 5, Envelope("a", 5), Record);
        _order.Arrive("b", 1, Envelope("b", 1), Record);
        _order.Arrive("a", 7, Envelope("a", 7), Record);
        _order.Arrive("b", 2, Envelope("b", 2), Record);

        Assert.Equal([5, 1, 2], Delivered());
    }

    [Fact]
    public void AQuietConversation_IsForgotten_AndItsNextPushStartsAfresh()
    {
        Arrive(1, 2);
        _time.Advance(MessagePushOrder.ForgetAfter + TimeSpan.FromSeconds(1));
        _order.Arrive("other", 1, Envelope("other", 1), Record); // any push sweeps

        Assert.Equal(1, _order.Count);
        Arrive(9);
        Assert.Equal([1, 2, 1, 9], Delivered());
    }

    [Fact]
    public void AnEditOfAHeldMessage_WaitsBehindIt()
    {
        Arrive(1, 3);
        Edit(3);
        Assert.Equal(["1"], Log());

        Arrive(2);

        Assert.Equal(["1", "2", "3", "edit 3"], Log());
    }

    [Fact]
    public void AnEvent_GoesAtOnce_WhenNothingIsHeld()
    {
        Arrive(1);
        Edit(1);
        _order.ArriveAfterHeld("unseen", new PushEnvelope(["u"], new TypingChanged("unseen", "u", true)), Record);

        Assert.Equal(["1", "edit 1", nameof(TypingChanged)], Log());
    }

    [Fact]
    public void AnEvent_GoesBeforeAPushThatCameAfterIt()
    {
        Arrive(1, 3);
        Edit(3);
        Arrive(5); // held too, but it came after the edit

        Arrive(2);
        Assert.Equal(["1", "2", "3", "edit 3"], Log());

        Arrive(4);
        Assert.Equal(["1", "2", "3", "edit 3", "4", "5"], Log());
    }

    [Fact]
    public async Task AnEventBehindAGap_GoesWhenTheGapIsPassedOver_AfterTheConfiguredWait()
    {
        var order = new MessagePushOrder(_time, TimeSpan.FromSeconds(3));
        foreach (var seq in new long[] { 1, 3 })
        {
            order.Arrive("c", seq, Envelope("c", seq), Record);
        }

        order.ArriveAfterHeld("c", new PushEnvelope(["u"], new MessageEdited("c", 3, "edited", DateTimeOffset.UnixEpoch)), Record);
        _time.Advance(MessagePushOrder.DefaultGapWait);
        await Task.Delay(50);
        Assert.Equal(["1"], Log());

        _time.Advance(TimeSpan.FromSeconds(2));
        await Eventually.TrueAsync(() => Log().Length == 3, "the push and the edit after the gap");
        Assert.Equal(["1", "3", "edit 3"], Log());
    }

    private void Arrive(params long[] seqs)
    {
        foreach (var seq in seqs)
        {
            _order.Arrive("c", seq, Envelope("c", seq), Record);
        }
    }

    private void Edit(long seq) => _order.ArriveAfterHeld("c", new PushEnvelope(["u"], new MessageEdited("c", seq, "edited", DateTimeOffset.UnixEpoch)), Record);

    private void Record(PushEnvelope envelope)
    {
        lock (_delivered)
        {
            _delivered.Add(envelope.Event switch
            {
                MessagePushed pushed => $"{pushed.Message.Seq}",
                MessageEdited edited => $"edit {edited.Seq}",
                var other => other.GetType().Name,
            });
        }
    }

    /// <summary>The seqs of the messages delivered, in order.</summary>
    private long[] Delivered()
    {
        lock (_delivered)
        {
            return [.. _delivered.Where(d => long.TryParse(d, out _)).Select(long.Parse)];
        }
    }

    /// <summary>Everything delivered, in order: a message as its seq, an edit as "edit seq".</summary>
    private string[] Log()
    {
        lock (_delivered)
        {
            return [.. _delivered];
        }
    }

    private static PushEnvelope Envelope(string conversationId, long seq) =>
        new(["u"], new MessagePushed(new MessageRecord(conversationId, seq, "u", "user", "text", DateTimeOffset.UnixEpoch, $"m-{seq}", null, null, false)));
}
