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

    public byte[] Frame<T>(string type, T payload)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(payload, _options);
        var typeName = JsonSerializer.SerializeToUtf8Bytes(type, _options);

        // body is "{...}": write {"type":"…" and then body's own fields.
        using var frame = new MemoryStream(body.Length + typeName.Length + 10);
        frame.Write("{\"type\":"u8);
        frame.Write(typeName);
        if (body.Length > 2)
        {
            frame.WriteByte((byte)',');
            frame.Write(body.AsSpan(1));
        }
        else
        {
            frame.WriteByte((byte)'}');
        }

        return frame.ToArray();
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
