using Messenger.Grains.Interfaces;
using Microsoft.Extensions.Options;

namespace Messenger.ClientApi.Sessions;

/// <summary>What every session of this ClientApi shares.</summary>
public sealed class SessionContext(
    IGrainFactory grains,
    GrainReferences references,
    FrameSerializer frames,
    SendAdmission admission,
    ClientApiIdentity identity,
    IOptions<WebSocketSessionOptions> options,
    IConfiguration configuration,
    ILogger<ClientSession> logger)
{
    public IGrainFactory Grains { get; } = grains;

    /// <summary>Cached-type grain references for the per-frame paths.</summary>
    public GrainReferences References { get; } = references;

    public FrameSerializer Frames { get; } = frames;

    public SendAdmission Admission { get; } = admission;

    public ClientApiIdentity Identity { get; } = identity;

    public WebSocketSessionOptions Options { get; } = options.Value;

    public int MaxTextLength { get; } = configuration.GetValue("Messenger:Messages:MaxTextLength", 4000);

    public ILogger Logger { get; } = logger;
}
