-- Messages without a client id (the assistant's replies, notices, messages
-- posted over REST) no longer get an entry in the client-id index: SQLite
-- indexed their NULLs too, one more random page of this index written per
-- such message (docs/BENCHMARKS.md, "Storage pages per message"). NULLs never
-- collided, so uniqueness is unchanged, and the resend look-up
-- (conversation_id = ? AND client_msg_id = ?) implies NOT NULL, so it still
-- uses this index.
DROP INDEX messages_conversation_client_id;
CREATE UNIQUE INDEX messages_conversation_client_id ON messages (conversation_id, client_msg_id)
    WHERE client_msg_id IS NOT NULL;
