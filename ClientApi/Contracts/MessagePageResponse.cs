namespace Messenger.ClientApi.Contracts;

/// <summary>A page of messages in ascending seq order.</summary>
/// <param name="Messages">The page.</param>
/// <param name="HasMore">Whether more messages lie beyond it in the paging direction.</param>
public sealed record MessagePageResponse(IReadOnlyList<MessageResponse> Messages, bool HasMore);
