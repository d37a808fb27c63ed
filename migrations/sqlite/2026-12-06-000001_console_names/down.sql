ALTER TABLE conversations DROP COLUMN first_responder_id;
ALTER TABLE messages DROP COLUMN sender_name;
