-- Business hours: one row (id = 1), written by admins. Spans and holidays
-- are JSON text (validated by the domain before they are written).
CREATE TABLE business_hours (
    id          INTEGER NOT NULL PRIMARY KEY,
    enabled     BOOLEAN NOT NULL,
    time_zone   TEXT NOT NULL,
    days        TEXT NOT NULL,
    holidays    TEXT NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    updated_by  TEXT
);

-- Conversations in which the customer left a message while support was
-- away: the idle sweeper keeps them queued for the next shift.
CREATE TABLE left_messages (
    conversation_id TEXT NOT NULL PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    customer_id     TEXT NOT NULL,
    left_at         TIMESTAMP NOT NULL
);
