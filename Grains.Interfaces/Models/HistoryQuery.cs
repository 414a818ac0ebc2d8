namespace Messenger.Grains.Interfaces.Models;

/// <summary>
/// Keyset paging over the log: <see cref="After"/> gives the page just after a seq,
/// <see cref="Before"/> the page just before one, neither the latest page.
/// </summary>
[GenerateSerializer, Immutable, Alias("messenger.HistoryQuery")]
public sealed record HistoryQuery(
    [property: Id(0)] long? After,
    [property: Id(1)] long? Before,
    [property: Id(2)] int Limit);
