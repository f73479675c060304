-- Lineage stays true through renames (tables, columns, schemas) and drops,
-- and dbt's patterns come out right: table swap, view swap, incremental
-- (temporary table, DELETE ... USING, INSERT ... SELECT) and seeds.
-- Temporary tables are looked through: source -> temp -> target is recorded
-- as source -> target.
SET client_min_messages = warning;
CREATE SCHEMA raw;
CREATE SCHEMA analytics;
CREATE TABLE raw.events (id int, user_id int, kind text, at timestamptz);
INSERT INTO raw.events VALUES (1, 10, 'click', '2024-01-01'), (2, 11, 'view', '2024-01-02');

-- renames: nodes are OIDs, names are read when asked
CREATE TABLE analytics.clicks AS SELECT id, user_id FROM raw.events WHERE kind = 'click';
ALTER TABLE raw.events RENAME COLUMN user_id TO account_id;
ALTER TABLE analytics.clicks RENAME TO click_events;
ALTER SCHEMA raw RENAME TO landing;
SELECT source, source_column, target, target_column, subtype FROM datalayer.column_lineage_edges ORDER BY 3, 4, 1, 2, 5;

-- dbt table materialisation: build under a temporary name, swap, drop the old one
CREATE TABLE analytics.daily AS SELECT kind, count(*) AS n FROM landing.events GROUP BY kind;
CREATE TABLE analytics.daily__dbt_tmp AS SELECT kind, count(*) AS n, max(at) AS last_at FROM landing.events GROUP BY kind;
ALTER TABLE analytics.daily RENAME TO daily__dbt_backup;
ALTER TABLE analytics.daily__dbt_tmp RENAME TO daily;
DROP TABLE analytics.daily__dbt_backup CASCADE;
SELECT source, target, kind FROM datalayer.lineage_edges WHERE target LIKE 'analytics.daily%' ORDER BY 1, 2;
SELECT target_column, source_column, subtype FROM datalayer.column_lineage_edges
WHERE target = 'analytics.daily' ORDER BY 1, 2, 3;

-- dbt view materialisation: create the new view, swap, drop
CREATE VIEW analytics.recent AS SELECT id FROM landing.events WHERE at > '2024-01-01';
CREATE VIEW analytics.recent__dbt_tmp AS SELECT id, kind FROM landing.events WHERE at > '2023-12-01';
ALTER VIEW analytics.recent RENAME TO recent__dbt_backup;
ALTER VIEW analytics.recent__dbt_tmp RENAME TO recent;
DROP VIEW analytics.recent__dbt_backup CASCADE;
SELECT source, target, kind FROM datalayer.lineage_edges WHERE target LIKE 'analytics.recent%' ORDER BY 1, 2;
SELECT target_column, source_column, subtype FROM datalayer.column_lineage_edges
WHERE target = 'analytics.recent' ORDER BY 1, 2, 3;

-- dbt incremental: new rows into a temporary table, delete what they replace, insert them
CREATE TABLE analytics.user_activity (user_id int, last_kind text, events int);
CREATE TEMPORARY TABLE user_activity__dbt_tmp AS
SELECT account_id AS user_id, max(kind) AS last_kind, count(*)::int AS events FROM landing.events GROUP BY account_id;
DELETE FROM analytics.user_activity t USING user_activity__dbt_tmp s WHERE t.user_id = s.user_id;
INSERT INTO analytics.user_activity (user_id, last_kind, events)
SELECT user_id, last_kind, events FROM user_activity__dbt_tmp;
DROP TABLE user_activity__dbt_tmp;
SELECT source, target, kind FROM datalayer.lineage_edges WHERE target = 'analytics.user_activity' ORDER BY 3, 1;
SELECT target_column, source_column, type, subtype FROM datalayer.column_lineage_edges
WHERE target = 'analytics.user_activity' ORDER BY 1 NULLS FIRST, 2, 4;
SELECT count(*) AS temp_nodes FROM datalayer.lineage_nodes WHERE name LIKE 'pg_temp%';

-- dbt seed: CREATE TABLE and INSERT VALUES, no upstream
CREATE TABLE analytics.country_codes (code text, name text);
INSERT INTO analytics.country_codes VALUES ('de', 'Germany'), ('fr', 'France');
SELECT count(*) AS seed_upstream FROM datalayer.lineage_upstream('analytics.country_codes');

-- dropping a column removes its column edges; dropping a table its node and edges
ALTER TABLE analytics.daily DROP COLUMN last_at;
SELECT target_column FROM datalayer.column_lineage_edges WHERE target = 'analytics.daily' ORDER BY 1;
DROP TABLE landing.events CASCADE;
SELECT source, target FROM datalayer.lineage_edges ORDER BY 1, 2;
-- a new table under an old name is a new node with no history
CREATE TABLE landing.events (id int);
SELECT count(*) AS history_of_new_events FROM datalayer.lineage_downstream('landing.events');

DROP SCHEMA landing, analytics CASCADE;
SELECT count(*) AS edges_left FROM datalayer._lineage_edges_all;
