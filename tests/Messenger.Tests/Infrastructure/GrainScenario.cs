namespace Messenger.Tests.Infrastructure;

/// <summary>Shortcuts for grain tests: fresh users and conversations with unique names.</summary>
public static class GrainScenario
{
    public static async Task<UserProfile> NewUserAsync(this IGrainFactory grains, string prefix = "user")
    {
        var username = $"{prefix}{Guid.NewGuid().ToString("N")[..10]}";
        return await grains.GetGrain<IAccountGrain>(username.ToLowerInvariant()).Register(username, "not-a-hash", null);
    }

    public static async Task<(IConversationGrain Grain, UserProfile Owner, UserProfile[] Members)> NewGroupAsync(this IGrainFactory grains, int members)
    {
        var owner = await grains.NewUserAsync("owner");
        var others = await Task.WhenAll(Enumerable.Range(0, members).Select(_ => grains.NewUserAsync("member")));
        var id = ConversationIds.NewGroup();
        var grain = grains.GetGrain<IConversationGrain>(id);
        await grain.CreateGroup(owner, "Test group", others);
        return (grain, owner, others);
    }

    public static Task<SendResult> SendAsync(this IConversationGrain grain, UserProfile sender, string text, string? clientMessageId = null) =>
        grain.Send(new SendMessageCommand(sender.UserId, clientMessageId ?? Guid.NewGuid().ToString(), text, null));
}
