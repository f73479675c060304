#!/usr/bin/env bash
# Scheduling lateness: datalayer's scheduler and pg_cron on the same 200 jobs,
# in the same cluster, one after the other; then datalayer alone with 200 jobs
# every second; then the CPU both use while nothing is due.
#
#   bench/scheduler/run.sh [--jobs 200] [--minutes 5] [--idle-seconds 60]
#
# Lateness is measured by the jobs themselves: each records statement_timestamp(),
# the moment its SQL statement began.  For per-minute cron jobs the due time is the start of
# that minute; for interval jobs, the run's planned start (datalayer.job_runs).
# pg_cron comes from Debian's postgresql-15-cron (1.4, which has no seconds
# schedules, hence the 1-second phase is datalayer's alone).
source "$(dirname "$0")/../../scripts/common.sh"

JOBS=200 MINUTES=5 IDLE=60
while [ $# -gt 0 ]; do
	case "$1" in
		--jobs) JOBS=$2; shift 2 ;;
		--minutes) MINUTES=$2; shift 2 ;;
		--idle-seconds) IDLE=$2; shift 2 ;;
		*) echo "unknown argument $1" >&2; exit 2 ;;
	esac
done

install_packages "${PACKAGES_BUILD[@]}" postgresql-15-cron
build_and_install
WORK=$(server_dir "$(mktemp -d /var/tmp/datalayer-schedbench.XXXXXX)")
trap 'stop_cluster "$WORK/data"; rm -rf "$WORK"' EXIT
PORT=$((20000 + RANDOM % 20000))
while ! port_is_free $PORT; do PORT=$((PORT + 1)); done
init_cluster "$WORK/data" "$WORK" "$PORT"
as_server_user tee -a "$WORK/data/postgresql.conf" >/dev/null <<CONF
shared_preload_libraries = 'datalayer,pg_cron'
cron.database_name = 'bench'
max_worker_processes = 64
max_connections = 200
datalayer.max_job_workers = 32
cron.max_running_jobs = 32
CONF
psql_bench() { psql -X -q -At -v ON_ERROR_STOP=1 -d bench "$@"; }
export PGHOST=$WORK PGPORT=$PORT PGUSER=$(db_superuser)
start_cluster "$WORK/data" "$WORK/server.log"
psql -X -q -d postgres -c "CREATE DATABASE bench"
stop_cluster "$WORK/data"; start_cluster "$WORK/data" "$WORK/server.log"   # pg_cron starts in the new database
# Every job, in both schedulers, runs the same one-row INSERT.
psql_bench -c "CREATE EXTENSION datalayer; CREATE EXTENSION pg_cron;
	CREATE TABLE hits (scheduler text, job text, ran_at timestamptz, due timestamptz, pid int)"

wait_for_minute() {
	local s
	s=$(date +%S | sed 's/^0//')
	sleep $((60 - s + 1))
}

step "datalayer: $JOBS jobs on '* * * * *' for $MINUTES minutes"
psql_bench -c "SELECT count(datalayer.add_job(format('INSERT INTO hits VALUES (%L, %L, statement_timestamp(), NULL, pg_backend_pid())', 'datalayer-cron', 'c' || i), '* * * * *', job_name => 'c' || i)) FROM generate_series(1, $JOBS) i"
sleep $((MINUTES * 60 + 5))
psql_bench -c "SELECT datalayer.delete_job(job_id) FROM datalayer.jobs" >/dev/null

step "pg_cron: $JOBS jobs on '* * * * *' for $MINUTES minutes"
psql_bench -c "SELECT count(cron.schedule('b' || i, '* * * * *', format('INSERT INTO hits VALUES (%L, %L, statement_timestamp(), NULL, pg_backend_pid())', 'pg_cron', 'b' || i))) FROM generate_series(1, $JOBS) i"
wait_for_minute
sleep $((MINUTES * 60))
psql_bench -c "SELECT count(cron.unschedule(jobid)) FROM cron.job" >/dev/null

step "datalayer: $JOBS jobs every second for 1 minute"
psql_bench -c "SELECT count(datalayer.add_job(format('INSERT INTO hits VALUES (%L, %L, statement_timestamp(), NULL, pg_backend_pid())', 'datalayer-1s', 's' || i), '1 second', job_name => 's' || i)) FROM generate_series(1, $JOBS) i"
sleep 62
psql_bench -c "SELECT count(datalayer.pause_job(job_id)) FROM datalayer.jobs" >/dev/null
sleep 2
# an interval run's due time is its planned start, from the run history
psql_bench -c "UPDATE hits h SET due = r.scheduled_at FROM datalayer.job_runs r
	WHERE h.scheduler = 'datalayer-1s' AND r.job_name = h.job AND r.pid = h.pid
	  AND r.started_at BETWEEN h.ran_at - interval '5 seconds' AND h.ran_at" >/dev/null
psql_bench -c "SELECT datalayer.delete_job(job_id) FROM datalayer.jobs" >/dev/null

step "CPU while nothing is due: $JOBS yearly jobs in each, for $IDLE s"
psql_bench -c "SELECT count(datalayer.add_job('SELECT 1', '0 0 1 1 *')) FROM generate_series(1, $JOBS);
	SELECT count(cron.schedule('y' || i, '0 0 1 1 *', 'SELECT 1')) FROM generate_series(1, $JOBS) i"
sleep 70   # let the datalayer scheduler see it has nothing due and go idle
cpu_ticks() {   # utime + stime of the processes of a backend type
	local total=0 pid
	for pid in $(psql_bench -c "SELECT pid FROM pg_stat_activity WHERE backend_type = '$1'"); do
		[ -r /proc/$pid/stat ] && total=$((total + $(awk '{print $14 + $15}' /proc/$pid/stat)))
	done
	echo $total
}
dl0=$(( $(cpu_ticks 'datalayer launcher') + $(cpu_ticks 'datalayer scheduler') ))
pc0=$(cpu_ticks 'pg_cron launcher')
sleep "$IDLE"
dl1=$(( $(cpu_ticks 'datalayer launcher') + $(cpu_ticks 'datalayer scheduler') ))
pc1=$(cpu_ticks 'pg_cron launcher')
HZ=$(getconf CLK_TCK)

step "Results"
psql_bench -F ' | ' -c "
	SELECT scheduler, count(*) AS runs,
	       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY lateness) * 1000)::numeric, 1) AS median_ms,
	       round((percentile_cont(0.99) WITHIN GROUP (ORDER BY lateness) * 1000)::numeric, 1) AS p99_ms,
	       round((max(lateness) * 1000)::numeric, 1) AS max_ms
	FROM (SELECT scheduler, extract(epoch FROM ran_at - coalesce(due, date_trunc('minute', ran_at))) AS lateness
	      FROM hits WHERE scheduler <> 'datalayer-1s' OR due IS NOT NULL) h GROUP BY 1 ORDER BY 1" | tee "$WORK/lateness.txt"
psql_bench -c "SELECT 'datalayer-1s runs per second: ' || round(count(*) / 60.0, 1) FROM hits WHERE scheduler = 'datalayer-1s'" | tee -a "$WORK/idle.txt"
echo "idle CPU over ${IDLE}s: datalayer $(( (dl1 - dl0) * 1000 / HZ )) ms, pg_cron $(( (pc1 - pc0) * 1000 / HZ )) ms" | tee "$WORK/idle.txt"

mkdir -p "$TOP/bench/results"
{
	printf '{"benchmark": "scheduler-lateness", "jobs": %s, "minutes": %s, "date": "%s",\n' "$JOBS" "$MINUTES" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	printf ' "lateness": ['
	awk -F' [|] ' 'NR > 1 {printf ", "} {printf "{\"scheduler\": \"%s\", \"runs\": %s, \"median_ms\": %s, \"p99_ms\": %s, \"max_ms\": %s}", $1, $2, $3, $4, $5}' "$WORK/lateness.txt"
	printf '],\n "idle_cpu_ms": {"seconds": %s, "datalayer": %s, "pg_cron": %s}}\n' "$IDLE" \
		"$(( (dl1 - dl0) * 1000 / HZ ))" "$(( (pc1 - pc0) * 1000 / HZ ))"
} > "$TOP/bench/results/scheduler-lateness.json"
echo "written to bench/results/scheduler-lateness.json"
