-- A counter of changes to a dataset's settings (its fields, questions, metadata properties and
-- vector settings), raised in the transaction of every such change: the service keeps each
-- dataset's settings in memory and reloads them only when the dataset row it reads anyway shows
-- another version (see SchemaCache in loam-service).
ALTER TABLE datasets ADD COLUMN settings_version BIGINT NOT NULL DEFAULT 0;
