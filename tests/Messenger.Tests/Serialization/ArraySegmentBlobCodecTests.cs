using Messenger.Grains.Interfaces.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;

namespace Messenger.Tests.Serialization;

/// <summary>
/// The memory stream provider carries every batch of pushes as an <c>ArraySegment&lt;byte&gt;</c>;
/// these pin down that it travels as one blob and arrives intact.
/// </summary>
public sealed class ArraySegmentBlobCodecTests
{
    private static ServiceProvider Services(bool messenger)
    {
        var services = new ServiceCollection().AddSerializer();
        if (messenger)
        {
            services.AddMessengerSerialization();
        }

        return services.BuildServiceProvider();
    }

    private static ArraySegment<byte> Payload()
    {
        var bytes = new byte[4_100];
        Random.Shared.NextBytes(bytes);
        return new ArraySegment<byte>(bytes, 3, 4_000);
    }

    [Fact]
    public void BytesInASegment_TravelAsOneBlob_AndArriveIntact()
    {
        using var services = Services(messenger: true);
        var serializer = services.GetRequiredService<Serializer>();
        var payload = Payload();

        var wire = serializer.SerializeToArray(payload);
        var back = serializer.Deserialize<ArraySegment<byte>>(wire);

        Assert.Equal(payload.ToArray(), back.ToArray());
        Assert.InRange(wire.Length, payload.Count, payload.Count + 32);
    }

    [Fact]
    public void WithoutIt_OrleansWritesEveryByteAsAField()
    {
        // The reason the codec exists: if Orleans ever writes byte segments compactly itself,
        // this fails and the swap in MessengerSerialization can go.
        using var services = Services(messenger: false);
        var wire = services.GetRequiredService<Serializer>().SerializeToArray(Payload());

        Assert.True(wire.Length > 6_000, $"{wire.Length} bytes");
    }

    [Fact]
    public void AWholeArrayUsedTwice_IsWrittenOnce_AndBothReadBack()
    {
        using var services = Services(messenger: true);
        var serializer = services.GetRequiredService<Serializer>();
        var bytes = Payload().ToArray();
        var pair = new[] { new ArraySegment<byte>(bytes), new ArraySegment<byte>(bytes) };

        var wire = serializer.SerializeToArray(pair);
        var back = serializer.Deserialize<ArraySegment<byte>[]>(wire)!;

        Assert.InRange(wire.Length, bytes.Length, bytes.Length + 64);
        Assert.Equal(bytes, back[0].ToArray());
        Assert.Equal(bytes, back[1].ToArray());
    }

    [Fact]
    public void OtherElementTypes_AndCopies_StillWork()
    {
        using var services = Services(messenger: true);
        var serializer = services.GetRequiredService<Serializer>();
        var numbers = new ArraySegment<int>([1, 2, 3, 4, 5], 1, 3);
        Assert.Equal([2, 3, 4], serializer.Deserialize<ArraySegment<int>>(serializer.SerializeToArray(numbers)).ToArray());

        var copier = services.GetRequiredService<DeepCopier>();
        var payload = Payload();
        var copy = copier.Copy(payload);
        Assert.Equal(payload.ToArray(), copy.ToArray());
        Assert.NotSame(payload.Array, copy.Array);
        Assert.IsType<ArraySegmentBlobCopier<byte>>(services.GetRequiredService<ICodecProvider>().GetDeepCopier<ArraySegment<byte>>());
    }
}
