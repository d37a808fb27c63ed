ALTER TABLE customers
    DROP COLUMN prechat_at,
    DROP COLUMN prechat_answer,
    DROP COLUMN prechat_question;
DROP TABLE prechat_fields;
