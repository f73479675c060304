-- Approximate percentiles and distinct counts, checked against exact
-- percentile_disc and count(DISTINCT)
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- 1 million values from three shapes: uniform latencies, a heavy tail over
-- nine orders of magnitude, and values of both signs with zeros
SELECT setseed(0.7);
CREATE TABLE samples AS
SELECT g, (random() * 100)::float8 AS uniform,
       exp(random() * 20 - 4)::float8 AS heavy,
       CASE WHEN g % 10 = 0 THEN 0 ELSE (random() - 0.6) * 1000 END::float8 AS mixed
FROM generate_series(1, 1000000) g;

CREATE TABLE percentiles (p float8);
INSERT INTO percentiles VALUES (0), (0.001), (0.01), (0.1), (0.25), (0.5), (0.75), (0.9), (0.99), (0.999), (1);

-- every estimate is within error(sketch) of the exact nearest-rank percentile
WITH s AS (SELECT datalayer.percentile_agg(uniform) AS u, datalayer.percentile_agg(heavy) AS h,
                  datalayer.percentile_agg(mixed) AS m FROM samples),
ps AS (SELECT array_agg(p ORDER BY p) AS ps FROM percentiles),
exact AS (SELECT ps, percentile_disc(ps) WITHIN GROUP (ORDER BY uniform) AS u,
                 percentile_disc(ps) WITHIN GROUP (ORDER BY heavy) AS h,
                 percentile_disc(ps) WITHIN GROUP (ORDER BY mixed) AS m
          FROM samples, ps GROUP BY ps),
pairs AS (SELECT e.p, e.u, e.h, e.m FROM exact, unnest(exact.ps, exact.u, exact.h, exact.m) e(p, u, h, m))
SELECT count(*) AS percentiles_checked,
       bool_and(abs(datalayer.approx_percentile(p, s.u) - pairs.u) <= datalayer.error(s.u) * abs(pairs.u)) AS uniform_within_bound,
       bool_and(abs(datalayer.approx_percentile(p, s.h) - pairs.h) <= datalayer.error(s.h) * abs(pairs.h)) AS heavy_within_bound,
       bool_and(abs(datalayer.approx_percentile(p, s.m) - pairs.m) <= datalayer.error(s.m) * abs(pairs.m)) AS mixed_within_bound,
       max(datalayer.error(s.u)) AS uniform_error, max(datalayer.error(s.h)) AS heavy_error
FROM s, pairs;

-- the median per bucket, as a dashboard asks for it
SELECT g / 250000 AS quarter, round(datalayer.approx_percentile(0.5, datalayer.percentile_agg(uniform))::numeric, 1) AS median,
       round(datalayer.approx_percentile(0.99, datalayer.percentile_agg(uniform))::numeric, 1) AS p99
FROM samples GROUP BY 1 ORDER BY 1;

-- rollup of per-bucket sketches gives the same percentiles as one sketch over all rows
WITH parts AS (SELECT g % 7 AS k, datalayer.percentile_agg(heavy) AS s FROM samples GROUP BY 1),
     whole AS (SELECT datalayer.percentile_agg(heavy) AS s FROM samples)
SELECT bool_and(datalayer.approx_percentile(p, r.s) = datalayer.approx_percentile(p, whole.s)) AS rollup_same,
       max(datalayer.num_vals(r.s)) AS num_vals
FROM (SELECT datalayer.rollup(s) AS s FROM parts) r, whole, percentiles;

-- exact statistics kept alongside the sketch; a custom size and error
SELECT datalayer.num_vals(s), datalayer.min_val(s) = min AS min_exact, datalayer.max_val(s) = max AS max_exact,
       abs(datalayer.mean(s) - avg) < 1e-9 * abs(avg) AS mean_exact
FROM (SELECT datalayer.percentile_agg(mixed) s, min(mixed), max(mixed), avg(mixed) FROM samples) x;
SELECT datalayer.error(datalayer.uddsketch(100, 0.01, heavy)) > 0.01 AS collapsed_under_100_buckets,
       datalayer.error(datalayer.uddsketch(10000, 0.01, heavy)) AS error_with_room
FROM samples;

-- parallel aggregation
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET max_parallel_workers_per_gather = 2;
SELECT datalayer.approx_percentile(0.5, datalayer.percentile_agg(uniform)) =
       (SELECT datalayer.approx_percentile(0.5, datalayer.percentile_agg(uniform)) FROM samples) AS parallel_same,
       abs(datalayer.distinct_count(datalayer.hll_agg(g)) - 1000000) < 30000 AS parallel_distinct_ok
FROM samples;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET max_parallel_workers_per_gather;

-- edge cases and bad input
SELECT datalayer.percentile_agg(uniform) IS NULL AS no_rows FROM samples WHERE false;
SELECT datalayer.approx_percentile(0.5, datalayer.percentile_agg(NULL::float8)) AS all_null;
SELECT datalayer.approx_percentile(0.5, datalayer.percentile_agg(x))
FROM (VALUES (-5::float8), (0), (0), (7)) t(x);
SELECT pg_temp.err($$SELECT datalayer.approx_percentile(1.5, datalayer.percentile_agg(uniform)) FROM samples$$);
SELECT pg_temp.err($$SELECT datalayer.approx_percentile('NaN', datalayer.percentile_agg(uniform)) FROM samples$$);
SELECT pg_temp.err($$SELECT datalayer.percentile_agg(x) FROM (VALUES (1::float8), ('NaN')) t(x)$$);
SELECT pg_temp.err($$SELECT datalayer.percentile_agg(x) FROM (VALUES (1::float8), ('-Infinity')) t(x)$$);
SELECT pg_temp.err($$SELECT datalayer.uddsketch(2, 0.01, uniform) FROM samples$$);
SELECT pg_temp.err($$SELECT datalayer.uddsketch(100, 0.9, uniform) FROM samples$$);
SELECT pg_temp.err($$SELECT datalayer.rollup(s) FROM (SELECT datalayer.uddsketch(100, 0.01, uniform) s FROM samples
                     UNION ALL SELECT datalayer.uddsketch(100, 0.02, uniform) FROM samples) x$$);
SELECT pg_temp.err($$SELECT 'bm90IGEgc2tldGNo'::datalayer.uddsketch$$);

-- distinct counts: 10 million distinct values within 3 standard errors
SELECT datalayer.stderror(h) AS stderror,
       abs(datalayer.distinct_count(h) - 10000000) / 1e7 <= 3 * datalayer.stderror(h) AS within_3_stderr
FROM (SELECT datalayer.hll_agg(g) h FROM generate_series(1, 10000000) g) x;
-- small counts are exact or nearly (sparse form); duplicates do not count
SELECT n, datalayer.distinct_count(datalayer.hll_agg(g % n)) AS estimate
FROM generate_series(1, 20000) g, (VALUES (1), (10), (1000)) v(n) GROUP BY n ORDER BY n;
-- any hashable type, text under its collation; precisions
SELECT datalayer.distinct_count(datalayer.hll_agg(md5(g::text))) BETWEEN 98000 AND 102000 AS text_ok,
       datalayer.distinct_count(datalayer.hll_agg(g::numeric, 10)) BETWEEN 90000 AND 110000 AS numeric_p10_ok,
       datalayer.stderror(datalayer.hll_agg(g, 18)) AS p18_stderror
FROM generate_series(1, 100000) g;
-- rollup is the union: per-group sketches roll up to the same estimate
WITH parts AS (SELECT g % 13 AS k, datalayer.hll_agg(g / 3) AS h FROM generate_series(1, 300000) g GROUP BY 1)
SELECT datalayer.distinct_count(datalayer.rollup(h)) =
       (SELECT datalayer.distinct_count(datalayer.hll_agg(g / 3)) FROM generate_series(1, 300000) g) AS rollup_is_union
FROM parts;
SELECT datalayer.hll_agg(x) IS NULL AS no_rows FROM generate_series(1, 0) x;
SELECT datalayer.distinct_count(datalayer.hll_agg(NULL::int)) AS all_null;
SELECT pg_temp.err($$SELECT datalayer.hll_agg(g, 3) FROM generate_series(1, 10) g$$);
SELECT pg_temp.err($$SELECT datalayer.hll_agg(g, 19) FROM generate_series(1, 10) g$$);
SELECT pg_temp.err($$SELECT datalayer.hll_agg(point(g, g)) FROM generate_series(1, 10) g$$);
SELECT pg_temp.err($$SELECT 'AQ=='::datalayer.hyperloglog$$);
SELECT (SELECT datalayer.hll_agg(g) FROM generate_series(1, 1000) g)::text::datalayer.hyperloglog IS NOT NULL AS text_round_trip;
