-- Jobs: the catalog, the API and the views of datalayer's scheduler
-- (src/scheduler/).  A launcher background worker starts one scheduler per
-- database that has the extension; the scheduler starts one background worker
-- per run, connected as the job's owner.
--
-- A job runs either a procedure, CALL proc(job_id int, config jsonb), or a
-- plain SQL command.  Its schedule is a fixed interval ('5 minutes') or a
-- cron expression (docs/cron.md), evaluated in the job's time zone.

CREATE TABLE datalayer.job (
    job_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_name        text,
    proc_schema     name,
    proc_name       name,
    command         text,
    schedule        text        NOT NULL,
    schedule_interval interval,
    timezone        text,
    config          jsonb       CHECK (config IS NULL OR jsonb_typeof(config) = 'object'),
    owner           regrole     NOT NULL,
    max_runtime     interval    CHECK (max_runtime IS NULL OR max_runtime > '0'),
    max_retries     int         NOT NULL DEFAULT 3 CHECK (max_retries >= 0),
    retry_period    interval    NOT NULL DEFAULT '1 minute' CHECK (retry_period > '0'),
    paused          boolean     NOT NULL DEFAULT false,
    next_start      timestamptz NOT NULL,
    consecutive_failures int    NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CHECK ((proc_name IS NOT NULL) <> (command IS NOT NULL))
);
COMMENT ON TABLE datalayer.job IS 'datalayer scheduler jobs; change them with add_job, alter_job, pause_job, resume_job, delete_job';

CREATE TABLE datalayer.job_run (
    run_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id          bigint      NOT NULL REFERENCES datalayer.job ON DELETE CASCADE,
    attempt         int         NOT NULL DEFAULT 1,
    scheduled_at    timestamptz,
    started_at      timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    finished_at     timestamptz,
    status          text        NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'succeeded', 'failed', 'timed_out', 'cancelled',
                                      'terminated', 'interrupted', 'not_started')),
    sqlstate        text,
    error_message   text,
    pid             int,
    started_by      text        NOT NULL DEFAULT 'scheduler',
    rows_affected   bigint,     -- rows written by a SQL command job, plus what the job reported
    result          jsonb       -- detail the job reported with report_job_result()
);
CREATE INDEX job_run_job_started ON datalayer.job_run (job_id, started_at);
CREATE INDEX job_run_running ON datalayer.job_run (status) WHERE status = 'running';
COMMENT ON TABLE datalayer.job_run IS 'one row per run of a job; kept for datalayer.job_history_retention';

-- pg_dump keeps the users' jobs and their runs, and where the ids go on from.
-- The lineage compaction job is created by CREATE EXTENSION itself (with the
-- same id), so it is left out of the dump.
SELECT pg_catalog.pg_extension_config_dump('datalayer.job',
    $$WHERE (proc_schema, proc_name) IS DISTINCT FROM ('datalayer', 'policy_lineage_compact')$$);
SELECT pg_catalog.pg_extension_config_dump('datalayer.job_run', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('datalayer.job', 'job_id'), '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('datalayer.job_run', 'run_id'), '');

-- Row-level security: a user sees and changes only the jobs (and runs) of
-- roles whose privileges they have; superusers and members of
-- datalayer_admin see all.  The API functions are SECURITY INVOKER and go
-- through these policies, so no function can be talked into touching
-- another user's job.  The scheduler runs as superuser.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'datalayer_admin') THEN
        CREATE ROLE datalayer_admin NOLOGIN;
    END IF;
END $$;

CREATE FUNCTION datalayer._may_manage(job_owner regrole)
RETURNS boolean LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce(pg_has_role(current_user, job_owner, 'USAGE'), false)
        OR pg_has_role(current_user, 'datalayer_admin', 'USAGE')
        OR coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false)
$$;

ALTER TABLE datalayer.job ENABLE ROW LEVEL SECURITY;
CREATE POLICY manage_own_jobs ON datalayer.job
    USING (datalayer._may_manage(owner)) WITH CHECK (datalayer._may_manage(owner));
ALTER TABLE datalayer.job_run ENABLE ROW LEVEL SECURITY;
CREATE POLICY runs_of_own_jobs ON datalayer.job_run
    USING (EXISTS (SELECT 1 FROM datalayer.job j WHERE j.job_id = job_run.job_id));
GRANT SELECT, INSERT, UPDATE, DELETE ON datalayer.job, datalayer.job_run TO PUBLIC;

-- ---- C helpers ----

CREATE FUNCTION datalayer.cron_next(schedule text, after timestamptz, timezone text DEFAULT 'UTC')
RETURNS timestamptz AS 'MODULE_PATHNAME', 'job_cron_next'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION datalayer.cron_next(text, timestamptz, text) IS
    'the first time strictly after "after" at which a cron schedule fires, in the given time zone';

CREATE FUNCTION datalayer._scheduler_wake()
RETURNS void AS 'MODULE_PATHNAME', 'job_scheduler_wake'
LANGUAGE C VOLATILE;

CREATE FUNCTION datalayer.scheduler_status(
    OUT process text, OUT database name, OUT pid int, OUT state text, OUT next_wake timestamptz,
    OUT running_jobs int)
RETURNS SETOF record AS 'MODULE_PATHNAME', 'job_scheduler_status'
LANGUAGE C VOLATILE;

-- ---- schedules ----

-- 'cron' for a cron expression, 'interval' for a fixed interval; errors for neither.
CREATE FUNCTION datalayer._schedule_kind(schedule text, OUT kind text, OUT every interval)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF schedule IS NULL OR btrim(schedule) = '' THEN
        RAISE EXCEPTION 'schedule must not be empty' USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Give an interval such as ''5 minutes'' or a cron expression such as ''*/5 * * * *''.';
    END IF;
    IF left(btrim(schedule), 1) = '@' OR array_length(regexp_split_to_array(btrim(schedule), '\s+'), 1) IN (5, 6) THEN
        kind := 'cron';
        -- validates, with the parser's own message
        PERFORM datalayer.cron_next(schedule, now(), 'UTC');
        RETURN;
    END IF;
    BEGIN
        every := schedule::interval;
    EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR interval_field_overflow THEN
        RAISE EXCEPTION 'invalid schedule "%"', schedule USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'A schedule is an interval such as ''5 minutes'' or a cron expression of five or six fields.';
    END;
    IF every <= interval '0' THEN
        RAISE EXCEPTION 'schedule interval must be positive' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    kind := 'interval';
END $$;

-- The next start of a job strictly after "after".  Intervals count from the
-- previous planned start so that a job does not drift; missed starts are
-- skipped, not run in a burst.
CREATE FUNCTION datalayer._next_start(schedule text, schedule_interval interval, timezone text,
                                      planned timestamptz, after timestamptz)
RETURNS timestamptz LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    n timestamptz;
    steps bigint;
BEGIN
    IF schedule_interval IS NULL THEN
        RETURN datalayer.cron_next(schedule, after, coalesce(timezone, 'UTC'));
    END IF;
    n := coalesce(planned, after) + schedule_interval;
    IF n <= after THEN
        -- whole intervals missed: jump to the first planned start after "after"
        IF extract(epoch FROM schedule_interval) > 0 AND date_part('month', schedule_interval) = 0
           AND date_part('day', schedule_interval) = 0 THEN
            steps := floor(extract(epoch FROM (after - n)) / extract(epoch FROM schedule_interval))::bigint + 1;
            n := n + steps * schedule_interval;
        END IF;
        WHILE n <= after LOOP
            n := n + schedule_interval;
        END LOOP;
    END IF;
    RETURN n;
END $$;

-- ---- the API ----

CREATE FUNCTION datalayer._add_job(proc regproc, command text, schedule text, config jsonb,
                                   initial_start timestamptz, timezone text, job_name text,
                                   max_runtime interval, max_retries int, retry_period interval,
                                   owner regrole)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    k record;
    p record;
    proc_nsp name;
    proc_nm name;
    new_id bigint;
    first_start timestamptz;
BEGIN
    IF owner IS NULL THEN
        RAISE EXCEPTION 'owner must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT (pg_has_role(current_user, owner, 'MEMBER')
            OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)) THEN
        RAISE EXCEPTION 'permission denied to create a job owned by %', owner
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'A job runs with its owner''s privileges; you must be a member of that role.';
    END IF;
    IF NOT (SELECT rolcanlogin FROM pg_roles WHERE oid = owner) THEN
        RAISE EXCEPTION 'role % cannot log in', owner USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'A job''s background worker connects as its owner.',
            HINT = 'Give the role LOGIN, or choose another owner.';
    END IF;
    SELECT * INTO k FROM datalayer._schedule_kind(schedule);
    IF timezone IS NOT NULL THEN
        BEGIN
            PERFORM now() AT TIME ZONE timezone;
        EXCEPTION WHEN invalid_parameter_value THEN
            RAISE EXCEPTION 'time zone "%" not recognized', timezone USING ERRCODE = 'invalid_parameter_value';
        END;
    END IF;
    IF config IS NOT NULL AND jsonb_typeof(config) <> 'object' THEN
        RAISE EXCEPTION 'config must be a JSON object' USING ERRCODE = 'invalid_parameter_value',
            DETAIL = format('It is a JSON %s.', jsonb_typeof(config));
    END IF;
    IF max_runtime IS NOT NULL AND max_runtime <= interval '0' THEN
        RAISE EXCEPTION 'max_runtime must be positive' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF max_retries IS NULL OR max_retries < 0 THEN
        RAISE EXCEPTION 'max_retries must be zero or more' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF retry_period IS NULL OR retry_period <= interval '0' THEN
        RAISE EXCEPTION 'retry_period must be positive' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF proc IS NOT NULL THEN
        SELECT pr.prokind, pr.proargtypes AS args, pr.pronargs, n.nspname, pr.proname
          INTO p FROM pg_proc pr JOIN pg_namespace n ON n.oid = pr.pronamespace WHERE pr.oid = proc;
        IF p.prokind <> 'p' THEN
            RAISE EXCEPTION '% is not a procedure', proc::text USING ERRCODE = 'wrong_object_type',
                HINT = 'A job procedure is declared CREATE PROCEDURE name(job_id int, config jsonb).';
        END IF;
        IF p.pronargs <> 2 OR p.args[0] <> 'integer'::regtype OR p.args[1] <> 'jsonb'::regtype THEN
            RAISE EXCEPTION 'procedure % has the wrong signature', proc::text
                USING ERRCODE = 'invalid_function_definition',
                      DETAIL = format('It takes (%s).', pg_get_function_identity_arguments(proc)),
                      HINT = 'A job procedure is declared CREATE PROCEDURE name(job_id int, config jsonb).';
        END IF;
        IF NOT has_function_privilege(owner, proc, 'EXECUTE') THEN
            RAISE EXCEPTION 'role % may not execute %', owner, proc::text USING ERRCODE = 'insufficient_privilege';
        END IF;
        proc_nsp := p.nspname;
        proc_nm := p.proname;
    ELSIF command IS NULL OR btrim(command) = '' THEN
        RAISE EXCEPTION 'a job needs a procedure or a command' USING ERRCODE = 'invalid_parameter_value';
    END IF;

    IF initial_start IS NOT NULL THEN
        first_start := initial_start;
    ELSIF k.kind = 'cron' THEN
        first_start := datalayer.cron_next(schedule, clock_timestamp(), coalesce(timezone, 'UTC'));
    ELSE
        first_start := clock_timestamp();
    END IF;

    INSERT INTO datalayer.job (job_name, proc_schema, proc_name, command, schedule, schedule_interval,
                               timezone, config, owner, max_runtime, max_retries, retry_period, next_start)
    VALUES (coalesce(job_name, proc_nm, left(command, 60)),
            proc_nsp, proc_nm, command, btrim(schedule), k.every, timezone, config, owner,
            max_runtime, max_retries, retry_period, first_start)
    RETURNING job_id INTO new_id;
    PERFORM datalayer._scheduler_wake();
    RETURN new_id;
END $$;

CREATE FUNCTION datalayer.add_job(proc regproc, schedule text, config jsonb DEFAULT NULL,
                                  initial_start timestamptz DEFAULT NULL, timezone text DEFAULT NULL,
                                  job_name text DEFAULT NULL, max_runtime interval DEFAULT NULL,
                                  max_retries int DEFAULT 3, retry_period interval DEFAULT '1 minute',
                                  owner regrole DEFAULT current_user::regrole)
RETURNS bigint LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
    SELECT datalayer._add_job(proc, NULL, schedule, config, initial_start, timezone, job_name,
                              max_runtime, max_retries, retry_period, owner)
$$;

CREATE FUNCTION datalayer.add_job(command text, schedule text, config jsonb DEFAULT NULL,
                                  initial_start timestamptz DEFAULT NULL, timezone text DEFAULT NULL,
                                  job_name text DEFAULT NULL, max_runtime interval DEFAULT NULL,
                                  max_retries int DEFAULT 3, retry_period interval DEFAULT '1 minute',
                                  owner regrole DEFAULT current_user::regrole)
RETURNS bigint LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
    SELECT datalayer._add_job(NULL, command, schedule, config, initial_start, timezone, job_name,
                              max_runtime, max_retries, retry_period, owner)
$$;

-- The job row of a job the caller may manage, locked; errors otherwise.
CREATE FUNCTION datalayer._job_for_update(id bigint)
RETURNS datalayer.job LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    j datalayer.job;
BEGIN
    SELECT * INTO j FROM datalayer.job WHERE job_id = id FOR UPDATE;
    IF NOT FOUND OR NOT datalayer._may_manage(j.owner) THEN
        RAISE EXCEPTION 'job % does not exist', id USING ERRCODE = 'undefined_object';
    END IF;
    RETURN j;
END $$;

CREATE FUNCTION datalayer.alter_job(job_id bigint, schedule text DEFAULT NULL, config jsonb DEFAULT NULL,
                                    next_start timestamptz DEFAULT NULL, timezone text DEFAULT NULL,
                                    job_name text DEFAULT NULL, max_runtime interval DEFAULT NULL,
                                    max_retries int DEFAULT NULL, retry_period interval DEFAULT NULL)
RETURNS datalayer.job LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    j datalayer.job := datalayer._job_for_update(job_id);
    k record;
BEGIN
    IF schedule IS NOT NULL THEN
        SELECT * INTO k FROM datalayer._schedule_kind(schedule);
        j.schedule := btrim(schedule);
        j.schedule_interval := k.every;
    END IF;
    IF timezone IS NOT NULL THEN
        BEGIN
            PERFORM now() AT TIME ZONE timezone;
        EXCEPTION WHEN invalid_parameter_value THEN
            RAISE EXCEPTION 'time zone "%" not recognized', timezone USING ERRCODE = 'invalid_parameter_value';
        END;
        j.timezone := timezone;
    END IF;
    IF config IS NOT NULL THEN
        IF jsonb_typeof(config) <> 'object' THEN
            RAISE EXCEPTION 'config must be a JSON object' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        j.config := config;
    END IF;
    IF max_runtime IS NOT NULL THEN
        IF max_runtime <= interval '0' THEN
            RAISE EXCEPTION 'max_runtime must be positive' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        j.max_runtime := max_runtime;
    END IF;
    IF max_retries IS NOT NULL THEN
        IF max_retries < 0 THEN
            RAISE EXCEPTION 'max_retries must be zero or more' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        j.max_retries := max_retries;
    END IF;
    IF retry_period IS NOT NULL THEN
        IF retry_period <= interval '0' THEN
            RAISE EXCEPTION 'retry_period must be positive' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        j.retry_period := retry_period;
    END IF;
    j.job_name := coalesce(alter_job.job_name, j.job_name);
    IF next_start IS NOT NULL THEN
        j.next_start := next_start;
    ELSIF schedule IS NOT NULL OR timezone IS NOT NULL THEN
        j.next_start := datalayer._next_start(j.schedule, j.schedule_interval, j.timezone, NULL, clock_timestamp());
    END IF;
    UPDATE datalayer.job
       SET (schedule, schedule_interval, timezone, config, max_runtime, max_retries, retry_period,
            job_name, next_start)
         = (j.schedule, j.schedule_interval, j.timezone, j.config, j.max_runtime, j.max_retries,
            j.retry_period, j.job_name, j.next_start)
     WHERE datalayer.job.job_id = j.job_id;
    PERFORM datalayer._scheduler_wake();
    RETURN j;
END $$;

CREATE FUNCTION datalayer.delete_job(job_id bigint)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM datalayer._job_for_update(job_id);
    DELETE FROM datalayer.job WHERE datalayer.job.job_id = delete_job.job_id;
    PERFORM datalayer._scheduler_wake();
END $$;

CREATE FUNCTION datalayer.pause_job(job_id bigint)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM datalayer._job_for_update(job_id);
    UPDATE datalayer.job SET paused = true WHERE datalayer.job.job_id = pause_job.job_id;
END $$;

CREATE FUNCTION datalayer.resume_job(job_id bigint)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    j datalayer.job := datalayer._job_for_update(job_id);
BEGIN
    UPDATE datalayer.job
       SET paused = false, consecutive_failures = 0,
           next_start = CASE WHEN j.next_start < clock_timestamp()
                             THEN datalayer._next_start(j.schedule, j.schedule_interval, j.timezone,
                                                        NULL, clock_timestamp() - interval '1 microsecond')
                             ELSE j.next_start END
     WHERE datalayer.job.job_id = resume_job.job_id;
    PERFORM datalayer._scheduler_wake();
END $$;

-- The text a job runs, as the job worker and run_job execute it.
CREATE FUNCTION datalayer._job_command(j datalayer.job)
RETURNS text LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN j.proc_name IS NOT NULL
                THEN format('CALL %I.%I(%s, %L::jsonb)', j.proc_schema, j.proc_name, j.job_id, j.config)
                ELSE j.command END
$$;

-- Record a run's start and end, through the row-level security policies.
CREATE FUNCTION datalayer._record_run_start(id bigint, by_whom text)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    run bigint;
BEGIN
    IF NOT datalayer._may_manage((SELECT j.owner FROM datalayer.job j WHERE j.job_id = id)) THEN
        RAISE EXCEPTION 'job % does not exist', id USING ERRCODE = 'undefined_object';
    END IF;
    INSERT INTO datalayer.job_run (job_id, started_by, pid) VALUES (id, by_whom, pg_backend_pid())
    RETURNING run_id INTO run;
    RETURN run;
END $$;
CREATE FUNCTION datalayer._record_run_end(id bigint, run_status text, state text, message text,
                                          affected bigint DEFAULT NULL, detail jsonb DEFAULT NULL)
RETURNS void LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    UPDATE datalayer.job_run r SET finished_at = clock_timestamp(), status = run_status,
           sqlstate = state, error_message = message, rows_affected = affected, result = detail
      FROM datalayer.job j
     WHERE r.run_id = id AND j.job_id = r.job_id AND r.status = 'running'
       AND datalayer._may_manage(j.owner)
$$;

-- ---- what the scheduler and its workers call (src/scheduler/) ----

-- Start a run's record, called by the job worker as the job's owner.
CREATE FUNCTION datalayer._begin_run(id bigint, planned timestamptz, launched timestamptz,
                                     OUT run_id bigint, OUT command text, OUT max_runtime_ms bigint,
                                     OUT job_name text)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    j datalayer.job;
BEGIN
    SELECT * INTO j FROM datalayer.job WHERE job_id = id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'job % does not exist', id USING ERRCODE = 'undefined_object';
    END IF;
    IF NOT pg_has_role(current_user, j.owner, 'USAGE') THEN
        RAISE EXCEPTION 'only the owner of job % may run it', id USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO datalayer.job_run (job_id, attempt, scheduled_at, started_at, pid)
    VALUES (id, j.consecutive_failures + 1, planned, launched, pg_backend_pid())
    RETURNING datalayer.job_run.run_id INTO run_id;
    command := datalayer._job_command(j);
    max_runtime_ms := (extract(epoch FROM j.max_runtime) * 1000)::bigint;
    job_name := j.job_name;
END $$;

-- Jobs due now, oldest first, that are not running (the scheduler passes
-- the ones it runs).  A job whose owner role is gone is paused, with a run
-- recording why, instead of failing every time.
CREATE FUNCTION datalayer._due_jobs(running bigint[], max_jobs int)
RETURNS TABLE(job_id bigint, owner oid, planned timestamptz, max_runtime_ms bigint)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    orphan record;
BEGIN
    FOR orphan IN SELECT j.job_id FROM datalayer.job j
                   WHERE NOT j.paused AND NOT EXISTS (SELECT 1 FROM pg_roles r WHERE r.oid = j.owner)
    LOOP
        UPDATE datalayer.job SET paused = true WHERE datalayer.job.job_id = orphan.job_id;
        INSERT INTO datalayer.job_run (job_id, finished_at, status, sqlstate, error_message, started_by)
        VALUES (orphan.job_id, clock_timestamp(), 'not_started', '42704',
                'the job''s owner role no longer exists; the job was paused', 'scheduler');
    END LOOP;
    RETURN QUERY
        SELECT j.job_id, j.owner::oid, j.next_start, (extract(epoch FROM j.max_runtime) * 1000)::bigint
          FROM datalayer.job j
         WHERE NOT j.paused AND j.next_start <= clock_timestamp() AND j.job_id <> ALL (running)
         ORDER BY j.next_start, j.job_id
         LIMIT max_jobs;
END $$;

CREATE FUNCTION datalayer._next_due(running bigint[])
RETURNS timestamptz LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT min(next_start) FROM datalayer.job WHERE NOT paused AND job_id <> ALL (running)
$$;

-- After a run's worker has stopped: record an outcome the worker could not
-- record, then plan the next start.  Failures are retried after
-- retry_period, doubling each time, up to max_retries; then the job waits
-- for its next scheduled time.
CREATE FUNCTION datalayer._finish_run(id bigint, launched timestamptz, planned timestamptz)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    j datalayer.job;
    run datalayer.job_run;
    now_ts timestamptz := clock_timestamp();
BEGIN
    SELECT * INTO j FROM datalayer.job WHERE job_id = id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;                             -- deleted while it ran
    END IF;
    SELECT * INTO run FROM datalayer.job_run r
     WHERE r.job_id = id AND r.started_at >= launched - interval '1 second'
     ORDER BY r.run_id DESC LIMIT 1;
    IF NOT FOUND THEN
        INSERT INTO datalayer.job_run (job_id, attempt, scheduled_at, started_at, finished_at, status, error_message)
        VALUES (id, j.consecutive_failures + 1, planned, launched, now_ts, 'terminated',
                'the job''s worker exited before its run began (see the server log)')
        RETURNING * INTO run;
    ELSIF run.status = 'running' THEN
        UPDATE datalayer.job_run SET status = 'terminated', finished_at = now_ts,
               error_message = 'the job''s worker exited without recording an outcome (terminated or crashed)'
         WHERE run_id = run.run_id
        RETURNING * INTO run;
    END IF;

    IF run.status = 'succeeded' THEN
        j.consecutive_failures := 0;
        j.next_start := datalayer._next_start(j.schedule, j.schedule_interval, j.timezone, planned, now_ts);
    ELSE
        j.consecutive_failures := j.consecutive_failures + 1;
        IF j.consecutive_failures <= j.max_retries THEN
            j.next_start := now_ts + j.retry_period * power(2, j.consecutive_failures - 1);
        ELSE
            j.consecutive_failures := 0;
            j.next_start := datalayer._next_start(j.schedule, j.schedule_interval, j.timezone, planned, now_ts);
        END IF;
    END IF;
    -- a next_start set by alter_job while the run went on wins
    UPDATE datalayer.job SET consecutive_failures = j.consecutive_failures,
           next_start = CASE WHEN datalayer.job.next_start > planned THEN datalayer.job.next_start
                             ELSE j.next_start END
     WHERE job_id = id;
END $$;

-- Runs still marked running whose process is gone: the server or the
-- scheduler stopped under them.
CREATE FUNCTION datalayer._sweep_orphan_runs()
RETURNS void LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    UPDATE datalayer.job_run r SET status = 'interrupted', finished_at = clock_timestamp(),
           error_message = 'the run was interrupted (server restart or crash)'
     WHERE r.status = 'running'
       AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = r.pid)
$$;

CREATE FUNCTION datalayer._prune_job_history(retention_seconds int)
RETURNS void LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    DELETE FROM datalayer.job_run
     WHERE status <> 'running' AND retention_seconds >= 0
       AND finished_at < clock_timestamp() - retention_seconds * interval '1 second'
$$;

REVOKE ALL ON FUNCTION datalayer._due_jobs(bigint[], int), datalayer._next_due(bigint[]),
    datalayer._finish_run(bigint, timestamptz, timestamptz), datalayer._sweep_orphan_runs(),
    datalayer._prune_job_history(int) FROM PUBLIC;

-- A job the caller may see, without locking it; errors otherwise.
CREATE FUNCTION datalayer._job_visible(id bigint)
RETURNS datalayer.job LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    j datalayer.job;
BEGIN
    SELECT * INTO j FROM datalayer.job WHERE job_id = id;
    IF NOT FOUND OR NOT datalayer._may_manage(j.owner) THEN
        RAISE EXCEPTION 'job % does not exist', id USING ERRCODE = 'undefined_object';
    END IF;
    RETURN j;
END $$;

-- run_job: run a job now, in the caller's session and as the caller, for
-- debugging.  The run is recorded in job_runs; the schedule is left alone.
-- An error reaches the caller as it is (and rolls back the run's record, as
-- everything else the failed call did).  The job runs through EXECUTE, so a
-- procedure job that COMMITs fails here with "invalid transaction termination":
-- such jobs are for the scheduler, whose workers call them at top level.
-- (No SET clause: the job's own statements resolve names as the caller's
-- session does.)
CREATE PROCEDURE datalayer.run_job(job_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
    j datalayer.job := datalayer._job_visible(job_id);
    run bigint;
    affected bigint;
    reported bigint;
    detail jsonb;
BEGIN
    PERFORM datalayer._take_job_result();     -- nothing left over from earlier in this session
    run := datalayer._record_run_start(j.job_id, 'run_job by ' || current_user);
    EXECUTE datalayer._job_command(j);
    GET DIAGNOSTICS affected = ROW_COUNT;
    SELECT t.rows, t.detail INTO reported, detail FROM datalayer._take_job_result() t;
    PERFORM datalayer._record_run_end(run, 'succeeded', NULL, NULL,
        CASE WHEN reported IS NOT NULL OR affected > 0 THEN coalesce(reported, 0) + affected END, detail);
END $$;

-- ---- what a job reports (src/scheduler/job_result.c) ----

-- Called by a job: rows add up over calls, the last detail wins; recorded in
-- job_runs.rows_affected and job_runs.result when the run ends.
CREATE FUNCTION datalayer.report_job_result(rows_affected bigint DEFAULT NULL, detail jsonb DEFAULT NULL)
RETURNS void AS 'MODULE_PATHNAME', 'job_report_result' LANGUAGE C VOLATILE;
CREATE FUNCTION datalayer._take_job_result(OUT rows bigint, OUT detail jsonb)
RETURNS record AS 'MODULE_PATHNAME', 'job_take_result' LANGUAGE C VOLATILE;

-- ---- views ----

CREATE VIEW datalayer.jobs AS
SELECT j.job_id, j.job_name,
       CASE WHEN j.proc_name IS NOT NULL THEN format('%I.%I', j.proc_schema, j.proc_name) END AS proc,
       j.command, j.schedule, coalesce(j.timezone, 'UTC') AS timezone, j.config, j.owner,
       j.max_runtime, j.max_retries, j.retry_period, j.paused,
       CASE WHEN j.paused THEN NULL ELSE j.next_start END AS next_start,
       last_run.started_at AS last_run_started_at, last_run.finished_at AS last_run_finished_at,
       last_run.status AS last_run_status,
       coalesce(stats.total_runs, 0) AS total_runs, coalesce(stats.total_failures, 0) AS total_failures,
       j.consecutive_failures
FROM datalayer.job j
LEFT JOIN LATERAL (SELECT r.started_at, r.finished_at, r.status FROM datalayer.job_run r
                   WHERE r.job_id = j.job_id ORDER BY r.started_at DESC, r.run_id DESC LIMIT 1) last_run ON true
LEFT JOIN LATERAL (SELECT count(*) AS total_runs,
                          count(*) FILTER (WHERE r.status NOT IN ('succeeded', 'running')) AS total_failures
                   FROM datalayer.job_run r WHERE r.job_id = j.job_id) stats ON true
WHERE datalayer._may_manage(j.owner);

CREATE VIEW datalayer.job_runs AS
SELECT r.run_id, r.job_id, j.job_name, r.attempt, r.scheduled_at, r.started_at, r.finished_at,
       r.finished_at - r.started_at AS duration, r.status, r.sqlstate, r.error_message, r.pid, r.started_by,
       r.rows_affected, r.result
FROM datalayer.job_run r
JOIN datalayer.job j ON j.job_id = r.job_id
WHERE datalayer._may_manage(j.owner);

GRANT SELECT ON datalayer.jobs, datalayer.job_runs TO PUBLIC;
