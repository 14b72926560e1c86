-- Core tables. Ids are UUIDs (16-byte BLOBs here), timestamps are microseconds since the epoch,
-- JSON documents are TEXT. Applied migrations are never edited: add a new file instead.

CREATE TABLE users (
    id BLOB PRIMARY KEY NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT,
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    api_key_digest TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    inserted_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE workspaces (
    id BLOB PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    inserted_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE workspace_users (
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    inserted_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX workspace_users_user ON workspace_users (user_id);

CREATE TABLE datasets (
    id BLOB PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    guidelines TEXT,
    allow_extra_metadata BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    distribution TEXT NOT NULL,
    metadata TEXT,
    workspace_id BLOB NOT NULL REFERENCES workspaces (id),
    last_activity_at BIGINT NOT NULL,
    inserted_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT datasets_name_workspace UNIQUE (workspace_id, name)
);

CREATE TABLE dataset_users (
    dataset_id BLOB NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    inserted_at BIGINT NOT NULL,
    PRIMARY KEY (dataset_id, user_id)
);

CREATE TABLE fields (
    id BLOB PRIMARY KEY NOT NULL,
    dataset_id BLOB NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    required BOOLEAN NOT NULL,
    settings TEXT NOT NULL,
    inserted_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT fields_name_dataset UNIQUE (dataset_id, name)
);

CREATE TABLE questions (
    id BLOB PRIMARY KEY NOT NULL,
    dataset_id BLOB NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    required BOOLEAN NOT NULL,
    settings TEXT NOT NULL,
    inserted_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT questions_name_dataset UNIQUE (dataset_id, name)
);

CREATE TABLE metadata_properties (
    id BLOB PRIMARY KEY NOT NULL,
    dataset_id BLOB NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    settings TEXT NOT NULL,
    visible_for_annotators BOOLEAN NOT NULL,
    inserted_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT metadata_properties_name_dataset UNIQUE (dataset_id, name)
);

CREATE TABLE vector_settings (
    id BLOB PRIMARY KEY NOT NULL,
    dataset_id BLOB NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    dimensions BIGINT NOT NULL,
    inserted_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT vector_settings_name_dataset UNIQUE (dataset_id, name)
);

-- `seq` orders records by insertion (and is SQLite's rowid, so the table is stored in that order).
CREATE TABLE records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id BLOB NOT NULL UNIQUE,
    dataset_id BLOB NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    external_id TEXT,
    fields TEXT NOT NULL,
    metadata TEXT,
    status TEXT NOT NULL,
    inserted_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT records_external_id_dataset UNIQUE (dataset_id, external_id)
);
CREATE INDEX records_dataset_seq ON records (dataset_id, seq);

CREATE TABLE responses (
    id BLOB PRIMARY KEY NOT NULL,
    record_id BLOB NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    dataset_id BLOB NOT NULL,
    answers TEXT,
    status TEXT NOT NULL,
    inserted_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT responses_record_user UNIQUE (record_id, user_id)
);
CREATE INDEX responses_user ON responses (user_id);
CREATE INDEX responses_dataset_user ON responses (dataset_id, user_id);

CREATE TABLE suggestions (
    id BLOB PRIMARY KEY NOT NULL,
    record_id BLOB NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    question_id BLOB NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    score TEXT,
    agent TEXT,
    kind TEXT,
    inserted_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT suggestions_record_question UNIQUE (record_id, question_id)
);
CREATE INDEX suggestions_question ON suggestions (question_id);

CREATE TABLE vectors (
    record_id BLOB NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    vector_settings_id BLOB NOT NULL REFERENCES vector_settings (id) ON DELETE CASCADE,
    value BLOB NOT NULL,
    PRIMARY KEY (record_id, vector_settings_id)
);
CREATE INDEX vectors_settings ON vectors (vector_settings_id);

CREATE TABLE webhooks (
    id BLOB PRIMARY KEY NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    events TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    description TEXT,
    inserted_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
