-- Metadata values in an index, so filters and sorts on metadata walk a b-tree instead of reading
-- every record's JSON. One row per (record, key) for a string or number value, and one per
-- element for a list (`pos` is the element's place; -1 is the value itself). Other values
-- (booleans, null, objects) are not indexed: no filter matches them. Rows are written in the
-- transaction that writes the record (loam-store's records.rs) and leave with it (the cascade),
-- so the index never drifts from `records.metadata`.
CREATE TABLE record_metadata (
    record_seq BIGINT NOT NULL REFERENCES records (seq) ON DELETE CASCADE,
    name TEXT NOT NULL,
    pos INTEGER NOT NULL,
    dataset_id UUID NOT NULL,
    num DOUBLE PRECISION,
    term TEXT,
    PRIMARY KEY (record_seq, name, pos)
);
CREATE INDEX record_metadata_value ON record_metadata (dataset_id, name, num, term, record_seq, pos);

INSERT INTO record_metadata (record_seq, name, pos, dataset_id, num, term)
SELECT r.seq, m.key, -1, r.dataset_id,
       CASE WHEN jsonb_typeof(m.value) = 'number' THEN (m.value #>> '{}')::double precision END,
       CASE WHEN jsonb_typeof(m.value) = 'string' THEN m.value #>> '{}' END
FROM records r, jsonb_each(r.metadata) m
WHERE r.metadata IS NOT NULL AND jsonb_typeof(r.metadata) = 'object'
  AND jsonb_typeof(m.value) IN ('number', 'string');

INSERT INTO record_metadata (record_seq, name, pos, dataset_id, num, term)
SELECT r.seq, m.key, (e.ordinality - 1)::integer, r.dataset_id,
       CASE WHEN jsonb_typeof(e.value) = 'number' THEN (e.value #>> '{}')::double precision END,
       CASE WHEN jsonb_typeof(e.value) = 'string' THEN e.value #>> '{}' END
FROM records r, jsonb_each(r.metadata) m, jsonb_array_elements(CASE WHEN jsonb_typeof(m.value) = 'array' THEN m.value ELSE '[]'::jsonb END) WITH ORDINALITY e(value, ordinality)
WHERE r.metadata IS NOT NULL AND jsonb_typeof(r.metadata) = 'object'
  AND jsonb_typeof(m.value) = 'array' AND jsonb_typeof(e.value) IN ('number', 'string');
