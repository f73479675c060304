-- cron_next: the cron parser and next-run times, table-driven, around month
-- ends, leap days and daylight-saving changes in three zones.
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
-- (this helper shows the DETAIL too: it names the faulty field)
CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || SQLERRM || coalesce(' -- ' || nullif(detail, ''), '');
END $$;

-- each row: schedule, zone, from (UTC) -> the next run, shown in the zone's local time and in UTC
CREATE TEMP TABLE cases (n serial, schedule text, zone text, after timestamptz);
INSERT INTO cases (schedule, zone, after) VALUES
    -- fields, steps, lists, names, macros
    ('* * * * *', 'UTC', '2025-01-30 12:00:00'),
    ('*/2 * * * * *', 'UTC', '2025-01-30 12:00:00.5'),
    ('30 */6 * * *', 'UTC', '2025-01-30 12:31'),
    ('0 9-17/4 * * *', 'UTC', '2025-01-30 13:00'),
    ('5,10,50-52 * * * *', 'UTC', '2025-01-30 12:50:30'),
    ('0 9 * * MON-FRI', 'UTC', '2025-02-01 10:00'),
    ('0 9 * * 7', 'UTC', '2025-02-01 10:00'),
    ('15 10 * JAN,jul *', 'UTC', '2025-01-31 11:00'),
    ('@yearly', 'UTC', '2025-06-01'),
    ('@monthly', 'UTC', '2025-06-01'),
    ('@weekly', 'UTC', '2025-06-01'),
    ('@daily', 'UTC', '2025-06-01'),
    ('@hourly', 'UTC', '2025-06-01 00:00:01'),
    -- day-of-month and day-of-week: either matches when both are restricted
    ('0 0 13 * FRI', 'UTC', '2025-06-01'),
    ('0 0 * * FRI', 'UTC', '2025-06-01'),
    ('0 0 */10 * *', 'UTC', '2025-06-01'),
    -- month ends: the 31st skips 30-day months, $ is the last day
    ('0 0 31 * *', 'UTC', '2025-03-31 00:00:01'),
    ('0 12 $ * *', 'UTC', '2025-02-01'),
    ('0 12 $ * *', 'UTC', '2024-02-01'),
    ('0 12 $ * *', 'UTC', '2024-12-31 12:00:01'),
    ('0 0 30 * *', 'UTC', '2025-01-30 00:00:01'),
    -- leap days
    ('0 0 29 2 *', 'UTC', '2025-01-01'),
    ('0 0 29 2 *', 'UTC', '2096-03-01'),
    ('0 0 28,29 2 *', 'UTC', '2100-02-28 00:00:01'),
    -- Europe/Berlin: clocks go forward 2025-03-30 02:00 -> 03:00, back 2025-10-26 03:00 -> 02:00
    ('30 2 * * *', 'Europe/Berlin', '2025-03-29 23:00'),
    ('0 3 * * *', 'Europe/Berlin', '2025-03-29 23:00'),
    ('*/30 * * * *', 'Europe/Berlin', '2025-03-30 00:45'),
    ('30 2 * * *', 'Europe/Berlin', '2025-10-25 22:00'),
    ('30 2 * * *', 'Europe/Berlin', '2025-10-26 00:30'),
    ('*/30 * * * *', 'Europe/Berlin', '2025-10-26 00:30'),
    ('*/30 * * * *', 'Europe/Berlin', '2025-10-26 01:00'),
    ('*/30 * * * *', 'Europe/Berlin', '2025-10-26 01:30'),
    ('0 0 * * *', 'Europe/Berlin', '2025-10-25 22:00'),
    ('*/20 * * * * *', 'Europe/Berlin', '2025-03-30 00:59:50'),
    -- America/New_York: forward 2025-03-09 02:00 -> 03:00, back 2025-11-02 02:00 -> 01:00
    ('30 2 * * *', 'America/New_York', '2025-03-09 05:00'),
    ('0 1 * * *', 'America/New_York', '2025-11-02 04:00'),
    ('0 1 * * *', 'America/New_York', '2025-11-02 05:00'),
    ('*/15 1 * * *', 'America/New_York', '2025-11-02 05:50'),
    ('*/15 * * * *', 'America/New_York', '2025-11-02 05:50'),
    -- Australia/Lord_Howe: a 30-minute change, back 2025-04-06 02:00 -> 01:30, forward 2025-10-05 02:00 -> 02:30
    ('45 1 * * *', 'Australia/Lord_Howe', '2025-04-05 13:00'),
    ('15 2 * * *', 'Australia/Lord_Howe', '2025-10-04 13:00'),
    ('*/15 * * * *', 'Australia/Lord_Howe', '2025-10-04 15:20');
SELECT n, schedule, zone, after, next AT TIME ZONE zone AS next_local, next AS next_utc
FROM cases, LATERAL datalayer.cron_next(schedule, after, zone) next ORDER BY n;

-- a whole fall-back night, every 30 minutes: no run doubled, none missing
WITH RECURSIVE runs(i, at) AS (
    SELECT 1, datalayer.cron_next('*/30 * * * *', '2025-10-25 23:10+00', 'Europe/Berlin')
    UNION ALL
    SELECT i + 1, datalayer.cron_next('*/30 * * * *', at, 'Europe/Berlin') FROM runs WHERE i < 8)
SELECT i, at, at AT TIME ZONE 'Europe/Berlin' AS local FROM runs;
-- a daily job across both changes fires once a day, every day
WITH RECURSIVE runs(i, at) AS (
    SELECT 1, datalayer.cron_next('30 2 * * *', '2025-03-28 12:00+00', 'Europe/Berlin')
    UNION ALL
    SELECT i + 1, datalayer.cron_next('30 2 * * *', at, 'Europe/Berlin') FROM runs WHERE i < 4)
SELECT i, at AT TIME ZONE 'Europe/Berlin' AS local FROM runs;

-- errors, each naming the field and the problem
SELECT pg_temp.err(format('SELECT datalayer.cron_next(%L, now())', e)) FROM unnest(ARRAY[
    '* * * *', '* * * * * * *', '61 * * * *', '* 24 * * *', '* * 0 * *', '* * 32 * *', '* * * 13 *',
    '* * * * 8', '*/0 * * * *', '5-2 * * * *', '1- * * * *', 'a * * * *', '* * * FOO *', '1,,2 * * * *',
    '0 0 30 2 *', '0 0 31 4,6,9,11 *', '@fortnightly', '$ * * * *', '', '   ',
    '99999999999 * * * *']) e;
SELECT pg_temp.err($$SELECT datalayer.cron_next('* * * * *', now(), 'Mars/Olympus')$$);
SELECT pg_temp.err($$SELECT datalayer.cron_next('* * * * *', 'infinity')$$);
SELECT datalayer.cron_next(NULL, now()) IS NULL AS null_in_null_out;
-- an unsatisfiable weekday/day combination is still valid when either may match
SELECT datalayer.cron_next('0 0 31 2 MON', '2025-01-01') AS monday_in_february;
