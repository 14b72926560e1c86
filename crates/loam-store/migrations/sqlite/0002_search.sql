-- Full-text search over record fields, kept in the same transaction as the rows.
-- One FTS row per (record, field): rowid = records.seq * 1024 + the field's ordinal in its dataset
-- (fields are fixed once a dataset is published, and datasets have at most 1024 fields).
-- Contentless: the text lives only in records.fields; the index holds tokens.
CREATE VIRTUAL TABLE record_fts USING fts5(
    text,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- A deleted record (directly, or by cascade from its dataset) leaves the index with it.
CREATE TRIGGER records_fts_delete AFTER DELETE ON records BEGIN
    DELETE FROM record_fts WHERE rowid >= old.seq * 1024 AND rowid < (old.seq + 1) * 1024;
END;
