using Messenger.Grains.Interfaces;
using Microsoft.Extensions.Options;

namespace Messenger.ClientApi.Sessions;

/// <summary>What every session of this ClientApi shares.</summary>
public sealed class SessionContext(
    GrainReferences references,
    FrameSerializer frames,
    SendAdmission admission,
    MessageSender sender,
    ClientApiIdentity identity,
    IOptions<WebSocketSessionOptions> options,
    IConfiguration configuration,
    ILogger<ClientSession> logger)
{
    /// <summary>Grain references without Orleans' per-call reflection (see <see cref="GrainReferences"/>).</summary>
    public GrainReferences References { get; } = references;

    public FrameSerializer Frames { get; } = frames;

    public SendAdmission Admission { get; } = admission;

    public MessageSender Sender { get; } = sender;

    public ClientApiIdentity Identity { get; } = identity;

    public WebSocketSessionOptions Options { get; } = options.Value;

    public int MaxTextLength { get; } = configuration.GetValue("Messenger:Messages:MaxTextLength", 4000);

    public ILogger Logger { get; } = logger;
}
