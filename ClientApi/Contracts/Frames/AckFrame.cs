using System.Text.Json;

namespace Messenger.ClientApi.Contracts.Frames;

/// <summary>Answer to a <c>send</c>: the message is stored.</summary>
/// <param name="Ref">The <c>ref</c> of the send, echoed.</param>
/// <param name="ConversationId">The conversation.</param>
/// <param name="Seq">The stored seq.</param>
/// <param name="SentAt">When it was stored (UTC).</param>
public sealed record AckFrame(JsonElement? Ref, string ConversationId, long Seq, DateTime SentAt);
