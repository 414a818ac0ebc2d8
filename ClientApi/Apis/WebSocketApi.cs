using Messenger.ClientApi.Auth;
using Messenger.ClientApi.Errors;
using Messenger.ClientApi.Sessions;
using Messenger.Grains.Interfaces;
using Messenger.Grains.Interfaces.Models;
using Microsoft.Extensions.Options;

namespace Messenger.ClientApi.Apis;

/// <summary>The WebSocket: one per session, <c>ready</c> first, then pushes and client frames.</summary>
public static class WebSocketApi
{
    public static RouteGroupBuilder MapWebSocket(this RouteGroupBuilder api)
    {
        // Nothing to validate (every parameter is a service), and the validation filter's state
        // would live as long as the socket.
        api.Map("/ws", ConnectAsync).WithTags("WebSocket").ExcludeFromDescription().DisableValidation();
        return api;
    }

    private static async Task<IResult> ConnectAsync(
        HttpContext context, SessionRegistry registry, SessionContext sessionContext, IOptions<WebSocketSessionOptions> options, GrainReferences grains)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return Problems.Of(ErrorCodes.ValidationFailed, "This endpoint takes a WebSocket upgrade.");
        }

        if (!registry.Accepting)
        {
            context.Response.Headers.RetryAfter = "1";
            return Problems.Of(ErrorCodes.Unavailable, "This instance is stopping; connect to another one.");
        }

        var origins = options.Value.AllowedOrigins;
        if (origins.Length > 0 && context.Request.Headers.Origin.ToString() is { Length: > 0 } origin && !origins.Contains(origin, StringComparer.OrdinalIgnoreCase))
        {
            return Problems.Of(ErrorCodes.Forbidden, "This origin may not open a socket.");
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = options.Value.KeepAliveInterval,
            KeepAliveTimeout = options.Value.KeepAliveTimeout,
        });
        var session = new ClientSession(context.User.UserIdOf(), context.User.DeviceIdOf(), socket, sessionContext);
        registry.Add(session);
        if (!registry.Accepting)
        {
            // Accepted while the drain was taking its list of sessions: drain this one too.
            _ = session.DrainAsync(options.Value.DrainTimeout);
        }
        try
        {
            await session.RunAsync();
        }
        finally
        {
            registry.Remove(session);
            try
            {
                await grains.Get<IUserGrain>(session.UserId).Disconnect(session.SessionId);
            }
            catch (Exception)
            {
                // Best effort: the lease expires by itself if the cluster cannot be told now.
            }
        }

        return Results.Empty;
    }
}
