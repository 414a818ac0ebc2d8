namespace Messenger.ClientApi.Contracts.Frames;

/// <summary>A conversation changed; fetch it again for the details.</summary>
/// <param name="ConversationId">The conversation.</param>
/// <param name="Change"><c>created</c>, <c>member_added</c>, <c>member_removed</c> or <c>updated</c>.</param>
public sealed record ConversationFrame(string ConversationId, string Change);
