namespace Messenger.Grains.Interfaces.Models;

/// <summary>Where two users stand as contacts, seen from one of them.</summary>
[GenerateSerializer, Alias("messenger.ContactState")]
public enum ContactState
{
    /// <summary>No contact and no pending request.</summary>
    None = 0,

    /// <summary>This user asked; the other has not answered.</summary>
    Outgoing = 1,

    /// <summary>The other user asked; this one has not answered.</summary>
    Incoming = 2,

    /// <summary>Both agreed.</summary>
    Accepted = 3,
}
