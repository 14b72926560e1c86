-- The web UI's Pending queue (records the caller has not answered that are still pending) without
-- walking what the caller already answered:
-- - the next record walks the dataset's pending records from the caller's starting point, so
--   records completed meanwhile are skipped by the index instead of read one by one;
-- - the queue's total counts the caller's responses on pending records through their status, so
--   where a submitted response completes its record (min_submitted 1) only the caller's drafts
--   and discarded responses are read, not every response they ever gave.
CREATE INDEX records_dataset_status_seq ON records (dataset_id, status, seq);
DROP INDEX responses_dataset_user;
CREATE INDEX responses_dataset_user_status ON responses (dataset_id, user_id, status);
