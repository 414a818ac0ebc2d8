using System.Collections.Concurrent;

namespace Messenger.Grains.Interfaces;

/// <summary>
/// Grain references for the hot paths. Orleans' <c>GetGrain&lt;T&gt;(string)</c> works out the
/// grain interface type through reflection on every call, which a profile of the ClientApi under
/// load put at about a tenth of its CPU; this works out each interface's grain type and interface
/// type once and builds references from them.
/// </summary>
public sealed class GrainReferences(IGrainFactory factory)
{
    private readonly ConcurrentDictionary<Type, (GrainType Grain, GrainInterfaceType Interface)> _types = new();

    /// <summary>The reference to the grain of interface <typeparamref name="TGrain"/> with this key.</summary>
    public TGrain Get<TGrain>(string key)
        where TGrain : IGrainWithStringKey
    {
        var (grainType, interfaceType) = _types.GetOrAdd(typeof(TGrain), static (_, f) => Resolve<TGrain>(f), factory);
        return (TGrain)factory.GetGrain(GrainId.Create(grainType, key), interfaceType);
    }

    private static (GrainType, GrainInterfaceType) Resolve<TGrain>(IGrainFactory factory)
        where TGrain : IGrainWithStringKey
    {
        // One ordinary lookup tells both types; the key is irrelevant.
        var probe = (GrainReference)(object)factory.GetGrain<TGrain>("type-probe");
        return (probe.GrainId.Type, probe.InterfaceType);
    }
}
