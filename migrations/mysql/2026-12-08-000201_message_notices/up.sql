-- A notice (kind 'event') carries what it records as JSON (change, actor,
-- to: see docs/PROTOCOL.md 4.1) so clients word it in their reader's
-- language. NULL on other kinds and on notices stored before this column:
-- those keep only their English body.
ALTER TABLE messages ADD COLUMN event TEXT NULL;
