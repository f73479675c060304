#!/usr/bin/env bash
# The first set-up command: install what datalayer needs, build and install
# it, start a throwaway PostgreSQL cluster inside the checkout with datalayer
# preloaded, load a demo data set and show what datalayer does.  The cluster
# keeps running; running this again recreates the demo database.
#
#   scripts/demo.sh                 50 hosts x 5 metrics x 1 week at 10 s (3 M rows)
#   DEMO_HOSTS=10 scripts/demo.sh   a smaller data set
source "$(dirname "$0")/common.sh"

PORT=${DATALAYER_PORT:-54329}
HOSTS=${DEMO_HOSTS:-50}
DB=datalayer_demo

install_packages "${PACKAGES_BUILD[@]}"
build_and_install

RUN=$(server_dir "$TOP/.run")
DATA=$RUN/demo-cluster
LOG=$RUN/demo-cluster.log
export PGHOST=$RUN PGPORT=$PORT PGUSER=$(db_superuser)

if [ -f "$DATA/PG_VERSION" ]; then
	step "Restarting the demo cluster in $DATA (to load the freshly built library)"
	stop_cluster "$DATA"
else
	if ! port_is_free "$PORT"; then
		echo "Port $PORT is taken by another program; choose another with DATALAYER_PORT=NNNNN." >&2
		exit 1
	fi
	step "Creating a throwaway cluster in $DATA (port $PORT)"
	init_cluster "$DATA" "$RUN" "$PORT"
fi
start_cluster "$DATA" "$LOG"

psql_demo() { psql -X -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
show() {
	printf '\n-- %s\n' "$1"
	shift
	psql_demo -P pager=off -c "$*"
}

step "Creating database $DB with the extension"
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
psql_demo -q -c "CREATE EXTENSION datalayer"

ROWS=$((HOSTS * 6 * 60 * 24 * 7))
step "Loading demo data: $HOSTS hosts, 5 metrics, one week at 10-second intervals ($ROWS rows)"
psql_demo -q <<SQL
CREATE TABLE metrics (
    time        timestamptz NOT NULL,
    host        text        NOT NULL,
    cpu         float8,
    memory      float8,
    disk_io     float8,
    net_in      float8,
    temperature float8
);
COMMENT ON TABLE metrics IS 'demo host metrics, one row per host every 10 seconds';
-- Daily cycles plus deterministic noise: the same data on every run.
INSERT INTO metrics
SELECT t, 'host-' || lpad(h::text, 3, '0'),
       round((40 + 25 * sin(extract(epoch FROM t) / 13750 + h) + (hashint8(e * 31 + h) % 1000) / 100.0)::numeric, 2),
       round((60 + 10 * sin(extract(epoch FROM t) / 86400 * 6.283 + h / 7.0) + (hashint8(e * 17 + h) % 300) / 100.0)::numeric, 2),
       round((abs(hashint8(e * 13 + h)) % 50000) / 100.0, 2),
       round((500 + 400 * sin(extract(epoch FROM t) / 86400 * 6.283) + (abs(hashint8(e * 7 + h)) % 10000) / 100.0)::numeric, 2),
       round((45 + 5 * sin(extract(epoch FROM t) / 86400 * 6.283 + h) + (hashint8(e * 3 + h) % 100) / 100.0)::numeric, 2)
FROM generate_series(date_trunc('day', now()) - interval '7 days',
                     date_trunc('day', now()) - interval '10 seconds', interval '10 seconds') t,
     LATERAL (SELECT extract(epoch FROM t)::bigint AS e) e,
     generate_series(1, $HOSTS) h;
CREATE INDEX metrics_host_time ON metrics (host, time DESC);
SQL

step "Turning it into a metric table (rows move into one chunk per day)"
show "create_metric_table: converts the table in place, with its index, comment and grants" \
	"SELECT * FROM datalayer.create_metric_table('metrics', 'time', chunk_interval => interval '1 day')"
psql_demo -q -c "ANALYZE metrics"
show "datalayer.metric_tables" \
	"SELECT metric_table, time_column, chunk_interval, chunks, default_partition, pg_size_pretty(total_bytes) AS size FROM datalayer.metric_tables"
show "datalayer.chunks: one partition per day, plus chunks created ahead of time" \
	"SELECT chunk, range_start, range_end, estimated_rows, pg_size_pretty(total_bytes) AS size, storage FROM datalayer.chunks ORDER BY range_start"
WINDOW_SQL="host = 'host-001' AND time >= date_trunc('day', now()) - interval '6 hours' AND time < date_trunc('day', now())"
show "time_bucket: hourly averages for one host over the last 6 hours of data" \
	"SELECT datalayer.time_bucket('1 hour', time) AS hour, round(avg(cpu)::numeric, 2) AS avg_cpu, round(max(temperature)::numeric, 2) AS max_temp
	   FROM metrics WHERE $WINDOW_SQL GROUP BY 1 ORDER BY 1"
show "partition pruning: the plan of that query touches a single chunk" \
	"EXPLAIN (COSTS OFF) SELECT avg(cpu) FROM metrics WHERE $WINDOW_SQL"
show "time_bucket in a time zone: daily peaks by local day in New York" \
	"SELECT datalayer.time_bucket('1 day', time, 'America/New_York') AS local_day, round(max(cpu)::numeric, 2) AS peak_cpu
	   FROM metrics WHERE host = 'host-002' GROUP BY 1 ORDER BY 1 LIMIT 3"
show "rows at any time are stored: a late row from 1999 and one at +infinity wait in the default partition" \
	"INSERT INTO metrics (time, host, cpu) VALUES ('1999-12-31 23:59:59+00', 'host-late', 1), ('infinity', 'host-late', 2);
	 SELECT count(*) AS rows_waiting FROM ONLY metrics_default"
show "run_maintenance: moves them into correctly bounded chunks (the scheduler will run this in the background)" \
	"SELECT * FROM datalayer.run_maintenance()"
show "where the late rows live now" \
	"SELECT m.time, c.chunk, c.range_start, c.range_end FROM metrics m JOIN datalayer.chunks c ON c.chunk = m.tableoid WHERE m.host = 'host-late'"
show "retention: drop the chunks older than 6 days, and the ones holding the late rows" \
	"SELECT datalayer.drop_chunks('metrics', older_than => date_trunc('day', now()) - interval '6 days') AS dropped
	 UNION ALL SELECT datalayer.drop_chunks('metrics', newer_than => '3000-01-01'::timestamptz)"
show "what is left" \
	"SELECT count(*) AS chunks, min(range_start) AS oldest FROM datalayer.chunks WHERE range_start > '-infinity'"

show "jobs: create_metric_table added a maintenance policy; add a retention policy too" \
	"SELECT datalayer.add_retention_policy('metrics', interval '30 days') AS retention_job;
	 SELECT job_id, job_name, proc, schedule, next_start FROM datalayer.jobs ORDER BY job_id"
psql_demo -q <<'SQL'
CREATE TABLE cpu_rollup (bucket timestamptz, host text, avg_cpu float8, computed_at timestamptz DEFAULT now());
CREATE PROCEDURE refresh_cpu_rollup(job_id int, config jsonb) LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM cpu_rollup;
    INSERT INTO cpu_rollup (bucket, host, avg_cpu)
    SELECT datalayer.time_bucket('1 hour', time), host, avg(cpu) FROM metrics
     WHERE time >= (SELECT max(time) FROM metrics WHERE time < 'infinity') - (config->>'window')::interval
     GROUP BY 1, 2;
END $$;
SQL
show "a job of your own: refresh an hourly rollup every 5 seconds (a cron schedule with a seconds field)" \
	"SELECT datalayer.add_job('refresh_cpu_rollup'::regproc, '*/5 * * * * *', config => '{\"window\": \"3 hours\"}',
	                          job_name => 'cpu rollup') AS job_id"
echo "(waiting 12 seconds for the scheduler's background workers to run it)"
sleep 12
show "datalayer.job_runs: each run, its status and duration" \
	"SELECT run_id, job_name, scheduled_at, started_at - scheduled_at AS lateness, duration, status
	   FROM datalayer.job_runs ORDER BY run_id"
show "the rollup the job keeps fresh" \
	"SELECT count(*) AS rows, min(bucket), max(bucket), max(computed_at) AS refreshed FROM cpu_rollup"
show "datalayer.scheduler_status(): the launcher and this database's scheduler" \
	"SELECT * FROM datalayer.scheduler_status() WHERE database IS NULL OR database = current_database()"
psql_demo -q -c "SELECT datalayer.pause_job(job_id) FROM datalayer.jobs WHERE job_name = 'cpu rollup'" >/dev/null

psql_demo -q <<'SQL'
CREATE TABLE hosts (host text PRIMARY KEY, team text, region text);
INSERT INTO hosts SELECT DISTINCT host, CASE WHEN right(host, 1) < '5' THEN 'web' ELSE 'data' END, 'eu' FROM metrics;
CREATE VIEW team_cpu AS
SELECT h.team, r.bucket, avg(r.avg_cpu) AS cpu FROM cpu_rollup r JOIN hosts h USING (host) GROUP BY 1, 2;
CREATE TABLE hot_teams AS SELECT team, max(cpu) AS peak FROM team_cpu WHERE cpu > 30 GROUP BY team;
SQL
show "lineage, captured as the SQL ran (the rollup job, the view, CREATE TABLE AS): what feeds hot_teams" \
	"SELECT * FROM datalayer.lineage_upstream('hot_teams')"
show "column lineage of hot_teams.peak, classified as OpenLineage does" \
	"SELECT source, source_column, target, target_column, depth, type, subtype
	   FROM datalayer.column_lineage_upstream('hot_teams', 'peak')"
show "impact of changing metrics.cpu" "SELECT * FROM datalayer.impact('metrics', 'cpu')"
show "the same graph as Mermaid text (paste into any Mermaid viewer)" "SELECT datalayer.lineage_mermaid('team_cpu')"

step "Time-series toolkit: series values, gap filling, sketches, counters, downsampling"
show "series(): one compact value per host holding its last hour (360 points)" \
	"SELECT host, datalayer.length(s) AS points, pg_column_size(s) AS bytes, datalayer.first_value(s), datalayer.last_value(s)
	   FROM (SELECT host, datalayer.series(time, cpu) s FROM metrics
	          WHERE time >= date_trunc('day', now()) - interval '1 hour' GROUP BY host) x
	  ORDER BY host LIMIT 5"
psql_demo -q -c "DELETE FROM metrics WHERE host = 'host-001'
	AND time >= date_trunc('day', now()) - interval '3 hours' AND time < date_trunc('day', now()) - interval '2 hours 20 minutes'"
show "time_bucket_gapfill: host-001 stopped reporting for 40 minutes; the empty buckets still appear, filled" \
	"SELECT bucket, round(avg_cpu::numeric, 2) AS avg_cpu, round(carried::numeric, 2) AS carried,
	        round(interpolated::numeric, 2) AS interpolated
	   FROM (SELECT datalayer.time_bucket_gapfill('10 minutes', time) AS bucket, avg(cpu) AS avg_cpu,
	                datalayer.locf(avg(cpu)) AS carried, datalayer.interpolate(avg(cpu)) AS interpolated
	           FROM metrics
	          WHERE host = 'host-001' AND time >= date_trunc('day', now()) - interval '3 hours 30 minutes'
	            AND time < date_trunc('day', now()) - interval '2 hours'
	          GROUP BY bucket) g
	  ORDER BY bucket"
show "percentile_agg and stats_agg: hourly summaries stored once, rolled up to the day (no second pass over rows)" \
	"CREATE TABLE cpu_hourly AS
	 SELECT datalayer.time_bucket('1 hour', time) AS hour, host,
	        datalayer.percentile_agg(cpu) AS pct, datalayer.stats_agg(cpu) AS stats
	   FROM metrics WHERE time >= date_trunc('day', now()) - interval '1 day' GROUP BY 1, 2;
	 SELECT host, round(datalayer.approx_percentile(0.5, datalayer.rollup(pct))::numeric, 2) AS p50,
	        round(datalayer.approx_percentile(0.99, datalayer.rollup(pct))::numeric, 2) AS p99,
	        round(datalayer.average(datalayer.rollup(stats))::numeric, 2) AS mean,
	        round(datalayer.stddev(datalayer.rollup(stats))::numeric, 2) AS stddev
	   FROM cpu_hourly GROUP BY host ORDER BY p99 DESC LIMIT 5"
show "hll_agg: approximate distinct counts that roll up (hosts seen, 0.81% standard error)" \
	"SELECT datalayer.distinct_count(datalayer.hll_agg(host)) AS hosts_last_day,
	        datalayer.distinct_count(datalayer.hll_agg(host || time::date)) AS host_days
	   FROM metrics WHERE time >= date_trunc('day', now()) - interval '2 days'"
show "counter_agg: a bytes counter that restarts every hour; Prometheus-style rate and increase over the last hour" \
	"SELECT host, datalayer.num_resets(c) AS resets, datalayer.delta(c) AS increase,
	        round(datalayer.extrapolated_rate(c, date_trunc('day', now()) - interval '90 minutes',
	                                         date_trunc('day', now()))::numeric, 1) AS rate_per_s
	   FROM (SELECT host, datalayer.counter_agg(time, (extract(epoch FROM time)::bigint % 3600) * (100 + right(host, 3)::int)) AS c
	           FROM metrics WHERE time > date_trunc('day', now()) - interval '90 minutes' GROUP BY host) x
	  ORDER BY host LIMIT 3"
show "lttb: a day of host-002's cpu (8,640 points) reduced to 12 that keep its shape, for a sparkline" \
	"SELECT time, value FROM datalayer.unnest((
	   SELECT datalayer.lttb(time, cpu, 12) FROM metrics
	    WHERE host = 'host-002' AND time >= date_trunc('day', now()) - interval '1 day'))"

step "Forecasting: seasonality, decomposition and forecasts with prediction intervals, in SQL"
show "detect_seasonality: host-003's hourly network traffic has a daily cycle" \
	"SELECT period, period_length, round(strength::numeric, 3) AS strength
	   FROM datalayer.detect_seasonality((
	     SELECT datalayer.series(hour, v) FROM (
	       SELECT datalayer.time_bucket('1 hour', time) AS hour, avg(net_in) AS v FROM metrics
	        WHERE host = 'host-003' GROUP BY 1) h))"
show "forecast_model: what 'auto' fits to it, and why" \
	"SELECT jsonb_pretty(datalayer.forecast_model(s) - 'parameters') FROM (
	   SELECT datalayer.series(hour, v) AS s FROM (
	     SELECT datalayer.time_bucket('1 hour', time) AS hour, avg(net_in) AS v FROM metrics
	      WHERE host = 'host-003' GROUP BY 1) h) x"
show "forecast: the next 12 hours of net_in for three hosts at once (LATERAL over series() groups)" \
	"SELECT host, f.time, round(f.forecast::numeric, 1) AS forecast,
	        round(f.lo95::numeric, 1) AS lo95, round(f.hi95::numeric, 1) AS hi95
	   FROM (SELECT host, datalayer.series(hour, v) AS s
	           FROM (SELECT host, datalayer.time_bucket('1 hour', time) AS hour, avg(net_in) AS v
	                   FROM metrics WHERE host IN ('host-001', 'host-002', 'host-003') GROUP BY 1, 2) h
	          GROUP BY host) g,
	        LATERAL datalayer.forecast(g.s, 12) f
	  WHERE f.step % 4 = 0
	  ORDER BY host, f.step"

step "Anomaly detection: which points of a series stand out, with the band a dashboard draws"
psql_demo -q -c "UPDATE metrics SET temperature = temperature + 25
	WHERE host = 'host-004' AND time >= date_trunc('day', now()) - interval '5 hours'
	  AND time < date_trunc('day', now()) - interval '4 hours 50 minutes'"
show "detect_anomalies: host-004's temperature, in 10-minute averages over two days; a 10-minute overheat was injected" \
	"SELECT time, round(value::numeric, 1) AS value, round(expected::numeric, 1) AS expected,
	        round(lower::numeric, 1) AS lower, round(upper::numeric, 1) AS upper, round(score::numeric, 1) AS score
	   FROM datalayer.detect_anomalies((
	     SELECT datalayer.series(bucket, v) FROM (
	       SELECT datalayer.time_bucket('10 minutes', time) AS bucket, avg(temperature) AS v FROM metrics
	        WHERE host = 'host-004' AND time >= date_trunc('day', now()) - interval '2 days' GROUP BY 1) b))
	  WHERE is_onset"
step "Anomaly monitors: a scheduled job scores each boiler's new readings and raises de-duplicated alerts"
psql_demo -q -c "CREATE TABLE boiler_temps (time timestamptz NOT NULL, boiler text NOT NULL, celsius float8)"
psql_demo -q -c "INSERT INTO boiler_temps
	SELECT date_trunc('minute', now()) - i * interval '1 minute', 'boiler-' || b,
	       70 + 5 * sin(2 * pi() * extract(epoch FROM date_trunc('minute', now()) - i * interval '1 minute') / 86400)
	       + (hashint4(i * 10 + b) % 100) / 100.0
	  FROM generate_series(30, 2 * 1440) i, generate_series(1, 5) b"
show "add_anomaly_monitor: one detector per boiler learns its history; it then runs every minute on the scheduler" \
	"SELECT datalayer.add_anomaly_monitor('boiler_temps', 'time', 'celsius', group_by => '{boiler}',
	        schedule => '1 minute', options => '{\"history\": \"2 days\"}', monitor_name => 'boilers')"
psql_demo -q -c "INSERT INTO boiler_temps
	SELECT date_trunc('minute', now()) - i * interval '1 minute', 'boiler-' || b,
	       70 + 5 * sin(2 * pi() * extract(epoch FROM date_trunc('minute', now()) - i * interval '1 minute') / 86400)
	       + (hashint4(i * 10 + b) % 100) / 100.0 + CASE WHEN b = 3 AND i BETWEEN 10 AND 13 THEN 20 ELSE 0 END
	  FROM generate_series(1, 29) i, generate_series(1, 5) b"
psql_demo -q -c "DO \$\$ BEGIN EXECUTE format('CALL datalayer.run_job(%s)', (SELECT job_id FROM datalayer.monitors WHERE monitor_name = 'boilers')); END \$\$"
show "the alert: four hot minutes of boiler-3 are one episode (LISTEN datalayer_alerts to be told at once)" \
	"SELECT alert_id, series_key, started_at, ended_at, points, round(peak_value::numeric, 1) AS peak,
	        round(peak_expected::numeric, 1) AS expected, severity, status FROM datalayer.alerts"
show "datalayer.monitors" \
	"SELECT monitor_name, source, method, status, watermark, series, open_alerts FROM datalayer.monitors"
step "Columnar storage: the same metrics in a datalayer_columnar table"
psql_demo -q <<'SQL'
CREATE TABLE metrics_columnar (LIKE metrics) USING datalayer_columnar;
INSERT INTO metrics_columnar SELECT * FROM metrics;
CREATE TABLE metrics_heap (LIKE metrics);
INSERT INTO metrics_heap SELECT * FROM metrics;
ANALYZE metrics_columnar, metrics_heap;
SQL
show "size: the same rows as a heap table and as a columnar one" \
	"SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) AS size,
	        round(pg_total_relation_size(oid)::numeric / (SELECT count(*) FROM metrics_heap), 1) AS bytes_per_row
	   FROM pg_class WHERE relname IN ('metrics_heap', 'metrics_columnar') ORDER BY 2 DESC"
show "columnar_stats: the encoding each column chose, its size stored and as PostgreSQL keeps the values" \
	"SELECT column_name, encodings, pg_size_pretty(compressed_bytes) AS compressed,
	        pg_size_pretty(uncompressed_bytes) AS uncompressed, round(ratio::numeric, 1) AS ratio
	   FROM datalayer.columnar_stats('metrics_columnar')"
show "a query reads only its columns and skips row groups outside its time range" \
	"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
	 SELECT max(cpu) FROM metrics_columnar WHERE time >= date_trunc('day', now()) - interval '3 hours'"
show "per host per hour: grouping and averages run inside the scan (ColumnarAggregate)" \
	"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
	 SELECT date_trunc('hour', time) AS hour, host, avg(cpu), max(temperature) FROM metrics_columnar GROUP BY 1, 2"
show "one host's last hour through a B-tree index: only the columns the query reads are decoded" \
	"CREATE INDEX ON metrics_columnar (host, time);
	 ANALYZE metrics_columnar;
	 EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
	 SELECT date_trunc('minute', time) AS minute, max(cpu) FROM metrics_columnar
	  WHERE host = 'host-002' AND time >= date_trunc('day', now()) - interval '1 hour' GROUP BY 1 ORDER BY 1 LIMIT 3"
psql_demo -q -c "DELETE FROM metrics_columnar WHERE time < (SELECT min(time) FROM metrics_columnar) + interval '1 day'" \
	-c "VACUUM metrics_columnar"
show "retention: the oldest day deleted, plain VACUUM freed its row groups; new row groups reuse their pages" \
	"SELECT count(*) AS free_extents, sum(blocks) AS free_pages, pg_size_pretty(sum(blocks) * 8192) AS free_space
	   FROM datalayer.columnar_free_space('metrics_columnar')"
DATA_BEFORE=$(psql_demo -At -c "SELECT sum(data_bytes) FROM datalayer.columnar_row_groups('metrics_columnar')")
psql_demo -q -c "DELETE FROM metrics_columnar WHERE host <= 'host-007'" -c "VACUUM metrics_columnar"
show "seven hosts deleted: plain VACUUM wrote their row groups again without the deleted rows' values" \
	"SELECT count(*) AS row_groups, sum(deleted_rows) AS deleted_rows, sum(dropped_rows) AS values_dropped,
	        pg_size_pretty($DATA_BEFORE::bigint) AS data_before, pg_size_pretty(sum(data_bytes)) AS data_after
	   FROM datalayer.columnar_row_groups('metrics_columnar')"
show "compaction: rows written in (host, time) order, deleted rows dropped, small row groups merged" \
	"SELECT datalayer.columnar_set('metrics_columnar', sort_by => '{host,time}');
	 SELECT * FROM datalayer.columnar_compact('metrics_columnar')"
psql_demo -q -c "DROP TABLE metrics_heap"
cat <<MSG

==> The demo cluster is running (data in $DATA, log in $LOG).
Connect:   psql -h $RUN -p $PORT -U $(db_superuser) $DB
Stop it:   $( [ "$AS_ROOT" -eq 1 ] && echo "runuser -u postgres -- " )$PGBIN/pg_ctl -D $DATA stop
MSG
