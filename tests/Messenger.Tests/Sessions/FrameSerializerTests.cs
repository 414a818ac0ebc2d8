using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Messenger.ClientApi.Contracts.Frames;
using Messenger.ClientApi.Sessions;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Messenger.Tests.Sessions;

/// <summary>
/// Every server frame is <c>{"type": …}</c> followed by its payload's fields (PROTOCOL.md,
/// WebSocket). Clients switch on <c>type</c>, so a frame that loses it, repeats a brace or drops a
/// field is one no client can read.
/// </summary>
public sealed class FrameSerializerTests
{
    private readonly FrameSerializer _frames = new(Options.Create(AppJsonOptions()));

    [Fact]
    public void AFrame_IsTheTypeFirst_ThenThePayloadsFields()
    {
        var sentAt = new DateTime(2026, 12, 7, 17, 0, 0, DateTimeKind.Utc);
        var reference = JsonDocument.Parse("\"r-1\"").RootElement;

        // Twice: the second frame of a type reuses its encoded opening.
        for (var i = 0; i < 2; i++)
        {
            using var frame = JsonDocument.Parse(_frames.Frame("ack", new AckFrame(reference, "c-1", 42, sentAt)));
            var fields = frame.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
            Assert.Equal(["type", "ref", "conversationId", "seq", "sentAt"], fields);
            Assert.Equal("ack", frame.RootElement.GetProperty("type").GetString());
            Assert.Equal("r-1", frame.RootElement.GetProperty("ref").GetString());
            Assert.Equal(42, frame.RootElement.GetProperty("seq").GetInt64());
            Assert.Equal(sentAt, frame.RootElement.GetProperty("sentAt").GetDateTime());
        }
    }

    [Fact]
    public void APayloadWithNoFields_IsTheTypeAlone()
    {
        var frame = _frames.Frame("pong", new PongFrame(null));

        Assert.Equal("{\"type\":\"pong\"}", Encoding.UTF8.GetString(frame));
    }

    [Fact]
    public void TextThatNeedsEscaping_ComesBackAsSent()
    {
        const string text = "\"quoted\" \\ back, line\nbreak, é, 中文, 🙂 and </script>";

        using var frame = JsonDocument.Parse(_frames.Frame("message.edited", new MessageChangedFrame("c-1", 3, text)));

        Assert.Equal("message.edited", frame.RootElement.GetProperty("type").GetString());
        Assert.Equal(text, frame.RootElement.GetProperty("text").GetString());
        Assert.False(frame.RootElement.TryGetProperty("editedAt", out _)); // nulls are left out, as in REST answers
    }

    private static JsonOptions AppJsonOptions()
    {
        var options = new JsonOptions();
        options.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        return options;
    }
}
