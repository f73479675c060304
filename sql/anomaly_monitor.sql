-- anomaly monitors: add_anomaly_monitor, runs, alerts, episodes, cool-down,
-- acknowledge/resolve, threshold rules, pausing when the source breaks
SET timezone = 'UTC';
SET datestyle = 'ISO, MDY';
SET extra_float_digits = 0;
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.err(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- 50 hours of per-minute CPU for three hosts, with an hourly cycle
CREATE TABLE mon_cpu (time timestamptz NOT NULL, host text NOT NULL, cpu float8);
INSERT INTO mon_cpu
SELECT timestamptz '2024-05-01 00:00' + i * interval '1 minute', 'web-' || h,
       40 + 10 * sin(2 * pi() * (i % 60) / 60) + (hashint4(i * 3 + h) % 1000) / 1000.0
FROM generate_series(0, 2999) i, generate_series(1, 3) h;

-- a helper that appends minutes first..last, with an extra load on one host
CREATE FUNCTION pg_temp.append(first int, last int, bad_host int DEFAULT 0, bad_from int DEFAULT 0,
                               bad_to int DEFAULT -1, extra float8 DEFAULT 0) RETURNS void LANGUAGE sql AS $$
    INSERT INTO mon_cpu
    SELECT timestamptz '2024-05-01 00:00' + i * interval '1 minute', 'web-' || h,
           40 + 10 * sin(2 * pi() * (i % 60) / 60) + (hashint4(i * 3 + h) % 1000) / 1000.0
           + CASE WHEN h = bad_host AND i BETWEEN bad_from AND bad_to THEN extra ELSE 0 END
    FROM generate_series(first, last) i, generate_series(1, 3) h
$$;
CREATE FUNCTION pg_temp.run(name text) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CALL datalayer.run_job(%s)',
                   (SELECT job_id FROM datalayer.monitors WHERE monitor_name = name));
    RETURN (SELECT r.result - 'watermark' FROM datalayer.job_runs r JOIN datalayer.monitors m USING (job_id)
             WHERE m.monitor_name = name ORDER BY r.run_id DESC LIMIT 1);
END $$;

-- the documentation's example: one monitor per host, Holt-Winters with an hourly season
SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'cpu', group_by => '{host}',
                                     method => 'holt_winters', schedule => '1 hour',
                                     options => '{"period": 60, "cooldown": "15 minutes"}',
                                     monitor_name => 'cpu per host') AS monitor_id;
SELECT monitor_name, source, group_by, method, options, cooldown, channel, schedule, status,
       watermark, series, open_alerts
FROM datalayer.monitors;
-- each host's detector learned its history
SELECT series_key, datalayer.anomaly_state_info(state) - 'bytes' AS state, last_time
FROM datalayer.anomaly_monitor_series ORDER BY series_key;

-- ten quiet minutes: scored, nothing raised
SELECT pg_temp.append(3000, 3009);
SELECT pg_temp.run('cpu per host');
SELECT count(*) AS alerts FROM datalayer.alerts;
-- nothing new: nothing scored
SELECT pg_temp.run('cpu per host');

-- web-2 overheats for three minutes: one alert for the episode
SELECT pg_temp.append(3010, 3019, bad_host => 2, bad_from => 3012, bad_to => 3014, extra => 30);
SELECT pg_temp.run('cpu per host');
SELECT alert_id, series_key, started_at, ended_at, points, round(peak_value::numeric, 1) AS peak_value,
       round(peak_expected::numeric, 1) AS peak_expected, severity, status
FROM datalayer.alerts ORDER BY alert_id;

-- it comes back eight minutes later, inside the cool-down: the same episode
SELECT pg_temp.append(3020, 3029, bad_host => 2, bad_from => 3022, bad_to => 3022, extra => 30);
SELECT pg_temp.run('cpu per host');
SELECT alert_id, started_at, ended_at, points, status FROM datalayer.alerts ORDER BY alert_id;

-- acknowledge, then resolve; wrong transitions are refused
SELECT alert_id, status, acknowledged_by, note FROM datalayer.acknowledge_alert(1, 'looking');
SELECT pg_temp.err('SELECT datalayer.acknowledge_alert(1)');
SELECT alert_id, status, resolved_by, note FROM datalayer.resolve_alert(1);
SELECT pg_temp.err('SELECT datalayer.resolve_alert(1)');
SELECT pg_temp.err('SELECT datalayer.acknowledge_alert(1)');
SELECT pg_temp.err('SELECT datalayer.resolve_alert(999)');

-- a repeat within the cool-down of the resolved alert is counted, not raised
SELECT pg_temp.append(3030, 3039, bad_host => 2, bad_from => 3033, bad_to => 3033, extra => 30);
SELECT pg_temp.run('cpu per host');
SELECT alert_id, points, status, suppressed FROM datalayer.alerts ORDER BY alert_id;

-- after the cool-down a new episode is a new alert; the other hosts never alerted
SELECT pg_temp.append(3040, 3089, bad_host => 2, bad_from => 3080, bad_to => 3081, extra => -30);
SELECT pg_temp.run('cpu per host');
SELECT alert_id, series_key, started_at, ended_at, points, severity, status FROM datalayer.alerts ORDER BY alert_id;
SELECT monitor_name, series, open_alerts, total_alerts, watermark FROM datalayer.monitors;

-- a host that appears later starts cold: scored from its first point, never
-- flagged while its detector warms up
INSERT INTO mon_cpu SELECT timestamptz '2024-05-01 00:00' + i * interval '1 minute', 'web-9', 500
FROM generate_series(3090, 3099) i;
SELECT pg_temp.run('cpu per host');
SELECT series_key, datalayer.anomaly_state_info(state) - 'bytes' AS state FROM datalayer.anomaly_monitor_series
WHERE series_key = '{"host": "web-9"}';
SELECT count(*) AS alerts_for_web9 FROM datalayer.alerts WHERE series_key = '{"host": "web-9"}';

-- threshold rules: above 90 degrees for 5 minutes, on the whole table
CREATE TABLE mon_temp (time timestamptz, celsius numeric);
SELECT datalayer.add_anomaly_monitor('mon_temp', 'time', 'celsius', method => 'threshold', schedule => '1 hour',
                                     options => '{"above": 90, "for": "5 minutes", "severity": "critical"}',
                                     monitor_name => 'overheat') AS monitor_id;
-- hot for 3 minutes, then cool: nothing
INSERT INTO mon_temp SELECT timestamptz '2024-05-01 00:00' + i * interval '1 minute',
                            CASE WHEN i BETWEEN 2 AND 4 THEN 95 ELSE 70 END FROM generate_series(0, 9) i;
SELECT pg_temp.run('overheat');
-- hot from minute 12 on, across two runs: the alert comes when 5 minutes have passed
INSERT INTO mon_temp SELECT timestamptz '2024-05-01 00:00' + i * interval '1 minute',
                            CASE WHEN i >= 12 THEN 96 ELSE 70 END FROM generate_series(10, 15) i;
SELECT pg_temp.run('overheat');
INSERT INTO mon_temp SELECT timestamptz '2024-05-01 00:00' + i * interval '1 minute', 97 + i - 16
FROM generate_series(16, 19) i;
SELECT pg_temp.run('overheat');
SELECT a.series_key, a.started_at, a.ended_at, a.points, a.peak_value, a.severity
FROM datalayer.alerts a JOIN datalayer.monitors m USING (monitor_id) WHERE m.monitor_name = 'overheat';

-- a broken source pauses the monitor with the reason in its run history
ALTER TABLE mon_temp RENAME COLUMN celsius TO temp_c;
SELECT pg_temp.run('overheat');
SELECT monitor_name, status, paused_reason FROM datalayer.monitors WHERE monitor_name = 'overheat';
SELECT r.status, r.sqlstate, r.error_message FROM datalayer.job_runs r JOIN datalayer.monitors m USING (job_id)
WHERE m.monitor_name = 'overheat' ORDER BY r.run_id DESC LIMIT 1;
-- fixed and resumed, it goes on where it stopped
ALTER TABLE mon_temp RENAME COLUMN temp_c TO celsius;
SELECT datalayer.resume_job(job_id) FROM datalayer.monitors WHERE monitor_name = 'overheat';
INSERT INTO mon_temp VALUES (timestamptz '2024-05-01 00:20', 70);
SELECT pg_temp.run('overheat');
SELECT monitor_name, status, paused_reason, watermark FROM datalayer.monitors WHERE monitor_name = 'overheat';
DROP TABLE mon_temp;
SELECT pg_temp.run('overheat');
SELECT monitor_name, status, paused_reason FROM datalayer.monitors WHERE monitor_name = 'overheat';

-- removing a monitor takes its job, series and alerts with it
SELECT datalayer.remove_anomaly_monitor('overheat');
SELECT pg_temp.err($$SELECT datalayer.remove_anomaly_monitor('overheat')$$);
SELECT datalayer.remove_anomaly_monitor('overheat', if_exists => true);
SELECT count(*) FROM datalayer.jobs WHERE job_name = 'anomaly monitor overheat';

-- bad monitors are refused before anything is created
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'ts', 'cpu')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'usage')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'host', 'cpu')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'host')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'cpu', group_by => '{region}')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'cpu', method => 'zscore')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'cpu', method => 'seasonal_esd')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'cpu', sensitivity => 2)$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'cpu', options => '{"window": 1}')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'cpu', options => '{"cooldown": "soon"}')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'cpu', options => '{"cooldown": "-1 minute"}')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'cpu', options => '[1]')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'cpu', options => '{"above": 3}')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'cpu', method => 'threshold')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'cpu', method => 'threshold', options => '{"above": "high"}')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'cpu', method => 'threshold', options => '{"above": 1, "window": 5}')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'cpu', method => 'threshold', options => '{"above": 1, "for": "-5 minutes"}')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'cpu', options => '{"severity": "huge"}')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'cpu', schedule => 'often')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor('mon_cpu', 'time', 'cpu', monitor_name => 'cpu per host')$$);
SELECT pg_temp.err($$SELECT datalayer.add_anomaly_monitor(NULL, 'time', 'cpu')$$);
SELECT count(*) AS monitors, (SELECT count(*) FROM datalayer.jobs WHERE job_name LIKE 'anomaly monitor %') AS jobs
FROM datalayer.monitors;

-- other users see neither the monitors nor their alerts
CREATE ROLE mon_stranger;
GRANT USAGE ON SCHEMA datalayer TO mon_stranger;
SET ROLE mon_stranger;
SELECT count(*) AS monitors FROM datalayer.monitors;
SELECT count(*) AS alerts FROM datalayer.alerts;
SELECT pg_temp.err('SELECT datalayer.resolve_alert(2)');
RESET ROLE;
DROP OWNED BY mon_stranger;
DROP ROLE mon_stranger;

SELECT datalayer.remove_anomaly_monitor('cpu per host');
SELECT count(*) AS series, (SELECT count(*) FROM datalayer.alerts) AS alerts FROM datalayer.anomaly_monitor_series;
