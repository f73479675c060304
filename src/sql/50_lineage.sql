-- Lineage: which datasets feed which, down to columns, captured from the SQL
-- that runs (src/lineage/).  Nodes are relations, keyed by OID so that
-- renames keep lineage true (names are resolved when read), or files and
-- programs named in COPY.  Edges are written by the capture code as the
-- extension's owner; users cannot write these tables.

CREATE TABLE datalayer.lineage_node (
    node_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    relid       oid UNIQUE,               -- for relations
    external    text UNIQUE,              -- 'file:/path' or 'program:command'
    CHECK ((relid IS NULL) <> (external IS NULL))
);

CREATE TABLE datalayer.lineage_edge (
    source_node bigint NOT NULL REFERENCES datalayer.lineage_node ON DELETE CASCADE,
    target_node bigint NOT NULL REFERENCES datalayer.lineage_node ON DELETE CASCADE,
    kind        text   NOT NULL,          -- insert, update, delete, merge, create_table_as, view, materialized_view, copy
    first_seen  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    last_seen   timestamptz NOT NULL DEFAULT pg_catalog.now(),
    times_seen  bigint NOT NULL DEFAULT 1,
    last_role   name   NOT NULL DEFAULT current_user,
    last_query_id bigint,
    PRIMARY KEY (source_node, target_node, kind)
);
CREATE INDEX lineage_edge_target ON datalayer.lineage_edge (target_node);

-- target_attnum 0: the target row as a whole (DELETE ... USING decides which rows go)
CREATE TABLE datalayer.column_lineage (
    source_node   bigint   NOT NULL REFERENCES datalayer.lineage_node ON DELETE CASCADE,
    source_attnum smallint NOT NULL,
    target_node   bigint   NOT NULL REFERENCES datalayer.lineage_node ON DELETE CASCADE,
    target_attnum smallint NOT NULL,
    type          text     NOT NULL CHECK (type IN ('DIRECT', 'INDIRECT')),
    subtype       text     NOT NULL CHECK (subtype IN ('IDENTITY', 'TRANSFORMATION', 'AGGREGATION',
                                                       'JOIN', 'FILTER', 'GROUP_BY', 'SORT', 'WINDOW', 'CONDITIONAL')),
    first_seen    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    last_seen     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    times_seen    bigint NOT NULL DEFAULT 1,
    PRIMARY KEY (source_node, source_attnum, target_node, target_attnum, subtype)
);
CREATE INDEX column_lineage_target ON datalayer.column_lineage (target_node, target_attnum);

REVOKE ALL ON datalayer.lineage_node, datalayer.lineage_edge, datalayer.column_lineage FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('datalayer.lineage_node', '');
SELECT pg_catalog.pg_extension_config_dump('datalayer.lineage_edge', '');
SELECT pg_catalog.pg_extension_config_dump('datalayer.column_lineage', '');

-- Record one statement's lineage (called by the capture code, as the
-- extension's owner; not callable by users).  edges: [{"source": oid |
-- "file:..", "target": oid | "file:..", "kind": ..}], columns: [{"source":
-- oid, "source_attnum": n, "target": oid, "target_attnum": n, "type": ..,
-- "subtype": ..}].
CREATE FUNCTION datalayer._lineage_node(relation oid, ext text)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    id bigint;
BEGIN
    IF relation IS NOT NULL THEN
        SELECT node_id INTO id FROM datalayer.lineage_node WHERE relid = relation;
        IF id IS NULL THEN
            INSERT INTO datalayer.lineage_node (relid) VALUES (relation)
            ON CONFLICT (relid) DO UPDATE SET relid = EXCLUDED.relid RETURNING node_id INTO id;
        END IF;
    ELSE
        SELECT node_id INTO id FROM datalayer.lineage_node WHERE external = ext;
        IF id IS NULL THEN
            INSERT INTO datalayer.lineage_node (external) VALUES (ext)
            ON CONFLICT (external) DO UPDATE SET external = EXCLUDED.external RETURNING node_id INTO id;
        END IF;
    END IF;
    RETURN id;
END $$;

CREATE FUNCTION datalayer._lineage_record(edges jsonb, columns jsonb, role name, query_id bigint)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    e jsonb;
BEGIN
    FOR e IN SELECT * FROM jsonb_array_elements(edges) LOOP
        INSERT INTO datalayer.lineage_edge AS l (source_node, target_node, kind, last_role, last_query_id)
        VALUES (datalayer._lineage_node((e->>'source')::oid, e->>'source_external'),
                datalayer._lineage_node((e->>'target')::oid, e->>'target_external'),
                e->>'kind', role, query_id)
        ON CONFLICT (source_node, target_node, kind) DO UPDATE
           SET last_seen = now(), times_seen = l.times_seen + 1, last_role = EXCLUDED.last_role,
               last_query_id = EXCLUDED.last_query_id;
    END LOOP;
    FOR e IN SELECT * FROM jsonb_array_elements(columns) LOOP
        INSERT INTO datalayer.column_lineage AS c (source_node, source_attnum, target_node, target_attnum, type, subtype)
        VALUES (datalayer._lineage_node((e->>'source')::oid, NULL), (e->>'source_attnum')::smallint,
                datalayer._lineage_node((e->>'target')::oid, NULL), (e->>'target_attnum')::smallint,
                e->>'type', e->>'subtype')
        ON CONFLICT (source_node, source_attnum, target_node, target_attnum, subtype) DO UPDATE
           SET last_seen = now(), times_seen = c.times_seen + 1;
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION datalayer._lineage_node(oid, text), datalayer._lineage_record(jsonb, jsonb, name, bigint) FROM PUBLIC;

-- Replace a target's column lineage (a view or table re-created, a
-- CREATE TABLE AS): its columns now come only from this statement.
CREATE FUNCTION datalayer._lineage_reset_target(target oid)
RETURNS void LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    DELETE FROM datalayer.lineage_edge WHERE target_node = (SELECT node_id FROM datalayer.lineage_node WHERE relid = target);
    DELETE FROM datalayer.column_lineage WHERE target_node = (SELECT node_id FROM datalayer.lineage_node WHERE relid = target);
$$;
REVOKE ALL ON FUNCTION datalayer._lineage_reset_target(oid) FROM PUBLIC;

-- A dropped relation takes its node and edges with it.
CREATE FUNCTION datalayer._lineage_forget_dropped()
RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM datalayer.lineage_node n
     USING pg_event_trigger_dropped_objects() d
     WHERE d.classid = 'pg_class'::regclass AND d.objsubid = 0 AND d.objid = n.relid;
    -- files and programs that no longer connect to anything
    DELETE FROM datalayer.lineage_node n
     WHERE n.external IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM datalayer.lineage_edge e WHERE n.node_id IN (e.source_node, e.target_node));
    -- a dropped column: its column edges go, the table's stay
    DELETE FROM datalayer.column_lineage c
     USING pg_event_trigger_dropped_objects() d, datalayer.lineage_node n
     WHERE d.classid = 'pg_class'::regclass AND d.objsubid > 0 AND n.relid = d.objid
       AND ((c.source_node = n.node_id AND c.source_attnum = d.objsubid)
            OR (c.target_node = n.node_id AND c.target_attnum = d.objsubid));
END $$;
CREATE EVENT TRIGGER datalayer_lineage_forget_dropped ON sql_drop
    EXECUTE FUNCTION datalayer._lineage_forget_dropped();

-- ---- reading it: only what the reader may see ----

-- A node as a reader sees it: its current name, or NULL when the reader
-- may not see the relation (no USAGE on its schema, no privilege on it).
CREATE FUNCTION datalayer._lineage_node_name(n datalayer.lineage_node)
RETURNS text LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE
        WHEN n.external IS NOT NULL THEN n.external
        ELSE (SELECT format('%I.%I', ns.nspname, c.relname)
                FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
               WHERE c.oid = n.relid
                 AND has_schema_privilege(ns.oid, 'USAGE')
                 AND has_table_privilege(c.oid, 'SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER'))
    END
$$;

CREATE VIEW datalayer.lineage_nodes AS
SELECT n.node_id, n.relid::regclass AS relation, datalayer._lineage_node_name(n) AS name,
       CASE WHEN n.external LIKE 'file:%' THEN 'file' WHEN n.external LIKE 'program:%' THEN 'program'
            ELSE (SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                                        WHEN 'f' THEN 'foreign table' ELSE 'table' END
                    FROM pg_class c WHERE c.oid = n.relid) END AS node_type
FROM datalayer.lineage_node n
WHERE datalayer._lineage_node_name(n) IS NOT NULL;

CREATE VIEW datalayer.lineage_edges AS
SELECT s.name AS source, t.name AS target, e.kind, e.first_seen, e.last_seen, e.times_seen, e.last_role,
       e.last_query_id, s.relation AS source_relation, t.relation AS target_relation,
       e.source_node, e.target_node
FROM datalayer.lineage_edge e
JOIN datalayer.lineage_nodes s ON s.node_id = e.source_node
JOIN datalayer.lineage_nodes t ON t.node_id = e.target_node;

CREATE VIEW datalayer.column_lineage_edges AS
SELECT s.name AS source, CASE WHEN c.source_attnum > 0 THEN sa.attname END AS source_column,
       t.name AS target, CASE WHEN c.target_attnum > 0 THEN ta.attname END AS target_column,
       c.type, c.subtype, c.first_seen, c.last_seen, c.times_seen,
       s.relation AS source_relation, c.source_attnum, t.relation AS target_relation, c.target_attnum
FROM datalayer.column_lineage c
JOIN datalayer.lineage_nodes s ON s.node_id = c.source_node
JOIN datalayer.lineage_nodes t ON t.node_id = c.target_node
LEFT JOIN pg_attribute sa ON sa.attrelid = s.relation AND sa.attnum = c.source_attnum
LEFT JOIN pg_attribute ta ON ta.attrelid = t.relation AND ta.attnum = c.target_attnum;

GRANT SELECT ON datalayer.lineage_nodes, datalayer.lineage_edges, datalayer.column_lineage_edges TO PUBLIC;

-- the graph from a relation, upstream or downstream, as rows (from, to, depth, kind)
CREATE FUNCTION datalayer._lineage_walk(start regclass, upstream boolean, max_depth int)
RETURNS TABLE(source text, target text, depth int, kind text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    WITH RECURSIVE walk(source_node, target_node, source, target, depth, kind, path) AS (
        SELECT e.source_node, e.target_node, e.source, e.target, 1, e.kind,
               ARRAY[CASE WHEN upstream THEN e.target_node ELSE e.source_node END,
                     CASE WHEN upstream THEN e.source_node ELSE e.target_node END]
          FROM datalayer.lineage_edges e
         WHERE (CASE WHEN upstream THEN e.target_relation ELSE e.source_relation END) = start
        UNION ALL
        SELECT e.source_node, e.target_node, e.source, e.target, w.depth + 1, e.kind,
               w.path || CASE WHEN upstream THEN e.source_node ELSE e.target_node END
          FROM walk w
          JOIN datalayer.lineage_edges e
            ON (CASE WHEN upstream THEN e.target_node ELSE e.source_node END)
             = (CASE WHEN upstream THEN w.source_node ELSE w.target_node END)
         WHERE (max_depth IS NULL OR w.depth < max_depth)
           AND NOT (CASE WHEN upstream THEN e.source_node ELSE e.target_node END) = ANY (w.path))
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
        SELECT DISTINCT e.target_node, e.target, e.target_relation
          FROM datalayer.lineage_edges e
         WHERE (rel IS NULL OR e.target_relation = rel) AND (since IS NULL OR e.last_seen >= since))
    SELECT jsonb_build_object(
        'eventType', 'COMPLETE',
        'eventTime', (SELECT max(e.last_seen) FROM datalayer.lineage_edges e WHERE e.target_node = t.target_node),
        'producer', 'urn:datalayer',
        'schemaURL', 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
        'run', jsonb_build_object('runId', md5(t.target || coalesce(since::text, ''))::uuid),
        'job', jsonb_build_object('namespace', 'postgres://' || current_database(),
                                  'name', 'datalayer.lineage.' || t.target),
        'inputs', (SELECT coalesce(jsonb_agg(datalayer._openlineage_dataset(e.source_relation, e.source) ORDER BY e.source), '[]')
                     FROM (SELECT DISTINCT source, source_relation FROM datalayer.lineage_edges e2
                            WHERE e2.target_node = t.target_node) e),
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
