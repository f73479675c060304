-- time_bucket: fixed and calendar widths, origins, offsets, time zones, every type.
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- fixed widths on timestamptz: the grid starts on Monday 2000-01-03
SELECT w, datalayer.time_bucket(w::interval, '2024-03-14 15:47:23.5+00'::timestamptz)
FROM unnest(ARRAY['1 second', '10 seconds', '1 minute', '15 minutes', '1 hour', '6 hours',
                  '1 day', '1 week', '2 weeks']) w;
-- values before the origin floor downwards, not towards zero
SELECT datalayer.time_bucket('1 hour', '1999-12-31 23:59:59+00'::timestamptz),
       datalayer.time_bucket('1 week', '2000-01-02 12:00+00'::timestamptz);
-- every value of a bucket maps to its start, the next value to the next bucket
SELECT datalayer.time_bucket('5 minutes', ts) AS bucket, count(*)
FROM generate_series('2024-01-01 00:00+00'::timestamptz, '2024-01-01 00:14:59+00', '1 second') ts
GROUP BY 1 ORDER BY 1;
-- calendar widths
SELECT w, datalayer.time_bucket(w::interval, '2024-08-17 10:00+00'::timestamptz)
FROM unnest(ARRAY['1 month', '3 months', '6 months', '1 year', '2 years']) w;
SELECT datalayer.time_bucket('1 month', '2024-02-29 23:59:59.999999+00'::timestamptz),
       datalayer.time_bucket('1 month', '2024-03-01 00:00+00'::timestamptz),
       datalayer.time_bucket('3 months', '1999-11-30 00:00+00'::timestamptz);
-- origin and offset
SELECT datalayer.time_bucket('1 day', '2024-03-14 15:47+00'::timestamptz, '2000-01-01 06:00+00'::timestamptz),
       datalayer.time_bucket('1 day', '2024-03-14 03:47+00'::timestamptz, '2000-01-01 06:00+00'::timestamptz),
       datalayer.time_bucket('1 hour', '2024-03-14 15:47+00'::timestamptz, "offset" => interval '30 minutes'),
       datalayer.time_bucket('1 month', '2024-03-14 15:47+00'::timestamptz, '2000-01-15 00:00+00'::timestamptz),
       datalayer.time_bucket('1 month', '2024-03-14 15:47+00'::timestamptz, "offset" => interval '14 days');
-- infinities pass through
SELECT datalayer.time_bucket('1 day', 'infinity'::timestamptz),
       datalayer.time_bucket('1 day', '-infinity'::timestamp),
       datalayer.time_bucket('1 month', 'infinity'::date);

-- time zones: a day bucket starts at local midnight on both sides of a
-- daylight-saving change and lasts 23 or 25 hours on the change day
SELECT ts AT TIME ZONE 'Europe/Berlin' AS local_time,
       datalayer.time_bucket('1 day', ts, 'Europe/Berlin') AS bucket
FROM unnest(ARRAY['2024-03-30 23:30+00', '2024-03-31 00:30+00', '2024-03-31 21:59+00',
                  '2024-03-31 22:00+00', '2024-10-26 21:59+00', '2024-10-26 22:00+00',
                  '2024-10-27 22:59+00', '2024-10-27 23:00+00']::timestamptz[]) ts;
SELECT datalayer.time_bucket('1 day', ts, 'Europe/Berlin') AS bucket, count(*) AS hours
FROM generate_series('2024-10-26 22:00+00'::timestamptz, '2024-10-28 22:59+00', '1 hour') ts
GROUP BY 1 ORDER BY 1;
SELECT datalayer.time_bucket('1 month', '2024-10-31 23:30+00'::timestamptz, 'America/New_York'),
       datalayer.time_bucket('1 week', '2024-11-04 03:00+00'::timestamptz, 'America/New_York'),
       datalayer.time_bucket('1 hour', '2024-03-10 07:30+00'::timestamptz, 'America/New_York'),
       datalayer.time_bucket('1 day', '2024-03-14 15:47+00'::timestamptz, 'Asia/Kolkata',
                             origin => '2024-01-01 00:00+05:30', "offset" => interval '2 hours');
SELECT datalayer.time_bucket('1 day', now(), NULL::text) IS NULL AS null_zone_gives_null;

-- timestamp and date
SELECT datalayer.time_bucket('15 minutes', '2024-03-14 15:47:23'::timestamp),
       datalayer.time_bucket('1 month', '2024-03-14 15:47:23'::timestamp),
       datalayer.time_bucket('1 day', '2024-03-14 15:47:23'::timestamp, '2000-01-01 12:00'::timestamp),
       datalayer.time_bucket('1 hour', '2024-03-14 15:47:23'::timestamp, interval '15 minutes');
SELECT datalayer.time_bucket('1 week', '2024-03-14'::date),
       datalayer.time_bucket('1 month', '2024-03-14'::date),
       datalayer.time_bucket('1 year', '2024-03-14'::date),
       datalayer.time_bucket('7 days', '2024-03-14'::date, '2024-03-01'::date),
       datalayer.time_bucket('1 week', '2024-03-14'::date, interval '1 day');

-- integers, with offsets and negative values
SELECT datalayer.time_bucket(10, 25), datalayer.time_bucket(10, -25), datalayer.time_bucket(10, 25, 3),
       datalayer.time_bucket(10::smallint, 25::smallint), datalayer.time_bucket(10::smallint, 25::smallint, 7::smallint),
       datalayer.time_bucket(1000::bigint, 123456789::bigint), datalayer.time_bucket(1000::bigint, -1::bigint, 1::bigint);
SELECT pg_temp.err($$SELECT datalayer.time_bucket(10::bigint, -9223372036854775807::bigint)$$) AS near_min;

-- immutable: usable in an index and in a rollup's GROUP BY
CREATE TABLE tb_readings (ts timestamptz, v float8);
CREATE INDEX ON tb_readings (datalayer.time_bucket('1 hour', ts));
SELECT provolatile, count(*) FROM pg_proc WHERE proname = 'time_bucket' GROUP BY 1;
DROP TABLE tb_readings;

-- bad input
SELECT pg_temp.err($$SELECT datalayer.time_bucket('0 seconds', now())$$);
SELECT pg_temp.err($$SELECT datalayer.time_bucket('-1 hour', now())$$);
SELECT pg_temp.err($$SELECT datalayer.time_bucket('-1 month', now())$$);
SELECT pg_temp.err($$SELECT datalayer.time_bucket('1 month 1 day', now())$$);
SELECT pg_temp.err($$SELECT datalayer.time_bucket('1 hour', '2024-01-01'::date)$$);
SELECT pg_temp.err($$SELECT datalayer.time_bucket('1 day', now(), 'Mars/Olympus_Mons')$$);
SELECT pg_temp.err($$SELECT datalayer.time_bucket('1 day', now(), 'infinity'::timestamptz)$$);
SELECT pg_temp.err($$SELECT datalayer.time_bucket(0, 5)$$);
SELECT pg_temp.err($$SELECT datalayer.time_bucket(-3, 5)$$);
SELECT pg_temp.err($$SELECT datalayer.time_bucket(10::smallint, (-32768)::smallint)$$);
SELECT datalayer.time_bucket('1 day', '4714-11-24 00:00:00+00 BC'::timestamptz) AS first_day;
SELECT pg_temp.err($$SELECT datalayer.time_bucket('1 week', '4714-11-24 00:00:00+00 BC'::timestamptz)$$);
SELECT datalayer.time_bucket(NULL::interval, now()) IS NULL AS strict_null;
