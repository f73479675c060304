-- Policies: datalayer's housekeeping as ordinary jobs, one call each.
-- A policy is a job running one of the procedures below with the metric
-- table in its config (by OID, so renames keep it; the name is kept too, for
-- people reading the config).  Other features add their policies here.

CREATE FUNCTION datalayer._policy_table(config jsonb)
RETURNS regclass LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel_oid oid := (config->>'relid')::oid;
BEGIN
    IF rel_oid IS NULL OR NOT EXISTS (SELECT 1 FROM datalayer.metric_table_catalog m WHERE m.relid = rel_oid) THEN
        RAISE EXCEPTION 'metric table % of this policy no longer exists', coalesce(config->>'metric_table', '?')
            USING ERRCODE = 'undefined_table';
    END IF;
    RETURN rel_oid::regclass;
END $$;

CREATE PROCEDURE datalayer.policy_maintenance(job_id int, config jsonb)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    m record;
BEGIN
    SELECT * INTO m FROM datalayer.run_maintenance(datalayer._policy_table(config));
    PERFORM datalayer.report_job_result(coalesce(m.rows_moved, 0),
        jsonb_build_object('chunks_created', coalesce(m.chunks_created, 0), 'rows_moved', coalesce(m.rows_moved, 0)));
END $$;

CREATE PROCEDURE datalayer.policy_retention(job_id int, config jsonb)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel regclass := datalayer._policy_table(config);
    cut interval := (config->>'drop_after')::interval;
BEGIN
    IF cut IS NULL THEN
        RAISE EXCEPTION 'retention policy has no drop_after' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM datalayer.report_job_result(NULL, jsonb_build_object('chunks_dropped',
        (SELECT coalesce(jsonb_agg(c), '[]') FROM datalayer.drop_chunks(rel, older_than => cut) c)));
END $$;

CREATE FUNCTION datalayer._policy_job(metric_table regclass, policy text)
RETURNS bigint LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT j.job_id FROM datalayer.job j
     WHERE j.proc_schema = 'datalayer' AND j.proc_name = policy
       AND (j.config->>'relid')::oid = metric_table::oid
$$;

CREATE FUNCTION datalayer._add_policy(metric_table regclass, policy text, schedule text,
                                      extra jsonb, if_not_exists boolean)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    existing bigint := datalayer._policy_job(metric_table, policy);
    k record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM datalayer.metric_table_catalog m WHERE m.relid = metric_table) THEN
        RAISE EXCEPTION '"%" is not a metric table', metric_table::text
            USING ERRCODE = 'wrong_object_type', HINT = 'Make it one with datalayer.create_metric_table().';
    END IF;
    IF NOT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = metric_table), 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', metric_table::text USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF existing IS NOT NULL THEN
        IF if_not_exists THEN
            RAISE NOTICE '% policy already exists for %, skipping', replace(policy, 'policy_', ''), metric_table;
            RETURN existing;
        END IF;
        RAISE EXCEPTION '% policy already exists for %', replace(policy, 'policy_', ''), metric_table::text
            USING ERRCODE = 'duplicate_object', HINT = 'Remove it first, or use if_not_exists => true.';
    END IF;
    SELECT * INTO k FROM datalayer._schedule_kind(schedule);
    RETURN datalayer.add_job(format('datalayer.%I', policy)::regproc, schedule,
                             config => jsonb_build_object('relid', metric_table::oid, 'metric_table', metric_table::text) || coalesce(extra, '{}'),
                             -- the first run waits one period: a new table needs no maintenance yet
                             initial_start => CASE WHEN k.kind = 'interval' THEN clock_timestamp() + k.every END,
                             job_name => format('%s %s', replace(policy, 'policy_', ''), metric_table),
                             owner => (SELECT relowner FROM pg_class WHERE oid = metric_table)::regrole);
END $$;

CREATE FUNCTION datalayer._remove_policy(metric_table regclass, policy text, if_exists boolean)
RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    existing bigint := datalayer._policy_job(metric_table, policy);
BEGIN
    IF existing IS NULL THEN
        IF if_exists THEN
            RETURN false;
        END IF;
        RAISE EXCEPTION 'no % policy for %', replace(policy, 'policy_', ''), metric_table::text USING ERRCODE = 'undefined_object';
    END IF;
    PERFORM datalayer.delete_job(existing);
    RETURN true;
END $$;

CREATE FUNCTION datalayer.add_maintenance_policy(metric_table regclass, schedule text DEFAULT '1 hour',
                                                 if_not_exists boolean DEFAULT false)
RETURNS bigint LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT datalayer._add_policy(metric_table, 'policy_maintenance', schedule, NULL, if_not_exists)
$$;

CREATE FUNCTION datalayer.remove_maintenance_policy(metric_table regclass, if_exists boolean DEFAULT false)
RETURNS boolean LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT datalayer._remove_policy(metric_table, 'policy_maintenance', if_exists)
$$;

CREATE FUNCTION datalayer.add_retention_policy(metric_table regclass, drop_after interval,
                                               schedule text DEFAULT '1 day', if_not_exists boolean DEFAULT false)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF drop_after IS NULL OR drop_after <= interval '0' THEN
        RAISE EXCEPTION 'drop_after must be a positive interval' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (SELECT time_type FROM datalayer._metric_table_keys k WHERE k.relid = metric_table)
       IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
        RAISE EXCEPTION 'retention by interval needs a time column, and "%" has an integer one', metric_table::text
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Call datalayer.drop_chunks() with an integer cut-off from a job of your own.';
    END IF;
    RETURN datalayer._add_policy(metric_table, 'policy_retention', schedule,
                                 jsonb_build_object('drop_after', drop_after::text), if_not_exists);
END $$;

CREATE FUNCTION datalayer.remove_retention_policy(metric_table regclass, if_exists boolean DEFAULT false)
RETURNS boolean LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT datalayer._remove_policy(metric_table, 'policy_retention', if_exists)
$$;

-- A dropped metric table takes its policies with it.
CREATE OR REPLACE FUNCTION datalayer._forget_dropped_tables()
RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM datalayer.job j
     USING pg_event_trigger_dropped_objects() d
     WHERE d.classid = 'pg_class'::regclass AND d.objsubid = 0
       AND j.proc_schema = 'datalayer' AND j.proc_name LIKE 'policy\_%'
       AND (j.config->>'relid')::oid = d.objid;
    DELETE FROM datalayer.metric_table_catalog m
     USING pg_event_trigger_dropped_objects() d
     WHERE d.classid = 'pg_class'::regclass AND d.objsubid = 0 AND d.objid = m.relid::oid;
END $$;
