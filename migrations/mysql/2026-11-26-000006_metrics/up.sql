-- Conversation facts that statistics read and that cannot be recomputed
-- cheaply from the message log: when a person first took part (the handoff)
-- and when an agent first answered. Maintained by the writes that cause them
-- (transition, append), so the statistics are indexed range reads.
ALTER TABLE conversations ADD COLUMN handed_off_at DATETIME(6) NULL;
ALTER TABLE conversations ADD COLUMN first_response_at DATETIME(6) NULL;
-- Snoozed conversations leave the inbox until then, or until the customer
-- writes again.
ALTER TABLE conversations ADD COLUMN snoozed_until DATETIME(6) NULL;
CREATE INDEX conversations_created ON conversations (created_at);
CREATE INDEX conversations_closed ON conversations (closed_at);
CREATE INDEX conversations_first_response ON conversations (first_response_at);
