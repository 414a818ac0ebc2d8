using System.Text.Json;
using System.Text.RegularExpressions;
using Messenger.ClientApi.Contracts;
using Messenger.Grains.Interfaces.Models;

namespace Messenger.ClientApi.Sessions;

/// <summary>Reads and checks the fields of client frames, with the same rules as REST.</summary>
public static partial class ClientFrames
{
    public static bool TryReadSend(JsonElement frame, int maxTextLength, out SendFrame send, out (string Code, string Message) error)
    {
        send = null!;
        if (!TryString(frame, "conversationId", 200, out var conversationId, out error) ||
            !TryString(frame, "clientMessageId", 64, out var clientMessageId, out error) ||
            !TryString(frame, "text", int.MaxValue, out var text, out error))
        {
            return false;
        }

        if (!ClientMessageIdRegex().IsMatch(clientMessageId))
        {
            error = (ErrorCodes.ValidationFailed, "clientMessageId must be 1-64 characters from A-Z a-z 0-9 - _ . :");
            return false;
        }

        if (text.Length > maxTextLength)
        {
            error = (ErrorCodes.MessageTooLarge, $"text is longer than {maxTextLength} characters.");
            return false;
        }

        long? replyTo = null;
        if (frame.TryGetProperty("replyTo", out var reply) && reply.ValueKind != JsonValueKind.Null)
        {
            if (reply.ValueKind != JsonValueKind.Number || !reply.TryGetInt64(out var value) || value < 1)
            {
                error = (ErrorCodes.ValidationFailed, "replyTo must be a positive seq.");
                return false;
            }

            replyTo = value;
        }

        send = new SendFrame(conversationId, clientMessageId, text, replyTo);
        return true;
    }

    public static bool TryReadReceipt(JsonElement frame, out string conversationId, out long seq, out (string Code, string Message) error)
    {
        seq = 0;
        if (!TryString(frame, "conversationId", 200, out conversationId, out error))
        {
            return false;
        }

        if (!frame.TryGetProperty("seq", out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out seq) || seq < 0)
        {
            error = (ErrorCodes.ValidationFailed, "seq must be a non-negative integer.");
            return false;
        }

        return true;
    }

    public static bool TryReadTyping(JsonElement frame, out string conversationId, out bool typing, out (string Code, string Message) error)
    {
        typing = false;
        if (!TryString(frame, "conversationId", 200, out conversationId, out error))
        {
            return false;
        }

        if (!frame.TryGetProperty("typing", out var value) || value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            error = (ErrorCodes.ValidationFailed, "typing must be true or false.");
            return false;
        }

        typing = value.GetBoolean();
        return true;
    }

    /// <summary>Reads a <c>presence</c> frame; the user grain checks the values, as for REST.</summary>
    public static bool TryReadPresence(JsonElement frame, out Presence presence, out (string Code, string Message) error)
    {
        presence = null!;
        if (!TryString(frame, "status", 16, out var status, out error))
        {
            return false;
        }

        string? note = null;
        if (frame.TryGetProperty("note", out var value) && value.ValueKind != JsonValueKind.Null)
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                error = (ErrorCodes.ValidationFailed, "note must be a string.");
                return false;
            }

            note = value.GetString();
        }

        presence = new Presence(status, note);
        return true;
    }

    private static bool TryString(JsonElement frame, string name, int maxLength, out string value, out (string Code, string Message) error)
    {
        value = "";
        error = default;
        if (!frame.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.String || element.GetString() is not { Length: > 0 } s)
        {
            error = (ErrorCodes.ValidationFailed, $"{name} is required and must be a non-empty string.");
            return false;
        }

        if (s.Length > maxLength)
        {
            error = (ErrorCodes.ValidationFailed, $"{name} is too long.");
            return false;
        }

        value = s;
        return true;
    }

    [GeneratedRegex(Validation.ClientMessageIdPattern)]
    private static partial Regex ClientMessageIdRegex();
}
