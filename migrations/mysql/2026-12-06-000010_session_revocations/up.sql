-- When each staff member's sessions were last revoked (deactivation, role or
-- password change, "log out everywhere"): access tokens issued before it are
-- refused, on every node, although their signature is still good.
CREATE TABLE session_revocations (
    user_id     CHAR(36) NOT NULL PRIMARY KEY,
    not_before  DATETIME(6) NOT NULL,
    CONSTRAINT session_revocations_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
