-- Customer profiles for the back office. email, phone and notes hold
-- AES-256-GCM ciphertext written by the application ("v1:<key id>:<base64>");
-- email_hash and phone_hash hold a keyed HMAC of the normalized value, so an
-- exact e-mail or phone search is an index lookup without decrypting.
-- tags is a JSON array of strings. erased_at is set when the customer's
-- personal data was erased (the row stays for statistics).
ALTER TABLE customers ADD COLUMN email TEXT;
ALTER TABLE customers ADD COLUMN email_hash TEXT;
ALTER TABLE customers ADD COLUMN phone TEXT;
ALTER TABLE customers ADD COLUMN phone_hash TEXT;
ALTER TABLE customers ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE customers ADD COLUMN notes TEXT;
ALTER TABLE customers ADD COLUMN erased_at TIMESTAMP;
CREATE INDEX customers_email_hash ON customers (email_hash);
CREATE INDEX customers_phone_hash ON customers (phone_hash);
