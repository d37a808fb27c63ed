DROP TABLE conversation_reads;
