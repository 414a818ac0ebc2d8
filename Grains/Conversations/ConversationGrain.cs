using Messenger.Grains.Push;
using Messenger.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Messenger.Grains.Conversations;

/// <summary>
/// One conversation. Assigns seqs in the order of its single-threaded turns and treats the
/// message-log insert as the commit: <see cref="_lastSeq"/> moves only after the row is stored,
/// so a failed write leaves no gap, and a reactivated grain resumes from the stored maximum.
/// Reads (<see cref="IConversationGrain.GetMessages"/> and the summaries) interleave with a
/// send that is waiting for its commit.
/// </summary>
internal sealed partial class ConversationGrain(
    [PersistentState("conversation", StorageNames.Messenger)] IPersistentState<ConversationState> state,
    MessageLog log,
    PushOutbox outbox,
    IOptions<ConversationOptions> options,
    TimeProvider time,
    ILogger<ConversationGrain> logger) : Grain, IConversationGrain
{
    private const int MaxTitleLength = 100;
    private const int RecentSendsKept = 16;

    private readonly ConversationOptions _options = options.Value;

    // A small window of recent (sender, client message id) -> result, so a quick retry is
    // answered without touching the database. The unique index remains the real guard. Small
    // on purpose: entries live seconds, long enough to reach the oldest generation, and with 256
    // per conversation the silos ran a background gen-2 GC every 3-5 s at 4,500 sends/s, gen-1
    // pauses of 10-50 ms instead of 2-5 ms, and p99 127 ms instead of 86 ms (docs/performance.md).
    private readonly Dictionary<(string Sender, string ClientMessageId), SendResult> _recentSends = [];
    private readonly Queue<(string Sender, string ClientMessageId)> _recentOrder = new();

    // Sends waiting for the append in flight, and every send not yet answered (queued or in
    // flight) by its key, so that a repeat shares the first one's answer.
    private readonly Queue<QueuedSend> _queued = new();
    private readonly Dictionary<(string Sender, string ClientMessageId), QueuedSend> _unanswered = [];
    private bool _committing;
    private bool _moved; // another activation stores this conversation: refuse sends until gone

    private long _lastSeq;
    private MessageRecord? _lastMessage;

    // Where the current burst of messages began: the first stored after StreamSettleTime in
    // which nothing went to the push streams. Everything before it has had time to arrive, so a
    // ClientApi that first sees the conversation in an answer starts its order there. And when
    // the last message and the last conversation change were published (timestamps of `time`).
    private long _burstStart = 1;
    private long _lastPublishedAt;
    private long _lastChangeAt;
    private IGrainTimer? _saveTimer;
    private long _saveDueMs; // Environment.TickCount64 at which _saveTimer fires
    private string[]? _memberIds;

    // Who is typing, until when. Ephemeral: never stored, lost with the activation.
    private readonly Dictionary<string, DateTimeOffset> _typing = new(StringComparer.Ordinal);
    private IGrainTimer? _typingTimer;

    private ConversationState State => state.State;

    // The key, decoded once: GetPrimaryKeyString decodes and allocates it on every call, and a
    // send uses it several times.
    private string? _id;

    private string Id => _id ??= this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A previous activation's last pushes and changes may still be on their way.
        _lastPublishedAt = _lastChangeAt = time.GetTimestamp();
        if (!State.Exists)
        {
            return;
        }

        _lastMessage = await log.GetLastAsync(Id);
        _lastSeq = _lastMessage?.Seq ?? 0;
        _burstStart = _lastSeq + 1;

        // Sending moves the sender's read position; those moves are saved lazily, so recover
        // any that a crash lost from the log itself.
        var oldestRead = State.Members.Count == 0 ? 0 : State.Members.Min(m => m.ReadSeq);
        if (oldestRead < _lastSeq)
        {
            var lastSent = await log.GetLastSentAsync(Id, oldestRead);
            foreach (var member in State.Members)
            {
                if (lastSent.TryGetValue(member.UserId, out var seq) && seq > member.ReadSeq)
                {
                    member.ReadSeq = seq;
                }
            }
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_saveTimer is not null && State.Exists)
        {
            await SaveReadPositionsAsync();
        }
    }

    public async Task<DirectConversationResult> OpenDirect(UserProfile caller, UserProfile other)
    {
        if (caller.UserId == other.UserId)
        {
            throw MessengerException.Invalid("A direct conversation needs two different users.");
        }

        if (Id != ConversationIds.Direct(caller.UserId, other.UserId))
        {
            throw MessengerException.Invalid("This is not the direct conversation of these users.");
        }

        if (State.Exists)
        {
            return new DirectConversationResult(Details(), Created: false);
        }

        RequireNotBlocked();

        var now = Now();
        State.Exists = true;
        State.Kind = ConversationKind.Direct;
        State.CreatedAt = State.ChangedAt = now;
        State.Members = [NewMember(caller, MemberRole.Member, now), NewMember(other, MemberRole.Member, now)];
        await state.WriteStateAsync();
        await AddToUsersAsync(State.Members);
        PublishChange(MemberIds(), ConversationChanges.Created);
        LogCreated(Id, State.Kind, State.Members.Count);
        return new DirectConversationResult(Details(), Created: true);
    }

    public async Task<ConversationDetails> CreateGroup(UserProfile creator, string title, IReadOnlyList<UserProfile> members)
    {
        if (State.Exists)
        {
            throw new MessengerException(ErrorCodes.Conflict, "This conversation already exists.");
        }

        var now = Now();
        State.Exists = true;
        State.Kind = ConversationKind.Group;
        State.Title = ValidTitle(title);
        State.CreatedAt = State.ChangedAt = now;
        State.Members = [NewMember(creator, MemberRole.Owner, now)];
        foreach (var member in members.DistinctBy(m => m.UserId).Where(m => m.UserId != creator.UserId))
        {
            State.Members.Add(NewMember(member, MemberRole.Member, now));
        }

        await state.WriteStateAsync();
        await AddToUsersAsync(State.Members);
        PublishChange(MemberIds(), ConversationChanges.Created);
        LogCreated(Id, State.Kind, State.Members.Count);
        return Details();
    }

    public Task<ConversationDetails> GetDetails(string userId)
    {
        RequireMember(userId);
        return Task.FromResult(Details());
    }

    public Task<ConversationSummary?> GetSummary(string userId)
    {
        var member = FindMember(userId);
        return Task.FromResult(member is null
            ? null
            : new ConversationSummary(Id, State.Kind, TitleFor(userId), _lastSeq, member.ReadSeq, _lastMessage, LastActivity()));
    }

    public Task<ConversationPosition?> GetPosition(string userId)
    {
        var member = FindMember(userId);
        return Task.FromResult(member is null ? null : new ConversationPosition(Id, _lastSeq, member.ReadSeq));
    }

    public async Task Rename(string userId, string title)
    {
        RequireManager(RequireGroupMember(userId));
        State.Title = ValidTitle(title);
        State.ChangedAt = Now();
        await state.WriteStateAsync();
        PublishChange(MemberIds(), ConversationChanges.Updated);
    }

    public async Task AddMember(string userId, UserProfile member, MemberRole role)
    {
        var actor = RequireManager(RequireGroupMember(userId));
        if (role == MemberRole.Owner && actor.Role != MemberRole.Owner)
        {
            throw MessengerException.Forbidden("Only an owner can add another owner.");
        }

        if (FindMember(member.UserId) is not null)
        {
            return; // already in: adding is idempotent
        }

        var added = NewMember(member, role, Now());
        State.Members.Add(added);
        _memberIds = null;
        BeginChange();
        State.ChangedAt = added.JoinedAt;
        await state.WriteStateAsync();
        await AddToUsersAsync([added]);
        PublishChange(MemberIds(), ConversationChanges.MemberAdded);
    }

    public async Task RemoveMember(string userId, string memberId)
    {
        var actor = RequireGroupMember(userId);
        var target = FindMember(memberId) ?? throw new MessengerException(ErrorCodes.NotAMember, "That user is not a member of this conversation.");
        if (target != actor)
        {
            RequireManager(actor);
            if (target.Role == MemberRole.Owner && actor.Role != MemberRole.Owner)
            {
                throw MessengerException.Forbidden("Only an owner can remove an owner.");
            }
        }

        State.Members.Remove(target);
        _memberIds = null;
        BeginChange();
        KeepAnOwner();
        State.ChangedAt = Now();
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IUserGrain>(target.UserId).RemoveConversation(Id);
        PublishChange([.. MemberIds(), target.UserId], ConversationChanges.MemberRemoved);
    }

    // The token is not observed: a send once queued is committed whether or not its caller still
    // waits, and the caller's repeat is answered from the log or the queue.
    public async Task<SendResult> Send(SendMessageCommand command, CancellationToken cancellationToken = default)
    {
        if (_moved)
        {
            throw Moved();
        }

        var sender = RequireMember(command.SenderId);
        RequireNotBlocked();
        ValidateText(command.Text);
        if (command.ReplyTo is { } replyTo && (replyTo < 1 || replyTo > _lastSeq))
        {
            throw MessengerException.Invalid("replyTo must be the seq of an existing message.");
        }

        var key = (command.SenderId, command.ClientMessageId);
        if (_recentSends.TryGetValue(key, out var earlier))
        {
            return RepeatedAnswer(earlier, command.ClientApiId);
        }

        // A repeat of a send still on its way to the log shares its answer.
        if (!_unanswered.TryGetValue(key, out var queued))
        {
            queued = new QueuedSend(command, sender);
            _unanswered.Add(key, queued);
            _queued.Enqueue(queued);
            if (!_committing)
            {
                _committing = true;
                _ = CommitQueuedAsync();
            }
        }

        var answer = await queued.Answer.Task;

        // The push in the answer is for the ClientApi that carried the first of the two.
        return answer.Push is null || queued.Command.ClientApiId == command.ClientApiId ? answer : WithoutPush(answer);
    }

    /// <summary>
    /// Commits queued sends, one append at a time, until none are left. Each append takes every
    /// send that queued while the one before it was committing, so a busy conversation is not
    /// held to one message per commit, and seqs are numbered only when their append starts: a
    /// failed append leaves no gap and the next one reuses its seqs.
    /// </summary>
    private async Task CommitQueuedAsync()
    {
        try
        {
            while (_queued.Count > 0)
            {
                var chunk = new List<QueuedSend>(Math.Min(_queued.Count, _options.MaxSendsPerCommit));
                while (chunk.Count < _options.MaxSendsPerCommit && _queued.TryDequeue(out var next))
                {
                    chunk.Add(next);
                }

                await CommitAsync(chunk);
            }
        }
        catch (Exception ex)
        {
            // Nothing awaits this loop, so a fault here must not leave a caller without an answer.
            LogCommitLoopFailed(ex, Id);
            var error = new MessengerException(ErrorCodes.Unavailable, "The send could not be completed; retry it.");
            foreach (var send in _unanswered.Values.ToList())
            {
                send.Answer.TrySetException(error);
            }

            _unanswered.Clear();
            _queued.Clear();
        }
        finally
        {
            _committing = false;
        }
    }

    private async Task CommitAsync(List<QueuedSend> chunk)
    {
        var sentAt = Now();
        var messages = new MessageRecord[chunk.Count];
        for (var i = 0; i < chunk.Count; i++)
        {
            var (command, sender) = (chunk[i].Command, chunk[i].Sender);
            messages[i] = new MessageRecord(
                Id, _lastSeq + 1 + i, sender.UserId, sender.Username, command.Text, sentAt, command.ClientMessageId,
                command.ReplyTo, EditedAt: null, Deleted: false);
        }

        AppendOutcome outcome;
        try
        {
            outcome = await log.AppendAsync(messages);
        }
        catch (Exception ex)
        {
            // Nothing of this append is stored. Sends queued behind it fail with it rather than
            // overtake it, so one sender's messages keep the order they were sent in.
            FailQueued(chunk, ex);
            return;
        }

        switch (outcome.Status)
        {
            case AppendStatus.Stored:
                for (var i = 0; i < chunk.Count; i++)
                {
                    Stored(chunk[i], messages[i]);
                }

                break;

            case AppendStatus.Duplicate:
                Answer(chunk[0], new SendResult(Id, outcome.Seq, outcome.SentAt, chunk[0].Command.ClientMessageId));
                break;

            case AppendStatus.Collided:
                // A repeat of an older message, or a stale activation: one at a time tells which.
                foreach (var send in chunk)
                {
                    await CommitAsync([send]);
                }

                break;

            default:
                // Another activation stored this seq: this one is stale. Acknowledge nothing,
                // and step aside so the next call reaches the live activation or reloads.
                LogStaleActivation(Id, messages[0].Seq);
                _moved = true;
                DeactivateOnIdle();
                FailQueued(chunk, Moved());
                break;
        }
    }

    private void Stored(QueuedSend send, MessageRecord message)
    {
        _lastSeq = message.Seq;
        _lastMessage = message;
        MoveReadSeq(send.Sender, message.Seq, SentPositionSaveDelay());
        var push = new PushEnvelope(MemberIds(), new MessagePushed(message));

        // The carrying ClientApi delivers the push from the answer, at the moment the sender gets
        // the ack, instead of after the stream's hop through a queue and its poll; the streams
        // carry it to every other ClientApi. A ClientApi puts the two paths back in seq order
        // (MessagePushOrder). Only a conversation change cannot be ordered there, so for
        // StreamSettleTime after one the messages follow it by stream. Large conversations push
        // by stream only (ConversationOptions.AnsweredPushMaxMembers).
        var now = time.GetTimestamp();
        if (time.GetElapsedTime(_lastPublishedAt, now) >= _options.StreamSettleTime)
        {
            _burstStart = message.Seq;
        }

        var carrier = send.Command.ClientApiId;
        var answered = carrier is not null && PushesInAnswers && time.GetElapsedTime(_lastChangeAt, now) >= _options.StreamSettleTime;
        if (answered)
        {
            outbox.PublishExcept(carrier!, push);
        }
        else
        {
            outbox.PublishToEveryClientApi(push);
        }

        _lastPublishedAt = now;
        StopTyping(send.Sender.UserId); // after the message, as its members' other ClientApis see it
        Answer(send, answered
            ? new SendResult(Id, message.Seq, message.SentAt, message.ClientMessageId, push, _burstStart)
            : new SendResult(Id, message.Seq, message.SentAt, message.ClientMessageId));
    }

    private void Answer(QueuedSend send, SendResult result)
    {
        var key = (send.Command.SenderId, send.Command.ClientMessageId);
        _unanswered.Remove(key);
        send.Answer.TrySetResult(Remember(key, result));
    }

    // Fails the chunk and everything queued behind it.
    private void FailQueued(List<QueuedSend> chunk, Exception error)
    {
        foreach (var send in chunk.Concat(_queued))
        {
            _unanswered.Remove((send.Command.SenderId, send.Command.ClientMessageId));
            send.Answer.TrySetException(error);
        }

        _queued.Clear();
    }

    public async Task<MessagePage> GetMessages(string userId, HistoryQuery query)
    {
        RequireMember(userId);
        return await log.ReadAsync(Id, query);
    }

    public Task MarkRead(string userId, long seq)
    {
        var member = RequireMember(userId);
        var target = Math.Min(seq, _lastSeq);
        if (target > member.ReadSeq)
        {
            MoveReadSeq(member, target, _options.ReadPositionSaveDelay);
            Broadcast(new ReceiptPushed(Id, userId, target));
        }

        return Task.CompletedTask;
    }

    public async Task EditMessage(string userId, long seq, string text)
    {
        RequireMember(userId);
        RequireNotBlocked();
        ValidateText(text);
        var message = await FindMessageAsync(seq);
        if (message.SenderId != userId)
        {
            throw MessengerException.Forbidden("Only the sender can edit a message.");
        }

        var editedAt = Now();
        if (message.Deleted || !await log.RewriteAsync(Id, seq, text, editedAt, deleted: false))
        {
            throw new MessengerException(ErrorCodes.Conflict, "The message was deleted.");
        }

        Rewritten(message with { Text = text, EditedAt = editedAt });
        Broadcast(new MessageEdited(Id, seq, text, editedAt));
    }

    public async Task DeleteMessage(string userId, long seq)
    {
        var actor = RequireMember(userId);
        var message = await FindMessageAsync(seq);
        if (message.SenderId != userId && !(State.Kind == ConversationKind.Group && actor.Role is MemberRole.Owner or MemberRole.Admin))
        {
            throw MessengerException.Forbidden("Only the sender or a group owner or admin can delete a message.");
        }

        // Deleting twice is a no-op: the tombstone stays, and nobody is told again.
        if (!message.Deleted && await log.RewriteAsync(Id, seq, "", editedAt: null, deleted: true))
        {
            Rewritten(message with { Text = "", Deleted = true });
            Broadcast(new MessageDeleted(Id, seq));
        }
    }

    public Task SetTyping(string userId, bool typing)
    {
        RequireMember(userId);
        RequireNotBlocked();
        if (!typing)
        {
            StopTyping(userId);
            return Task.CompletedTask;
        }

        // Every typing: true is passed on, so receivers can restart their own clocks too.
        _typing[userId] = time.GetUtcNow() + _options.TypingTimeout;
        PublishTyping(userId, true);
        ArmTypingTimer();
        return Task.CompletedTask;
    }

    public async Task SetBlocked(bool blocked)
    {
        if (State.Blocked != blocked)
        {
            State.Blocked = blocked;
            await state.WriteStateAsync();
        }

        if (blocked)
        {
            foreach (var userId in _typing.Keys.ToList())
            {
                StopTyping(userId);
            }
        }
    }

    private static MessengerException Moved() => new(ErrorCodes.Unavailable, "The conversation moved; retry the send.");

    private async Task<MessageRecord> FindMessageAsync(long seq) =>
        seq >= 1 && seq <= _lastSeq && await log.GetAsync(Id, seq) is { } message
            ? message
            : throw MessengerException.NotFound("Message");

    // The cached newest message is what conversation lists show: keep it current.
    private void Rewritten(MessageRecord message)
    {
        if (_lastMessage?.Seq == message.Seq)
        {
            _lastMessage = message;
        }
    }

    private void StopTyping(string userId)
    {
        if (_typing.Remove(userId))
        {
            PublishTyping(userId, false);
        }
    }

    // The typer's own sessions are not told: only the other members.
    private void PublishTyping(string userId, bool typing) =>
        outbox.Publish(MemberIds().Where(id => id != userId).ToArray(), new TypingChanged(Id, userId, typing));

    // One one-shot timer for the earliest expiry, re-armed after each round.
    private void ArmTypingTimer()
    {
        if (_typing.Count == 0)
        {
            return;
        }

        var due = _typing.Values.Min() - time.GetUtcNow();
        due = due < TimeSpan.Zero ? TimeSpan.Zero : due;
        if (_typingTimer is null)
        {
            _typingTimer = this.RegisterGrainTimer(
                ExpireTyping, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { KeepAlive = false, Interleave = true });
        }
        else
        {
            _typingTimer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private Task ExpireTyping()
    {
        var now = time.GetUtcNow();
        foreach (var (userId, until) in _typing.ToList())
        {
            if (until <= now)
            {
                StopTyping(userId);
            }
        }

        ArmTypingTimer();
        return Task.CompletedTask;
    }

    private void RequireNotBlocked()
    {
        if (State.Blocked)
        {
            throw new MessengerException(ErrorCodes.Blocked, "One of you blocks the other.");
        }
    }

    // Kept without its push: the message's text for each recent send would cost the silo more
    // collections (see _recentSends). A repeat of the latest gets it rebuilt (RepeatedAnswer).
    private SendResult Remember((string, string) key, SendResult result)
    {
        if (_recentSends.TryAdd(key, result.Push is null ? result : WithoutPush(result)))
        {
            _recentOrder.Enqueue(key);
            if (_recentOrder.Count > RecentSendsKept)
            {
                _recentSends.Remove(_recentOrder.Dequeue());
            }
        }

        return result;
    }

    /// <summary>
    /// Read positions change with every message and receipt; saving the whole state each time
    /// would cost a write per message. They are saved together a moment later instead: within
    /// <see cref="ConversationOptions.ReadPositionSaveDelay"/> for a receipt, which only this
    /// state holds, and within the much longer <see cref="ConversationOptions.SentPositionSaveDelay"/>
    /// when only senders moved, because activation recovers those from the log. A sooner save
    /// pulls a later one forward.
    /// </summary>
    private void MoveReadSeq(MemberState member, long seq, TimeSpan saveWithin)
    {
        if (seq <= member.ReadSeq)
        {
            return;
        }

        member.ReadSeq = seq;
        var due = Environment.TickCount64 + (long)saveWithin.TotalMilliseconds;
        if (_saveTimer is null)
        {
            _saveTimer = this.RegisterGrainTimer(SaveReadPositionsAsync, new GrainTimerCreationOptions(saveWithin, Timeout.InfiniteTimeSpan));
            _saveDueMs = due;
        }
        else if (due < _saveDueMs)
        {
            _saveTimer.Change(saveWithin, Timeout.InfiniteTimeSpan);
            _saveDueMs = due;
        }
    }

    // Spread over half to one and a half times the setting, so that conversations that became
    // busy together do not all write in the same second (measured: 1,000 conversations saving at
    // once held acks back by up to 0.9 s).
    private TimeSpan SentPositionSaveDelay() => _options.SentPositionSaveDelay * (0.5 + Random.Shared.NextDouble());

    private async Task SaveReadPositionsAsync()
    {
        _saveTimer?.Dispose();
        _saveTimer = null;
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            // Not fatal: positions are saved with the next change or recovered from the log.
            LogSaveFailed(ex, Id);
        }
    }

    // Queued, not awaited: a push never holds up the conversation, and it goes out once per
    // ClientApi rather than once per member.
    private void Broadcast(PushEvent pushEvent) => outbox.Publish(MemberIds(), pushEvent);

    private static SendResult WithoutPush(SendResult result) => result with { Push = null, PushBurstStart = 0 };

    // A repeat mostly follows a lost answer. For the latest message, the push comes again (rebuilt:
    // recent answers keep none), since in a quiet conversation no later push would show the
    // carrier's sessions the gap; the carrier drops it if it had it. Older ones are caught up on
    // through the gap that later pushes show.
    private SendResult RepeatedAnswer(SendResult earlier, string? carrier) =>
        carrier is not null && PushesInAnswers && _lastMessage is { } last && last.Seq == earlier.Seq
            ? earlier with { Push = new PushEnvelope(MemberIds(), new MessagePushed(last)), PushBurstStart = _burstStart }
            : earlier;

    private bool PushesInAnswers => State.Members.Count <= _options.AnsweredPushMaxMembers;

    // Sends stored while a membership change is being saved must not overtake its push either.
    private void BeginChange() => _lastChangeAt = time.GetTimestamp();

    // A change of the conversation goes by stream; the next message must not overtake it on a
    // sender's ClientApi (a client told of a message in a conversation it was not told exists).
    private void PublishChange(IReadOnlyList<string> userIds, string change)
    {
        outbox.Publish(userIds, new ConversationChanged(Id, change));
        _lastChangeAt = _lastPublishedAt = time.GetTimestamp();
    }

    // Rebuilt after a membership change (which clears it), not per message.
    private string[] MemberIds() => _memberIds ??= State.Members.Select(m => m.UserId).ToArray();

    private Task AddToUsersAsync(IEnumerable<MemberState> members) =>
        Task.WhenAll(members.Select(m => GrainFactory.GetGrain<IUserGrain>(m.UserId).AddConversation(Id)));

    private void KeepAnOwner()
    {
        if (State.Members.Count == 0 || State.Members.Any(m => m.Role == MemberRole.Owner))
        {
            return;
        }

        // The last owner left: the longest-serving admin, else member, takes over.
        var heir = State.Members.OrderByDescending(m => m.Role).ThenBy(m => m.JoinedAt).First();
        heir.Role = MemberRole.Owner;
    }

    private ConversationDetails Details() => new(
        Id, State.Kind, State.Title, _lastSeq,
        State.Members.Select(m => new MemberInfo(m.UserId, m.Username, m.Role, m.ReadSeq)).ToList());

    // A direct conversation has no title of its own; each side sees the other's name.
    private string? TitleFor(string userId) => State.Kind == ConversationKind.Direct
        ? State.Members.Find(m => m.UserId != userId)?.Username
        : State.Title;

    private DateTimeOffset LastActivity() =>
        _lastMessage is { } last && last.SentAt > State.ChangedAt ? last.SentAt : State.ChangedAt;

    private MemberState? FindMember(string userId) =>
        State.Exists ? State.Members.Find(m => m.UserId == userId) : null;

    // Non-members learn nothing, not even that the conversation exists.
    private MemberState RequireMember(string userId) =>
        FindMember(userId) ?? throw MessengerException.NotFound("Conversation");

    private MemberState RequireGroupMember(string userId)
    {
        var member = RequireMember(userId);
        return State.Kind == ConversationKind.Group
            ? member
            : throw MessengerException.Forbidden("Direct conversations have no title or member management.");
    }

    private static MemberState RequireManager(MemberState member) =>
        member.Role is MemberRole.Owner or MemberRole.Admin
            ? member
            : throw MessengerException.Forbidden("Only a group owner or admin can do this.");

    private void ValidateText(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw MessengerException.Invalid("text must not be empty.");
        }

        if (text.Length > _options.MaxTextLength)
        {
            throw new MessengerException(ErrorCodes.MessageTooLarge, $"text is longer than {_options.MaxTextLength} characters.");
        }
    }

    private static string ValidTitle(string title)
    {
        var trimmed = title.Trim();
        return trimmed.Length is > 0 and <= MaxTitleLength
            ? trimmed
            : throw MessengerException.Invalid($"title must be 1-{MaxTitleLength} characters.");
    }

    private static MemberState NewMember(UserProfile user, MemberRole role, DateTimeOffset now) =>
        new() { UserId = user.UserId, Username = user.Username, Role = role, JoinedAt = now };

    // PostgreSQL keeps microseconds and the protocol shows milliseconds: store what is shown.
    private DateTimeOffset Now()
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} created ({Kind}, {MemberCount} members)")]
    private partial void LogCreated(string conversationId, ConversationKind kind, int memberCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Conversation {ConversationId}: seq {Seq} was stored by another activation; deactivating this stale one")]
    private partial void LogStaleActivation(string conversationId, long seq);

    [LoggerMessage(Level = LogLevel.Error, Message = "Conversation {ConversationId}: committing queued sends failed; they were refused")]
    private partial void LogCommitLoopFailed(Exception ex, string conversationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Conversation {ConversationId}: saving read positions failed")]
    private partial void LogSaveFailed(Exception ex, string conversationId);
}
