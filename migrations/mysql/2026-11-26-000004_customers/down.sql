DROP INDEX customers_phone_hash ON customers;
DROP INDEX customers_email_hash ON customers;
ALTER TABLE customers
    DROP COLUMN erased_at,
    DROP COLUMN notes,
    DROP COLUMN tags,
    DROP COLUMN phone_hash,
    DROP COLUMN phone,
    DROP COLUMN email_hash,
    DROP COLUMN email;
