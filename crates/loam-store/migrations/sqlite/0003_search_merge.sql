-- Bulk writes add one index segment per transaction. With FTS5's default automerge (4), every
-- few batches a request also pays for merging older segments, which cost ingest about 30%.
-- Merge in requests only when 16 segments pile up on a level; `search::merge_index_step` finishes
-- the work in small steps while the server is idle, so queries still meet a compact index.
INSERT INTO record_fts (record_fts, rank) VALUES ('automerge', 0);
