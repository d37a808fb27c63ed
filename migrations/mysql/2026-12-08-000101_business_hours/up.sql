-- Business hours: one row (id = 1), written by admins. Spans and holidays
-- are JSON text (validated by the domain before they are written).
CREATE TABLE business_hours (
    id          INTEGER NOT NULL PRIMARY KEY,
    enabled     BOOLEAN NOT NULL,
    time_zone   VARCHAR(64) NOT NULL,
    days        TEXT NOT NULL,
    holidays    TEXT NOT NULL,
    updated_at  DATETIME(6) NOT NULL,
    updated_by  CHAR(36) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Conversations in which the customer left a message while support was
-- away: the idle sweeper keeps them queued for the next shift.
CREATE TABLE left_messages (
    conversation_id CHAR(36) NOT NULL PRIMARY KEY,
    customer_id     CHAR(36) NOT NULL,
    left_at         DATETIME(6) NOT NULL,
    CONSTRAINT left_messages_conversation FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
