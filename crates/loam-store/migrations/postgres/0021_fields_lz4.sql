-- The largest values loam writes are a record's fields (a few KB each) and each field's tsvector
-- in `record_texts` (about twice its text). PostgreSQL tries to compress every row over about
-- 2 KB as it stores it; with its default method, pglz, those attempts (often given up: they save
-- too little on prose) cost a bulk ingest a measurable share of the server's CPU, where lz4 tries
-- in a fraction of the time (bench/README.md, "PostgreSQL ingest"). Only where the server was
-- built with lz4 (PostgreSQL 14 and later with `--with-lz4`, as Debian's and the official images
-- are): elsewhere this changes nothing. Values stored before keep their method; PostgreSQL reads
-- either.
DO $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM pg_settings
        WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)
    ) THEN
        ALTER TABLE records ALTER COLUMN fields SET COMPRESSION lz4;
        ALTER TABLE record_texts ALTER COLUMN tsv SET COMPRESSION lz4;
    END IF;
END
$$;
