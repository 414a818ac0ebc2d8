using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Messenger.Tests.Api;

/// <summary>
/// A ClientApi delivers a message to its own sessions from the answer to the send it carried,
/// and receives other ClientApis' messages on its push stream. These check that the two paths
/// together keep what a session sees in seq order.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class PushOrderTests(ApiFixture api)
{
    [Fact]
    public async Task SendsThroughTwoClientApisAtOnce_ReachEverySessionOnBoth_InSeqOrder_EachOnce()
    {
        const int each = 40;
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var id = await alice.DirectWithAsync(bob);

        // A second ClientApi on the same cluster; creating its client waits until it serves.
        await using var second = api.Factory.WithWebHostBuilder(_ => { });
        var bobThroughSecond = second.CreateClient();
        bobThroughSecond.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bob.Token);
        var client = second.Server.CreateWebSocketClient();
        await using var bobOnSecond = new TestSocket(await client.ConnectAsync(new Uri(second.Server.BaseAddress, $"/api/v1/ws?access_token={bob.Token}"), CancellationToken.None));
        await using var aliceOnFirst = await alice.ConnectAsync();
        await using var bobOnFirst = await bob.ConnectAsync();
        TestSocket[] sockets = [bobOnSecond, aliceOnFirst, bobOnFirst];
        foreach (var socket in sockets)
        {
            await socket.NextAsync("ready");
        }

        await Task.Delay(TimeSpan.FromSeconds(1.2)); // past the stream's head start after the conversation's creation

        // Alice sends through the first ClientApi while Bob sends through the second.
        await Task.WhenAll(
            Task.Run(async () =>
            {
                for (var i = 0; i < each; i++)
                {
                    await alice.SendOkAsync(id, $"alice {i}");
                }
            }),
            Task.Run(async () =>
            {
                for (var i = 0; i < each; i++)
                {
                    var response = await bobThroughSecond.PutAsJsonAsync($"/api/v1/conversations/{id}/messages/bob-{i}", new { text = $"bob {i}" });
                    response.EnsureSuccessStatusCode();
                }
            }));

        foreach (var socket in sockets)
        {
            await AssertSeqsOneToNOnceInOrderAsync(socket, 2 * each);
        }
    }

    [Fact]
    public async Task ManyConcurrentSendsThroughOneClientApi_ReachASessionInSeqOrder_EachOnce()
    {
        const int senders = 8, each = 25;
        var (alice, bob, id) = await DirectPastItsCreationAsync();
        await using var socket = await bob.ConnectAsync();
        await socket.NextAsync("ready");

        // Answers for one commit of several sends come back together and are handled on several threads.
        await Task.WhenAll(Enumerable.Range(0, senders).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                await (s % 2 == 0 ? alice : bob).SendOkAsync(id, $"sender {s} message {i}");
            }
        })));

        await AssertSeqsOneToNOnceInOrderAsync(socket, senders * each);
    }

    [Fact]
    public async Task TheSendingSession_GetsItsAck_BeforeItsOwnMessage()
    {
        var (alice, _, conversationId) = await DirectPastItsCreationAsync();
        await using var socket = await alice.ConnectAsync();
        await socket.NextAsync("ready");

        for (var i = 0; i < 5; i++)
        {
            await socket.SendJsonAsync(new { type = "send", @ref = $"r{i}", conversationId, clientMessageId = $"own-{i}", text = "mine" });
            var ack = await socket.NextAsync("ack");
            Assert.Empty(socket.Unread("message"));
            var message = await socket.NextAsync("message");
            Assert.Equal(ack.GetProperty("seq").GetInt64(), message.GetProperty("seq").GetInt64());
        }
    }

    /// <summary>
    /// Two new users in a direct conversation, once its messages no longer follow its creation by
    /// stream (ConversationOptions.StreamSettleTime), so that they ride in answers.
    /// </summary>
    private async Task<(TestUser Alice, TestUser Bob, string ConversationId)> DirectPastItsCreationAsync()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var id = await alice.DirectWithAsync(bob);
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        return (alice, bob, id);
    }

    /// <summary>The socket's message frames are seqs 1..n, each once, in order (one conversation only).</summary>
    private static async Task AssertSeqsOneToNOnceInOrderAsync(TestSocket socket, int n)
    {
        var seqs = new List<long>();
        for (var i = 0; i < n; i++)
        {
            seqs.Add((await socket.NextAsync("message", timeout: TimeSpan.FromSeconds(5))).GetProperty("seq").GetInt64());
        }

        await socket.DrainAsync(TimeSpan.FromMilliseconds(300));
        Assert.Equal(Enumerable.Range(1, n).Select(s => (long)s), seqs);
        Assert.Empty(socket.Unread("message"));
    }
}
