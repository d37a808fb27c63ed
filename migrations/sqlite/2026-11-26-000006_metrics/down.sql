DROP INDEX conversations_first_response;
DROP INDEX conversations_closed;
DROP INDEX conversations_created;
ALTER TABLE conversations DROP COLUMN snoozed_until;
ALTER TABLE conversations DROP COLUMN first_response_at;
ALTER TABLE conversations DROP COLUMN handed_off_at;
