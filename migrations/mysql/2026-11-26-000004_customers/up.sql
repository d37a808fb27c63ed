-- Customer profiles for the back office. email, phone and notes hold
-- AES-256-GCM ciphertext written by the application ("v1:<key id>:<base64>");
-- email_hash and phone_hash hold a keyed HMAC of the normalized value (64 hex
-- digits), so an exact e-mail or phone search is an index lookup without
-- decrypting. tags is a JSON array of strings (at most 20 of 50 characters:
-- 4000 leaves room for JSON escapes).
-- erased_at is set when the customer's personal data was erased (the row
-- stays for statistics).
ALTER TABLE customers
    ADD COLUMN email      TEXT NULL,
    ADD COLUMN email_hash CHAR(64) COLLATE utf8mb4_bin NULL,
    ADD COLUMN phone      TEXT NULL,
    ADD COLUMN phone_hash CHAR(64) COLLATE utf8mb4_bin NULL,
    ADD COLUMN tags       VARCHAR(4000) NOT NULL DEFAULT '[]',
    ADD COLUMN notes      TEXT NULL,
    ADD COLUMN erased_at  DATETIME(6) NULL;
CREATE INDEX customers_email_hash ON customers (email_hash);
CREATE INDEX customers_phone_hash ON customers (phone_hash);
