-- Each message keeps the name its sender had when writing it: a transfer
-- (or a later rename) must not relabel earlier replies.
ALTER TABLE messages ADD COLUMN sender_name VARCHAR(200) NULL;
UPDATE messages SET sender_name = (SELECT display_name FROM users WHERE users.id = messages.sender_id)
 WHERE sender_kind = 'agent';
-- Who sent the first agent answer (statistics credit it to them, not to
-- whoever holds the conversation at the end).
ALTER TABLE conversations ADD COLUMN first_responder_id CHAR(36) NULL;
UPDATE conversations SET first_responder_id = (
    SELECT m.sender_id FROM messages m
     WHERE m.conversation_id = conversations.id AND m.sender_kind = 'agent' AND m.kind = 'text'
     ORDER BY m.seq LIMIT 1)
 WHERE first_response_at IS NOT NULL;
