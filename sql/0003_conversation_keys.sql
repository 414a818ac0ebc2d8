-- The message log keys its rows by a conversation's number instead of its id.
--
-- A conversation id is up to 75 characters (a direct one names both users), and both of the
-- log's indexes began with it: they took 460 bytes a message against the table's 275, and
-- with the unique key dropped (a diagnostic) PostgreSQL spent a fifth less CPU per send
-- (docs/performance.md, Session 18). An 8-byte number makes every index entry small.
CREATE TABLE IF NOT EXISTS conversation_keys (
    conversation_key bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id  text   NOT NULL UNIQUE
);

INSERT INTO conversation_keys (conversation_id)
SELECT DISTINCT conversation_id FROM messages ORDER BY conversation_id
ON CONFLICT (conversation_id) DO NOTHING;

ALTER TABLE messages ADD COLUMN conversation_key bigint;
UPDATE messages m SET conversation_key = k.conversation_key
FROM conversation_keys k WHERE k.conversation_id = m.conversation_id;
ALTER TABLE messages ALTER COLUMN conversation_key SET NOT NULL;

-- The same two rules as before, on the number: (conversation, seq) is the order everyone sees,
-- and (conversation, sender, client message id) makes sends idempotent.
ALTER TABLE messages DROP CONSTRAINT messages_pkey;
ALTER TABLE messages DROP CONSTRAINT messages_client_message_id_key;
ALTER TABLE messages ADD CONSTRAINT messages_pkey PRIMARY KEY (conversation_key, seq);
ALTER TABLE messages ADD CONSTRAINT messages_client_message_id_key UNIQUE (conversation_key, sender_id, client_message_id);
ALTER TABLE messages DROP COLUMN conversation_id;
