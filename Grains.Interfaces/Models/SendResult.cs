using Messenger.Grains.Interfaces.Push;

namespace Messenger.Grains.Interfaces.Models;

/// <summary>
/// The stored position of a sent message: answered only after the row is in PostgreSQL.
/// <see cref="Push"/> is the message's push for the sessions of the ClientApi that carried the
/// send (<see cref="SendMessageCommand.ClientApiId"/>), which its push stream does not carry; null
/// when the send named no ClientApi, or repeats one stored by an earlier activation.
/// <see cref="PushBurstStart"/>, with a push, is the first seq of the conversation's current
/// burst: every message before it went to the ClientApis long enough ago to have arrived. A
/// ClientApi that first sees the conversation in an answer starts its order there, since the
/// answers to one commit of several sends come back in any order.
/// </summary>
[GenerateSerializer, Immutable, Alias("messenger.SendResult")]
public sealed record SendResult(
    [property: Id(0)] string ConversationId,
    [property: Id(1)] long Seq,
    [property: Id(2)] DateTimeOffset SentAt,
    [property: Id(3)] string ClientMessageId,
    [property: Id(4)] PushEnvelope? Push = null,
    [property: Id(5)] long PushBurstStart = 0);
