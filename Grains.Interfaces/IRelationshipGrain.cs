using Messenger.Grains.Interfaces.Models;

namespace Messenger.Grains.Interfaces;

/// <summary>
/// Keyed by <see cref="PairIds.Relationship"/> of two users: the one source of truth about them
/// (contact request, acceptance, blocks). Both users' actions land on this one activation, so
/// simultaneous requests from both sides cannot disagree; afterwards it tells both user grains
/// (which cache their side for lists and presence) and, for blocks, their direct conversation.
/// It calls them and is never called back by them, so no call cycle can form. Every call
/// re-sends the current truth, so a retry after a failed call repairs a stale side.
/// </summary>
[Alias("messenger.IRelationshipGrain")]
public interface IRelationshipGrain : IGrainWithStringKey
{
    /// <summary>
    /// Asks <paramref name="other"/>, or accepts their pending request (a request both ways is
    /// accepted). Idempotent. Throws <c>blocked</c> while either blocks the other.
    /// </summary>
    [Alias("Request")]
    Task Request(UserProfile actor, UserProfile other);

    /// <summary>Removes the contact, declines or cancels the request, on both sides. Idempotent.</summary>
    [Alias("Remove")]
    Task Remove(UserProfile actor, UserProfile other);

    /// <summary>The actor blocks the other: removes the contact and closes their direct conversation.</summary>
    [Alias("Block")]
    Task Block(UserProfile actor, UserProfile other);

    /// <summary>Lifts the actor's block; the contact is not restored.</summary>
    [Alias("Unblock")]
    Task Unblock(UserProfile actor, UserProfile other);
}
