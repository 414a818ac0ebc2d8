namespace Messenger.Grains.Interfaces.Models;

/// <summary>How conversation ids are made. Opaque to clients; the prefix helps people reading the database.</summary>
public static class ConversationIds
{
    /// <summary>The one direct conversation of two users: the same pair always gets the same id.</summary>
    public static string Direct(string userA, string userB) =>
        string.CompareOrdinal(userA, userB) < 0 ? $"d_{userA}_{userB}" : $"d_{userB}_{userA}";

    public static string NewGroup() => $"g_{Guid.CreateVersion7():N}";
}
