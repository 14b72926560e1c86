-- Full-text search over record fields, kept in the same transaction as the rows.
-- One row per (record, field), keyed like SQLite's FTS rowid: record seq and field ordinal.
CREATE TABLE record_texts (
    record_seq BIGINT NOT NULL REFERENCES records (seq) ON DELETE CASCADE,
    field_ordinal INTEGER NOT NULL,
    tsv TSVECTOR NOT NULL,
    PRIMARY KEY (record_seq, field_ordinal)
);
CREATE INDEX record_texts_tsv ON record_texts USING GIN (tsv);
