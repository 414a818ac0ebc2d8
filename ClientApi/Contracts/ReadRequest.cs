using System.ComponentModel.DataAnnotations;

namespace Messenger.ClientApi.Contracts;

/// <summary>A read receipt.</summary>
public sealed record ReadRequest
{
    /// <summary>The seq read up to; the read position only moves forward.</summary>
    [Required, Range(0, long.MaxValue)]
    public long? Seq { get; init; }
}
