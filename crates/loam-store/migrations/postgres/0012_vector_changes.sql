-- Which write last changed each vector, so that a server holding a vector setting's vectors in
-- memory (loam-service's vector cache) reads only the vectors written since the version it holds
-- (`vectors.version > held`), not all of them again after every write. Every upsert raises the
-- setting's version (migration 0006) and stamps the vectors it writes with the raised value.
-- A removal leaves no row to read: `removed_version` is the setting's version at the last one
-- (records deleted), and a copy older than it is read whole again. Vectors written before this
-- migration keep version 0: no server holds a copy from before it.
ALTER TABLE vectors ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE vector_settings ADD COLUMN removed_version BIGINT NOT NULL DEFAULT 0;
-- Serves the lookups by setting (count, scan) as the index it replaces did, and the changes since
-- a version.
CREATE INDEX vectors_settings_version ON vectors (vector_settings_id, version);
DROP INDEX vectors_settings;
