namespace Messenger.Grains.Storage;

/// <summary>Tuning of the group-commit writer. Bound from <c>Messenger:MessageLog</c>.</summary>
public sealed class MessageLogOptions
{
    /// <summary>Most rows in one multi-row INSERT (one commit, one fsync).</summary>
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>Batches written at once; while one commits, the next fills.</summary>
    public int Writers { get; set; } = 2;
}
