-- Leases (issue 20, exact distribution): the web UI's Pending queue hands a record to an
-- annotator for a time (POST /api/v1/me/datasets/{id}/records/next). A lease is a row with an
-- expiry, in microseconds like every timestamp: one past its expiry holds nothing, and whoever
-- asks next may take the place over; no sweeper deletes it (the next lease of the same annotator
-- on the record replaces it, and a release or an answer through the web UI deletes it).
CREATE TABLE record_leases (
    record_id BLOB NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    dataset_id BLOB NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (record_id, user_id)
);
CREATE INDEX record_leases_dataset_user ON record_leases (dataset_id, user_id);
