-- Lineage capture: DDL and DML as they run, inside functions and procedures,
-- COPY, and what a rolled-back or failed statement leaves (nothing).
SET client_min_messages = warning;
CREATE TABLE orders (id int, customer_id int, amount numeric, status text);
CREATE TABLE customers (id int, name text, country text);
INSERT INTO orders VALUES (1, 1, 10, 'paid'), (2, 1, 20, 'paid'), (3, 2, 5, 'open');
INSERT INTO customers VALUES (1, 'ann', 'de'), (2, 'bob', 'fr');
-- seeds (INSERT ... VALUES) have no upstream
SELECT count(*) AS edges_after_seeds FROM datalayer.lineage_edges;

-- INSERT ... SELECT
CREATE TABLE sales (customer text, total numeric, n int);
INSERT INTO sales (customer, total, n)
SELECT c.name, sum(o.amount), count(*) FROM orders o JOIN customers c ON c.id = o.customer_id
WHERE o.status = 'paid' GROUP BY c.name;
SELECT source, target, kind, times_seen, last_role = current_user AS by_me FROM datalayer.lineage_edges ORDER BY 1, 2;
-- the same statement again counts as a second observation
INSERT INTO sales (customer, total, n)
SELECT c.name, sum(o.amount), count(*) FROM orders o JOIN customers c ON c.id = o.customer_id
WHERE o.status = 'paid' GROUP BY c.name;
SELECT source, times_seen, last_seen >= first_seen AS ordered FROM datalayer.lineage_edges ORDER BY 1;

-- UPDATE ... FROM, DELETE ... USING, MERGE
CREATE TABLE customer_totals (customer_id int, total numeric, flagged boolean);
INSERT INTO customer_totals VALUES (1, 0, false), (2, 0, false);
UPDATE customer_totals t SET total = o.amount FROM orders o WHERE o.customer_id = t.customer_id AND o.id = 1;
DELETE FROM customer_totals t USING customers c WHERE c.id = t.customer_id AND c.country = 'fr';
MERGE INTO customer_totals t USING orders o ON o.customer_id = t.customer_id
WHEN MATCHED AND o.status = 'open' THEN UPDATE SET flagged = true
WHEN NOT MATCHED THEN INSERT VALUES (o.customer_id, o.amount, false);
SELECT source, target, kind FROM datalayer.lineage_edges WHERE target = 'public.customer_totals' ORDER BY 3, 1;
SELECT source, source_column, target_column, type, subtype FROM datalayer.column_lineage_edges
WHERE target = 'public.customer_totals' ORDER BY 3, 1, 2, 5;

-- CREATE TABLE AS, SELECT INTO, views, materialized views
CREATE TABLE big_orders AS SELECT id, amount FROM orders WHERE amount > 6;
SELECT id, amount * 2 AS doubled INTO doubled_orders FROM big_orders;
CREATE VIEW paid_orders AS SELECT id, customer_id, amount FROM orders WHERE status = 'paid';
CREATE MATERIALIZED VIEW revenue AS SELECT customer_id, sum(amount) AS revenue FROM paid_orders GROUP BY 1;
REFRESH MATERIALIZED VIEW revenue;
SELECT source, target, kind, times_seen FROM datalayer.lineage_edges
WHERE kind IN ('create_table_as', 'view', 'materialized_view') ORDER BY 2, 1;
-- CREATE OR REPLACE VIEW: the view's lineage is what it reads now
CREATE OR REPLACE VIEW paid_orders AS SELECT id, customer_id, amount FROM orders WHERE status = 'paid' AND amount > 0
UNION ALL SELECT 0, id, 0 FROM customers;
SELECT source, target FROM datalayer.lineage_edges WHERE target = 'public.paid_orders' ORDER BY 1;

-- SQL inside functions and procedures is captured too, each run counted
CREATE FUNCTION copy_big(limit_amount numeric) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO big_orders SELECT id, amount FROM orders WHERE amount > limit_amount;
END $$;
CREATE PROCEDURE load_customers() LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sales (customer) SELECT name FROM customers;
    COMMIT;
END $$;
SELECT copy_big(15);
SELECT copy_big(1);
CALL load_customers();
SELECT source, target, kind, times_seen FROM datalayer.lineage_edges
WHERE (source, target) IN (('public.orders', 'public.big_orders'), ('public.customers', 'public.sales')) ORDER BY 1, 2, 3;

-- COPY to and from files and programs: the file is a dataset node
COPY (SELECT id, name FROM customers) TO PROGRAM 'cat > /dev/null';
COPY orders TO '/dev/null';
COPY customers FROM PROGRAM 'printf "9\tzed\tnl\n"';
SELECT source, target, kind FROM datalayer.lineage_edges WHERE kind = 'copy' ORDER BY 1, 2;
SELECT name, node_type FROM datalayer.lineage_nodes WHERE node_type IN ('file', 'program') ORDER BY 1;

-- a rolled-back transaction leaves no lineage; a failed statement neither
CREATE TABLE rolled (x numeric);
BEGIN;
INSERT INTO rolled SELECT amount FROM orders;
ROLLBACK;
INSERT INTO rolled SELECT amount / 0 FROM orders;
SELECT count(*) AS edges_into_rolled FROM datalayer.lineage_edges WHERE target = 'public.rolled';
-- a subtransaction rolled back by an exception handler leaves none either
DO $$ BEGIN INSERT INTO rolled SELECT amount FROM orders; RAISE EXCEPTION 'undo'; EXCEPTION WHEN OTHERS THEN NULL; END $$;
SELECT count(*) AS edges_into_rolled FROM datalayer.lineage_edges WHERE target = 'public.rolled';

-- capture can be turned off (by a superuser, per session, role or database)
SET datalayer.lineage_capture = off;
INSERT INTO rolled SELECT amount FROM orders;
RESET datalayer.lineage_capture;
SELECT count(*) AS edges_into_rolled FROM datalayer.lineage_edges WHERE target = 'public.rolled';
CREATE ROLE dl_lineage_user;
SET ROLE dl_lineage_user;
SET datalayer.lineage_capture = off;
RESET ROLE;

-- ordinary users cannot write the catalog
GRANT SELECT ON orders TO dl_lineage_user;
SET ROLE dl_lineage_user;
INSERT INTO datalayer.lineage_event (kind) VALUES ('forged');
SELECT datalayer._lineage_record('[]', '[]', 'x', 0);
RESET ROLE;
REVOKE ALL ON orders FROM dl_lineage_user;
DROP ROLE dl_lineage_user;
DROP TABLE orders, customers, sales, customer_totals, big_orders, doubled_orders, rolled CASCADE;
DROP FUNCTION copy_big;
DROP PROCEDURE load_customers;
SELECT (SELECT count(*) FROM datalayer._lineage_edges_all) AS edges_left, (SELECT count(*) FROM datalayer._column_lineage_all) AS column_edges_left;
