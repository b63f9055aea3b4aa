DROP TABLE offshore_message_reads;
DROP TABLE offshore_messages;
