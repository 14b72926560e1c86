-- A counter per vector setting, raised in the transaction of every write that changes its vectors
-- (an upsert, or deleting records of its dataset). A server that keeps the vectors in memory for
-- similarity search (loam-service's vector cache) compares it with the version it loaded, so every
-- replica on one database sees a committed change at its next query, and never a rolled-back one.
ALTER TABLE vector_settings ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
