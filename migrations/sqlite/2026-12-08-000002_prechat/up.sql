-- The pre-chat form: one row per field (name, email, phone, custom), each
-- off, optional or required; the custom question has its label.
CREATE TABLE prechat_fields (
    field      TEXT NOT NULL PRIMARY KEY,
    mode       TEXT NOT NULL,
    label      TEXT,
    updated_at TIMESTAMP NOT NULL
);
-- The customer's answer to the custom question (AES-256-GCM ciphertext like
-- the other contact fields), the question as it was asked, and when the form
-- was submitted.
ALTER TABLE customers ADD COLUMN prechat_question TEXT;
ALTER TABLE customers ADD COLUMN prechat_answer TEXT;
ALTER TABLE customers ADD COLUMN prechat_at TIMESTAMP;
