-- Canned responses: shortcut texts for agents. owner_key is '' for shared
-- responses and the owner's user id for personal ones, so that one UNIQUE
-- index covers both (NULLs would not collide).
CREATE TABLE canned_responses (
    id         CHAR(36) NOT NULL PRIMARY KEY,
    owner_key  VARCHAR(36) COLLATE utf8mb4_bin NOT NULL,
    shortcut   VARCHAR(32) COLLATE utf8mb4_bin NOT NULL,
    title      VARCHAR(200) NOT NULL,
    body       TEXT NOT NULL,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL,
    UNIQUE KEY canned_responses_shortcut (owner_key, shortcut)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
