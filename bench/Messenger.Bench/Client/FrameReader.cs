using System.Text.Json;

namespace Messenger.Bench.Client;

/// <summary>
/// Reads the few fields of a frame that measuring needs with a forward-only reader: at tens of
/// thousands of frames a second the generator must not be what limits the numbers.
/// </summary>
public static class FrameReader
{
    public static ServerFrame Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        string type = "", conversationId = "", clientMessageId = "", code = "";
        long seq = 0, reference = -1;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return new ServerFrame("invalid", null, 0, null, -1, null);
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.CurrentDepth != 1)
            {
                reader.Skip();
                continue;
            }

            var name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("type"u8))
            {
                type = reader.GetString() ?? "";
            }
            else if (name.SequenceEqual("conversationId"u8))
            {
                conversationId = reader.GetString() ?? "";
            }
            else if (name.SequenceEqual("seq"u8) && reader.TokenType == JsonTokenType.Number)
            {
                seq = reader.GetInt64();
            }
            else if (name.SequenceEqual("clientMessageId"u8))
            {
                clientMessageId = reader.GetString() ?? "";
            }
            else if (name.SequenceEqual("ref"u8) && reader.TokenType == JsonTokenType.Number)
            {
                reference = reader.GetInt64();
            }
            else if (name.SequenceEqual("code"u8))
            {
                code = reader.GetString() ?? "";
            }
            else
            {
                reader.Skip();
            }
        }

        return new ServerFrame(type, conversationId, seq, clientMessageId, reference, code);
    }
}
