-- Lineage: which datasets feed which, down to columns, captured from the SQL
-- that runs (src/lineage/).  Nodes are relations, keyed by OID so that
-- renames keep lineage true (names are resolved when read), or files and
-- programs named in COPY.  Edges are written by the capture code as the
-- extension's owner; users cannot write these tables.

-- Storage is append-only so that capture never waits for a lock: each
-- observed statement appends events (no unique key, so concurrent writers
-- never block each other, whatever their transactions do), and
-- datalayer.lineage_compact(), run by a scheduler job, folds committed events
-- into the summary tables.  The views read summary and pending events
-- together, so answers are exact at any moment.  A node is a relation OID or
-- an external name ('file:/path', 'program:command').

CREATE TABLE datalayer.lineage_event (
    source_relid    oid,
    source_external text,
    target_relid    oid,
    target_external text,
    kind            text NOT NULL,
    seen_at         timestamptz NOT NULL DEFAULT pg_catalog.now(),
    role            name NOT NULL DEFAULT current_user,
    query_id        bigint
);

-- target_attnum 0: the target rows as a whole (DELETE ... USING decides which rows go)
CREATE TABLE datalayer.column_lineage_event (
    source_relid  oid      NOT NULL,
    source_attnum smallint NOT NULL,
    target_relid  oid      NOT NULL,
    target_attnum smallint NOT NULL,
    type          text     NOT NULL CHECK (type IN ('DIRECT', 'INDIRECT')),
    subtype       text     NOT NULL CHECK (subtype IN ('IDENTITY', 'TRANSFORMATION', 'AGGREGATION',
                                                       'JOIN', 'FILTER', 'GROUP_BY', 'SORT', 'WINDOW', 'CONDITIONAL')),
    seen_at       timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE TABLE datalayer.lineage_edge (
    source_relid    oid,
    source_external text,
    target_relid    oid,
    target_external text,
    kind            text NOT NULL,
    first_seen      timestamptz NOT NULL,
    last_seen       timestamptz NOT NULL,
    times_seen      bigint NOT NULL,
    last_role       name NOT NULL,
    last_query_id   bigint
);
CREATE UNIQUE INDEX lineage_edge_key ON datalayer.lineage_edge
    (coalesce(source_relid, 0), coalesce(source_external, ''), coalesce(target_relid, 0),
     coalesce(target_external, ''), kind);

CREATE TABLE datalayer.column_lineage (
    source_relid  oid      NOT NULL,
    source_attnum smallint NOT NULL,
    target_relid  oid      NOT NULL,
    target_attnum smallint NOT NULL,
    type          text     NOT NULL,
    subtype       text     NOT NULL,
    first_seen    timestamptz NOT NULL,
    last_seen     timestamptz NOT NULL,
    times_seen    bigint NOT NULL,
    PRIMARY KEY (source_relid, source_attnum, target_relid, target_attnum, subtype)
);
CREATE INDEX column_lineage_target ON datalayer.column_lineage (target_relid, target_attnum);

REVOKE ALL ON datalayer.lineage_event, datalayer.column_lineage_event,
              datalayer.lineage_edge, datalayer.column_lineage FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('datalayer.lineage_edge', '');
SELECT pg_catalog.pg_extension_config_dump('datalayer.column_lineage', '');

-- One statement's lineage, appended by the capture code as the extension's
-- owner (not callable by users).  edges: [{"source": oid | "source_external":
-- text, "target": oid | "target_external": text, "kind": ..}], columns:
-- [{"source": oid, "source_attnum": n, "target": oid, "target_attnum": n,
-- "type": .., "subtype": ..}].
CREATE FUNCTION datalayer._lineage_record(edges jsonb, columns jsonb, role name, query_id bigint)
RETURNS void LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    INSERT INTO datalayer.lineage_event (source_relid, source_external, target_relid, target_external, kind, role, query_id)
    SELECT (e->>'source')::oid, e->>'source_external', (e->>'target')::oid, e->>'target_external', e->>'kind',
           role, query_id
      FROM jsonb_array_elements(edges) e;
    INSERT INTO datalayer.column_lineage_event (source_relid, source_attnum, target_relid, target_attnum, type, subtype)
    SELECT (c->>'source')::oid, (c->>'source_attnum')::smallint, (c->>'target')::oid,
           (c->>'target_attnum')::smallint, c->>'type', c->>'subtype'
      FROM jsonb_array_elements(columns) c;
$$;

-- A re-created view or table: its lineage is the new statement's alone.
CREATE FUNCTION datalayer._lineage_reset_target(target oid)
RETURNS void LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    DELETE FROM datalayer.lineage_edge WHERE target_relid = target;
    DELETE FROM datalayer.lineage_event WHERE target_relid = target;
    DELETE FROM datalayer.column_lineage WHERE target_relid = target;
    DELETE FROM datalayer.column_lineage_event WHERE target_relid = target;
$$;
REVOKE ALL ON FUNCTION datalayer._lineage_record(jsonb, jsonb, name, bigint),
                       datalayer._lineage_reset_target(oid) FROM PUBLIC;

-- Fold committed events into the summary.  Returns the events folded.
CREATE FUNCTION datalayer.lineage_compact()
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    folded bigint := 0;
    n bigint;
BEGIN
    WITH moved AS (DELETE FROM datalayer.lineage_event RETURNING *),
         grouped AS (
            SELECT source_relid, source_external, target_relid, target_external, kind,
                   min(seen_at) AS first_seen, max(seen_at) AS last_seen, count(*) AS times_seen,
                   (array_agg(role ORDER BY seen_at DESC))[1] AS last_role,
                   (array_agg(query_id ORDER BY seen_at DESC))[1] AS last_query_id
              FROM moved GROUP BY 1, 2, 3, 4, 5)
    INSERT INTO datalayer.lineage_edge AS l
    SELECT * FROM grouped
    ON CONFLICT (coalesce(source_relid, 0), coalesce(source_external, ''), coalesce(target_relid, 0),
                 coalesce(target_external, ''), kind) DO UPDATE
       SET first_seen = least(l.first_seen, EXCLUDED.first_seen),
           last_seen = greatest(l.last_seen, EXCLUDED.last_seen),
           times_seen = l.times_seen + EXCLUDED.times_seen,
           last_role = CASE WHEN EXCLUDED.last_seen >= l.last_seen THEN EXCLUDED.last_role ELSE l.last_role END,
           last_query_id = CASE WHEN EXCLUDED.last_seen >= l.last_seen THEN EXCLUDED.last_query_id ELSE l.last_query_id END;
    GET DIAGNOSTICS n = ROW_COUNT;
    folded := folded + n;
    WITH moved AS (DELETE FROM datalayer.column_lineage_event RETURNING *)
    INSERT INTO datalayer.column_lineage AS c
    SELECT source_relid, source_attnum, target_relid, target_attnum, min(type), subtype,
           min(seen_at), max(seen_at), count(*)
      FROM moved GROUP BY source_relid, source_attnum, target_relid, target_attnum, subtype
    ON CONFLICT (source_relid, source_attnum, target_relid, target_attnum, subtype) DO UPDATE
       SET first_seen = least(c.first_seen, EXCLUDED.first_seen),
           last_seen = greatest(c.last_seen, EXCLUDED.last_seen),
           times_seen = c.times_seen + EXCLUDED.times_seen;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN folded + n;
END $$;
REVOKE ALL ON FUNCTION datalayer.lineage_compact() FROM PUBLIC;

CREATE PROCEDURE datalayer.policy_lineage_compact(job_id int, config jsonb)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM datalayer.lineage_compact();
END $$;

-- A dropped relation takes its edges with it; a dropped column its column edges.
CREATE FUNCTION datalayer._lineage_forget_dropped()
RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    gone oid[];
BEGIN
    SELECT array_agg(objid) INTO gone FROM pg_event_trigger_dropped_objects()
     WHERE classid = 'pg_class'::regclass AND objsubid = 0;
    IF gone IS NOT NULL THEN
        DELETE FROM datalayer.lineage_edge WHERE source_relid = ANY (gone) OR target_relid = ANY (gone);
        DELETE FROM datalayer.lineage_event WHERE source_relid = ANY (gone) OR target_relid = ANY (gone);
        DELETE FROM datalayer.column_lineage WHERE source_relid = ANY (gone) OR target_relid = ANY (gone);
        DELETE FROM datalayer.column_lineage_event WHERE source_relid = ANY (gone) OR target_relid = ANY (gone);
    END IF;
    DELETE FROM datalayer.column_lineage c USING pg_event_trigger_dropped_objects() d
     WHERE d.classid = 'pg_class'::regclass AND d.objsubid > 0
       AND ((c.source_relid = d.objid AND c.source_attnum = d.objsubid)
            OR (c.target_relid = d.objid AND c.target_attnum = d.objsubid));
    DELETE FROM datalayer.column_lineage_event c USING pg_event_trigger_dropped_objects() d
     WHERE d.classid = 'pg_class'::regclass AND d.objsubid > 0
       AND ((c.source_relid = d.objid AND c.source_attnum = d.objsubid)
            OR (c.target_relid = d.objid AND c.target_attnum = d.objsubid));
END $$;
CREATE EVENT TRIGGER datalayer_lineage_forget_dropped ON sql_drop
    EXECUTE FUNCTION datalayer._lineage_forget_dropped();

-- compaction runs in the background when the scheduler is loaded
SELECT datalayer.add_job('datalayer.policy_lineage_compact'::regproc, '10 minutes', job_name => 'lineage compaction',
                         initial_start => now() + interval '10 minutes');

-- ---- reading it: only what the reader may see ----

-- A node as a reader sees it: its current name, or NULL when the reader
-- may not see the relation (no USAGE on its schema, no privilege on it).
CREATE FUNCTION datalayer._lineage_node_name(relation oid, external text)
RETURNS text LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE
        WHEN external IS NOT NULL THEN external
        ELSE (SELECT format('%I.%I', ns.nspname, c.relname)
                FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
               WHERE c.oid = relation
                 AND has_schema_privilege(ns.oid, 'USAGE')
                 AND has_table_privilege(c.oid, 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER'))
    END
$$;

-- summary and pending events, together
CREATE VIEW datalayer._lineage_edges_all AS
SELECT source_relid, source_external, target_relid, target_external, kind,
       min(first_seen) AS first_seen, max(last_seen) AS last_seen, sum(times_seen)::bigint AS times_seen,
       (array_agg(last_role ORDER BY last_seen DESC))[1] AS last_role,
       (array_agg(last_query_id ORDER BY last_seen DESC))[1] AS last_query_id
FROM (SELECT source_relid, source_external, target_relid, target_external, kind,
             first_seen, last_seen, times_seen, last_role, last_query_id FROM datalayer.lineage_edge
      UNION ALL
      SELECT source_relid, source_external, target_relid, target_external, kind,
             seen_at, seen_at, 1, role, query_id FROM datalayer.lineage_event) e
GROUP BY 1, 2, 3, 4, 5;

CREATE VIEW datalayer._column_lineage_all AS
SELECT source_relid, source_attnum, target_relid, target_attnum, min(type) AS type, subtype,
       min(first_seen) AS first_seen, max(last_seen) AS last_seen, sum(times_seen)::bigint AS times_seen
FROM (SELECT source_relid, source_attnum, target_relid, target_attnum, type, subtype,
             first_seen, last_seen, times_seen FROM datalayer.column_lineage
      UNION ALL
      SELECT source_relid, source_attnum, target_relid, target_attnum, type, subtype,
             seen_at, seen_at, 1 FROM datalayer.column_lineage_event) c
GROUP BY source_relid, source_attnum, target_relid, target_attnum, subtype;

CREATE VIEW datalayer.lineage_nodes AS
SELECT n.relid::regclass AS relation, datalayer._lineage_node_name(n.relid, n.external) AS name,
       CASE WHEN n.external LIKE 'file:%' THEN 'file' WHEN n.external LIKE 'program:%' THEN 'program'
            ELSE (SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                                        WHEN 'f' THEN 'foreign table' ELSE 'table' END
                    FROM pg_class c WHERE c.oid = n.relid) END AS node_type
FROM (SELECT source_relid AS relid, source_external AS external FROM datalayer._lineage_edges_all
      UNION
      SELECT target_relid, target_external FROM datalayer._lineage_edges_all) n
WHERE datalayer._lineage_node_name(n.relid, n.external) IS NOT NULL;

CREATE VIEW datalayer.lineage_edges AS
SELECT s.name AS source, t.name AS target, e.kind, e.first_seen, e.last_seen, e.times_seen, e.last_role,
       e.last_query_id, e.source_relid::regclass AS source_relation, e.target_relid::regclass AS target_relation,
       coalesce(e.source_relid::text, e.source_external) AS source_key,
       coalesce(e.target_relid::text, e.target_external) AS target_key
FROM datalayer._lineage_edges_all e
CROSS JOIN LATERAL (SELECT datalayer._lineage_node_name(e.source_relid, e.source_external) AS name) s
CROSS JOIN LATERAL (SELECT datalayer._lineage_node_name(e.target_relid, e.target_external) AS name) t
WHERE s.name IS NOT NULL AND t.name IS NOT NULL;

CREATE VIEW datalayer.column_lineage_edges AS
SELECT s.name AS source, CASE WHEN c.source_attnum > 0 THEN sa.attname END AS source_column,
       t.name AS target, CASE WHEN c.target_attnum > 0 THEN ta.attname END AS target_column,
       c.type, c.subtype, c.first_seen, c.last_seen, c.times_seen,
       c.source_relid::regclass AS source_relation, c.source_attnum,
       c.target_relid::regclass AS target_relation, c.target_attnum
FROM datalayer._column_lineage_all c
CROSS JOIN LATERAL (SELECT datalayer._lineage_node_name(c.source_relid, NULL) AS name) s
CROSS JOIN LATERAL (SELECT datalayer._lineage_node_name(c.target_relid, NULL) AS name) t
LEFT JOIN pg_attribute sa ON sa.attrelid = c.source_relid AND sa.attnum = c.source_attnum
LEFT JOIN pg_attribute ta ON ta.attrelid = c.target_relid AND ta.attnum = c.target_attnum
WHERE s.name IS NOT NULL AND t.name IS NOT NULL;

GRANT SELECT ON datalayer.lineage_nodes, datalayer.lineage_edges, datalayer.column_lineage_edges TO PUBLIC;

-- the graph from a relation, upstream or downstream, as rows (from, to, depth, kind)
CREATE FUNCTION datalayer._lineage_walk(start regclass, upstream boolean, max_depth int)
RETURNS TABLE(source text, target text, depth int, kind text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    WITH RECURSIVE walk(source_node, target_node, source, target, depth, kind, path) AS (
        SELECT e.source_key, e.target_key, e.source, e.target, 1, e.kind,
               ARRAY[CASE WHEN upstream THEN e.target_key ELSE e.source_key END,
                     CASE WHEN upstream THEN e.source_key ELSE e.target_key END]
          FROM datalayer.lineage_edges e
         WHERE (CASE WHEN upstream THEN e.target_relation ELSE e.source_relation END) = start
        UNION ALL
        SELECT e.source_key, e.target_key, e.source, e.target, w.depth + 1, e.kind,
               w.path || CASE WHEN upstream THEN e.source_key ELSE e.target_key END
          FROM walk w
          JOIN datalayer.lineage_edges e
            ON (CASE WHEN upstream THEN e.target_key ELSE e.source_key END)
             = (CASE WHEN upstream THEN w.source_node ELSE w.target_node END)
         WHERE (max_depth IS NULL OR w.depth < max_depth)
           AND NOT (CASE WHEN upstream THEN e.source_key ELSE e.target_key END) = ANY (w.path))
    SELECT source, target, min(depth), kind FROM walk GROUP BY source, target, kind ORDER BY 3, 1, 2
$$;

CREATE FUNCTION datalayer.lineage_upstream(rel regclass, depth int DEFAULT NULL)
RETURNS TABLE(source text, target text, depth int, kind text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT * FROM datalayer._lineage_walk(rel, true, depth)
$$;

CREATE FUNCTION datalayer.lineage_downstream(rel regclass, depth int DEFAULT NULL)
RETURNS TABLE(source text, target text, depth int, kind text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT * FROM datalayer._lineage_walk(rel, false, depth)
$$;

CREATE FUNCTION datalayer._column_walk(rel regclass, col name, upstream boolean)
RETURNS TABLE(source text, source_column name, target text, target_column name, depth int, type text, subtype text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    start_attnum int2;
BEGIN
    SELECT attnum INTO start_attnum FROM pg_attribute WHERE attrelid = rel AND attname = col AND NOT attisdropped;
    IF start_attnum IS NULL THEN
        RAISE EXCEPTION 'column "%" of relation % does not exist', col, rel USING ERRCODE = 'undefined_column';
    END IF;
    RETURN QUERY
    WITH RECURSIVE walk AS (
        SELECT c.source_relation, c.source_attnum, c.target_relation, c.target_attnum,
               c.source, c.source_column, c.target, c.target_column, 1 AS depth, c.type, c.subtype,
               ARRAY[format('%s.%s', CASE WHEN upstream THEN c.source_relation ELSE c.target_relation END::oid,
                                     CASE WHEN upstream THEN c.source_attnum ELSE c.target_attnum END)] AS path
          FROM datalayer.column_lineage_edges c
         WHERE CASE WHEN upstream THEN c.target_relation = rel AND c.target_attnum IN (start_attnum, 0)
                    ELSE c.source_relation = rel AND c.source_attnum = start_attnum END
        UNION ALL
        SELECT c.source_relation, c.source_attnum, c.target_relation, c.target_attnum,
               c.source, c.source_column, c.target, c.target_column, w.depth + 1, c.type, c.subtype,
               w.path || format('%s.%s', CASE WHEN upstream THEN c.source_relation ELSE c.target_relation END::oid,
                                         CASE WHEN upstream THEN c.source_attnum ELSE c.target_attnum END)
          FROM walk w
          JOIN datalayer.column_lineage_edges c
            ON CASE WHEN upstream THEN c.target_relation = w.source_relation AND c.target_attnum IN (w.source_attnum, 0)
                    ELSE c.source_relation = w.target_relation AND c.source_attnum = w.target_attnum END
         WHERE w.depth < 100
           AND NOT format('%s.%s', CASE WHEN upstream THEN c.source_relation ELSE c.target_relation END::oid,
                                   CASE WHEN upstream THEN c.source_attnum ELSE c.target_attnum END) = ANY (w.path))
    SELECT w.source, w.source_column, w.target, w.target_column, min(w.depth)::int, w.type, w.subtype
      FROM walk w GROUP BY 1, 2, 3, 4, 6, 7 ORDER BY 5, 1, 2, 3, 4, 7;
END $$;

CREATE FUNCTION datalayer.column_lineage_upstream(rel regclass, col name)
RETURNS TABLE(source text, source_column name, target text, target_column name, depth int, type text, subtype text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT * FROM datalayer._column_walk(rel, col, true)
$$;

CREATE FUNCTION datalayer.column_lineage_downstream(rel regclass, col name)
RETURNS TABLE(source text, source_column name, target text, target_column name, depth int, type text, subtype text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT * FROM datalayer._column_walk(rel, col, false)
$$;

-- impact: everything that would be affected by changing or dropping rel (or one of its columns), nearest first
CREATE FUNCTION datalayer.impact(rel regclass, col name DEFAULT NULL)
RETURNS TABLE(dataset text, column_name name, distance int)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT target, NULL::name, min(depth) FROM datalayer.lineage_downstream(rel) WHERE col IS NULL GROUP BY 1
    UNION ALL
    SELECT target, target_column, min(depth) FROM datalayer.column_lineage_downstream(rel, col)
     WHERE col IS NOT NULL GROUP BY 1, 2
    ORDER BY 3, 1, 2
$$;

-- ---- exports ----

-- OpenLineage RunEvent JSON: one event per target dataset, with its inputs,
-- the schema facet of each dataset, and the columnLineage facet.  For one
-- relation (its upstream edges), or for everything seen since a time.
CREATE FUNCTION datalayer._openlineage_dataset(rel regclass, name text)
RETURNS jsonb LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT jsonb_build_object(
        'namespace', 'postgres://' || current_database(),
        'name', current_database() || '.' || name,
        'facets', CASE WHEN rel IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('schema', jsonb_build_object(
            '_producer', 'urn:datalayer',
            '_schemaURL', 'https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json',
            'fields', (SELECT coalesce(jsonb_agg(jsonb_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod))
                                                 ORDER BY a.attnum), '[]')
                         FROM pg_attribute a WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped))) END)
$$;

CREATE FUNCTION datalayer.lineage_openlineage(rel regclass DEFAULT NULL, since timestamptz DEFAULT NULL)
RETURNS SETOF jsonb LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    WITH targets AS (
        SELECT DISTINCT e.target_key, e.target, e.target_relation
          FROM datalayer.lineage_edges e
         WHERE (rel IS NULL OR e.target_relation = rel) AND (since IS NULL OR e.last_seen >= since))
    SELECT jsonb_build_object(
        'eventType', 'COMPLETE',
        'eventTime', (SELECT max(e.last_seen) FROM datalayer.lineage_edges e WHERE e.target_key = t.target_key),
        'producer', 'urn:datalayer',
        'schemaURL', 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
        'run', jsonb_build_object('runId', md5(t.target || coalesce(since::text, ''))::uuid),
        'job', jsonb_build_object('namespace', 'postgres://' || current_database(),
                                  'name', 'datalayer.lineage.' || t.target),
        'inputs', (SELECT coalesce(jsonb_agg(datalayer._openlineage_dataset(e.source_relation, e.source) ORDER BY e.source), '[]')
                     FROM (SELECT DISTINCT source, source_relation FROM datalayer.lineage_edges e2
                            WHERE e2.target_key = t.target_key) e),
        'outputs', jsonb_build_array(datalayer._openlineage_dataset(t.target_relation, t.target) || jsonb_build_object(
            'facets', datalayer._openlineage_dataset(t.target_relation, t.target)->'facets' || jsonb_build_object(
                'columnLineage', jsonb_build_object(
                    '_producer', 'urn:datalayer',
                    '_schemaURL', 'https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json',
                    'fields', (SELECT coalesce(jsonb_object_agg(f.target_column, f.input_fields), '{}')
                                 FROM (SELECT c.target_column, jsonb_agg(jsonb_build_object(
                                              'namespace', 'postgres://' || current_database(),
                                              'name', current_database() || '.' || c.source,
                                              'field', c.source_column,
                                              'transformations', jsonb_build_array(jsonb_build_object(
                                                  'type', c.type, 'subtype', c.subtype)))
                                              ORDER BY c.source, c.source_column, c.subtype) AS input_fields
                                         FROM datalayer.column_lineage_edges c
                                        WHERE c.target_relation = t.target_relation AND c.target_column IS NOT NULL
                                          AND c.source_column IS NOT NULL
                                        GROUP BY c.target_column) f))))))
    FROM targets t
    ORDER BY t.target
$$;

-- Graphviz DOT and Mermaid text for the subgraph around a relation (upstream
-- and downstream), or for everything.
CREATE FUNCTION datalayer._lineage_subgraph(rel regclass)
RETURNS TABLE(source text, target text, kind text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT DISTINCT source, target, kind FROM (
        SELECT source, target, kind FROM datalayer.lineage_upstream(rel)
        UNION ALL
        SELECT source, target, kind FROM datalayer.lineage_downstream(rel)
        UNION ALL
        SELECT source, target, kind FROM datalayer.lineage_edges WHERE rel IS NULL) s
$$;

CREATE FUNCTION datalayer.lineage_dot(rel regclass DEFAULT NULL)
RETURNS text LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT 'digraph lineage {' || E'\n' || '  rankdir=LR;' || E'\n' ||
           coalesce(string_agg(format('  "%s" -> "%s" [label="%s"];',
                                      replace(replace(source, '\', '\\'), '"', '\"'),
                                      replace(replace(target, '\', '\\'), '"', '\"'), kind),
                               E'\n' ORDER BY source, target, kind) || E'\n', '') || '}'
      FROM datalayer._lineage_subgraph(rel)
$$;

CREATE FUNCTION datalayer.lineage_mermaid(rel regclass DEFAULT NULL)
RETURNS text LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    WITH edges AS (SELECT * FROM datalayer._lineage_subgraph(rel)),
         nodes AS (SELECT name, 'n' || row_number() OVER (ORDER BY name) AS id
                     FROM (SELECT source AS name FROM edges UNION SELECT target FROM edges) n)
    SELECT 'flowchart LR' || E'\n' ||
           coalesce((SELECT string_agg(format('  %s["%s"]', id, replace(name, '"', '#quot;')), E'\n' ORDER BY id) FROM nodes) || E'\n', '') ||
           coalesce((SELECT string_agg(format('  %s -->|%s| %s', s.id, e.kind, t.id), E'\n' ORDER BY e.source, e.target, e.kind)
                       FROM edges e JOIN nodes s ON s.name = e.source JOIN nodes t ON t.name = e.target) || E'\n', '')
$$;
