-- The customer's read position per conversation (one customer per
-- conversation): the agent's view shows how far the customer has read, and a
-- reload agrees with what the live `read` frames said.
CREATE TABLE customer_reads (
    conversation_id CHAR(36) NOT NULL PRIMARY KEY,
    last_read_seq   BIGINT NOT NULL,
    updated_at      DATETIME(6) NOT NULL,
    CONSTRAINT customer_reads_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
