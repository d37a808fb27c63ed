-- When a conversation entered the queue (queue order and waiting time);
-- NULL when it is not queued. updated_at moves with every message, so it
-- cannot give the queue order.
ALTER TABLE conversations ADD COLUMN queued_at TIMESTAMP;
CREATE INDEX conversations_queue ON conversations (state, queued_at);
