using System.ComponentModel.DataAnnotations;

namespace Messenger.ClientApi.Contracts;

/// <summary>A message to send.</summary>
public sealed record SendMessageRequest
{
    /// <summary>1–4000 characters (configurable); longer is 413 <c>message_too_large</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string? Text { get; init; }

    /// <summary>Seq of the message this one answers.</summary>
    [Range(1, long.MaxValue)]
    public long? ReplyTo { get; init; }
}
