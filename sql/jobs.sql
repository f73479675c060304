-- Jobs: the API, its errors, privileges, and the scheduling rules
-- (next start, retries) through the functions the scheduler calls.
-- The scheduler itself runs in TAP tests (test/t/002_scheduler.pl); here the
-- scheduler is kept from starting runs by giving every job a start far ahead.
SET timezone = 'UTC';
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- (the extension's own lineage compaction job is set aside: this test counts jobs and runs)
SELECT job_name, proc, schedule FROM datalayer.jobs;
SELECT datalayer.delete_job(job_id) FROM datalayer.jobs WHERE proc = 'datalayer.policy_lineage_compact';
-- job ids in the messages below do not depend on the tests that ran before
SELECT setval(pg_get_serial_sequence('datalayer.job', 'job_id'), 1) AS restarted;

CREATE TABLE job_log (job_id int, tag text);
CREATE PROCEDURE log_it(job_id int, config jsonb) LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_log VALUES (job_id, config->>'tag');
END $$;

-- a procedure job and a SQL command job
SELECT datalayer.add_job('log_it'::regproc, '5 minutes', config => '{"tag": "a"}',
                         initial_start => '2100-01-01 00:00+00', job_name => 'logger') AS proc_job \gset
SELECT datalayer.add_job('INSERT INTO job_log VALUES (0, ''sql'')', '1 hour',
                         initial_start => '2100-01-01 00:00+00') AS sql_job \gset
SELECT job_name, proc, command, schedule, timezone, config, owner = current_user::regrole AS mine,
       next_start, paused, max_retries, retry_period, total_runs
FROM datalayer.jobs ORDER BY job_id;

-- run_job runs it now in this session and records the run
CALL datalayer.run_job(:proc_job);
CALL datalayer.run_job(:sql_job);
SELECT * FROM job_log ORDER BY job_id;
SELECT job_id = :proc_job AS is_proc_job, status, started_by LIKE 'run_job by %' AS by_run_job, finished_at >= started_at AS ended
FROM datalayer.job_runs ORDER BY run_id;
SELECT job_name, total_runs, last_run_status FROM datalayer.jobs ORDER BY job_id;

-- what a run did: rows written by a SQL command job, and what a job reports
SELECT job_id = :sql_job AS is_sql_job, rows_affected, result FROM datalayer.job_runs ORDER BY run_id;
CREATE PROCEDURE reporter(job_id int, config jsonb) LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO job_log SELECT job_id, 'batch ' || g FROM generate_series(1, 3) g;
    PERFORM datalayer.report_job_result(3);
    PERFORM datalayer.report_job_result(2, '{"batches": 2, "source": "api"}');
END $$;
SELECT datalayer.add_job('reporter'::regproc, '1 day', initial_start => '2100-01-01 00:00+00',
                         job_name => 'reporter') AS reporter_job \gset
CALL datalayer.run_job(:reporter_job);
SELECT rows_affected, result FROM datalayer.job_runs WHERE job_id = :reporter_job;
SELECT pg_temp.err($$SELECT datalayer.report_job_result(-1)$$);
SELECT datalayer.delete_job(:reporter_job);

-- alter, pause, resume
SELECT job_name, schedule, config, max_runtime
FROM datalayer.alter_job(:proc_job, schedule => '10 minutes', config => '{"tag": "b"}', max_runtime => '30 seconds',
                         next_start => '2100-01-02 00:00+00');
SELECT datalayer.pause_job(:proc_job);
SELECT paused, next_start FROM datalayer.jobs WHERE job_id = :proc_job;
SELECT datalayer.resume_job(:proc_job);
SELECT paused, next_start FROM datalayer.jobs WHERE job_id = :proc_job;

-- cron schedules: the first start is the next cron time, in the job's time zone
SELECT datalayer.add_job('SELECT 1', '0 3 * * *', timezone => 'Asia/Tokyo', job_name => 'tokyo 3am') AS cron_job \gset
SELECT schedule, timezone, next_start = datalayer.cron_next('0 3 * * *', now(), 'Asia/Tokyo') AS first_start_is_cron_next,
       extract(hour FROM next_start AT TIME ZONE 'Asia/Tokyo') AS local_hour
FROM datalayer.jobs WHERE job_id = :cron_job;
SELECT datalayer._next_start('30 2 * * *', NULL, 'Europe/Berlin', '2025-03-29 01:30+00', '2025-03-29 01:30:05+00');
SELECT schedule, timezone FROM datalayer.alter_job(:cron_job, schedule => '@hourly', timezone => 'UTC');
SELECT pg_temp.err($$SELECT datalayer.add_job('SELECT 1', '0 0 31 2 *')$$);
SELECT pg_temp.err($$SELECT datalayer.add_job('SELECT 1', '*/0 * * * *')$$);
SELECT datalayer.delete_job(:cron_job);

-- next starts: intervals count from the planned start and skip missed ones
SELECT datalayer._next_start('5 minutes', '5 minutes', NULL, '2024-01-01 10:00+00', '2024-01-01 10:00:03+00');
SELECT datalayer._next_start('5 minutes', '5 minutes', NULL, '2024-01-01 10:00+00', '2024-01-01 10:17:00+00');
SELECT datalayer._next_start('1 month', '1 month', NULL, '2024-01-31 00:00+00', '2024-02-01 00:00+00');
SELECT datalayer._next_start('1 day', '1 day', NULL, NULL, '2024-03-01 12:00+00');

-- after a run: success plans the next period; failures retry with doubling
-- waits up to max_retries, then wait for the next period
-- (paused meanwhile, so that the real scheduler leaves it alone)
UPDATE datalayer.job SET max_retries = 2, retry_period = '10 seconds', paused = true WHERE job_id = :proc_job;
CREATE FUNCTION pg_temp.finish(run_status text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    id bigint := (SELECT job_id FROM datalayer.job WHERE job_name = 'logger');
    launched timestamptz := clock_timestamp();
    j datalayer.job;
BEGIN
    -- as when the scheduler launches a run: the job is due
    UPDATE datalayer.job SET next_start = launched - interval '1 second' WHERE job_id = id;
    INSERT INTO datalayer.job_run (job_id, started_at, status, pid) VALUES (id, launched, 'running', pg_backend_pid());
    IF run_status <> 'running' THEN
        UPDATE datalayer.job_run SET status = run_status, finished_at = clock_timestamp()
         WHERE job_id = id AND started_at = launched;
    END IF;
    PERFORM datalayer._finish_run(id, launched, clock_timestamp() - interval '1 second');
    SELECT * INTO j FROM datalayer.job WHERE job_id = id;
    RETURN format('failures=%s next in %s', j.consecutive_failures,
                  CASE WHEN j.next_start - clock_timestamp() < interval '15 seconds' THEN '~10s'
                       WHEN j.next_start - clock_timestamp() < interval '25 seconds' THEN '~20s'
                       WHEN j.next_start - clock_timestamp() <= interval '10 minutes' THEN 'the next period'
                       ELSE (j.next_start - clock_timestamp())::text END);
END $$;
SELECT pg_temp.finish('failed');
SELECT pg_temp.finish('failed');
SELECT pg_temp.finish('timed_out');
SELECT pg_temp.finish('succeeded');
-- a worker that exited without recording anything is recorded as terminated
SELECT pg_temp.finish('running');
SELECT status, error_message FROM datalayer.job_runs WHERE job_id = :proc_job ORDER BY run_id DESC LIMIT 1;
UPDATE datalayer.job SET next_start = '2100-01-01', consecutive_failures = 0, paused = false WHERE job_id = :proc_job;

-- bad input: nothing is stored
SELECT count(*) AS jobs_before FROM datalayer.job \gset
SELECT pg_temp.err($$SELECT datalayer.add_job('log_it'::regproc, 'every now and then')$$);
SELECT pg_temp.err($$SELECT datalayer.add_job('log_it'::regproc, '')$$);
SELECT pg_temp.err($$SELECT datalayer.add_job('log_it'::regproc, '-5 minutes')$$);
SELECT pg_temp.err($$SELECT datalayer.add_job('log_it'::regproc, '0 seconds')$$);
SELECT pg_temp.err($$SELECT datalayer.add_job('log_it'::regproc, '5 minutes', timezone => 'Atlantis/Capital')$$);
SELECT pg_temp.err($$SELECT datalayer.add_job('log_it'::regproc, '5 minutes', config => '[1, 2]')$$);
SELECT pg_temp.err($$SELECT datalayer.add_job('log_it'::regproc, '5 minutes', max_runtime => '-1 second')$$);
SELECT pg_temp.err($$SELECT datalayer.add_job('log_it'::regproc, '5 minutes', max_retries => -1)$$);
SELECT pg_temp.err($$SELECT datalayer.add_job('log_it'::regproc, '5 minutes', retry_period => '0 seconds')$$);
SELECT pg_temp.err($$SELECT datalayer.add_job('no_such_proc'::regproc, '5 minutes')$$);
CREATE PROCEDURE wrong_args(a int) LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION not_a_proc(job_id int, config jsonb) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
SELECT pg_temp.err($$SELECT datalayer.add_job('wrong_args'::regproc, '5 minutes')$$);
SELECT pg_temp.err($$SELECT datalayer.add_job('not_a_proc'::regproc, '5 minutes')$$);
SELECT pg_temp.err($$SELECT datalayer.add_job(command => '  ', schedule => '5 minutes')$$);
SELECT pg_temp.err($$SELECT datalayer.add_job('SELECT 1', '5 minutes', owner => NULL)$$);
CREATE ROLE dl_nologin NOLOGIN;
SELECT pg_temp.err($$SELECT datalayer.add_job('SELECT 1', '5 minutes', owner => 'dl_nologin')$$);
SELECT count(*) = :jobs_before AS nothing_stored FROM datalayer.job;
SELECT pg_temp.err($$SELECT datalayer.alter_job(999999, schedule => '1 hour')$$);
SELECT pg_temp.err(format($$SELECT datalayer.alter_job(%s, schedule => 'sometimes')$$, :proc_job));
SELECT pg_temp.err(format($$SELECT datalayer.alter_job(%s, config => '"text"')$$, :proc_job));
SELECT pg_temp.err($$SELECT datalayer.delete_job(999999)$$);
SELECT pg_temp.err($$CALL datalayer.run_job(999999)$$);
SELECT schedule, config FROM datalayer.jobs WHERE job_id = :proc_job;

-- privileges: users see and change only jobs of roles they belong to
CREATE ROLE dl_alice LOGIN;
CREATE ROLE dl_bob LOGIN;
GRANT USAGE ON SCHEMA public TO dl_alice, dl_bob;
SET ROLE dl_alice;
SELECT datalayer.add_job('SELECT 1', '1 hour', initial_start => '2100-01-01') AS alice_job \gset
SELECT count(*) AS alice_sees, count(*) FILTER (WHERE job_id = :alice_job) AS her_own FROM datalayer.jobs;
SELECT pg_temp.err($$SELECT datalayer.add_job('SELECT 1', '1 hour', owner => 'dl_bob')$$);
SELECT pg_temp.err(format('SELECT datalayer.delete_job(%s)', :proc_job));
SELECT pg_temp.err(format('SELECT datalayer.alter_job(%s, schedule => %L)', :proc_job, '1 minute'));
SELECT pg_temp.err(format('CALL datalayer.run_job(%s)', :proc_job));
-- direct writes reach only her own rows
UPDATE datalayer.job SET max_retries = 7;
SELECT pg_temp.err(format('INSERT INTO datalayer.job_run (job_id) VALUES (%s)', :proc_job));
SELECT count(*) AS runs_alice_sees FROM datalayer.job_run;
SET ROLE dl_bob;
SELECT count(*) AS bob_sees FROM datalayer.jobs;
SELECT pg_temp.err(format('SELECT datalayer.pause_job(%s)', :alice_job));
SELECT pg_temp.err(format('CALL datalayer.run_job(%s)', :alice_job));
RESET ROLE;
SELECT job_id = :alice_job AS alices, max_retries, paused FROM datalayer.jobs ORDER BY job_id;
GRANT datalayer_admin TO dl_bob;
SET ROLE dl_bob;
SELECT count(*) AS admin_bob_sees FROM datalayer.jobs;
RESET ROLE;

-- policies: create_metric_table added a maintenance policy; retention is one call
CREATE TABLE pol (ts timestamptz NOT NULL, v int);
SELECT count(*) FROM datalayer.create_metric_table('pol', 'ts');
SELECT job_name, proc, schedule, config->>'metric_table' AS metric_table, next_start > now() AS waits_a_period
FROM datalayer.jobs WHERE proc LIKE 'datalayer.policy%';
SELECT datalayer.add_retention_policy('pol', interval '30 days') IS NOT NULL AS added;
SELECT job_name, schedule, config->>'drop_after' AS drop_after FROM datalayer.jobs WHERE proc = 'datalayer.policy_retention';
SELECT pg_temp.err($$SELECT datalayer.add_retention_policy('pol', interval '7 days')$$);
SELECT datalayer.add_retention_policy('pol', interval '7 days', if_not_exists => true) IS NOT NULL AS kept;
SELECT pg_temp.err($$SELECT datalayer.add_retention_policy('pol', interval '-7 days')$$);
SELECT pg_temp.err($$SELECT datalayer.add_retention_policy('job_log', interval '7 days')$$);
-- policies run like any job; run_job runs them now
INSERT INTO pol VALUES (now() - interval '90 days', 1), (now() - interval '1 day', 2);
SELECT count(*) AS waiting_in_default FROM ONLY pol_default;
CALL datalayer.run_job(datalayer._policy_job('pol', 'policy_maintenance'));
SELECT count(*) AS waiting_in_default FROM ONLY pol_default;
CALL datalayer.run_job(datalayer._policy_job('pol', 'policy_retention'));
SELECT v FROM pol;
-- each policy run reports what it did
SELECT job_name, rows_affected, result ? 'chunks_created' AS created, jsonb_array_length(result->'chunks_dropped') AS dropped
FROM datalayer.job_runs WHERE job_name LIKE '%pol' ORDER BY run_id;
ALTER TABLE pol RENAME TO pol_renamed;
CALL datalayer.run_job(datalayer._policy_job('pol_renamed', 'policy_maintenance'));
SELECT datalayer.remove_retention_policy('pol_renamed');
SELECT datalayer.remove_retention_policy('pol_renamed', if_exists => true);
SELECT pg_temp.err($$SELECT datalayer.remove_retention_policy('pol_renamed')$$);
-- dropping the table drops its policies
DROP TABLE pol_renamed;
SELECT count(*) AS policies_left FROM datalayer.jobs WHERE proc LIKE 'datalayer.policy%';

-- the status function answers whether or not a scheduler runs here
SELECT process, state IS NOT NULL AS has_state FROM datalayer.scheduler_status() WHERE process = 'launcher';

SELECT datalayer.delete_job(job_id) FROM datalayer.jobs;
SELECT count(*) AS runs_of_deleted_jobs FROM datalayer.job_runs;
DROP OWNED BY dl_alice, dl_bob;
DROP ROLE dl_alice, dl_bob, dl_nologin;
