-- Each staff member's read position per conversation: unread counts are the
-- server's, so a reload or another device agrees.
CREATE TABLE conversation_reads (
    user_id         CHAR(36) NOT NULL,
    conversation_id CHAR(36) NOT NULL,
    last_read_seq   BIGINT NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    PRIMARY KEY (user_id, conversation_id),
    CONSTRAINT conversation_reads_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT conversation_reads_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
