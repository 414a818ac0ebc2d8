namespace Messenger.Bench.CallFloor.Grains;

/// <summary>A grain that does nothing but answer: what any client-to-grain call costs.</summary>
[Alias("Messenger.Bench.CallFloor.IEchoGrain")]
public interface IEchoGrain : IGrainWithStringKey
{
    /// <summary>Answers at once; the text stands in for a send's body on the wire.</summary>
    [Alias("Echo")]
    Task<long> Echo(string text);
}
