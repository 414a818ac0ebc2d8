using System.Text.Json;

namespace Messenger.ClientApi.Contracts.Frames;

/// <summary>A frame could not be handled. The socket stays open.</summary>
/// <param name="Ref">The <c>ref</c> of the frame that failed, when it had one.</param>
/// <param name="Code">A protocol error code.</param>
/// <param name="Message">What went wrong, for people.</param>
public sealed record ErrorFrame(JsonElement? Ref, string Code, string Message);
