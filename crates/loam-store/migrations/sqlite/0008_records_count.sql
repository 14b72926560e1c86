-- The number of records of each dataset, kept by the writes that insert or delete records (in
-- their own transaction), so listings, progress and the annotation queue's total do not count
-- every record of the dataset at each request.
ALTER TABLE datasets ADD COLUMN records_count BIGINT NOT NULL DEFAULT 0;
UPDATE datasets SET records_count = (SELECT count(*) FROM records WHERE records.dataset_id = datasets.id);
