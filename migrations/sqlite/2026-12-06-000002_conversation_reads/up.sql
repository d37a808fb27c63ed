-- Each staff member's read position per conversation: unread counts are the
-- server's, so a reload or another device agrees.
CREATE TABLE conversation_reads (
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    last_read_seq   BIGINT NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, conversation_id)
);
