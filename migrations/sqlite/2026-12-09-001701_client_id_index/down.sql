DROP INDEX messages_conversation_client_id;
CREATE UNIQUE INDEX messages_conversation_client_id ON messages (conversation_id, client_msg_id);
