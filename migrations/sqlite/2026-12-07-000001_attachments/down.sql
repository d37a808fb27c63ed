ALTER TABLE messages DROP COLUMN attachment;
DROP TABLE attachments;
