-- The SQLite migration of this step makes the client-id index partial
-- (WHERE client_msg_id IS NOT NULL), so messages without a client id write
-- no entry into it. MariaDB has no partial indexes: the index stays as it
-- is, NULL entries included. Kept as a step so both directories list the
-- same migrations.
DO 0;
