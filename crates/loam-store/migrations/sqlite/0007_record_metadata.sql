-- Metadata values in an index, so filters and sorts on metadata walk a b-tree instead of reading
-- every record's JSON. One row per (record, key) for a string or number value, and one per
-- element for a list (`pos` is the element's place; -1 is the value itself). Other values
-- (booleans, null, objects) are not indexed: no filter matches them. Rows are written in the
-- transaction that writes the record (loam-store's records.rs) and leave with it (the trigger,
-- also when a dataset delete cascades), so the index never drifts from `records.metadata`.
CREATE TABLE record_metadata (
    record_seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    pos INTEGER NOT NULL,
    dataset_id BLOB NOT NULL,
    num REAL,
    term TEXT,
    PRIMARY KEY (record_seq, name, pos)
) WITHOUT ROWID;
CREATE INDEX record_metadata_value ON record_metadata (dataset_id, name, num, term);

CREATE TRIGGER records_metadata_delete AFTER DELETE ON records BEGIN
    DELETE FROM record_metadata WHERE record_seq = old.seq;
END;

INSERT INTO record_metadata (record_seq, name, pos, dataset_id, num, term)
SELECT r.seq, m.key, -1, r.dataset_id,
       CASE WHEN m.type IN ('integer', 'real') THEN m.value END,
       CASE WHEN m.type = 'text' THEN m.value END
FROM records r, json_each(r.metadata) m
WHERE m.type IN ('integer', 'real', 'text');

INSERT INTO record_metadata (record_seq, name, pos, dataset_id, num, term)
SELECT r.seq, m.key, e.key, r.dataset_id,
       CASE WHEN e.type IN ('integer', 'real') THEN e.value END,
       CASE WHEN e.type = 'text' THEN e.value END
FROM records r, json_each(r.metadata) m, json_each(m.value) e
WHERE m.type = 'array' AND e.type IN ('integer', 'real', 'text');
