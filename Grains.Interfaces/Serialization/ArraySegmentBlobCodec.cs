using System.Buffers;
using System.Runtime.CompilerServices;
using Orleans.Serialization.Buffers;
using Orleans.Serialization.Codecs;
using Orleans.Serialization.WireProtocol;

namespace Messenger.Grains.Interfaces.Serialization;

/// <summary>
/// Writes an <see cref="ArraySegment{T}"/> of bytes as one length-prefixed blob, as Orleans
/// already does for <c>byte[]</c>. Orleans' own <see cref="ArraySegmentCodec{T}"/> writes every
/// byte as a tagged field of its own, and the memory stream provider carries each batch of
/// events as an <c>ArraySegment&lt;byte&gt;</c> across several hops (queue grain, pulling agent,
/// ClientApi), which a profile under load put at 2-7 % of each process's CPU. Any other element
/// type is left to Orleans' codec. Installed by <see cref="MessengerSerialization"/>; every
/// process of a cluster must use it, because the wire format differs.
/// </summary>
public sealed class ArraySegmentBlobCodec<T>(IFieldCodec<T> elementCodec) : IFieldCodec<ArraySegment<T>>
{
    private readonly ArraySegmentCodec<T> _elementwise = new(elementCodec);

    public void WriteField<TBufferWriter>(ref Writer<TBufferWriter> writer, uint fieldIdDelta, Type? expectedType, ArraySegment<T> value)
        where TBufferWriter : IBufferWriter<byte>
    {
        if (typeof(T) != typeof(byte))
        {
            _elementwise.WriteField(ref writer, fieldIdDelta, expectedType, value);
            return;
        }

        var bytes = Unsafe.As<ArraySegment<T>, ArraySegment<byte>>(ref value);
        if (bytes.Array is { } whole && whole.Length == bytes.Count)
        {
            // The whole array: written (and remembered) by reference, like byte[].
            if (ReferenceCodec.TryWriteReferenceField(ref writer, fieldIdDelta, expectedType, typeof(ArraySegment<byte>), whole))
            {
                return;
            }
        }
        else
        {
            ReferenceCodec.MarkValueField(writer.Session);
        }

        writer.WriteFieldHeader(fieldIdDelta, expectedType, typeof(ArraySegment<byte>), WireType.LengthPrefixed);
        writer.WriteVarUInt32((uint)bytes.Count);
        writer.Write(bytes.AsSpan());
    }

    public ArraySegment<T> ReadValue<TInput>(ref Reader<TInput> reader, Field field)
    {
        if (typeof(T) != typeof(byte))
        {
            return _elementwise.ReadValue(ref reader, field);
        }

        byte[]? result;
        if (field.WireType == WireType.Reference)
        {
            result = ReferenceCodec.ReadReference<byte[], TInput>(ref reader, field);
        }
        else
        {
            field.EnsureWireType(WireType.LengthPrefixed);
            result = reader.ReadBytes(reader.ReadVarUInt32());
            ReferenceCodec.RecordObject(reader.Session, result);
        }

        var segment = result is null ? default : new ArraySegment<byte>(result);
        return Unsafe.As<ArraySegment<byte>, ArraySegment<T>>(ref segment);
    }
}
