-- An export's build id digests its dataset's state marks (loam_store::exports::state_marks): per
-- table, the rows' count and latest `updated_at`. Read from the tables these took a pass over every
-- record, response and suggestion row (≈ 3 s at 1,000,000 records, before an export's first row).
-- Three existing indexes end with `updated_at` instead, so each table's marks come from its index
-- alone (no new index: writes keep the same number of them):
-- - records by (dataset_id, seq) — the order exports and the queue read — then updated_at;
-- - responses by (dataset_id, user_id, status) — the Pending queue's (0011) — then updated_at;
-- - suggestions by question_id — a suggestion's question is one of its record's dataset's — then
--   updated_at.
DROP INDEX records_dataset_seq;
CREATE INDEX records_dataset_seq_updated ON records (dataset_id, seq, updated_at);
DROP INDEX responses_dataset_user_status;
CREATE INDEX responses_dataset_user_status_updated ON responses (dataset_id, user_id, status, updated_at);
DROP INDEX suggestions_question;
CREATE INDEX suggestions_question_updated ON suggestions (question_id, updated_at);
