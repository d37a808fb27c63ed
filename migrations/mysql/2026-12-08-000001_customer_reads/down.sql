DROP TABLE customer_reads;
