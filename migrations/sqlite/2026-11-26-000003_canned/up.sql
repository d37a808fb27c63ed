-- Canned responses: shortcut texts for agents. owner_key is '' for shared
-- responses and the owner's user id for personal ones, so that one UNIQUE
-- index covers both (NULLs would not collide).
CREATE TABLE canned_responses (
    id         TEXT PRIMARY KEY NOT NULL,
    owner_key  TEXT NOT NULL,
    shortcut   TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX canned_responses_shortcut ON canned_responses (owner_key, shortcut);
