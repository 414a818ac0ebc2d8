-- Messenger's own tables: the message log and grain state.

-- The message log. One row per message; (conversation_id, seq) is the order everyone sees.
-- The unique (conversation_id, sender_id, client_message_id) makes sends idempotent: a
-- repeated client message id can never be stored twice, whichever silo receives it.
CREATE TABLE IF NOT EXISTS messages (
    conversation_id   text        NOT NULL,
    seq               bigint      NOT NULL CHECK (seq > 0),
    sender_id         text        NOT NULL,
    sender_username   text        NOT NULL,
    client_message_id text        NOT NULL,
    text              text        NOT NULL,
    reply_to          bigint      NULL,
    sent_at           timestamptz NOT NULL,
    edited_at         timestamptz NULL,
    deleted           boolean     NOT NULL DEFAULT false,
    CONSTRAINT messages_pkey PRIMARY KEY (conversation_id, seq),
    CONSTRAINT messages_client_message_id_key UNIQUE (conversation_id, sender_id, client_message_id)
);

-- Grain state: small documents, one per grain and state name. `version` is the ETag.
-- Messenger's grains store readable JSON in `state`; Orleans' own state (stream pub/sub)
-- is stored in its binary form in `state_binary`.
CREATE TABLE IF NOT EXISTS grain_state (
    grain_id     text        NOT NULL,
    state_name   text        NOT NULL,
    version      bigint      NOT NULL,
    state        jsonb       NULL,
    state_binary bytea       NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT grain_state_pkey PRIMARY KEY (grain_id, state_name)
);
