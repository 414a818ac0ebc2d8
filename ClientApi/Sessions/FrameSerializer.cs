using System.Collections.Concurrent;
using System.Text.Json;
using Messenger.ClientApi.Contracts;
using Messenger.ClientApi.Contracts.Frames;
using Messenger.Grains.Interfaces.Push;
using Microsoft.Extensions.Options;

namespace Messenger.ClientApi.Sessions;

/// <summary>
/// Writes server frames: <c>{"type": …}</c> followed by the payload's own fields, with the
/// same JSON settings as the REST answers. A pushed event is serialized once and the bytes are
/// shared by every session that receives it.
/// </summary>
public sealed class FrameSerializer(IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    private readonly JsonSerializerOptions _options = json.Value.SerializerOptions;

    // {"type":"…" for each frame type, encoded once; the types are the protocol's dozen names.
    private readonly ConcurrentDictionary<string, byte[]> _openings = new(StringComparer.Ordinal);

    public byte[] Frame<T>(string type, T payload)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(payload, _options);
        var opening = _openings.GetOrAdd(type, static (name, options) => [.. "{\"type\":"u8, .. JsonSerializer.SerializeToUtf8Bytes(name, options)], _options);

        // body is "{...}": the frame is {"type":"…" and then body's own fields, or its closing
        // brace when it has none. Built in one array: this runs for every ack and every push.
        var fields = body.AsSpan(1);
        var separator = fields.Length > 1 ? 1 : 0;
        var frame = new byte[opening.Length + separator + fields.Length];
        opening.CopyTo(frame, 0);
        if (separator == 1)
        {
            frame[opening.Length] = (byte)',';
        }

        fields.CopyTo(frame.AsSpan(opening.Length + separator));
        return frame;
    }

    /// <summary>The frame for a pushed event, or null for control events that are not frames.</summary>
    public byte[]? FromEvent(PushEvent pushEvent) => pushEvent switch
    {
        MessagePushed m => Frame("message", m.Message.ToResponse()),
        ReceiptPushed r => Frame("receipt", new ReceiptFrame(r.ConversationId, r.UserId, r.ReadSeq)),
        ConversationChanged c => Frame("conversation", new ConversationFrame(c.ConversationId, c.Change)),
        MessageEdited e => Frame("message.edited", new MessageChangedFrame(e.ConversationId, e.Seq, e.Text, e.EditedAt.UtcDateTime)),
        MessageDeleted d => Frame("message.deleted", new MessageChangedFrame(d.ConversationId, d.Seq)),
        TypingChanged t => Frame("typing", new TypingFrame(t.ConversationId, t.UserId, t.Typing)),
        PresenceChanged p => Frame("presence", new PresenceFrame(p.UserId, p.Username, p.Status, p.Note)),
        ContactChanged c => Frame("contact", new ContactFrame(c.UserId, c.Username, c.State)),
        _ => null,
    };

    public byte[] Error(JsonElement? reference, string code, string message) => Frame("error", new ErrorFrame(reference, code, message));
}
