-- Files sent in conversations. The bytes live in the object storage (a local
-- folder or an S3 bucket) under storage_key; this is what access checks,
-- downloads and erasure read. customer_id: erasing a customer finds their
-- files without walking their conversations.
CREATE TABLE attachments (
    id              TEXT NOT NULL PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    customer_id     TEXT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    uploader_kind   TEXT NOT NULL,
    uploader_id     TEXT NULL,
    file_name       TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    size_bytes      BIGINT NOT NULL,
    width           INTEGER NULL,
    height          INTEGER NULL,
    storage_key     TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX attachments_customer ON attachments (customer_id);
CREATE INDEX attachments_conversation ON attachments (conversation_id);
-- A message of kind 'attachment' carries its file's metadata (JSON: id,
-- name, content type, size, width, height) so that history and the socket
-- deliver it without a second read.
ALTER TABLE messages ADD COLUMN attachment TEXT NULL;
