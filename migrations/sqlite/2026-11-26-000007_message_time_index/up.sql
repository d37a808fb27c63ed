-- Every message written cost one more page in the write-ahead log for this
-- index: its entries are keyed by conversation, so a group commit of N
-- messages from N conversations touched N of its pages (docs/BENCHMARKS.md).
-- Its one reader, history by time window, walks the conversation's
-- (conversation_id, seq) range instead: conversations are short.
DROP INDEX messages_conversation_time;
