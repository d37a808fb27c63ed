-- The customer's read position per conversation (one customer per
-- conversation): the agent's view shows how far the customer has read, and a
-- reload agrees with what the live `read` frames said.
CREATE TABLE customer_reads (
    conversation_id TEXT NOT NULL PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    last_read_seq   BIGINT NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
