-- Webhooks: subscriptions, and the delivery log, which is also the outbox
-- every node's worker sends from. Keep in step with migrations/mysql.
CREATE TABLE webhooks (
    id                   TEXT PRIMARY KEY NOT NULL,
    url                  TEXT NOT NULL,
    -- JSON array of event names, e.g. ["message.created"].
    events               TEXT NOT NULL,
    -- The signing key: needed in clear to sign, so it is stored as is.
    secret               TEXT NOT NULL,
    enabled              BOOLEAN NOT NULL DEFAULT 1,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    disabled_reason      TEXT,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY NOT NULL,
    webhook_id      TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_status     INTEGER,
    last_error      TEXT,
    -- Due time while pending; pushed to the lease's end while an attempt
    -- is in flight, so a claim by another node skips it until then.
    next_attempt_at TIMESTAMP,
    -- Which claim holds the delivery (settling checks it).
    lease_token     TEXT,
    created_at      TIMESTAMP NOT NULL,
    delivered_at    TIMESTAMP
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);
