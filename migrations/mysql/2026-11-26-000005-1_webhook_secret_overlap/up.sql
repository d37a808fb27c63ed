-- A secret rotation may keep the previous secret signing too (a second v1
-- in X-Chat-Signature) until previous_secret_expires_at. A separate step
-- of the webhooks migration (000005 was already applied on main).
ALTER TABLE webhooks
    ADD COLUMN previous_secret VARCHAR(128) COLLATE utf8mb4_bin NULL,
    ADD COLUMN previous_secret_expires_at DATETIME(6) NULL;
