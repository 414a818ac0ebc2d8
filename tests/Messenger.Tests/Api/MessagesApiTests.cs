using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Messenger.ClientApi.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using static Messenger.Tests.Api.AccountsApiTests;

namespace Messenger.Tests.Api;

[Collection(ApiCollection.Name)]
public sealed class MessagesApiTests(ApiFixture api)
{
    [Fact]
    public async Task Send_AnswersTheStoredSeq_AndARepeatReturnsTheSameWithoutStoringAgain()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var id = await alice.DirectWithAsync(bob);

        var first = await alice.SendAsync(id, "hello", "4c1e2f1a-1111-4f7e-9a0b-000000000001");
        var repeat = await alice.SendAsync(id, "hello", "4c1e2f1a-1111-4f7e-9a0b-000000000001");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var a = await first.Content.ReadFromJsonAsync<JsonElement>();
        var b = await repeat.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, a.GetProperty("seq").GetInt64());
        Assert.Equal(a.ToString(), b.ToString());
        Assert.Equal(id, a.GetProperty("conversationId").GetString());
        Assert.EndsWith("Z", a.GetProperty("sentAt").GetString());
        var history = await bob.GetJsonAsync($"/api/v1/conversations/{id}/messages");
        var message = Assert.Single(history.GetProperty("messages").EnumerateArray());
        Assert.Equal("hello", message.GetProperty("text").GetString());
        Assert.Equal(alice.UserId, message.GetProperty("senderId").GetString());
        Assert.Equal(alice.Username, message.GetProperty("senderUsername").GetString());
        Assert.Equal("4c1e2f1a-1111-4f7e-9a0b-000000000001", message.GetProperty("clientMessageId").GetString());
        Assert.False(history.GetProperty("hasMore").GetBoolean());
    }

    [Fact]
    public async Task Sends_AreTimedOnTheClientApisMeter()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var id = await alice.DirectWithAsync(bob);
        var meters = api.Factory.Services.GetRequiredService<IMeterFactory>();
        using var sends = new MetricCollector<double>(meters, MessageSenderMetrics.MeterName, "messenger.clientapi.send.duration");

        await alice.SendOkAsync(id, "one");
        await alice.SendOkAsync(id, "two");

        // Tests of this collection run one at a time, so these two sends are all it saw.
        Assert.Equal(2, sends.GetMeasurementSnapshot().Count);
        Assert.All(sends.GetMeasurementSnapshot(), m => Assert.InRange(m.Value, 0, 10_000));
    }

    [Fact]
    public async Task Send_ChecksSizesAndIds()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var id = await alice.DirectWithAsync(bob);

        Assert.Equal(HttpStatusCode.OK, (await alice.SendAsync(id, new string('x', 4000))).StatusCode);
        await AssertProblemAsync(await alice.SendAsync(id, new string('x', 4001)), HttpStatusCode.RequestEntityTooLarge, "message_too_large");
        await AssertProblemAsync(await alice.SendAsync(id, ""), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await alice.SendAsync(id, "x", new string('a', 65)), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await alice.SendAsync(id, "x", "bad id!"), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(
            await alice.Http.PutAsync($"/api/v1/conversations/{id}/messages/ok-id", new StringContent("{\"text\":", Encoding.UTF8, "application/json")),
            HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(
            await alice.Http.PutAsJsonAsync($"/api/v1/conversations/{id}/messages/ok-id2", new { text = "x", replyTo = 99 }),
            HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(HttpStatusCode.OK, (await alice.Http.PutAsJsonAsync($"/api/v1/conversations/{id}/messages/ok-id3", new { text = "re", replyTo = 1 })).StatusCode);
    }

    [Fact]
    public async Task History_PagesWithAfterBeforeLimitAndHasMore()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var id = await alice.DirectWithAsync(bob);
        for (var i = 1; i <= 5; i++)
        {
            await alice.SendOkAsync(id, $"m{i}");
        }

        static long[] Seqs(JsonElement page) => page.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()).ToArray();
        var latest = await bob.GetJsonAsync($"/api/v1/conversations/{id}/messages?limit=2");
        Assert.Equal([4L, 5L], Seqs(latest));
        Assert.True(latest.GetProperty("hasMore").GetBoolean());
        var before = await bob.GetJsonAsync($"/api/v1/conversations/{id}/messages?before=4&limit=2");
        Assert.Equal([2L, 3L], Seqs(before));
        var after = await bob.GetJsonAsync($"/api/v1/conversations/{id}/messages?after=3");
        Assert.Equal([4L, 5L], Seqs(after));
        Assert.False(after.GetProperty("hasMore").GetBoolean());
        var afterFirst = await bob.GetJsonAsync($"/api/v1/conversations/{id}/messages?after=0&limit=2");
        Assert.Equal([1L, 2L], Seqs(afterFirst));
        Assert.True(afterFirst.GetProperty("hasMore").GetBoolean());

        await AssertProblemAsync(await bob.Http.GetAsync($"/api/v1/conversations/{id}/messages?limit=0"), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await bob.Http.GetAsync($"/api/v1/conversations/{id}/messages?limit=201"), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await bob.Http.GetAsync($"/api/v1/conversations/{id}/messages?after=abc"), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await bob.Http.GetAsync($"/api/v1/conversations/{id}/messages?after=-1"), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Read_OnlyMovesForward()
    {
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        var id = await alice.DirectWithAsync(bob);
        await alice.SendOkAsync(id, "1");
        await alice.SendOkAsync(id, "2");

        await bob.Http.PostAsJsonAsync($"/api/v1/conversations/{id}/read", new { seq = 2 });
        await bob.Http.PostAsJsonAsync($"/api/v1/conversations/{id}/read", new { seq = 1 });

        var details = await alice.GetJsonAsync($"/api/v1/conversations/{id}");
        var bobMember = details.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("userId").GetString() == bob.UserId);
        Assert.Equal(2, bobMember.GetProperty("readSeq").GetInt64());
        await AssertProblemAsync(await bob.Http.PostAsJsonAsync($"/api/v1/conversations/{id}/read", new { seq = -1 }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await bob.Http.PostAsJsonAsync($"/api/v1/conversations/{id}/read", new { }), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Send_FromSixtyConcurrentSendersOverHttp_GivesGapFreeSeqs()
    {
        var owner = await api.NewUserAsync();
        var members = await Task.WhenAll(Enumerable.Range(0, 59).Select(_ => api.NewUserAsync()));
        var id = await owner.GroupWithAsync("Crowd", members);
        var senders = members.Append(owner).ToArray();

        var seqs = await Task.WhenAll(senders.Select(s => s.SendOkAsync(id, $"from {s.Username}")));

        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), seqs.Order());
    }
}
