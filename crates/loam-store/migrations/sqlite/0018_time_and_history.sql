-- Time on task and record history (issue 20, scopes 4 and 5).
--
-- response_times: the active time the web UI measured while an annotator worked on a record
-- (tab visible, input within an idle limit), summed over the saves of their response to it
-- (loam_service::response_write). Keyed by (record, user) like the response itself, so undoing a
-- response and answering again keeps the time already spent. Never part of the SDKs' response
-- shape.
CREATE TABLE response_times (
    record_id BLOB NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    dataset_id BLOB NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    active_ms BIGINT NOT NULL,
    saves BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (record_id, user_id)
);
CREATE INDEX response_times_dataset_user ON response_times (dataset_id, user_id);

-- record_history: one row per field or metadata value a record update changed, with the value
-- before and after (NULL when absent), written by the one record write
-- (loam_store::records::RecordWrites) whatever the path: the web UI's edit, PATCH, SDK upserts.
CREATE TABLE record_history (
    id BLOB PRIMARY KEY NOT NULL,
    record_id BLOB NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    dataset_id BLOB NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    previous TEXT,
    value TEXT,
    changed_by BLOB REFERENCES users (id) ON DELETE SET NULL,
    changed_at BIGINT NOT NULL
);
CREATE INDEX record_history_record ON record_history (record_id, changed_at);
