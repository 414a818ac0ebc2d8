using System.Text.Json;

namespace Messenger.ClientApi.Contracts.Frames;

/// <summary>Answer to a <c>ping</c>.</summary>
/// <param name="Ref">The ping's <c>ref</c>, echoed.</param>
public sealed record PongFrame(JsonElement? Ref);
