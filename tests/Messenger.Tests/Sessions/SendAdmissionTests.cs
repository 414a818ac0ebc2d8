using Messenger.ClientApi.Sessions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Messenger.Tests.Sessions;

/// <summary>
/// Which sends a ClientApi takes and which it refuses with <c>rate_limited</c>: a client sees a
/// refusal during a short stall as a spurious error, and no refusal under overload as acks that
/// take seconds.
/// </summary>
public sealed class SendAdmissionTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void AShortBurstPastTheBound_IsTaken_UpToTheBurstLimit()
    {
        var admission = Admission(limit: 4, burst: 8);

        Assert.All(Enumerable.Range(0, 8), _ => Assert.True(admission.TryEnter()));
        Assert.False(admission.TryEnter());

        // Within the hold the queue drains back under the bound: no overload was declared.
        _time.Advance(SendAdmission.Hold / 2);
        Exit(admission, 5);
        _time.Advance(SendAdmission.Hold);
        Assert.All(Enumerable.Range(0, 5), _ => Assert.True(admission.TryEnter()));
    }

    [Fact]
    public void AQueuePastTheBoundForTheHold_IsOverload_RefusedPastTheBound_UntilItDrainsToHalf()
    {
        var admission = Admission(limit: 4, burst: 8);
        Assert.All(Enumerable.Range(0, 5), _ => Assert.True(admission.TryEnter()));

        _time.Advance(SendAdmission.Hold);
        Assert.False(admission.TryEnter());

        // Refused down to the bound, the queue hovers there; the overload stays.
        Exit(admission, 1);
        Assert.False(admission.TryEnter());
        Exit(admission, 1);
        Assert.True(admission.TryEnter());
        Assert.False(admission.TryEnter());

        // Drained to half the bound, a burst is taken again.
        Exit(admission, 2);
        Assert.All(Enumerable.Range(0, 6), _ => Assert.True(admission.TryEnter()));
    }

    [Fact]
    public void ABoundOfZero_RefusesEverySend()
    {
        var admission = Admission(limit: 0, burst: null);

        Assert.False(admission.TryEnter());
        Assert.False(admission.TryEnter());
    }

    private SendAdmission Admission(int limit, int? burst)
    {
        var settings = new Dictionary<string, string?> { ["Messenger:ClientApi:MaxInFlightSends"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (burst is { } b)
        {
            settings["Messenger:ClientApi:MaxInFlightSendsInBurst"] = b.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new SendAdmission(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), _time);
    }

    private static void Exit(SendAdmission admission, int count)
    {
        for (var i = 0; i < count; i++)
        {
            admission.Exit();
        }
    }
}
