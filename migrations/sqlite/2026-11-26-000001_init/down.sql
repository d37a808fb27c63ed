DROP TABLE audit_log;
DROP TABLE knowledge_docs;
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE customers;
DROP TABLE refresh_tokens;
DROP TABLE users;
