namespace Messenger.Grains.Interfaces.Push;

/// <summary>Something that happened which live sessions should hear about.</summary>
[GenerateSerializer, Immutable, Alias("messenger.PushEvent")]
public abstract record PushEvent;
