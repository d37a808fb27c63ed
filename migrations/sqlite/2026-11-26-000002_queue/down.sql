DROP INDEX conversations_queue;
ALTER TABLE conversations DROP COLUMN queued_at;
