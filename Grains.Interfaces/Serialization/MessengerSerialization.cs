using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.Configuration;

namespace Messenger.Grains.Interfaces.Serialization;

/// <summary>Serialization settings every Messenger process (silo, ClientApi, test client) shares.</summary>
public static class MessengerSerialization
{
    /// <summary>
    /// Swaps Orleans' element-by-element <see cref="ArraySegment{T}"/> codec and copier for
    /// <see cref="ArraySegmentBlobCodec{T}"/> and <see cref="ArraySegmentBlobCopier{T}"/>. Done
    /// after every other configuration, because Orleans registers one codec per generic type
    /// definition and the last registration of <c>ArraySegment&lt;&gt;</c> would win.
    /// </summary>
    public static IServiceCollection AddMessengerSerialization(this IServiceCollection services) =>
        services.PostConfigure<TypeManifestOptions>(o =>
        {
            o.Serializers.Remove(typeof(ArraySegmentCodec<>));
            o.Serializers.Add(typeof(ArraySegmentBlobCodec<>));
            o.Copiers.Remove(typeof(ArraySegmentCopier<>));
            o.Copiers.Add(typeof(ArraySegmentBlobCopier<>));
        });
}
