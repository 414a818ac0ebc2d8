namespace Messenger.Grains.Relationships;

/// <summary>Where a contact between two users stands, from the pair's point of view.</summary>
internal enum RelationshipStage
{
    None = 0,
    RequestedByLow = 1,
    RequestedByHigh = 2,
    Accepted = 3,
}
