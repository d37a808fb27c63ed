-- Initial schema (MySQL 8 / MariaDB 10.6+). Keep in step with
-- migrations/sqlite. Ids are UUIDv7 text (CHAR(36)) made by the application;
-- times are DATETIME(6) in UTC written by the application (no TIMESTAMP: 2038
-- and session time zones). utf8mb4 throughout: messages are often Chinese.

CREATE TABLE users (
    id            CHAR(36) NOT NULL PRIMARY KEY,
    email         VARCHAR(254) NOT NULL,
    display_name  VARCHAR(200) NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    role          VARCHAR(16) NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    DATETIME(6) NOT NULL,
    updated_at    DATETIME(6) NOT NULL,
    UNIQUE KEY users_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE refresh_tokens (
    id          CHAR(36) NOT NULL PRIMARY KEY,
    family_id   CHAR(36) NOT NULL,
    user_id     CHAR(36) NOT NULL,
    token_hash  CHAR(64) COLLATE utf8mb4_bin NOT NULL,
    expires_at  DATETIME(6) NOT NULL,
    revoked_at  DATETIME(6) NULL,
    replaced_by CHAR(36) NULL,
    created_at  DATETIME(6) NOT NULL,
    UNIQUE KEY refresh_tokens_hash (token_hash),
    KEY refresh_tokens_family (family_id),
    KEY refresh_tokens_user (user_id),
    CONSTRAINT refresh_tokens_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE customers (
    id          CHAR(36) NOT NULL PRIMARY KEY,
    external_id VARCHAR(128) COLLATE utf8mb4_bin NULL,
    name        VARCHAR(200) NULL,
    created_at  DATETIME(6) NOT NULL,
    updated_at  DATETIME(6) NOT NULL,
    UNIQUE KEY customers_external_id (external_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE conversations (
    id           CHAR(36) NOT NULL PRIMARY KEY,
    customer_id  CHAR(36) NOT NULL,
    state        VARCHAR(16) NOT NULL,
    assignee_id  CHAR(36) NULL,
    labels       TEXT NOT NULL,
    last_seq     BIGINT NOT NULL DEFAULT 0,
    csat_score   INT NULL,
    csat_comment TEXT NULL,
    created_at   DATETIME(6) NOT NULL,
    updated_at   DATETIME(6) NOT NULL,
    closed_at    DATETIME(6) NULL,
    KEY conversations_customer (customer_id, created_at),
    KEY conversations_state (state, updated_at),
    KEY conversations_assignee (assignee_id, state),
    CONSTRAINT conversations_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id),
    CONSTRAINT conversations_assignee_fk FOREIGN KEY (assignee_id) REFERENCES users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE messages (
    id              CHAR(36) NOT NULL PRIMARY KEY,
    conversation_id CHAR(36) NOT NULL,
    seq             BIGINT NOT NULL,
    sender_kind     VARCHAR(16) NOT NULL,
    sender_id       CHAR(36) NULL,
    kind            VARCHAR(16) NOT NULL,
    body            MEDIUMTEXT NOT NULL,
    client_msg_id   VARCHAR(64) COLLATE utf8mb4_bin NULL,
    created_at      DATETIME(6) NOT NULL,
    UNIQUE KEY messages_conversation_seq (conversation_id, seq),
    UNIQUE KEY messages_conversation_client_id (conversation_id, client_msg_id),
    KEY messages_conversation_time (conversation_id, created_at),
    CONSTRAINT messages_conversation_fk FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE knowledge_docs (
    id         CHAR(36) NOT NULL PRIMARY KEY,
    title      VARCHAR(200) NOT NULL,
    body       MEDIUMTEXT NOT NULL,
    tags       TEXT NOT NULL,
    enabled    BOOLEAN NOT NULL DEFAULT TRUE,
    created_at DATETIME(6) NOT NULL,
    updated_at DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE audit_log (
    id         CHAR(36) NOT NULL PRIMARY KEY,
    actor_id   CHAR(36) NULL,
    action     VARCHAR(64) NOT NULL,
    target     VARCHAR(255) NULL,
    ip         VARCHAR(64) NULL,
    detail     TEXT NULL,
    created_at DATETIME(6) NOT NULL,
    KEY audit_log_actor (actor_id, id),
    KEY audit_log_action (action, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
