-- Column-level lineage: classification, and resolution through subqueries,
-- CTEs (recursive too), set operations, LATERAL, window functions, CASE and
-- coalesce, SELECT *, functions, VALUES and views used as sources.
SET client_min_messages = warning;
CREATE TABLE src_a (id int, x numeric, y numeric, grp text, ts timestamptz);
CREATE TABLE src_b (id int, label text, parent int);
CREATE FUNCTION pg_temp.lineage_of(rel regclass)
RETURNS TABLE(target_column name, source text, source_column name, type text, subtype text)
LANGUAGE sql AS $$
    SELECT target_column, source, source_column, type, subtype FROM datalayer.column_lineage_edges
    WHERE target_relation = rel ORDER BY 1, 2, 3, 5
$$;

-- identity, cast, expression, aggregate; filter, group, sort, join
CREATE TABLE t_basic AS
SELECT a.id, a.x::int AS x_int, a.x + a.y AS total, max(b.label) AS top_label
FROM src_a a JOIN src_b b ON b.id = a.id
WHERE a.y > 0
GROUP BY a.id, a.x, a.y ORDER BY a.id;
SELECT * FROM pg_temp.lineage_of('t_basic');

-- subqueries in FROM, scalar subqueries, EXISTS
CREATE TABLE t_sub AS
SELECT s.id, s.doubled, (SELECT count(*) FROM src_b b WHERE b.parent = s.id) AS children
FROM (SELECT id, x * 2 AS doubled FROM src_a WHERE grp = 'g1') s
WHERE EXISTS (SELECT 1 FROM src_b b2 WHERE b2.id = s.id AND b2.label <> '');
SELECT * FROM pg_temp.lineage_of('t_sub');

-- CTEs, and a recursive one (its recursion terminates)
CREATE TABLE t_cte AS
WITH RECURSIVE tree(id, label, depth) AS (
    SELECT id, label, 0 FROM src_b WHERE parent IS NULL
    UNION ALL
    SELECT b.id, tree.label || '/' || b.label, tree.depth + 1 FROM src_b b JOIN tree ON b.parent = tree.id
), sums AS (SELECT id, sum(x) AS sx FROM src_a GROUP BY id)
SELECT tree.id, tree.label, tree.depth, sums.sx FROM tree LEFT JOIN sums USING (id);
SELECT * FROM pg_temp.lineage_of('t_cte');

-- set operations: every branch
CREATE TABLE t_union AS
SELECT id, grp AS name FROM src_a
UNION
SELECT id, label FROM src_b
EXCEPT
SELECT parent, label FROM src_b WHERE parent > 10;
SELECT * FROM pg_temp.lineage_of('t_union');

-- LATERAL, window functions, CASE, coalesce
CREATE TABLE t_lateral AS
SELECT a.id, l.best, rank() OVER (PARTITION BY a.grp ORDER BY a.ts) AS r,
       CASE WHEN a.x > 10 THEN a.y ELSE 0 END AS y_if_big, coalesce(a.grp, 'none') AS g
FROM src_a a, LATERAL (SELECT max(b.label) AS best FROM src_b b WHERE b.parent = a.id) l;
SELECT * FROM pg_temp.lineage_of('t_lateral');

-- SELECT *, VALUES and functions
CREATE TABLE t_star AS SELECT * FROM src_b;
CREATE TABLE t_values AS SELECT v.n, v.s || a.grp AS tag FROM (VALUES (1, 'a'), (2, 'b')) v(n, s) JOIN src_a a ON a.id = v.n;
CREATE TABLE t_func AS SELECT f.i AS i, upper(b.label) AS up FROM src_b b, generate_series(1, b.id) f(i);
SELECT * FROM pg_temp.lineage_of('t_star');
SELECT * FROM pg_temp.lineage_of('t_values');
SELECT * FROM pg_temp.lineage_of('t_func');

-- views used as sources: the view and the base columns behind it
CREATE VIEW v_a AS SELECT id, x * 10 AS x10, grp FROM src_a WHERE y IS NOT NULL;
CREATE TABLE t_from_view AS SELECT id, x10 FROM v_a WHERE grp = 'g2';
SELECT * FROM pg_temp.lineage_of('t_from_view');
SELECT source, target, kind FROM datalayer.lineage_edges WHERE target = 'public.t_from_view' ORDER BY 1;

-- INSERT with a column list in another order, and ON CONFLICT
CREATE TABLE t_insert (a int, b text, c numeric);
INSERT INTO t_insert (c, a) SELECT x, id FROM src_a;
SELECT * FROM pg_temp.lineage_of('t_insert');

DROP TABLE src_a, src_b, t_basic, t_sub, t_cte, t_union, t_lateral, t_star, t_values, t_func, t_from_view, t_insert CASCADE;
