using Orleans.Serialization.Cloning;
using Orleans.Serialization.Codecs;

namespace Messenger.Grains.Interfaces.Serialization;

/// <summary>
/// Copies an <see cref="ArraySegment{T}"/> of bytes in one block. Orleans has such a copier
/// (<see cref="ArraySegmentOfByteCopier"/>), but its lookup by generic type definition finds the
/// element-by-element <see cref="ArraySegmentCopier{T}"/> first; the memory stream's queue grain
/// copies every batch of events it is handed on its own silo.
/// </summary>
public sealed class ArraySegmentBlobCopier<T>(IDeepCopier<T> elementCopier) : IDeepCopier<ArraySegment<T>>
{
    private readonly ArraySegmentCopier<T> _elementwise = new(elementCopier);

    public ArraySegment<T> DeepCopy(ArraySegment<T> input, CopyContext context)
    {
        if (typeof(T) != typeof(byte) || input.Array is null)
        {
            return _elementwise.DeepCopy(input, context);
        }

        var copy = input.AsSpan().ToArray();
        context.RecordCopy(input.Array, copy);
        return new ArraySegment<T>(copy);
    }
}
