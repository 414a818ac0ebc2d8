namespace Messenger.Grains.Interfaces.Models;

/// <summary>Keys for things that belong to two users, the same whichever of them asks.</summary>
public static class PairIds
{
    /// <summary>The two user ids in ordinal order.</summary>
    public static (string Low, string High) Order(string userA, string userB) =>
        string.CompareOrdinal(userA, userB) < 0 ? (userA, userB) : (userB, userA);

    /// <summary>The key of the <see cref="IRelationshipGrain"/> of two users.</summary>
    public static string Relationship(string userA, string userB)
    {
        var (low, high) = Order(userA, userB);
        return $"r_{low}_{high}";
    }
}
