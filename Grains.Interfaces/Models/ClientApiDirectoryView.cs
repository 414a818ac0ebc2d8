namespace Messenger.Grains.Interfaces.Models;

/// <summary>
/// The live ClientApis as the directory knows them, and whether it can know all of them: the
/// directory keeps its list in memory, so an activation younger than one lease (its silo died,
/// or it moved) has not yet heard from every live ClientApi.
/// </summary>
/// <param name="StreamKeys">Live ClientApi ids and the push stream key of each.</param>
/// <param name="Complete">False while the activation is younger than <see cref="ClientApiLeases.Duration"/>.</param>
[GenerateSerializer, Immutable, Alias("messenger.ClientApiDirectoryView")]
public sealed record ClientApiDirectoryView(
    [property: Id(0)] IReadOnlyDictionary<string, string> StreamKeys,
    [property: Id(1)] bool Complete);
