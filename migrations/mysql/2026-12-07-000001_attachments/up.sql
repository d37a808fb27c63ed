-- Files sent in conversations. The bytes live in the object storage (a local
-- folder or an S3 bucket) under storage_key; this is what access checks,
-- downloads and erasure read. customer_id: erasing a customer finds their
-- files without walking their conversations.
CREATE TABLE attachments (
    id              CHAR(36) NOT NULL PRIMARY KEY,
    conversation_id CHAR(36) NOT NULL,
    customer_id     CHAR(36) NOT NULL,
    uploader_kind   VARCHAR(16) NOT NULL,
    uploader_id     CHAR(36) NULL,
    file_name       VARCHAR(255) NOT NULL,
    content_type    VARCHAR(64) NOT NULL,
    size_bytes      BIGINT NOT NULL,
    width           INT NULL,
    height          INT NULL,
    storage_key     VARCHAR(255) NOT NULL,
    created_at      DATETIME(6) NOT NULL,
    KEY attachments_customer (customer_id),
    KEY attachments_conversation (conversation_id),
    CONSTRAINT attachments_conversation_fk FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE,
    CONSTRAINT attachments_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- A message of kind 'attachment' carries its file's metadata (JSON: id,
-- name, content type, size, width, height) so that history and the socket
-- deliver it without a second read.
ALTER TABLE messages ADD COLUMN attachment TEXT NULL;
