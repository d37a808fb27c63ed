-- When each staff member's sessions were last revoked (deactivation, role or
-- password change, "log out everywhere"): access tokens issued before it are
-- refused, on every node, although their signature is still good.
CREATE TABLE session_revocations (
    user_id     TEXT NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    not_before  TIMESTAMP NOT NULL
);
