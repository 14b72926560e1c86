-- Pairwise preference (issue 22): a label_selection question marked as a comparison of two text
-- fields, the order the web UI showed them in with each answer, and LLM judges' verdicts asked in
-- both orders. All loam extensions: the SDKs see an ordinary label question.
--
-- pairwise_questions: the pairing of one label question (its outcome labels, the compared fields,
-- an optional strength question and optional rating questions whose suggestions imply a judge's
-- pick). Deleted with the question or the dataset; a deleted strength question leaves none.
CREATE TABLE pairwise_questions (
    question_id BLOB PRIMARY KEY NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    dataset_id BLOB NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    a_field TEXT NOT NULL,
    b_field TEXT NOT NULL,
    outcomes TEXT NOT NULL,
    strength_question_id BLOB REFERENCES questions (id) ON DELETE SET NULL,
    ratings TEXT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX pairwise_questions_dataset ON pairwise_questions (dataset_id);

-- response_shown: per (response, pairwise question) the order the web UI showed the two fields
-- in when the response was last saved ('ab': field a first, 'ba': field b first). Deleted with
-- the response or the question.
CREATE TABLE response_shown (
    response_id BLOB NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    question_id BLOB NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    dataset_id BLOB NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    shown TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (response_id, question_id)
);
CREATE INDEX response_shown_dataset ON response_shown (dataset_id, question_id);

-- pairwise_judgements: a judge's (agent's) canonical verdict on a record's pair when shown in one
-- order, with an optional score; one per (record, question, agent, shown).
CREATE TABLE pairwise_judgements (
    record_id BLOB NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    question_id BLOB NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    dataset_id BLOB NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    agent TEXT NOT NULL,
    shown TEXT NOT NULL,
    value TEXT NOT NULL,
    score REAL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (record_id, question_id, agent, shown)
);
CREATE INDEX pairwise_judgements_dataset ON pairwise_judgements (dataset_id, question_id);
