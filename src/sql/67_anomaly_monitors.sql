-- Anomaly monitors: jobs on datalayer's scheduler that score the rows that
-- arrived in a table since their last run, per series, from a persisted
-- detector state (anomaly_state / anomaly_score), and turn anomalous points
-- into de-duplicated alerts with NOTIFY.  docs/anomaly.md, "Monitors".
--
-- A monitor reads rows with  watermark < time <= now() - delay,  groups
-- them by its group_by columns into one series each, and scores each series
-- from its saved state; the watermark then moves to the newest time read.
-- Rows that arrive later with a time at or before the watermark are not
-- scored (give such tables a delay).  Anomalous points of one series closer
-- than the cool-down are one episode, one alert; a repeat within the
-- cool-down of a resolved alert is counted on it, not raised again.

CREATE TABLE datalayer.anomaly_monitor (
    monitor_id      bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    monitor_name    text        NOT NULL UNIQUE,
    job_id          bigint      UNIQUE REFERENCES datalayer.job ON DELETE CASCADE,
    source_relid    oid         NOT NULL,
    source_name     text        NOT NULL,       -- as it was named, for messages
    time_column     name        NOT NULL,
    value_column    name        NOT NULL,
    group_by        name[]      NOT NULL DEFAULT '{}',
    method          text        NOT NULL,
    sensitivity     float8      NOT NULL,
    detector_options jsonb,                     -- passed to anomaly_state()
    rule            jsonb,                      -- method 'threshold': above/below/for
    severity        text        CHECK (severity IN ('warning', 'critical')),
    cooldown        interval    NOT NULL CHECK (cooldown >= '0'),
    history         interval    NOT NULL CHECK (history >= '0'),
    delay           interval    NOT NULL CHECK (delay >= '0'),
    channel         text        NOT NULL,
    owner           regrole     NOT NULL,
    watermark       timestamptz NOT NULL,
    last_run_at     timestamptz,
    paused_reason   text,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE datalayer.anomaly_monitor IS
    'anomaly monitors; create them with add_anomaly_monitor, see them in datalayer.monitors';

-- One row per series a monitor has seen: its detector state and where its
-- current episode stands.
CREATE TABLE datalayer.anomaly_monitor_series (
    monitor_id      bigint      NOT NULL REFERENCES datalayer.anomaly_monitor ON DELETE CASCADE,
    series_key      jsonb       NOT NULL,
    state           bytea,                      -- NULL for threshold rules
    last_time       timestamptz,
    rule_since      timestamptz,                -- threshold rules: since when the condition holds
    last_anomaly_at timestamptz,
    last_alert_id   bigint,
    PRIMARY KEY (monitor_id, series_key)
);

CREATE TABLE datalayer.alerts (
    alert_id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    monitor_id      bigint      NOT NULL REFERENCES datalayer.anomaly_monitor ON DELETE CASCADE,
    series_key      jsonb       NOT NULL,
    started_at      timestamptz NOT NULL,
    ended_at        timestamptz NOT NULL,
    points          int         NOT NULL DEFAULT 1,
    peak_score      float8,
    peak_value      float8,
    peak_expected   float8,
    severity        text        NOT NULL CHECK (severity IN ('warning', 'critical')),
    status          text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
    suppressed      int         NOT NULL DEFAULT 0,    -- repeats within the cool-down after resolving
    raised_at       timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    acknowledged_at timestamptz,
    acknowledged_by name,
    resolved_at     timestamptz,
    resolved_by     name,
    note            text,
    CHECK (ended_at >= started_at)
);
CREATE INDEX alerts_monitor_series ON datalayer.alerts (monitor_id, series_key, started_at);
CREATE INDEX alerts_open ON datalayer.alerts (monitor_id) WHERE status <> 'resolved';
COMMENT ON TABLE datalayer.alerts IS
    'one row per anomalous episode of a series; acknowledge_alert() and resolve_alert() change its status';

SELECT pg_catalog.pg_extension_config_dump('datalayer.anomaly_monitor', '');
SELECT pg_catalog.pg_extension_config_dump('datalayer.anomaly_monitor_series', '');
SELECT pg_catalog.pg_extension_config_dump('datalayer.alerts', '');

-- The same row-level security as jobs: owners (and datalayer_admin) only.
ALTER TABLE datalayer.anomaly_monitor ENABLE ROW LEVEL SECURITY;
CREATE POLICY manage_own_monitors ON datalayer.anomaly_monitor
    USING (datalayer._may_manage(owner)) WITH CHECK (datalayer._may_manage(owner));
ALTER TABLE datalayer.anomaly_monitor_series ENABLE ROW LEVEL SECURITY;
CREATE POLICY series_of_own_monitors ON datalayer.anomaly_monitor_series
    USING (EXISTS (SELECT 1 FROM datalayer.anomaly_monitor m WHERE m.monitor_id = anomaly_monitor_series.monitor_id));
ALTER TABLE datalayer.alerts ENABLE ROW LEVEL SECURITY;
CREATE POLICY alerts_of_own_monitors ON datalayer.alerts
    USING (EXISTS (SELECT 1 FROM datalayer.anomaly_monitor m WHERE m.monitor_id = alerts.monitor_id));
GRANT SELECT, INSERT, UPDATE, DELETE ON datalayer.anomaly_monitor, datalayer.anomaly_monitor_series,
    datalayer.alerts TO PUBLIC;

-- Monitor-level keys of add_anomaly_monitor's options; the others go to the detector.
CREATE FUNCTION datalayer._monitor_option_keys()
RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['cooldown', 'history', 'delay', 'above', 'below', 'for', 'severity']
$$;

-- Why a monitor cannot read its source now, or NULL when it can.
CREATE FUNCTION datalayer._monitor_source_problem(m datalayer.anomaly_monitor, OUT sqlstate text, OUT problem text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    col name;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = m.source_relid) THEN
        sqlstate := '42P01';
        problem := format('source table %s of monitor "%s" no longer exists', m.source_name, m.monitor_name);
        RETURN;
    END IF;
    FOREACH col IN ARRAY ARRAY[m.time_column, m.value_column] || m.group_by LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = m.source_relid AND a.attname = col
                          AND a.attnum > 0 AND NOT a.attisdropped) THEN
            sqlstate := '42703';
            problem := format('column "%s" of the source table %s of monitor "%s" no longer exists',
                              col, m.source_relid::regclass, m.monitor_name);
            RETURN;
        END IF;
    END LOOP;
    IF NOT has_table_privilege(m.source_relid, 'SELECT') THEN
        sqlstate := '42501';
        problem := format('monitor "%s" may no longer read its source table %s', m.monitor_name, m.source_relid::regclass);
    END IF;
END $$;

-- The SQL that yields the key of a row: a jsonb object of the group_by columns.
CREATE FUNCTION datalayer._monitor_key_sql(group_by name[])
RETURNS text LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN cardinality(group_by) = 0 THEN '''{}''::jsonb'
                ELSE format('jsonb_build_object(%s)',
                            (SELECT string_agg(format('%L, %I', g, g), ', ' ORDER BY o)
                               FROM unnest(group_by) WITH ORDINALITY u(g, o))) END
$$;

CREATE FUNCTION datalayer.add_anomaly_monitor(source regclass, time_column name, value_column name,
                                              group_by name[] DEFAULT NULL, method text DEFAULT 'auto',
                                              schedule text DEFAULT '1 minute', options jsonb DEFAULT NULL,
                                              sensitivity float8 DEFAULT 0.5, monitor_name text DEFAULT NULL,
                                              channel text DEFAULT 'datalayer_alerts')
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    m datalayer.anomaly_monitor;
    t regtype;
    col name;
    det jsonb;
    rule jsonb;
    k record;
    empty_state bytea;
    q text;
BEGIN
    IF source IS NULL OR time_column IS NULL OR value_column IS NULL OR method IS NULL OR schedule IS NULL
       OR sensitivity IS NULL OR channel IS NULL THEN
        RAISE EXCEPTION 'source, time_column, value_column, method, schedule, sensitivity and channel must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF options IS NOT NULL AND jsonb_typeof(options) <> 'object' THEN
        RAISE EXCEPTION 'options must be a JSON object' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT has_table_privilege(source, 'SELECT') THEN
        RAISE EXCEPTION 'permission denied for table %', source USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (SELECT relkind FROM pg_class WHERE oid = source) NOT IN ('r', 'p', 'v', 'm', 'f') THEN
        RAISE EXCEPTION '"%" is not a table or view', source USING ERRCODE = 'wrong_object_type';
    END IF;
    SELECT a.atttypid::regtype INTO t FROM pg_attribute a
     WHERE a.attrelid = source AND a.attname = time_column AND a.attnum > 0 AND NOT a.attisdropped;
    IF t IS NULL THEN
        RAISE EXCEPTION 'column "%" of % does not exist', time_column, source USING ERRCODE = 'undefined_column';
    ELSIF t NOT IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype) THEN
        RAISE EXCEPTION 'time column "%" is of type %, not a timestamp', time_column, t
            USING ERRCODE = 'datatype_mismatch', HINT = 'Monitors need a timestamptz, timestamp or date column.';
    END IF;
    SELECT a.atttypid::regtype INTO t FROM pg_attribute a
     WHERE a.attrelid = source AND a.attname = value_column AND a.attnum > 0 AND NOT a.attisdropped;
    IF t IS NULL THEN
        RAISE EXCEPTION 'column "%" of % does not exist', value_column, source USING ERRCODE = 'undefined_column';
    ELSIF t NOT IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype, 'real'::regtype,
                    'double precision'::regtype, 'numeric'::regtype) THEN
        RAISE EXCEPTION 'value column "%" is of type %, not a number', value_column, t
            USING ERRCODE = 'datatype_mismatch';
    END IF;
    FOREACH col IN ARRAY coalesce(group_by, '{}') LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = source AND a.attname = col
                          AND a.attnum > 0 AND NOT a.attisdropped) THEN
            RAISE EXCEPTION 'column "%" of % does not exist', col, source USING ERRCODE = 'undefined_column';
        END IF;
    END LOOP;

    m.monitor_name := coalesce(monitor_name, format('%s %s', source, value_column));
    m.source_relid := source;
    m.source_name := source::text;
    m.time_column := time_column;
    m.value_column := value_column;
    m.group_by := coalesce(group_by, '{}');
    m.method := method;
    m.sensitivity := sensitivity;
    m.channel := channel;
    m.owner := current_user::regrole;
    BEGIN
        m.cooldown := coalesce((options->>'cooldown')::interval, interval '15 minutes');
        m.history := coalesce((options->>'history')::interval, interval '7 days');
        m.delay := coalesce((options->>'delay')::interval, interval '0');
    EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR interval_field_overflow THEN
        RAISE EXCEPTION 'cooldown, history and delay must be intervals such as ''15 minutes'''
            USING ERRCODE = 'invalid_parameter_value';
    END;
    IF m.cooldown < '0' OR m.history < '0' OR m.delay < '0' THEN
        RAISE EXCEPTION 'cooldown, history and delay must not be negative' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    m.severity := options->>'severity';
    IF m.severity IS NOT NULL AND m.severity NOT IN ('warning', 'critical') THEN
        RAISE EXCEPTION 'severity must be ''warning'' or ''critical''' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    det := (SELECT jsonb_object_agg(key, value) FROM jsonb_each(coalesce(options, '{}'))
             WHERE key <> ALL (datalayer._monitor_option_keys()));

    IF method = 'threshold' THEN
        IF det IS NOT NULL THEN
            RAISE EXCEPTION 'unknown option "%" for a threshold monitor', (SELECT min(k2) FROM jsonb_object_keys(det) k2)
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'A threshold monitor takes above, below, for, severity, cooldown and delay.';
        END IF;
        IF options->'above' IS NULL AND options->'below' IS NULL THEN
            RAISE EXCEPTION 'a threshold monitor needs "above" or "below"' USING ERRCODE = 'invalid_parameter_value',
                HINT = 'For example options => ''{"above": 90, "for": "5 minutes"}''.';
        END IF;
        IF (options ? 'above' AND jsonb_typeof(options->'above') <> 'number')
           OR (options ? 'below' AND jsonb_typeof(options->'below') <> 'number') THEN
            RAISE EXCEPTION '"above" and "below" must be numbers' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        BEGIN
            rule := jsonb_build_object('above', options->'above', 'below', options->'below',
                                       'for', coalesce((options->>'for')::interval, interval '0')::text);
        EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR interval_field_overflow THEN
            RAISE EXCEPTION '"for" must be an interval such as ''5 minutes''' USING ERRCODE = 'invalid_parameter_value';
        END;
        IF (rule->>'for')::interval < '0' THEN
            RAISE EXCEPTION '"for" must not be negative' USING ERRCODE = 'invalid_parameter_value';
        END IF;
        m.rule := rule;
    ELSE
        IF options ? 'above' OR options ? 'below' OR options ? 'for' THEN
            RAISE EXCEPTION 'above, below and for belong to threshold monitors' USING ERRCODE = 'invalid_parameter_value',
                HINT = 'Use method => ''threshold''.';
        END IF;
        -- checks the method, the sensitivity and every detector option (22023 / 0A000)
        empty_state := datalayer.anomaly_state(NULL, method, sensitivity, det);
        m.detector_options := det;
    END IF;
    IF EXISTS (SELECT 1 FROM datalayer.anomaly_monitor x WHERE x.monitor_name = m.monitor_name) THEN
        RAISE EXCEPTION 'monitor "%" already exists', m.monitor_name USING ERRCODE = 'duplicate_object';
    END IF;

    EXECUTE format('SELECT max(%I)::timestamptz FROM %s', time_column, source) INTO m.watermark;
    m.watermark := coalesce(m.watermark, '-infinity');
    SELECT * INTO k FROM datalayer._schedule_kind(schedule);     -- checks the schedule

    INSERT INTO datalayer.anomaly_monitor (monitor_name, source_relid, source_name, time_column, value_column,
                group_by, method, sensitivity, detector_options, rule, severity, cooldown, history, delay,
                channel, owner, watermark)
    VALUES (m.monitor_name, m.source_relid, m.source_name, m.time_column, m.value_column, m.group_by,
            m.method, m.sensitivity, m.detector_options, m.rule, m.severity, m.cooldown, m.history, m.delay,
            m.channel, m.owner, m.watermark)
    RETURNING monitor_id INTO m.monitor_id;

    -- learn each series' recent history, so the first run already has a model
    IF method <> 'threshold' AND m.history > '0' AND m.watermark > '-infinity' THEN
        q := format('INSERT INTO datalayer.anomaly_monitor_series (monitor_id, series_key, state, last_time)
                     SELECT $1, key, datalayer.anomaly_state(s, $2, $3, $4), last_time
                       FROM (SELECT %s AS key, datalayer.series(%I::timestamptz, %I::float8, ''last'') AS s,
                                    max(%I::timestamptz) AS last_time
                               FROM %s WHERE %I::timestamptz > $5 AND %I::timestamptz <= $6 GROUP BY 1) h',
                    datalayer._monitor_key_sql(m.group_by), time_column, value_column, time_column,
                    source, time_column, time_column);
        EXECUTE q USING m.monitor_id, method, sensitivity, det, m.watermark - m.history, m.watermark;
    END IF;

    UPDATE datalayer.anomaly_monitor SET job_id = datalayer.add_job('datalayer.run_anomaly_monitor'::regproc, schedule,
               config => jsonb_build_object('monitor_id', m.monitor_id),
               -- the first run waits one period: the history has just been learned
               initial_start => CASE WHEN k.kind = 'interval' THEN clock_timestamp() + k.every END,
               job_name => format('anomaly monitor %s', m.monitor_name))
     WHERE monitor_id = m.monitor_id;
    RETURN m.monitor_id;
END $$;

CREATE FUNCTION datalayer._monitor_by_name(name text)
RETURNS datalayer.anomaly_monitor LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    m datalayer.anomaly_monitor;
BEGIN
    SELECT * INTO m FROM datalayer.anomaly_monitor x WHERE x.monitor_name = name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'monitor "%" does not exist', name USING ERRCODE = 'undefined_object';
    END IF;
    RETURN m;
END $$;

CREATE FUNCTION datalayer.remove_anomaly_monitor(monitor_name text, if_exists boolean DEFAULT false)
RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    m datalayer.anomaly_monitor;
BEGIN
    SELECT * INTO m FROM datalayer.anomaly_monitor x WHERE x.monitor_name = remove_anomaly_monitor.monitor_name;
    IF NOT FOUND THEN
        IF if_exists THEN
            RETURN false;
        END IF;
        RAISE EXCEPTION 'monitor "%" does not exist', monitor_name USING ERRCODE = 'undefined_object';
    END IF;
    IF m.job_id IS NOT NULL THEN
        PERFORM datalayer.delete_job(m.job_id);     -- takes the monitor, its series and alerts with it
    END IF;
    DELETE FROM datalayer.anomaly_monitor WHERE monitor_id = m.monitor_id;
    RETURN true;
END $$;

-- One anomalous point of a series: extend its episode, count a repeat of a
-- resolved one, or raise a new alert and notify.  Returns the new alert's id
-- when one was raised.
CREATE FUNCTION datalayer._monitor_point(m datalayer.anomaly_monitor, key jsonb, t timestamptz, v float8,
                                         expected float8, upper float8, score float8)
RETURNS bigint LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    s datalayer.anomaly_monitor_series;
    sev text;
    id bigint;
    a datalayer.alerts;
BEGIN
    sev := coalesce(m.severity,
                    CASE WHEN expected IS NOT NULL AND upper IS NOT NULL AND upper > expected
                              AND abs(v - expected) >= 2 * (upper - expected) THEN 'critical' ELSE 'warning' END);
    SELECT * INTO s FROM datalayer.anomaly_monitor_series x
     WHERE x.monitor_id = m.monitor_id AND x.series_key = key FOR UPDATE;
    IF s.last_alert_id IS NOT NULL AND t - s.last_anomaly_at <= m.cooldown THEN
        UPDATE datalayer.alerts SET
               ended_at = greatest(ended_at, t), points = points + 1,
               peak_score = CASE WHEN score > peak_score OR peak_score IS NULL THEN score ELSE peak_score END,
               peak_value = CASE WHEN score > peak_score OR peak_score IS NULL THEN v ELSE peak_value END,
               peak_expected = CASE WHEN score > peak_score OR peak_score IS NULL THEN expected ELSE peak_expected END,
               severity = CASE WHEN sev = 'critical' THEN sev ELSE severity END
         WHERE alert_id = s.last_alert_id AND status <> 'resolved';
        IF NOT FOUND THEN
            UPDATE datalayer.alerts SET suppressed = suppressed + 1 WHERE alert_id = s.last_alert_id;
        END IF;
        UPDATE datalayer.anomaly_monitor_series x SET last_anomaly_at = greatest(t, x.last_anomaly_at)
         WHERE x.monitor_id = m.monitor_id AND x.series_key = key;
        RETURN NULL;
    END IF;
    INSERT INTO datalayer.alerts (monitor_id, series_key, started_at, ended_at, peak_score, peak_value,
                                  peak_expected, severity)
    VALUES (m.monitor_id, key, t, t, score, v, expected, sev)
    RETURNING * INTO a;
    INSERT INTO datalayer.anomaly_monitor_series AS x (monitor_id, series_key, last_anomaly_at, last_alert_id)
    VALUES (m.monitor_id, key, t, a.alert_id)
    ON CONFLICT (monitor_id, series_key) DO UPDATE SET last_anomaly_at = t, last_alert_id = a.alert_id;
    PERFORM pg_notify(m.channel, jsonb_build_object(
        'event', 'alert', 'alert_id', a.alert_id, 'monitor', m.monitor_name, 'series', key,
        'time', to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'value', v, 'expected', expected, 'score', score, 'severity', sev, 'status', a.status)::text);
    RETURN a.alert_id;
END $$;

-- One run of a monitor: what run_anomaly_monitor does, returning a summary.
CREATE FUNCTION datalayer._run_anomaly_monitor(id bigint)
RETURNS jsonb LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    m datalayer.anomaly_monitor;
    p record;
    upto timestamptz;
    newest timestamptz;
    r record;
    q text;
    empty_state bytea;
    n_points bigint := 0;
    n_series bigint := 0;
    n_anomalies bigint := 0;
    n_alerts bigint := 0;
    cond boolean;
    since timestamptz;
    cur_key jsonb;
    above float8;
    below float8;
    hold interval;
    bound float8;
BEGIN
    SELECT * INTO m FROM datalayer.anomaly_monitor x WHERE x.monitor_id = id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'anomaly monitor % does not exist', id USING ERRCODE = 'undefined_object';
    END IF;
    SELECT * INTO p FROM datalayer._monitor_source_problem(m);
    IF p.problem IS NOT NULL THEN
        -- pause rather than fail on every run; the run is recorded as failed with the reason
        UPDATE datalayer.anomaly_monitor SET paused_reason = p.problem WHERE monitor_id = id;
        UPDATE datalayer.job SET paused = true WHERE job_id = m.job_id;
        UPDATE datalayer.job_run SET status = 'failed', finished_at = clock_timestamp(), sqlstate = p.sqlstate,
               error_message = p.problem || '; the monitor was paused'
         WHERE job_id = m.job_id AND status = 'running' AND pid = pg_backend_pid();
        RAISE WARNING '%; the monitor was paused', p.problem
            USING HINT = 'Fix the source and call datalayer.resume_job(), or remove the monitor.';
        RETURN jsonb_build_object('paused', p.problem);
    END IF;
    upto := clock_timestamp() - m.delay;
    newest := m.watermark;

    IF m.method = 'threshold' THEN
        -- the rule, read once rather than on every row
        above := (m.rule->>'above')::float8;
        below := (m.rule->>'below')::float8;
        hold := (m.rule->>'for')::interval;
        bound := coalesce(above, below);
        q := format('SELECT k.key, k.t, k.v, st.rule_since
                       FROM (SELECT %s AS key, %I::timestamptz AS t, %I::float8 AS v FROM %s
                              WHERE %I::timestamptz > $1 AND %I::timestamptz <= $2) k
                       LEFT JOIN datalayer.anomaly_monitor_series st ON st.monitor_id = $3 AND st.series_key = k.key
                      ORDER BY k.key, k.t',
                    datalayer._monitor_key_sql(m.group_by), m.time_column, m.value_column,
                    m.source_relid::regclass, m.time_column, m.time_column);
        FOR r IN EXECUTE q USING m.watermark, upto, m.monitor_id LOOP
            IF cur_key IS DISTINCT FROM r.key THEN
                IF cur_key IS NOT NULL THEN
                    UPDATE datalayer.anomaly_monitor_series SET rule_since = since
                     WHERE monitor_id = m.monitor_id AND series_key = cur_key;
                END IF;
                cur_key := r.key;
                since := r.rule_since;
                n_series := n_series + 1;
                INSERT INTO datalayer.anomaly_monitor_series (monitor_id, series_key)
                VALUES (m.monitor_id, r.key) ON CONFLICT DO NOTHING;
            END IF;
            n_points := n_points + 1;
            newest := greatest(newest, r.t);
            cond := r.v IS NOT NULL AND r.v = r.v
                    AND (above IS NULL OR r.v > above)
                    AND (below IS NULL OR r.v < below);
            IF cond THEN
                since := coalesce(since, r.t);
                IF r.t - since >= hold THEN
                    n_anomalies := n_anomalies + 1;
                    IF datalayer._monitor_point(m, r.key, r.t, r.v, bound, NULL, abs(r.v - bound)) IS NOT NULL THEN
                        n_alerts := n_alerts + 1;
                    END IF;
                END IF;
            ELSE
                since := NULL;
            END IF;
        END LOOP;
        IF cur_key IS NOT NULL THEN
            UPDATE datalayer.anomaly_monitor_series SET rule_since = since
             WHERE monitor_id = m.monitor_id AND series_key = cur_key;
        END IF;
    ELSE
        empty_state := datalayer.anomaly_state(NULL, m.method, m.sensitivity, m.detector_options);
        q := format('SELECT n.key, r.*
                       FROM (SELECT %s AS key, datalayer.series(%I::timestamptz, %I::float8, ''last'') AS s
                               FROM %s WHERE %I::timestamptz > $1 AND %I::timestamptz <= $2 GROUP BY 1) n
                       LEFT JOIN datalayer.anomaly_monitor_series st ON st.monitor_id = $3 AND st.series_key = n.key
                      CROSS JOIN LATERAL datalayer.anomaly_score(coalesce(st.state, $4), n.s) r
                      ORDER BY n.key, r.time',
                    datalayer._monitor_key_sql(m.group_by), m.time_column, m.value_column,
                    m.source_relid::regclass, m.time_column, m.time_column);
        FOR r IN EXECUTE q USING m.watermark, upto, m.monitor_id, empty_state LOOP
            n_points := n_points + 1;
            newest := greatest(newest, r.time);
            IF r.is_anomaly THEN
                n_anomalies := n_anomalies + 1;
                IF datalayer._monitor_point(m, r.key, r.time, r.value, r.expected, r.upper, r.score) IS NOT NULL THEN
                    n_alerts := n_alerts + 1;
                END IF;
            END IF;
            IF r.state IS NOT NULL THEN     -- the last point of a series
                n_series := n_series + 1;
                INSERT INTO datalayer.anomaly_monitor_series AS x (monitor_id, series_key, state, last_time)
                VALUES (m.monitor_id, r.key, r.state, r.time)
                ON CONFLICT (monitor_id, series_key) DO UPDATE SET state = excluded.state, last_time = excluded.last_time;
            END IF;
        END LOOP;
    END IF;

    UPDATE datalayer.anomaly_monitor SET watermark = newest, last_run_at = clock_timestamp(), paused_reason = NULL
     WHERE monitor_id = id;
    RETURN jsonb_build_object('points', n_points, 'series', n_series, 'anomalous_points', n_anomalies,
                              'alerts_raised', n_alerts, 'watermark', newest);
END $$;

-- The job procedure (the scheduler runs it; run_job runs it on demand).
CREATE PROCEDURE datalayer.run_anomaly_monitor(job_id int, config jsonb)
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    summary jsonb := datalayer._run_anomaly_monitor((config->>'monitor_id')::bigint);
BEGIN
    PERFORM datalayer.report_job_result((summary->>'points')::bigint, summary);
END $$;

-- acknowledge_alert / resolve_alert: change an alert's status, say who and
-- why, and tell the monitor's channel.
CREATE FUNCTION datalayer._set_alert_status(id bigint, new_status text, note text)
RETURNS datalayer.alerts LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    a datalayer.alerts;
    m datalayer.anomaly_monitor;
BEGIN
    SELECT * INTO a FROM datalayer.alerts x WHERE x.alert_id = id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'alert % does not exist', id USING ERRCODE = 'undefined_object';
    END IF;
    IF a.status = 'resolved' THEN
        RAISE EXCEPTION 'alert % is already resolved', id USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    IF new_status = 'acknowledged' THEN
        IF a.status = 'acknowledged' THEN
            RAISE EXCEPTION 'alert % is already acknowledged', id USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        UPDATE datalayer.alerts x SET status = new_status, acknowledged_at = clock_timestamp(),
               acknowledged_by = current_user, note = coalesce(_set_alert_status.note, x.note)
         WHERE x.alert_id = id RETURNING * INTO a;
    ELSE
        UPDATE datalayer.alerts x SET status = new_status, resolved_at = clock_timestamp(),
               resolved_by = current_user, note = coalesce(_set_alert_status.note, x.note)
         WHERE x.alert_id = id RETURNING * INTO a;
    END IF;
    SELECT * INTO m FROM datalayer.anomaly_monitor x WHERE x.monitor_id = a.monitor_id;
    PERFORM pg_notify(m.channel, jsonb_build_object('event', new_status, 'alert_id', a.alert_id,
                      'monitor', m.monitor_name, 'series', a.series_key, 'status', a.status,
                      'by', current_user)::text);
    RETURN a;
END $$;

CREATE FUNCTION datalayer.acknowledge_alert(alert_id bigint, note text DEFAULT NULL)
RETURNS datalayer.alerts LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT datalayer._set_alert_status(alert_id, 'acknowledged', note)
$$;

CREATE FUNCTION datalayer.resolve_alert(alert_id bigint, note text DEFAULT NULL)
RETURNS datalayer.alerts LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    SELECT datalayer._set_alert_status(alert_id, 'resolved', note)
$$;

CREATE VIEW datalayer.monitors AS
SELECT m.monitor_id, m.monitor_name, m.source_relid::regclass AS source, m.time_column, m.value_column,
       m.group_by, m.method, m.sensitivity, coalesce(m.detector_options, m.rule) AS options,
       m.cooldown, m.channel, m.owner, m.job_id, j.schedule,
       CASE WHEN j.paused THEN 'paused' ELSE 'active' END AS status, m.paused_reason,
       m.watermark, m.last_run_at, CASE WHEN j.paused THEN NULL ELSE j.next_start END AS next_run,
       (SELECT count(*) FROM datalayer.anomaly_monitor_series s WHERE s.monitor_id = m.monitor_id) AS series,
       (SELECT count(*) FROM datalayer.alerts a WHERE a.monitor_id = m.monitor_id AND a.status = 'open') AS open_alerts,
       (SELECT count(*) FROM datalayer.alerts a WHERE a.monitor_id = m.monitor_id) AS total_alerts
FROM datalayer.anomaly_monitor m
LEFT JOIN datalayer.job j ON j.job_id = m.job_id
WHERE datalayer._may_manage(m.owner);
GRANT SELECT ON datalayer.monitors TO PUBLIC;
