-- The number of completed records of each dataset, kept like records_count (0008) by the writes
-- that insert, complete, reopen or delete records, in their own transaction: progress and the
-- annotation view's Pending queue read it instead of counting the dataset's records.
ALTER TABLE datasets ADD COLUMN completed_count BIGINT NOT NULL DEFAULT 0;
UPDATE datasets SET completed_count = (SELECT count(*) FROM records WHERE records.dataset_id = datasets.id AND records.status = 'completed');
