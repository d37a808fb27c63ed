DROP TABLE left_messages;
DROP TABLE business_hours;
