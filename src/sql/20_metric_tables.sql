-- Metric tables: tables partitioned by time with PostgreSQL's declarative
-- range partitioning, whose chunks (partitions) datalayer creates, fills and
-- drops.  C entry points (src/storage/metric_table.c) normalise arguments of
-- type "any"; the DDL is done here.
--
-- Design:
--  * One catalog row per metric table.  Chunk ranges are not stored: they are
--    read from each partition's bound (datalayer._chunk_bounds), so a chunk
--    a user drops or detaches by hand can never leave a stale row behind.
--  * Every metric table has a default partition.  A row whose time has no
--    chunk lands there instead of failing, and run_maintenance() moves it into
--    a correctly bounded chunk.  Maintenance also creates chunks ahead of time
--    so that the default partition normally stays empty.
--  * Chunks are created as standalone tables with a CHECK constraint that
--    proves their range, then attached: ATTACH PARTITION takes only a SHARE
--    UPDATE EXCLUSIVE lock on the metric table, so readers and writers of
--    other chunks are not blocked.

CREATE TABLE datalayer.metric_table_catalog (
    relid        regclass PRIMARY KEY,
    chunk_width  bigint   NOT NULL CHECK (chunk_width > 0),
    next_chunk_number bigint NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE datalayer.metric_table_catalog IS
    'one row per metric table; chunk_width is in internal units (microseconds, days for date, or the integer unit); the time column is the partition key';
SELECT pg_catalog.pg_extension_config_dump('datalayer.metric_table_catalog', '');

-- Users register and change only the rows of tables they own.
ALTER TABLE datalayer.metric_table_catalog ENABLE ROW LEVEL SECURITY;
CREATE POLICY owner_only ON datalayer.metric_table_catalog
    USING (pg_catalog.pg_has_role(current_user,
           (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = relid), 'USAGE'));
GRANT SELECT, INSERT, UPDATE, DELETE ON datalayer.metric_table_catalog TO PUBLIC;
-- Everyone can see which tables are metric tables, as pg_class shows every table.
CREATE POLICY everyone_reads ON datalayer.metric_table_catalog FOR SELECT USING (true);

-- The time column and its type are the partition key's: derived, never stored,
-- so renaming the column cannot leave the catalog behind.
CREATE VIEW datalayer._metric_table_keys AS
SELECT m.relid, a.attname AS time_column, a.atttypid::regtype AS time_type, m.chunk_width
FROM datalayer.metric_table_catalog m
JOIN pg_catalog.pg_partitioned_table p ON p.partrelid = m.relid
JOIN pg_catalog.pg_attribute a ON a.attrelid = m.relid AND a.attnum = p.partattrs[0];
GRANT SELECT ON datalayer._metric_table_keys TO PUBLIC;

-- A dropped metric table leaves no catalog row behind.
CREATE FUNCTION datalayer._forget_dropped_tables()
RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM datalayer.metric_table_catalog m
     USING pg_event_trigger_dropped_objects() d
     WHERE d.classid = 'pg_class'::regclass AND d.objsubid = 0 AND d.objid = m.relid::oid;
END $$;
CREATE EVENT TRIGGER datalayer_forget_dropped_tables ON sql_drop
    EXECUTE FUNCTION datalayer._forget_dropped_tables();


-- ---- helpers implemented in C ----

CREATE FUNCTION datalayer._chunk_bounds(chunk regclass, OUT range_start bigint, OUT range_end bigint)
AS 'MODULE_PATHNAME', 'metric_table_chunk_bounds'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer._chunk_range_for(value bigint, width bigint, time_type regtype,
                                           OUT range_start bigint, OUT range_end bigint)
AS 'MODULE_PATHNAME', 'metric_table_chunk_range_for'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer._time_to_internal(value anyelement)
RETURNS bigint AS 'MODULE_PATHNAME', 'metric_table_time_to_internal'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer._internal_to_timestamptz(value bigint, time_type regtype)
RETURNS timestamptz AS 'MODULE_PATHNAME', 'metric_table_internal_to_timestamptz'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer._bound_literal(value bigint, time_type regtype)
RETURNS text AS 'MODULE_PATHNAME', 'metric_table_bound_literal'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer._width_to_interval(width bigint, time_type regtype)
RETURNS interval AS 'MODULE_PATHNAME', 'metric_table_width_to_interval'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- views ----

CREATE VIEW datalayer.chunks AS
SELECT m.relid                                                     AS metric_table,
       c.oid::regclass                                             AS chunk,
       datalayer._internal_to_timestamptz(b.range_start, m.time_type) AS range_start,
       datalayer._internal_to_timestamptz(b.range_end, m.time_type)   AS range_end,
       CASE WHEN m.time_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype)
            THEN b.range_start END                                 AS range_start_integer,
       CASE WHEN m.time_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype)
            THEN b.range_end END                                   AS range_end_integer,
       pg_catalog.pg_total_relation_size(c.oid)                    AS total_bytes,
       CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint END     AS estimated_rows,
       CASE WHEN a.amname = 'heap' THEN 'heap' ELSE 'compressed' END AS storage
FROM datalayer._metric_table_keys m
JOIN pg_catalog.pg_inherits i ON i.inhparent = m.relid
JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
LEFT JOIN pg_catalog.pg_am a ON a.oid = c.relam
CROSS JOIN LATERAL datalayer._chunk_bounds(c.oid) b
WHERE b.range_start IS NOT NULL;
COMMENT ON VIEW datalayer.chunks IS
    'the chunks of every metric table; range_start/range_end for time columns (timestamp bounds read as UTC), range_*_integer for integer time columns';

CREATE VIEW datalayer.metric_tables AS
SELECT m.relid                                               AS metric_table,
       m.time_column,
       m.time_type,
       datalayer._width_to_interval(m.chunk_width, m.time_type) AS chunk_interval,
       CASE WHEN m.time_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype)
            THEN m.chunk_width END                           AS chunk_interval_integer,
       (SELECT count(*) FROM datalayer.chunks ch WHERE ch.metric_table = m.relid) AS chunks,
       p.partdefid::regclass                                 AS default_partition,
       pg_catalog.pg_total_relation_size(p.partdefid)        AS default_partition_bytes,
       (SELECT coalesce(sum(ch.total_bytes), 0) FROM datalayer.chunks ch
         WHERE ch.metric_table = m.relid)::bigint            AS total_bytes,
       c.created_at
FROM datalayer._metric_table_keys m
JOIN datalayer.metric_table_catalog c ON c.relid = m.relid
LEFT JOIN pg_catalog.pg_partitioned_table p ON p.partrelid = m.relid;

GRANT SELECT ON datalayer.chunks, datalayer.metric_tables TO PUBLIC;

-- ---- internal PL/pgSQL ----

-- A relation name that is free in the schema, built from a base name and a suffix.
CREATE FUNCTION datalayer._free_relname(nsp oid, base text, suffix text)
RETURNS text LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    candidate text;
    n int := 0;
BEGIN
    LOOP
        candidate := left(base, 63 - octet_length(suffix) - CASE WHEN n > 0 THEN 6 ELSE 0 END)
                     || suffix || CASE WHEN n > 0 THEN '_' || n ELSE '' END;
        IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relnamespace = nsp AND relname = candidate) THEN
            RETURN candidate;
        END IF;
        n := n + 1;
    END LOOP;
END $$;

-- GRANT to target what source has granted (table and column privileges).
CREATE FUNCTION datalayer._copy_grants(source regclass, target regclass)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    g record;
BEGIN
    FOR g IN
        SELECT a.privilege_type, a.grantee, a.is_grantable
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = source AND a.grantee <> c.relowner
    LOOP
        EXECUTE format('GRANT %s ON %s TO %s%s', g.privilege_type, target,
                       CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(g.grantee::regrole::text) END,
                       CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
    FOR g IN
        SELECT a.privilege_type, a.grantee, a.is_grantable, att.attname
        FROM pg_attribute att, aclexplode(att.attacl) a
        WHERE att.attrelid = source AND att.attnum > 0 AND NOT att.attisdropped
    LOOP
        EXECUTE format('GRANT %s (%I) ON %s TO %s%s', g.privilege_type, g.attname, target,
                       CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(g.grantee::regrole::text) END,
                       CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END $$;

-- Give a new chunk (or the default partition) the metric table's owner,
-- grants and comment, so that direct access to chunks follows the table's.
CREATE FUNCTION datalayer._dress_partition(parent regclass, part regclass)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    owner_name text;
    parent_comment text;
BEGIN
    SELECT relowner::regrole::text INTO owner_name FROM pg_class WHERE oid = parent;
    EXECUTE format('ALTER TABLE %s OWNER TO %s', part, quote_ident(owner_name));
    PERFORM datalayer._copy_grants(parent, part);
    parent_comment := obj_description(parent, 'pg_class');
    IF parent_comment IS NOT NULL THEN
        EXECUTE format('COMMENT ON TABLE %s IS %L', part, parent_comment);
    END IF;
END $$;

-- The gap between existing chunks that contains value, intersected with the
-- chunk grid's range for value.  Clipping keeps chunks from overlapping after
-- set_chunk_interval() changed the grid.
CREATE FUNCTION datalayer._chunk_range_clipped(relation regclass, value bigint,
                                               OUT range_start bigint, OUT range_end bigint)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    m record;
    lo bigint;
    hi bigint;
BEGIN
    SELECT * INTO m FROM datalayer._metric_table_keys WHERE relid = relation;
    SELECT r.range_start, r.range_end INTO range_start, range_end
    FROM datalayer._chunk_range_for(value, m.chunk_width, m.time_type) r;
    SELECT max(b.range_end) INTO lo
    FROM pg_inherits i, datalayer._chunk_bounds(i.inhrelid) b
    WHERE i.inhparent = relation AND b.range_end IS NOT NULL AND b.range_end <= value
      AND b.range_end <> 9223372036854775807;
    SELECT min(b.range_start) INTO hi
    FROM pg_inherits i, datalayer._chunk_bounds(i.inhrelid) b
    WHERE i.inhparent = relation AND b.range_start IS NOT NULL AND b.range_start > value;
    IF lo IS NOT NULL AND lo > range_start THEN
        range_start := lo;
    END IF;
    IF hi IS NOT NULL AND hi < range_end THEN
        range_end := hi;
    END IF;
END $$;

-- Is there already a chunk holding value?
CREATE FUNCTION datalayer._chunk_exists_for(relation regclass, value bigint)
RETURNS boolean LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (
        SELECT 1 FROM pg_inherits i, datalayer._chunk_bounds(i.inhrelid) b
        WHERE i.inhparent = relation AND b.range_start IS NOT NULL
          AND (b.range_start = -9223372036854775808 OR b.range_start <= value)
          AND (b.range_end = 9223372036854775807 OR value < b.range_end))
$$;

-- Create and attach the chunk [range_start, range_end) of a metric table,
-- moving the default partition's rows of that range into it.  The caller
-- holds the locks (see _lock_for_chunk_creation).
CREATE FUNCTION datalayer._create_chunk(relation regclass, range_start bigint, range_end bigint)
RETURNS regclass LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    m record;
    nsp oid;
    parent_name text;
    chunk_name text;
    chunk regclass;
    default_part regclass;
    lower_lit text;
    upper_lit text;
    range_check text;
    cols text;
    moved bigint;
    number bigint;
BEGIN
    SELECT * INTO m FROM datalayer._metric_table_keys WHERE relid = relation;
    SELECT relnamespace, relname INTO nsp, parent_name FROM pg_class WHERE oid = relation;
    -- chunks are numbered per metric table: metrics_chunk_1, metrics_chunk_2, ...
    UPDATE datalayer.metric_table_catalog c SET next_chunk_number = c.next_chunk_number + 1
     WHERE c.relid = relation RETURNING c.next_chunk_number - 1 INTO number;
    chunk_name := datalayer._free_relname(nsp, parent_name, '_chunk_' || number);
    EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS '
                   'INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS)',
                   nsp::regnamespace::text, chunk_name, relation);
    chunk := format('%I.%I', nsp::regnamespace::text, chunk_name)::regclass;

    lower_lit := datalayer._bound_literal(range_start, m.time_type);
    upper_lit := datalayer._bound_literal(range_end, m.time_type);
    range_check := concat_ws(' AND ',
        CASE WHEN lower_lit <> 'MINVALUE' THEN format('%I >= %s', m.time_column, lower_lit) END,
        CASE WHEN upper_lit <> 'MAXVALUE' THEN format('%I < %s', m.time_column, upper_lit) END);

    -- Rows of this range waiting in the default partition move in first.
    SELECT partdefid INTO default_part FROM pg_partitioned_table WHERE partrelid = relation;
    IF default_part IS NOT NULL AND default_part <> 0 THEN
        SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
        FROM pg_attribute WHERE attrelid = relation AND attnum > 0 AND NOT attisdropped
          AND attgenerated = '';
        EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %s RETURNING %s) '
                       'INSERT INTO %s (%s) SELECT %s FROM moved',
                       default_part, coalesce(range_check, 'true'), cols, chunk, cols, cols);
        GET DIAGNOSTICS moved = ROW_COUNT;
    END IF;

    IF range_check IS NOT NULL THEN
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT datalayer_range_proof CHECK (%s)', chunk, range_check);
    END IF;
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%s) TO (%s)',
                   relation, chunk, lower_lit, upper_lit);
    IF range_check IS NOT NULL THEN
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT datalayer_range_proof', chunk);
    END IF;
    PERFORM datalayer._dress_partition(relation, chunk);
    RETURN chunk;
END $$;

-- Maintenance and conversion lock the metric table first, then its default
-- partition, the order in which INSERT takes them, so they cannot deadlock
-- with writers.  SHARE UPDATE EXCLUSIVE on the table lets reads and writes go
-- on and keeps two maintenance runs apart; EXCLUSIVE on the default partition
-- holds back only rows that have no chunk yet while they are being moved.
CREATE FUNCTION datalayer._lock_for_chunk_creation(relation regclass)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    default_part regclass;
BEGIN
    EXECUTE format('LOCK TABLE %s IN SHARE UPDATE EXCLUSIVE MODE', relation);
    SELECT nullif(partdefid, 0) INTO default_part FROM pg_partitioned_table WHERE partrelid = relation;
    IF default_part IS NOT NULL THEN
        EXECUTE format('LOCK TABLE %s IN EXCLUSIVE MODE', default_part);
    END IF;
END $$;

-- The chunk that must exist for value, created if missing.  Returns NULL if one exists.
CREATE FUNCTION datalayer._ensure_chunk_for(relation regclass, value bigint)
RETURNS regclass LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF datalayer._chunk_exists_for(relation, value) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO r FROM datalayer._chunk_range_clipped(relation, value);
    RETURN datalayer._create_chunk(relation, r.range_start, r.range_end);
END $$;

-- One metric table's maintenance: move stray rows out of the default
-- partition into chunks, and create chunks ahead of the present.
CREATE FUNCTION datalayer._maintain(relation regclass)
RETURNS TABLE(chunks_created int, rows_moved bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    m record;
    default_part regclass;
    stray record;
    created regclass;
    limit_chunks int := coalesce(current_setting('datalayer.max_chunks', true)::int, 10000);
    ahead int := coalesce(current_setting('datalayer.chunks_ahead', true)::int, 3);
    now_internal bigint;
    newest record;
    has_rows boolean;
    before_rows bigint;
    after_rows bigint;
    i int;
BEGIN
    chunks_created := 0;
    rows_moved := 0;
    SELECT * INTO m FROM datalayer._metric_table_keys WHERE relid = relation;
    PERFORM datalayer._lock_for_chunk_creation(relation);
    SELECT nullif(partdefid, 0) INTO default_part FROM pg_partitioned_table WHERE partrelid = relation;

    -- Stray rows: one chunk per distinct chunk range among them.
    IF default_part IS NOT NULL THEN
        EXECUTE format('SELECT count(*) FROM %s', default_part) INTO before_rows;
        IF before_rows > 0 THEN
            FOR stray IN EXECUTE format(
                'SELECT min(datalayer._time_to_internal(%1$I)) AS v FROM %2$s '
                'GROUP BY (datalayer._chunk_range_for(datalayer._time_to_internal(%1$I), %3$s, %4$L)).range_start '
                'ORDER BY 1', m.time_column, default_part, m.chunk_width, m.time_type)
            LOOP
                IF chunks_created >= limit_chunks THEN
                    RAISE WARNING 'metric table % still has stray rows after creating % chunks', relation, chunks_created
                        USING DETAIL = 'datalayer.max_chunks limits how many chunks one maintenance run creates.',
                              HINT = 'Run datalayer.run_maintenance() again, or use a larger chunk interval.';
                    EXIT;
                END IF;
                -- A clipped range may not cover every stray of its grid cell: loop until none is left.
                LOOP
                    created := datalayer._ensure_chunk_for(relation, stray.v);
                    EXIT WHEN created IS NULL;
                    chunks_created := chunks_created + 1;
                END LOOP;
            END LOOP;
            -- Values in clipped gaps may need further chunks.
            LOOP
                EXECUTE format('SELECT min(datalayer._time_to_internal(%I)) FROM %s', m.time_column, default_part)
                   INTO stray;
                EXIT WHEN stray.min IS NULL OR chunks_created >= limit_chunks;
                created := datalayer._ensure_chunk_for(relation, stray.min);
                EXIT WHEN created IS NULL;
                chunks_created := chunks_created + 1;
            END LOOP;
            EXECUTE format('SELECT count(*) FROM %s', default_part) INTO after_rows;
            rows_moved := before_rows - after_rows;
        END IF;
    END IF;

    -- Chunks ahead: from the present for time columns; after the newest chunk
    -- that holds rows for integer columns, which have no notion of now.
    IF m.time_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
        SELECT i.inhrelid::regclass AS chunk, b.range_start, b.range_end INTO newest
        FROM pg_inherits i, datalayer._chunk_bounds(i.inhrelid) b
        WHERE i.inhparent = relation AND b.range_start IS NOT NULL
        ORDER BY b.range_start DESC LIMIT 1;
        IF newest.chunk IS NULL OR newest.range_end = 9223372036854775807 THEN
            RETURN NEXT;
            RETURN;
        END IF;
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', newest.chunk) INTO has_rows;
        IF NOT has_rows THEN
            RETURN NEXT;
            RETURN;
        END IF;
        now_internal := newest.range_end;
    ELSIF m.time_type = 'timestamptz'::regtype THEN
        now_internal := datalayer._time_to_internal(now());
    ELSIF m.time_type = 'timestamp'::regtype THEN
        now_internal := datalayer._time_to_internal(localtimestamp);
    ELSE
        now_internal := datalayer._time_to_internal(current_date);
    END IF;
    FOR i IN 0..ahead LOOP
        EXIT WHEN now_internal IS NULL;
        created := datalayer._ensure_chunk_for(relation, now_internal);
        IF created IS NOT NULL THEN
            chunks_created := chunks_created + 1;
        END IF;
        SELECT b.range_end INTO now_internal FROM datalayer._chunk_bounds(
            (SELECT i2.inhrelid FROM pg_inherits i2, datalayer._chunk_bounds(i2.inhrelid) b2
             WHERE i2.inhparent = relation AND b2.range_start IS NOT NULL
               AND (b2.range_start = -9223372036854775808 OR b2.range_start <= now_internal)
               AND (b2.range_end = 9223372036854775807 OR now_internal < b2.range_end))) b;
        IF now_internal = 9223372036854775807 THEN
            EXIT;
        END IF;
    END LOOP;
    RETURN NEXT;
END $$;

CREATE FUNCTION datalayer._create_metric_table(relation regclass, time_column name,
                                               chunk_width bigint, migrate_data boolean)
RETURNS TABLE(metric_table regclass, chunks_created int, rows_moved bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel record;
    qualified text;
    old_name text;
    time_type regtype;
    time_attnum int2;
    dep text;
    idx record;
    index_defs text[] := '{}';
    constraint_defs text[] := '{}';
    trigger_defs text[] := '{}';
    policy_defs text[] := '{}';
    seqs record;
    identity_state record;
    stmt text;
    cols text;
    insert_cols text;
    overriding text := '';
    total_rows bigint;
    moved bigint := 0;
    batch_rows bigint;
    n_chunks int := 0;
    limit_chunks int := coalesce(current_setting('datalayer.max_chunks', true)::int, 10000);
    r record;
    new_rel regclass;
    default_name text;
    maint record;
BEGIN
    SELECT c.oid, c.relname, c.relnamespace, n.nspname, c.relkind, c.relowner, c.relispartition,
           c.relpersistence, c.relreplident, c.relrowsecurity, c.relforcerowsecurity
      INTO rel
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = relation;
    qualified := format('%I.%I', rel.nspname, rel.relname);

    -- ---- checks: nothing is changed until all of them pass ----
    IF rel.relkind = 'p' THEN
        IF EXISTS (SELECT 1 FROM datalayer.metric_table_catalog WHERE relid = relation) THEN
            RAISE EXCEPTION '"%" is already a metric table', rel.relname USING ERRCODE = 'duplicate_object';
        END IF;
        RAISE EXCEPTION 'table "%" is already partitioned', rel.relname
            USING ERRCODE = 'wrong_object_type',
                  HINT = 'datalayer.create_metric_table() converts a plain table.';
    END IF;
    IF rel.relkind <> 'r' THEN
        RAISE EXCEPTION '"%" is not a table', rel.relname
            USING ERRCODE = 'wrong_object_type',
                  DETAIL = format('It is a %s.', CASE rel.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                                  WHEN 'f' THEN 'foreign table' WHEN 'S' THEN 'sequence' WHEN 'i' THEN 'index'
                                  ELSE 'relation of kind ' || rel.relkind::text END);
    END IF;
    IF NOT pg_has_role(current_user, rel.relowner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', rel.relname USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF rel.relispartition OR EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = relation OR inhparent = relation) THEN
        RAISE EXCEPTION 'table "%" is part of an inheritance tree', rel.relname
            USING ERRCODE = 'invalid_table_definition',
                  DETAIL = 'A metric table must be a stand-alone table: neither a partition, nor an inheritance parent or child.';
    END IF;
    IF rel.relpersistence <> 'p' THEN
        RAISE EXCEPTION 'table "%" is %', rel.relname,
              CASE rel.relpersistence WHEN 't' THEN 'temporary' ELSE 'unlogged' END
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = 'PostgreSQL cannot partition temporary tables permanently, nor partitioned tables unlogged.';
    END IF;

    SELECT a.atttypid::regtype, a.attnum INTO time_type, time_attnum
      FROM pg_attribute a WHERE a.attrelid = relation AND a.attname = time_column AND NOT a.attisdropped;

    SELECT string_agg(format('%s %s', CASE d.classid WHEN 'pg_rewrite'::regclass THEN 'view'
                                      ELSE d.classid::regclass::text END,
                             coalesce((SELECT ev.ev_class::regclass::text FROM pg_rewrite ev WHERE ev.oid = d.objid),
                                      d.objid::text)), ', ')
      INTO dep
      FROM pg_depend d
     WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = relation AND d.deptype = 'n'
       AND d.classid = 'pg_rewrite'::regclass
       AND NOT EXISTS (SELECT 1 FROM pg_rewrite ev WHERE ev.oid = d.objid AND ev.ev_class = relation);
    IF dep IS NOT NULL THEN
        RAISE EXCEPTION 'cannot convert table "%" because other objects depend on it', rel.relname
            USING ERRCODE = 'dependent_objects_still_exist', DETAIL = 'Depending: ' || dep || '.',
                  HINT = 'Drop the dependent views, convert the table, then create them again.';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_rewrite WHERE ev_class = relation) THEN
        RAISE EXCEPTION 'table "%" has rules', rel.relname USING ERRCODE = 'feature_not_supported';
    END IF;
    SELECT string_agg(format('%I on %s', conname, conrelid::regclass), ', ') INTO dep
      FROM pg_constraint WHERE confrelid = relation AND contype = 'f' AND conrelid <> relation;
    IF dep IS NOT NULL THEN
        RAISE EXCEPTION 'cannot convert table "%" because foreign keys reference it', rel.relname
            USING ERRCODE = 'dependent_objects_still_exist', DETAIL = 'Referencing: ' || dep || '.',
                  HINT = 'Drop the foreign keys, convert the table, then add them again.';
    END IF;
    SELECT string_agg(quote_ident(ic.relname), ', ') INTO dep
      FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
     WHERE i.indrelid = relation AND (i.indisunique OR i.indisexclusion)
       AND NOT (time_attnum = ANY (i.indkey::int2[]));
    IF dep IS NOT NULL THEN
        RAISE EXCEPTION 'unique index on table "%" does not include the time column "%"', rel.relname, time_column
            USING ERRCODE = 'feature_not_supported', DETAIL = 'Indexes: ' || dep || '.',
                  HINT = 'A primary key or unique constraint on a partitioned table must include the partitioning column; add it to the index.';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = relation AND i.indisexclusion) THEN
        RAISE EXCEPTION 'table "%" has an exclusion constraint', rel.relname USING ERRCODE = 'feature_not_supported';
    END IF;

    IF migrate_data THEN
        EXECUTE format('SELECT count(*) FROM %s WHERE %I IS NULL', qualified, time_column) INTO total_rows;
        IF total_rows > 0 THEN
            RAISE EXCEPTION 'column "%" of table "%" has % NULL values', time_column, rel.relname, total_rows
                USING ERRCODE = 'not_null_violation',
                      DETAIL = 'Every row of a metric table needs a time.',
                      HINT = 'Delete those rows or give them a time, then convert the table.';
        END IF;
        EXECUTE format('SELECT count(*) FROM (SELECT DISTINCT (datalayer._chunk_range_for('
                       'datalayer._time_to_internal(%I), %s, %L)).range_start FROM %s) s',
                       time_column, chunk_width, time_type, qualified) INTO n_chunks;
        IF n_chunks > limit_chunks THEN
            RAISE EXCEPTION 'chunk interval too small: table "%" would get % chunks', rel.relname, n_chunks
                USING ERRCODE = 'program_limit_exceeded',
                      DETAIL = format('datalayer.max_chunks is %s.', limit_chunks),
                      HINT = 'Use a larger chunk_interval, or raise datalayer.max_chunks.';
        END IF;
    ELSE
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', qualified) INTO r;
        IF r.exists THEN
            RAISE EXCEPTION 'table "%" is not empty', rel.relname
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'Use migrate_data => true to move its rows into chunks.';
        END IF;
    END IF;

    -- ---- capture what LIKE does not copy, with names as they are now ----
    FOR idx IN SELECT i.indexrelid, pg_get_indexdef(i.indexrelid) AS def, ic.relname
                 FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                WHERE i.indrelid = relation
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = relation)
    LOOP
        index_defs := index_defs || idx.def;
        IF obj_description(idx.indexrelid, 'pg_class') IS NOT NULL THEN
            index_defs := index_defs || format('COMMENT ON INDEX %I.%I IS %L', rel.nspname, idx.relname,
                                               obj_description(idx.indexrelid, 'pg_class'));
        END IF;
    END LOOP;
    SELECT coalesce(array_agg(format('ALTER TABLE %s ADD CONSTRAINT %I %s', qualified, conname,
                                     pg_get_constraintdef(oid)) ORDER BY contype DESC, conname), '{}')
      INTO constraint_defs
      FROM pg_constraint WHERE conrelid = relation AND contype IN ('p', 'u', 'f');
    SELECT coalesce(array_agg(pg_get_triggerdef(oid) ORDER BY tgname), '{}') INTO trigger_defs
      FROM pg_trigger WHERE tgrelid = relation AND NOT tgisinternal;
    SELECT coalesce(array_agg(format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s', p.polname, qualified,
                   CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
                   CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                                 WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
                   CASE WHEN p.polroles = '{0}' THEN 'PUBLIC'
                        ELSE (SELECT string_agg(quote_ident(r2::regrole::text), ', ') FROM unnest(p.polroles) r2) END,
                   ' USING (' || pg_get_expr(p.polqual, relation) || ')',
                   ' WITH CHECK (' || pg_get_expr(p.polwithcheck, relation) || ')')), '{}')
      INTO policy_defs FROM pg_policy p WHERE p.polrelid = relation;

    -- ---- swap: old table aside, new partitioned table under the old name ----
    old_name := datalayer._free_relname(rel.relnamespace, rel.relname, '_dl_old');
    EXECUTE format('ALTER TABLE %s RENAME TO %I', qualified, old_name);
    FOR idx IN SELECT ic.oid, ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                WHERE i.indrelid = relation
    LOOP
        EXECUTE format('ALTER INDEX %I.%I RENAME TO %I', rel.nspname, idx.relname,
                       datalayer._free_relname(rel.relnamespace, idx.relname, '_dl_old'));
    END LOOP;

    EXECUTE format('CREATE TABLE %s (LIKE %I.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED '
                   'INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING COMMENTS '
                   'INCLUDING STATISTICS) PARTITION BY RANGE (%I)',
                   qualified, rel.nspname, old_name, time_column);
    new_rel := qualified::regclass;
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET NOT NULL', qualified, time_column);

    -- Sequences: serial columns keep theirs (ownership moves); identity
    -- columns got a new one, which continues where the old one was.
    FOR seqs IN SELECT d.objid::regclass AS seq, a.attname, d.deptype
                  FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                 WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                   AND d.refobjid = relation AND d.deptype IN ('a', 'i')
                   AND (SELECT relkind FROM pg_class WHERE oid = d.objid) = 'S'
    LOOP
        IF seqs.deptype = 'a' THEN
            EXECUTE format('ALTER SEQUENCE %s OWNED BY %s.%I', seqs.seq, qualified, seqs.attname);
        ELSE
            EXECUTE format('SELECT last_value, is_called FROM %s', seqs.seq) INTO identity_state;
            PERFORM setval(pg_get_serial_sequence(qualified, seqs.attname),
                           identity_state.last_value, identity_state.is_called);
        END IF;
    END LOOP;

    FOREACH stmt IN ARRAY constraint_defs || index_defs || trigger_defs || policy_defs LOOP
        EXECUTE stmt;
    END LOOP;
    IF obj_description(relation, 'pg_class') IS NOT NULL THEN
        EXECUTE format('COMMENT ON TABLE %s IS %L', qualified, obj_description(relation, 'pg_class'));
    END IF;
    IF rel.relreplident = 'f' THEN
        EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', qualified);
    ELSIF rel.relreplident = 'n' THEN
        EXECUTE format('ALTER TABLE %s REPLICA IDENTITY NOTHING', qualified);
    END IF;
    IF rel.relrowsecurity THEN
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', qualified);
    END IF;
    IF rel.relforcerowsecurity THEN
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', qualified);
    END IF;
    EXECUTE format('ALTER TABLE %s OWNER TO %s', qualified, quote_ident(rel.relowner::regrole::text));
    PERFORM datalayer._copy_grants(relation, new_rel);

    default_name := datalayer._free_relname(rel.relnamespace, rel.relname, '_default');
    EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s DEFAULT', rel.nspname, default_name, qualified);
    PERFORM datalayer._dress_partition(new_rel, format('%I.%I', rel.nspname, default_name)::regclass);

    INSERT INTO datalayer.metric_table_catalog (relid, chunk_width) VALUES (new_rel, chunk_width);

    -- ---- rows: one batch per chunk, the chunk created just before ----
    n_chunks := 0;
    IF migrate_data THEN
        SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
          FROM pg_attribute WHERE attrelid = new_rel AND attnum > 0 AND NOT attisdropped AND attgenerated = '';
        IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = new_rel AND attidentity = 'a') THEN
            overriding := ' OVERRIDING SYSTEM VALUE';
        END IF;
        EXECUTE format('SELECT count(*) FROM %I.%I', rel.nspname, old_name) INTO total_rows;
        FOR r IN EXECUTE format('SELECT DISTINCT (datalayer._chunk_range_for(datalayer._time_to_internal(%I), %s, %L)).* '
                                'FROM %I.%I ORDER BY 1', time_column, chunk_width, time_type, rel.nspname, old_name)
        LOOP
            PERFORM datalayer._create_chunk(new_rel, r.range_start, r.range_end);
            n_chunks := n_chunks + 1;
            EXECUTE format('INSERT INTO %s (%s)%s SELECT %s FROM %I.%I WHERE %s',
                           qualified, cols, overriding, cols, rel.nspname, old_name,
                           concat_ws(' AND ', 'true',
                             CASE WHEN r.range_start <> -9223372036854775808 THEN
                               format('%I >= %s', time_column, datalayer._bound_literal(r.range_start, time_type)) END,
                             CASE WHEN r.range_end <> 9223372036854775807 THEN
                               format('%I < %s', time_column, datalayer._bound_literal(r.range_end, time_type)) END));
            GET DIAGNOSTICS batch_rows = ROW_COUNT;
            moved := moved + batch_rows;
            IF total_rows >= 100000 THEN
                RAISE NOTICE 'datalayer: % of % rows moved (% chunks)', moved, total_rows, n_chunks;
            END IF;
        END LOOP;
        IF moved <> total_rows THEN
            RAISE EXCEPTION 'moved % rows of %', moved, total_rows
                USING ERRCODE = 'internal_error', DETAIL = 'The conversion was rolled back; no row was changed.';
        END IF;
    END IF;
    EXECUTE format('DROP TABLE %I.%I', rel.nspname, old_name);

    SELECT * INTO maint FROM datalayer._maintain(new_rel);
    -- keeps chunks ahead and strays moved from now on (src/sql/40_policies.sql)
    PERFORM datalayer.add_maintenance_policy(new_rel);
    metric_table := new_rel;
    chunks_created := n_chunks + maint.chunks_created;
    rows_moved := moved;
    RETURN NEXT;
END $$;

CREATE FUNCTION datalayer._show_chunks(relation regclass, older_than bigint, newer_than bigint)
RETURNS SETOF regclass LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT i.inhrelid::regclass
      FROM pg_inherits i, datalayer._chunk_bounds(i.inhrelid) b
     WHERE i.inhparent = relation AND b.range_start IS NOT NULL
       AND (older_than IS NULL OR (b.range_end <> 9223372036854775807 AND b.range_end <= older_than))
       AND (newer_than IS NULL OR (b.range_start <> -9223372036854775808 AND b.range_start >= newer_than))
     ORDER BY b.range_start
$$;

CREATE FUNCTION datalayer._drop_chunks(relation regclass, older_than bigint, newer_than bigint)
RETURNS SETOF text LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    chunk regclass;
    owner oid;
BEGIN
    SELECT relowner INTO owner FROM pg_class WHERE oid = relation;
    IF NOT pg_has_role(current_user, owner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', relation::text USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- Dropping a partition locks the metric table: take that lock first, once.
    EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', relation);
    FOR chunk IN SELECT * FROM datalayer._show_chunks(relation, older_than, newer_than) LOOP
        RETURN NEXT chunk::text;
        EXECUTE format('DROP TABLE %s', chunk);
    END LOOP;
END $$;

CREATE FUNCTION datalayer._create_chunks(relation regclass, range_from bigint, range_to bigint)
RETURNS SETOF regclass LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    owner oid;
    v bigint := range_from;
    created regclass;
    n int := 0;
    limit_chunks int := coalesce(current_setting('datalayer.max_chunks', true)::int, 10000);
    b record;
BEGIN
    SELECT relowner INTO owner FROM pg_class WHERE oid = relation;
    IF NOT pg_has_role(current_user, owner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', relation::text USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM datalayer._lock_for_chunk_creation(relation);
    WHILE v < range_to LOOP
        created := datalayer._ensure_chunk_for(relation, v);
        IF created IS NOT NULL THEN
            n := n + 1;
            IF n > limit_chunks THEN
                RAISE EXCEPTION 'creating chunks from % to % would exceed % chunks',
                    datalayer._bound_literal(range_from, (SELECT k.time_type FROM datalayer._metric_table_keys k WHERE k.relid = relation)),
                    datalayer._bound_literal(range_to, (SELECT k.time_type FROM datalayer._metric_table_keys k WHERE k.relid = relation)),
                    limit_chunks
                    USING ERRCODE = 'program_limit_exceeded',
                          HINT = 'Use a larger chunk interval, a shorter range, or raise datalayer.max_chunks.';
            END IF;
            RETURN NEXT created;
        END IF;
        SELECT bb.range_end INTO b FROM pg_inherits i, datalayer._chunk_bounds(i.inhrelid) bb
         WHERE i.inhparent = relation AND bb.range_start IS NOT NULL
           AND (bb.range_start = -9223372036854775808 OR bb.range_start <= v)
           AND (bb.range_end = 9223372036854775807 OR v < bb.range_end);
        EXIT WHEN b.range_end = 9223372036854775807;
        v := b.range_end;
    END LOOP;
END $$;

CREATE FUNCTION datalayer._set_chunk_interval(relation regclass, chunk_width bigint)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE datalayer.metric_table_catalog SET chunk_width = _set_chunk_interval.chunk_width
     WHERE relid = relation;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'must be owner of table %', relation::text USING ERRCODE = 'insufficient_privilege';
    END IF;
END $$;

-- ---- the user-facing API ----

CREATE FUNCTION datalayer.create_metric_table(relation regclass, time_column name,
                                              chunk_interval "any" DEFAULT NULL,
                                              migrate_data boolean DEFAULT true)
RETURNS TABLE(metric_table regclass, chunks_created int, rows_moved bigint)
AS 'MODULE_PATHNAME', 'metric_table_create'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION datalayer.create_metric_table(regclass, name, "any", boolean) IS
    'turn a table into a metric table partitioned by time into chunks, moving its rows into chunks';

CREATE FUNCTION datalayer.show_chunks(relation regclass, older_than "any" DEFAULT NULL,
                                      newer_than "any" DEFAULT NULL)
RETURNS SETOF regclass AS 'MODULE_PATHNAME', 'metric_table_show_chunks'
LANGUAGE C STABLE;

CREATE FUNCTION datalayer.drop_chunks(relation regclass, older_than "any" DEFAULT NULL,
                                      newer_than "any" DEFAULT NULL)
RETURNS SETOF text AS 'MODULE_PATHNAME', 'metric_table_drop_chunks'
LANGUAGE C VOLATILE;

CREATE FUNCTION datalayer.create_chunks(relation regclass, start "any", finish "any")
RETURNS SETOF regclass AS 'MODULE_PATHNAME', 'metric_table_create_chunks'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION datalayer.create_chunks(regclass, "any", "any") IS
    'create the chunks that cover [start, finish), for loading history straight into chunks';

CREATE FUNCTION datalayer.set_chunk_interval(relation regclass, chunk_interval "any")
RETURNS void AS 'MODULE_PATHNAME', 'metric_table_set_chunk_interval'
LANGUAGE C VOLATILE;

-- run_maintenance(): every metric table the caller owns (all of them for a
-- superuser), or one.  A table whose locks cannot be had within
-- lock_timeout is skipped with a warning and retried next time.
CREATE FUNCTION datalayer.run_maintenance(relation regclass DEFAULT NULL)
RETURNS TABLE(metric_table regclass, chunks_created int, rows_moved bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t regclass;
    r record;
BEGIN
    IF relation IS NOT NULL AND NOT EXISTS (SELECT 1 FROM datalayer.metric_table_catalog WHERE relid = relation) THEN
        RAISE EXCEPTION '"%" is not a metric table', relation::text
            USING ERRCODE = 'wrong_object_type', HINT = 'Make it one with datalayer.create_metric_table().';
    END IF;
    FOR t IN SELECT m.relid FROM datalayer.metric_table_catalog m JOIN pg_class c ON c.oid = m.relid
              WHERE (relation IS NULL OR m.relid = relation)
                AND pg_has_role(current_user, c.relowner, 'USAGE')
              ORDER BY m.relid::text
    LOOP
        BEGIN
            SELECT * INTO r FROM datalayer._maintain(t);
            metric_table := t;
            chunks_created := r.chunks_created;
            rows_moved := r.rows_moved;
            RETURN NEXT;
        EXCEPTION WHEN lock_not_available THEN
            RAISE WARNING 'skipped maintenance of %: its locks were not available', t
                USING HINT = 'It is retried on the next run.';
        END;
    END LOOP;
    IF relation IS NOT NULL AND NOT FOUND THEN
        RAISE EXCEPTION 'must be owner of table %', relation::text USING ERRCODE = 'insufficient_privilege';
    END IF;
END $$;
