using Messenger.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Messenger.Grains.Relationships;

/// <summary>
/// Two users' relationship: one activation per pair serializes what both of them do, so a
/// request from each side at the same moment (on different silos) meets here and becomes an
/// acceptance. After each call the truth goes to both user grains and, when blocks are
/// involved, to their direct conversation. This grain only calls out, never back in, so no
/// cycle of non-reentrant grains can form.
/// </summary>
internal sealed partial class RelationshipGrain(
    [PersistentState("relationship", StorageNames.Messenger)] IPersistentState<RelationshipState> state,
    ILogger<RelationshipGrain> logger) : Grain, IRelationshipGrain
{
    private RelationshipState State => state.State;

    public async Task Request(UserProfile actor, UserProfile other)
    {
        var (low, high) = Sides(actor, other);
        if (State.BlockedByLow || State.BlockedByHigh)
        {
            // Both sides stay as they are; make sure they know it.
            await TellUsersAsync(low, high);
            throw new MessengerException(ErrorCodes.Blocked, "One of you blocks the other.");
        }

        var actorIsLow = actor.UserId == low.UserId;
        var next = State.Stage switch
        {
            RelationshipStage.None => actorIsLow ? RelationshipStage.RequestedByLow : RelationshipStage.RequestedByHigh,
            RelationshipStage.RequestedByLow when !actorIsLow => RelationshipStage.Accepted,
            RelationshipStage.RequestedByHigh when actorIsLow => RelationshipStage.Accepted,
            var same => same, // asking again, or already accepted
        };
        await ChangeAsync(next, State.BlockedByLow, State.BlockedByHigh);
        await TellUsersAsync(low, high);
    }

    public async Task Remove(UserProfile actor, UserProfile other)
    {
        var (low, high) = Sides(actor, other);
        await ChangeAsync(RelationshipStage.None, State.BlockedByLow, State.BlockedByHigh);
        await TellUsersAsync(low, high);
    }

    public async Task Block(UserProfile actor, UserProfile other)
    {
        var (low, high) = Sides(actor, other);
        var actorIsLow = actor.UserId == low.UserId;
        await ChangeAsync(RelationshipStage.None, State.BlockedByLow || actorIsLow, State.BlockedByHigh || !actorIsLow);
        await Task.WhenAll(TellUsersAsync(low, high), TellConversationAsync(low, high));
    }

    public async Task Unblock(UserProfile actor, UserProfile other)
    {
        var (low, high) = Sides(actor, other);
        var actorIsLow = actor.UserId == low.UserId;
        await ChangeAsync(State.Stage, State.BlockedByLow && !actorIsLow, State.BlockedByHigh && actorIsLow);
        await Task.WhenAll(TellUsersAsync(low, high), TellConversationAsync(low, high));
    }

    private (UserProfile Low, UserProfile High) Sides(UserProfile actor, UserProfile other)
    {
        if (actor.UserId == other.UserId || this.GetPrimaryKeyString() != PairIds.Relationship(actor.UserId, other.UserId))
        {
            throw MessengerException.Invalid("This is not the relationship of these two users.");
        }

        return string.CompareOrdinal(actor.UserId, other.UserId) < 0 ? (actor, other) : (other, actor);
    }

    private async Task ChangeAsync(RelationshipStage stage, bool blockedByLow, bool blockedByHigh)
    {
        if (stage == State.Stage && blockedByLow == State.BlockedByLow && blockedByHigh == State.BlockedByHigh)
        {
            return; // idempotent: nothing to store
        }

        State.Stage = stage;
        State.BlockedByLow = blockedByLow;
        State.BlockedByHigh = blockedByHigh;
        State.Version++;
        await state.WriteStateAsync();
        LogChanged(this.GetPrimaryKeyString(), stage, blockedByLow, blockedByHigh, State.Version);
    }

    /// <summary>
    /// Sent after every call, changed or not: if an earlier call stored the change but failed to
    /// tell a user grain, the client's retry (everything here is idempotent) repairs that side.
    /// </summary>
    private Task TellUsersAsync(UserProfile low, UserProfile high)
    {
        var (lowSees, highSees) = State.Stage switch
        {
            RelationshipStage.Accepted => (ContactState.Accepted, ContactState.Accepted),
            RelationshipStage.RequestedByLow => (ContactState.Outgoing, ContactState.Incoming),
            RelationshipStage.RequestedByHigh => (ContactState.Incoming, ContactState.Outgoing),
            _ => (ContactState.None, ContactState.None),
        };
        return Task.WhenAll(
            GrainFactory.GetGrain<IUserGrain>(low.UserId).ApplyContact(new ContactUpdate(high, lowSees, State.BlockedByLow, State.Version)),
            GrainFactory.GetGrain<IUserGrain>(high.UserId).ApplyContact(new ContactUpdate(low, highSees, State.BlockedByHigh, State.Version)));
    }

    private Task TellConversationAsync(UserProfile low, UserProfile high) =>
        GrainFactory.GetGrain<IConversationGrain>(ConversationIds.Direct(low.UserId, high.UserId))
            .SetBlocked(State.BlockedByLow || State.BlockedByHigh);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Relationship {PairId}: {Stage}, blocked by low {BlockedByLow}, by high {BlockedByHigh} (version {Version})")]
    private partial void LogChanged(string pairId, RelationshipStage stage, bool blockedByLow, bool blockedByHigh, long version);
}
