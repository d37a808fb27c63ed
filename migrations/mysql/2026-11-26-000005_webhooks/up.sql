-- Webhooks: subscriptions, and the delivery log, which is also the outbox
-- every node's worker sends from. Keep in step with migrations/sqlite.
CREATE TABLE webhooks (
    id                   CHAR(36) NOT NULL PRIMARY KEY,
    url                  VARCHAR(2048) NOT NULL,
    -- JSON array of event names, e.g. ["message.created"].
    events               TEXT NOT NULL,
    -- The signing key: needed in clear to sign, so it is stored as is.
    secret               VARCHAR(128) COLLATE utf8mb4_bin NOT NULL,
    enabled              BOOLEAN NOT NULL DEFAULT TRUE,
    consecutive_failures INT NOT NULL DEFAULT 0,
    disabled_reason      VARCHAR(500) NULL,
    created_at           DATETIME(6) NOT NULL,
    updated_at           DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE webhook_deliveries (
    id              CHAR(36) NOT NULL PRIMARY KEY,
    webhook_id      CHAR(36) NOT NULL,
    event           VARCHAR(64) NOT NULL,
    payload         MEDIUMTEXT NOT NULL,
    status          VARCHAR(16) NOT NULL,
    attempts        INT NOT NULL DEFAULT 0,
    last_status     INT NULL,
    last_error      VARCHAR(500) NULL,
    -- Due time while pending; pushed to the lease's end while an attempt
    -- is in flight, so a claim by another node skips it until then.
    next_attempt_at DATETIME(6) NULL,
    -- Which claim holds the delivery (settling checks it).
    lease_token     CHAR(36) NULL,
    created_at      DATETIME(6) NOT NULL,
    delivered_at    DATETIME(6) NULL,
    KEY webhook_deliveries_due (status, next_attempt_at),
    KEY webhook_deliveries_webhook (webhook_id, id),
    KEY webhook_deliveries_created (created_at),
    CONSTRAINT webhook_deliveries_webhook_fk FOREIGN KEY (webhook_id) REFERENCES webhooks (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
