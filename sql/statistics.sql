-- stats_agg(): descriptive statistics and regression that roll up, checked
-- against PostgreSQL's own aggregates and exact two-pass SQL
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- relative closeness for checks against exact results
CREATE FUNCTION pg_temp.close(a float8, b float8, tol float8 DEFAULT 1e-9) RETURNS boolean
LANGUAGE sql AS $$ SELECT abs(a - b) <= tol * greatest(abs(a), abs(b), 1e-300) $$;

CREATE TABLE readings (time timestamptz, host text, v float8, load float8);
SELECT setseed(0.42);
INSERT INTO readings
SELECT timestamptz '2024-01-01' + g * interval '1 minute', 'h' || (g % 4),
       1e6 + 100 * (random() - 0.5) ^ 3, 0
FROM generate_series(0, 20159) g;
UPDATE readings SET load = 2.5 * v + 7 + 30 * (random() - 0.5);

-- one summary per host, read with the accessors
SELECT host, datalayer.num_vals(s), round(datalayer.average(s)::numeric, 6) AS average,
       round(datalayer.stddev(s)::numeric, 6) AS stddev, round(datalayer.skewness(s)::numeric, 4) AS skewness
FROM (SELECT host, datalayer.stats_agg(v) AS s FROM readings GROUP BY host) x ORDER BY host;

-- the same numbers as PostgreSQL's aggregates and exact two-pass moments
WITH m AS (SELECT avg(v) mu, count(*) n FROM readings),
     exact AS (SELECT avg(v) AS mean, var_samp(v) AS vs, var_pop(v) AS vp, stddev_samp(v) AS ss,
                      stddev_pop(v) AS sp, min(v) AS lo, max(v) AS hi,
                      sum((v - mu) ^ 3) / n / (sum((v - mu) ^ 2) / n) ^ 1.5 AS g1,
                      sum((v - mu) ^ 4) / n / (sum((v - mu) ^ 2) / n) ^ 2 - 3 AS g2,
                      max(n) AS n
               FROM readings, m GROUP BY n),
     s AS (SELECT datalayer.stats_agg(v) AS s FROM readings)
SELECT datalayer.num_vals(s) = n AS num_vals,
       pg_temp.close(datalayer.average(s), mean) AS average,
       pg_temp.close(datalayer.variance(s), vs, 1e-7) AS var_samp,
       pg_temp.close(datalayer.variance(s, 'population'), vp, 1e-7) AS var_pop,
       pg_temp.close(datalayer.stddev(s), ss, 1e-7) AS stddev_samp,
       pg_temp.close(datalayer.stddev(s, 'population'), sp, 1e-7) AS stddev_pop,
       datalayer.min_val(s) = lo AND datalayer.max_val(s) = hi AS min_max,
       pg_temp.close(datalayer.skewness(s, 'population'), g1, 1e-6) AS skewness,
       pg_temp.close(datalayer.kurtosis(s, 'population'), g2, 1e-6) AS kurtosis,
       pg_temp.close(datalayer.skewness(s), g1 * sqrt(n * (n - 1.0)) / (n - 2), 1e-6) AS skewness_sample,
       pg_temp.close(datalayer.kurtosis(s), ((n + 1.0) * g2 + 6) * (n - 1) / ((n - 2.0) * (n - 3)), 1e-6) AS kurtosis_sample
FROM exact, s;

-- hourly summaries roll up into daily ones: the same as aggregating the rows
CREATE TABLE hourly AS
SELECT datalayer.time_bucket('1 hour', time) AS hour, host, datalayer.stats_agg(v) AS s,
       datalayer.stats_agg(load, v) AS r
FROM readings GROUP BY 1, 2;
SELECT count(*) AS days,
       bool_and(datalayer.num_vals(d.s) = datalayer.num_vals(x.s)
                AND pg_temp.close(datalayer.average(d.s), datalayer.average(x.s))
                AND pg_temp.close(datalayer.variance(d.s), datalayer.variance(x.s), 1e-8)
                AND pg_temp.close(datalayer.kurtosis(d.s), datalayer.kurtosis(x.s), 1e-6)
                AND datalayer.max_val(d.s) = datalayer.max_val(x.s)
                AND pg_temp.close(datalayer.slope(d.r), datalayer.slope(x.r), 1e-8)) AS rollup_exact
FROM (SELECT datalayer.time_bucket('1 day', hour) AS day, datalayer.rollup(s) AS s, datalayer.rollup(r) AS r
      FROM hourly GROUP BY 1) d
JOIN (SELECT datalayer.time_bucket('1 day', time) AS day, datalayer.stats_agg(v) AS s,
             datalayer.stats_agg(load, v) AS r
      FROM readings GROUP BY 1) x USING (day);

-- regression: slope, intercept, r², correlation and covariance
SELECT round(datalayer.slope(r)::numeric, 3) AS slope, round(datalayer.intercept(r)::numeric, 0) AS intercept,
       round(datalayer.r_squared(r)::numeric, 3) AS r_squared
FROM (SELECT datalayer.stats_agg(load, v) AS r FROM readings) x;
SELECT pg_temp.close(datalayer.slope(r), regr_slope, 1e-8) AS slope,
       pg_temp.close(datalayer.intercept(r), regr_intercept, 1e-8) AS intercept,
       pg_temp.close(datalayer.r_squared(r), regr_r2, 1e-8) AS r_squared,
       pg_temp.close(datalayer.corr(r), corr, 1e-8) AS corr,
       pg_temp.close(datalayer.covariance(r), covar_samp, 1e-8) AS covar_samp,
       pg_temp.close(datalayer.covariance(r, 'population'), covar_pop, 1e-8) AS covar_pop,
       datalayer.num_vals(r) = regr_count AS num_vals
FROM (SELECT datalayer.stats_agg(load, v) AS r, regr_slope(load, v), regr_intercept(load, v),
             regr_r2(load, v), corr(load, v), covar_samp(load, v), covar_pop(load, v),
             regr_count(load, v)
      FROM readings) x;

-- parallel partial aggregation gives the same summaries
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT pg_temp.close(datalayer.variance(datalayer.stats_agg(v)), var_samp(v), 1e-8) AS parallel_variance,
       pg_temp.close(datalayer.slope(datalayer.stats_agg(load, v)), regr_slope(load, v), 1e-8) AS parallel_slope
FROM readings;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- edge cases: NULLs skipped, empty input, one value, NaN and infinity propagate
SELECT datalayer.stats_agg(v) IS NULL AS no_rows FROM readings WHERE false;
SELECT datalayer.num_vals(s), datalayer.average(s), datalayer.variance(s), datalayer.skewness(s)
FROM (SELECT datalayer.stats_agg(x) s FROM (VALUES (NULL::float8), (NULL)) t(x)) y;
SELECT datalayer.num_vals(s), datalayer.average(s), datalayer.variance(s),
       datalayer.variance(s, 'population'), datalayer.min_val(s)
FROM (SELECT datalayer.stats_agg(x) s FROM (VALUES (5::float8), (NULL)) t(x)) y;
SELECT datalayer.average(s), datalayer.variance(s)
FROM (SELECT datalayer.stats_agg(x) s FROM (VALUES (1::float8), ('NaN'), (3)) t(x)) y;
SELECT datalayer.average(s), datalayer.max_val(s)
FROM (SELECT datalayer.stats_agg(x) s FROM (VALUES (1::float8), ('Infinity')) t(x)) y;
SELECT datalayer.slope(r), datalayer.num_vals(r)
FROM (SELECT datalayer.stats_agg(y, x) r FROM (VALUES (1::float8, 2::float8), (2, 2), (NULL, 3)) t(y, x)) z;

-- text and binary forms round-trip; malformed input is rejected
SELECT bool_and(s::text::datalayer.stats_summary::text = s::text AND r::text::datalayer.stats_summary2::text = r::text)
       AS text_round_trip
FROM hourly;
SELECT pg_temp.err($$SELECT 'not base64!'::datalayer.stats_summary$$);
SELECT pg_temp.err($$SELECT 'AAAA'::datalayer.stats_summary$$);
SELECT pg_temp.err($$SELECT datalayer.variance(s, 'biased') FROM hourly$$);
