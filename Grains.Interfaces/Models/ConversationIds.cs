namespace Messenger.Grains.Interfaces.Models;

/// <summary>How conversation ids are made. Opaque to clients; the prefix helps people reading the database.</summary>
public static class ConversationIds
{
    /// <summary>The one direct conversation of two users: the same pair always gets the same id.</summary>
    public static string Direct(string userA, string userB)
    {
        var (low, high) = PairIds.Order(userA, userB);
        return $"d_{low}_{high}";
    }

    public static string NewGroup() => $"g_{Guid.CreateVersion7():N}";
}
