CREATE INDEX messages_conversation_time ON messages (conversation_id, created_at);
