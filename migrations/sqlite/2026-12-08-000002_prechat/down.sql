ALTER TABLE customers DROP COLUMN prechat_at;
ALTER TABLE customers DROP COLUMN prechat_answer;
ALTER TABLE customers DROP COLUMN prechat_question;
DROP TABLE prechat_fields;
