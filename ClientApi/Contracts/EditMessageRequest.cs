using System.ComponentModel.DataAnnotations;

namespace Messenger.ClientApi.Contracts;

/// <summary>A message's new text.</summary>
public sealed record EditMessageRequest
{
    /// <summary>1–4000 characters (configurable); longer is 413 <c>message_too_large</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string? Text { get; init; }
}
