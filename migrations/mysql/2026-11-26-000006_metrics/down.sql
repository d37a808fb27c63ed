DROP INDEX conversations_first_response ON conversations;
DROP INDEX conversations_closed ON conversations;
DROP INDEX conversations_created ON conversations;
ALTER TABLE conversations DROP COLUMN snoozed_until;
ALTER TABLE conversations DROP COLUMN first_response_at;
ALTER TABLE conversations DROP COLUMN handed_off_at;
