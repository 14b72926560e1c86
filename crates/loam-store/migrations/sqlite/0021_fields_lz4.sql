-- PostgreSQL only (there `records.fields` and `record_texts.tsv` are compressed with lz4 where the
-- server has it); SQLite stores values uncompressed. Kept so both engines have the same migrations.
SELECT 1;
