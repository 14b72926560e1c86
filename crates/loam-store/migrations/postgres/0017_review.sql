-- Review and adjudication (issue 20), loam extensions the Argilla clients never see.
-- Reviewers: annotators an owner marks as reviewers of a workspace (owners and the workspace's
-- admins review without a row). A row goes with its workspace or user.
CREATE TABLE workspace_reviewers (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    inserted_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX workspace_reviewers_user ON workspace_reviewers (user_id);
-- How a dataset's review queue selects records (loam_domain::review::ReviewRule as JSON); a
-- dataset without a row reviews records whose submitted answers differ.
CREATE TABLE review_rules (
    dataset_id UUID PRIMARY KEY NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    rule JSONB NOT NULL,
    updated_at BIGINT NOT NULL
);
-- A record's final answer, kept apart from the responses: values shaped as a response's, where
-- they came from (`response` of `source_user_id`, `consolidated`, `own`), who decided and when.
-- `decided_by` keeps the id of a user removed since (no reference).
CREATE TABLE final_answers (
    record_id UUID PRIMARY KEY NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    dataset_id UUID NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    answers JSONB NOT NULL,
    source TEXT NOT NULL,
    source_user_id UUID,
    decided_by UUID NOT NULL,
    decided_at BIGINT NOT NULL
);
CREATE INDEX final_answers_dataset ON final_answers (dataset_id);
-- A record returned to an annotator with a comment; open while that annotator's response is not
-- submitted (a return sets it to draft), so a resubmission sends the record back to review.
CREATE TABLE review_returns (
    record_id UUID NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    dataset_id UUID NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    comment TEXT NOT NULL,
    returned_by UUID NOT NULL,
    returned_at BIGINT NOT NULL,
    PRIMARY KEY (record_id, user_id)
);
CREATE INDEX review_returns_dataset_user ON review_returns (dataset_id, user_id);
-- The audit trail: every review action on a record, never updated.
CREATE TABLE review_events (
    id UUID PRIMARY KEY NOT NULL,
    record_id UUID NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    dataset_id UUID NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    actor_id UUID NOT NULL,
    action TEXT NOT NULL,
    source_user_id UUID,
    answers JSONB,
    comment TEXT,
    inserted_at BIGINT NOT NULL
);
CREATE INDEX review_events_record ON review_events (record_id, inserted_at);
CREATE INDEX review_events_dataset ON review_events (dataset_id);
