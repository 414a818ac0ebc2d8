namespace Messenger.Bench.CallFloor.Grains;

internal sealed class EchoGrain : Grain, IEchoGrain
{
    private long _calls;

    public Task<long> Echo(string text) => Task.FromResult(++_calls);
}
