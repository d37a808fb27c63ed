DROP INDEX conversations_queue ON conversations;
ALTER TABLE conversations DROP COLUMN queued_at;
