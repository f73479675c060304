-- Reading lineage: upstream and downstream graphs, column lineage, impact,
-- OpenLineage, DOT and Mermaid exports; what each user may see; names with
-- quotes, spaces and unicode.
SET client_min_messages = warning;
CREATE SCHEMA "Sales Data";
CREATE TABLE "Sales Data"."Orders ""EU""" (id int, "Amount €" numeric, region text);
CREATE TABLE staging (id int, amount numeric, region text);
INSERT INTO staging SELECT id, "Amount €", region FROM "Sales Data"."Orders ""EU""";
CREATE TABLE by_region AS SELECT region, sum(amount) AS total FROM staging GROUP BY region;
CREATE VIEW dashboard AS SELECT region, total, total > 100 AS big FROM by_region;
CREATE TABLE secret_src (k int, pii text);
CREATE TABLE enriched AS SELECT s.id, p.pii FROM staging s JOIN secret_src p ON p.k = s.id;

SELECT * FROM datalayer.lineage_upstream('dashboard');
SELECT * FROM datalayer.lineage_upstream('dashboard', 1);
SELECT * FROM datalayer.lineage_downstream('"Sales Data"."Orders ""EU"""');
SELECT * FROM datalayer.column_lineage_upstream('dashboard', 'total');
SELECT * FROM datalayer.column_lineage_downstream('"Sales Data"."Orders ""EU"""', 'Amount €');
SELECT * FROM datalayer.impact('staging');
SELECT * FROM datalayer.impact('staging', 'region');
SELECT datalayer.lineage_dot('by_region');
SELECT datalayer.lineage_mermaid('by_region');

-- OpenLineage RunEvent for one relation: inputs, outputs, schema and columnLineage facets
SELECT jsonb_pretty(e - 'eventTime' - 'run') FROM datalayer.lineage_openlineage('by_region') e;
SELECT count(*) AS events, bool_and(e ? 'eventTime' AND e->'run' ? 'runId') AS complete
FROM datalayer.lineage_openlineage(since => now() - interval '1 hour') e;

-- compaction folds events into the summary; what the views show does not change
CREATE TEMP TABLE before_compaction AS
SELECT source, target, kind, times_seen FROM datalayer.lineage_edges
UNION ALL SELECT source || '.' || source_column, target || '.' || coalesce(target_column, '*'), subtype, times_seen
FROM datalayer.column_lineage_edges;
SELECT datalayer.lineage_compact() > 0 AS folded_events;
SELECT count(*) AS pending_events FROM datalayer.lineage_event;
SELECT count(*) AS differences FROM (
    (SELECT * FROM before_compaction
     EXCEPT ALL
     SELECT source, target, kind, times_seen FROM datalayer.lineage_edges
     EXCEPT ALL SELECT source || '.' || source_column, target || '.' || coalesce(target_column, '*'), subtype, times_seen
                FROM datalayer.column_lineage_edges)
    UNION ALL
    (SELECT source, target, kind, times_seen FROM datalayer.lineage_edges
     UNION ALL SELECT source || '.' || source_column, target || '.' || coalesce(target_column, '*'), subtype, times_seen
               FROM datalayer.column_lineage_edges
     EXCEPT ALL SELECT * FROM before_compaction)) d;
INSERT INTO staging SELECT id, "Amount €", region FROM "Sales Data"."Orders ""EU""";
SELECT times_seen FROM datalayer.lineage_edges WHERE target = 'public.staging';

-- errors
CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT pg_temp.err($$SELECT * FROM datalayer.column_lineage_upstream('dashboard', 'nope')$$);
SELECT pg_temp.err($$SELECT * FROM datalayer.lineage_upstream('no_such_table')$$);
SELECT count(*) AS nothing_upstream FROM datalayer.lineage_upstream('secret_src');

-- privileges: a user sees only nodes they may see, and edges between them
CREATE ROLE dl_analyst;
GRANT SELECT ON by_region, dashboard, staging TO dl_analyst;
SET ROLE dl_analyst;
SELECT * FROM datalayer.lineage_upstream('dashboard');
SELECT source, target FROM datalayer.lineage_edges ORDER BY 1, 2;
SELECT count(*) AS secret_edges FROM datalayer.column_lineage_edges WHERE source LIKE '%secret%' OR target LIKE '%enriched%';
RESET ROLE;
DROP OWNED BY dl_analyst;
DROP ROLE dl_analyst;
DROP SCHEMA "Sales Data" CASCADE;
DROP TABLE staging, by_region, secret_src, enriched CASCADE;
