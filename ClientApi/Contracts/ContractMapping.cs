using Messenger.Grains.Interfaces.Models;

namespace Messenger.ClientApi.Contracts;

/// <summary>From grain models to wire DTOs: the protocol's names and formats live here.</summary>
public static class ContractMapping
{
    public static string ToWire(this ConversationKind kind) => kind == ConversationKind.Direct ? "direct" : "group";

    public static string ToWire(this MemberRole role) => role switch
    {
        MemberRole.Owner => "owner",
        MemberRole.Admin => "admin",
        _ => "member",
    };

    public static MemberRole ParseRole(string? role) => role switch
    {
        "owner" => MemberRole.Owner,
        "admin" => MemberRole.Admin,
        _ => MemberRole.Member,
    };

    public static string ToWire(this ContactState state) => state switch
    {
        ContactState.Accepted => "accepted",
        ContactState.Outgoing => "outgoing",
        ContactState.Incoming => "incoming",
        _ => "none",
    };

    public static PresenceResponse ToResponse(this Presence presence) => new(presence.Status, presence.Note);

    public static UserResponse ToResponse(this UserProfile user) => new(user.UserId, user.Username, user.DisplayName);

    public static MessageResponse ToResponse(this MessageRecord m) => new(
        m.ConversationId, m.Seq, m.SenderId, m.SenderUsername, m.Text, m.SentAt.UtcDateTime, m.ClientMessageId,
        m.ReplyTo, m.EditedAt?.UtcDateTime, m.Deleted ? true : null);

    public static SendMessageResponse ToResponse(this SendResult r) => new(r.ConversationId, r.Seq, r.SentAt.UtcDateTime, r.ClientMessageId);

    public static MessagePageResponse ToResponse(this MessagePage page) => new(page.Messages.Select(ToResponse).ToList(), page.HasMore);

    public static ConversationResponse ToResponse(this ConversationDetails c, string viewerId) => new(
        c.ConversationId, c.Kind.ToWire(), TitleFor(c.Kind, c.Title, c.Members, viewerId), c.LastSeq,
        c.Members.Select(m => new MemberResponse(m.UserId, m.Username, m.Role.ToWire(), m.ReadSeq)).ToList());

    public static ConversationListItem ToResponse(this ConversationSummary s) => new(
        s.ConversationId, s.Kind.ToWire(), s.Title, s.LastSeq, s.ReadSeq, Math.Max(0, s.LastSeq - s.ReadSeq), s.LastMessage?.ToResponse());

    // A direct conversation has no title of its own; each side sees the other's name.
    private static string? TitleFor(ConversationKind kind, string? title, IReadOnlyList<MemberInfo> members, string viewerId) =>
        kind == ConversationKind.Direct ? members.FirstOrDefault(m => m.UserId != viewerId)?.Username : title;
}
