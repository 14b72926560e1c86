-- Consolidation strategies (issue 18): how the submitted answers to one question become one final
-- answer per record, set by owners and managing admins through
-- PUT /api/v1/datasets/{id}/consolidation. A question without a row has its type's default
-- (loam_domain::consolidation); deleting the question or the dataset deletes its row.
CREATE TABLE question_strategies (
    question_id UUID PRIMARY KEY NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    dataset_id UUID NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    strategy JSONB NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX question_strategies_dataset ON question_strategies (dataset_id);
