ALTER TABLE messages ADD KEY messages_conversation_time (conversation_id, created_at);
