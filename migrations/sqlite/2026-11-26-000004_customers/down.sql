DROP INDEX customers_phone_hash;
DROP INDEX customers_email_hash;
ALTER TABLE customers DROP COLUMN erased_at;
ALTER TABLE customers DROP COLUMN notes;
ALTER TABLE customers DROP COLUMN tags;
ALTER TABLE customers DROP COLUMN phone_hash;
ALTER TABLE customers DROP COLUMN phone;
ALTER TABLE customers DROP COLUMN email_hash;
ALTER TABLE customers DROP COLUMN email;
