-- The pre-chat form: one row per field (name, email, phone, custom), each
-- off, optional or required; the custom question has its label.
CREATE TABLE prechat_fields (
    field      VARCHAR(16) NOT NULL PRIMARY KEY,
    mode       VARCHAR(16) NOT NULL,
    label      VARCHAR(800) NULL,
    updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
-- The customer's answer to the custom question (AES-256-GCM ciphertext like
-- the other contact fields), the question as it was asked, and when the form
-- was submitted.
ALTER TABLE customers
    ADD COLUMN prechat_question VARCHAR(800) NULL,
    ADD COLUMN prechat_answer   TEXT NULL,
    ADD COLUMN prechat_at       DATETIME(6) NULL;
