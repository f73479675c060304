-- Columnar storage: the table access method datalayer_columnar
-- (src/columnar/).  Column data lives in the table's own relation file,
-- written in whole row groups and WAL-logged page by page; what a row group
-- holds and which rows are deleted are rows of the two catalog tables below,
-- so they follow MVCC exactly as the transactions that wrote them.
--
-- Each relation file carries a storage id on its first page, drawn from a
-- sequence and never reused: catalog rows are keyed by it rather than by
-- relfilenode (which PostgreSQL may reuse after a DROP), so rows left behind
-- by a dropped or truncated file can never be mistaken for a new table's.
-- They are deleted with the file, when the transaction that dropped or
-- truncated it commits.

CREATE FUNCTION datalayer.columnar_handler(internal) RETURNS table_am_handler
    AS 'MODULE_PATHNAME', 'columnar_handler' LANGUAGE C;
CREATE ACCESS METHOD datalayer_columnar TYPE TABLE HANDLER datalayer.columnar_handler;
COMMENT ON ACCESS METHOD datalayer_columnar IS
    'datalayer columnar storage: row groups, per-column encodings and zstd';

CREATE SEQUENCE datalayer.columnar_storage_id_seq NO CYCLE;

CREATE TABLE datalayer.columnar_row_group (
    storage_id  bigint NOT NULL,
    first_row   bigint NOT NULL,
    row_count   integer NOT NULL,
    first_block bigint NOT NULL,
    data_length bigint NOT NULL,
    column_meta bytea NOT NULL,
    dropped_rows integer NOT NULL DEFAULT 0,
    PRIMARY KEY (storage_id, first_row)
);
-- stored inline and uncompressed: a writer's reservation is overwritten in place
ALTER TABLE datalayer.columnar_row_group ALTER COLUMN column_meta SET STORAGE PLAIN;
COMMENT ON TABLE datalayer.columnar_row_group IS
    'one row per row group of a columnar table: rows first_row .. first_row + row_count - 1, stored from first_block; column_meta holds each column''s encoding, sizes, NULL count and min/max; dropped_rows counts the deleted rows whose values a VACUUM has dropped (stored as NULLs)';

CREATE TABLE datalayer.columnar_deleted (
    storage_id  bigint NOT NULL,
    row_number  bigint NOT NULL,
    updated     boolean NOT NULL,
    PRIMARY KEY (storage_id, row_number)
);
COMMENT ON TABLE datalayer.columnar_deleted IS
    'one row per deleted (or updated) row of a columnar table, inserted by the transaction that deletes it';

-- Pages that VACUUM took back from row groups whose every row was deleted.
-- freed_fxid is the freeing VACUUM's transaction: a writer reuses the pages
-- only once no snapshot can still see the row group that held them.
CREATE TABLE datalayer.columnar_free_extent (
    storage_id  bigint NOT NULL,
    first_block bigint NOT NULL,
    block_count integer NOT NULL,
    freed_fxid  bigint NOT NULL,
    PRIMARY KEY (storage_id, first_block)
);
COMMENT ON TABLE datalayer.columnar_free_extent IS
    'runs of pages of a columnar table''s file that no row group uses any more, free for new row groups';

-- Settings are kept per table (by OID, so they survive TRUNCATE and rewrites;
-- as regclass, so that pg_dump writes the table's name and a restore finds it).
CREATE TABLE datalayer.columnar_options (
    relid          regclass PRIMARY KEY,
    row_group_size integer NOT NULL CHECK (row_group_size BETWEEN 1000 AND 1000000),
    zstd_level     integer NOT NULL CHECK (zstd_level BETWEEN -5 AND 19),
    sort_by        name[]          -- column names: the order compaction writes rows in
);
SELECT pg_catalog.pg_extension_config_dump('datalayer.columnar_options', '');
REVOKE ALL ON datalayer.columnar_row_group, datalayer.columnar_deleted, datalayer.columnar_free_extent,
              datalayer.columnar_options FROM PUBLIC;

CREATE FUNCTION datalayer.columnar_set(rel regclass, row_group_size integer DEFAULT NULL,
                                       zstd_level integer DEFAULT NULL,
                                       sort_by name[] DEFAULT NULL)
    RETURNS void AS 'MODULE_PATHNAME', 'columnar_set' LANGUAGE C;
COMMENT ON FUNCTION datalayer.columnar_set(regclass, integer, integer, name[]) IS
    'changes a columnar table''s row group size or zstd level for the row groups written from now on, or the column order columnar_compact and VACUUM FULL write rows in (an empty array: none); NULL keeps a setting';

CREATE FUNCTION datalayer.columnar_reset(rel regclass)
    RETURNS void AS 'MODULE_PATHNAME', 'columnar_reset' LANGUAGE C;

CREATE FUNCTION datalayer._columnar_settings(
    OUT relid regclass, OUT row_group_size integer, OUT zstd_level integer, OUT sort_by name[])
    RETURNS SETOF record AS 'MODULE_PATHNAME', 'columnar_settings' LANGUAGE C STABLE;
CREATE VIEW datalayer.columnar_settings AS SELECT * FROM datalayer._columnar_settings();
COMMENT ON VIEW datalayer.columnar_settings IS
    'every columnar table the user may see, with the settings its next row groups are written with';
GRANT SELECT ON datalayer.columnar_settings TO PUBLIC;

CREATE FUNCTION datalayer.columnar_stats(rel regclass,
    OUT row_groups bigint, OUT rows bigint, OUT deleted_rows bigint,
    OUT column_name name, OUT encodings text, OUT compressed_bytes bigint,
    OUT uncompressed_bytes bigint, OUT ratio float8)
    RETURNS SETOF record AS 'MODULE_PATHNAME', 'columnar_stats' LANGUAGE C STRICT STABLE;
COMMENT ON FUNCTION datalayer.columnar_stats(regclass) IS
    'one row per column of a columnar table: the encodings its row groups chose and its compressed and uncompressed bytes; row_groups, rows and deleted_rows are the table''s';

CREATE FUNCTION datalayer.columnar_row_groups(rel regclass,
    OUT first_row bigint, OUT row_count integer, OUT deleted_rows bigint,
    OUT first_block bigint, OUT data_bytes bigint, OUT dropped_rows integer)
    RETURNS SETOF record AS 'MODULE_PATHNAME', 'columnar_row_groups' LANGUAGE C STRICT STABLE;

CREATE FUNCTION datalayer.columnar_free_space(rel regclass,
    OUT first_block bigint, OUT blocks integer, OUT reusable boolean)
    RETURNS SETOF record AS 'MODULE_PATHNAME', 'columnar_free_space' LANGUAGE C STRICT STABLE;
COMMENT ON FUNCTION datalayer.columnar_free_space(regclass) IS
    'the runs of pages VACUUM took back from row groups of deleted rows; reusable once no snapshot can still see those row groups';

CREATE FUNCTION datalayer.columnar_compact(rel regclass,
    OUT row_groups_before bigint, OUT row_groups_after bigint,
    OUT deleted_rows_removed bigint, OUT bytes_before bigint, OUT bytes_after bigint)
    RETURNS record AS 'MODULE_PATHNAME', 'columnar_compact' LANGUAGE C STRICT;
COMMENT ON FUNCTION datalayer.columnar_compact(regclass) IS
    'rewrites a columnar table into full row groups (in its sort_by order, if set), leaving out deleted rows and giving their space back; holds an ACCESS EXCLUSIVE lock, like VACUUM FULL';
