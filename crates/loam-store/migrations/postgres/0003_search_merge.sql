-- SQLite tunes its full-text index's merging here (see migrations/sqlite). PostgreSQL's GIN
-- index keeps its own pending list, flushed by autovacuum; nothing to change. The file exists so
-- both engines keep the same migration names.
SELECT 1;
