# Anomaly monitors under the real scheduler: a monitor on a 1-second schedule
# raises an alert for new anomalous rows, with a NOTIFY that a listening
# session receives; its detector states survive a crash restart, so scoring
# goes on where it stopped without re-alerting; and when its source table is
# dropped the scheduler's run pauses it, recording why, instead of failing
# every second.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('monitor');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'datalayer'
max_worker_processes = 20
});
$node->start;

sub poll
{
	my ($sql, $expected, $what) = @_;
	ok($node->poll_query_until('postgres', $sql, $expected), $what);
}

# per-minute load of two hosts with an hourly cycle; the monitor learns it
$node->safe_psql('postgres', q{
	CREATE EXTENSION datalayer;
	CREATE TABLE load (time timestamptz, host text, v float8);
	CREATE FUNCTION append(first int, last int, spike_at int) RETURNS void LANGUAGE sql AS $$
		INSERT INTO load
		SELECT timestamptz '2024-05-01 00:00+00' + i * interval '1 minute', 'h' || h,
		       40 + 10 * sin(2 * pi() * (i % 60) / 60) + (hashint4(i * 3 + h) % 1000) / 1000.0
		       + CASE WHEN h = 1 AND i = spike_at THEN 40 ELSE 0 END
		FROM generate_series(first, last) i, generate_series(1, 2) h
	$$;
	SELECT append(0, 1199, -1);
	SELECT datalayer.add_anomaly_monitor('load', 'time', 'v', '{host}', 'holt_winters', '1 second',
	                                     '{"period": 60}', monitor_name => 'load');
});

# a listener in a background session
my $listener = $node->background_psql('postgres');
$listener->query_safe('LISTEN datalayer_alerts');

$node->safe_psql('postgres', q{SELECT append(1200, 1209, 1205)});
poll(q{SELECT count(*) FROM datalayer.alerts}, '1', 'the scheduled monitor raises one alert');
is($node->safe_psql('postgres', q{SELECT series_key->>'host', started_at AT TIME ZONE 'UTC', status FROM datalayer.alerts}),
	'h1|2024-05-01 20:05:00|open', 'for the right host and minute');
my $notified = $listener->query_safe('SELECT 1');
like($notified, qr/Asynchronous notification "datalayer_alerts" with payload "\{[^"]*"time": "2024-05-01T20:05:00/,
	'a listening session receives the NOTIFY') or diag($notified);
$listener->quit;

# crash restart: the saved states and the watermark are committed data
poll(q{SELECT watermark = '2024-05-01 20:09:00+00' FROM datalayer.monitors}, 't', 'the monitor caught up');
$node->stop('immediate');
$node->start;
$node->safe_psql('postgres', q{SELECT append(1210, 1299, 1290)});
poll(q{SELECT count(*) FROM datalayer.alerts}, '2', 'after a crash restart the monitor goes on');
is($node->safe_psql('postgres', q{
	SELECT string_agg(to_char(started_at AT TIME ZONE 'UTC', 'HH24:MI'), ',' ORDER BY started_at) FROM datalayer.alerts}),
	'20:05,21:30', 'scoring only the new rows: no alert raised twice');
is($node->safe_psql('postgres', q{
	SELECT (datalayer.anomaly_state_info(state)->>'points')::int FROM datalayer.anomaly_monitor_series ORDER BY series_key}),
	"1300\n1300", 'each detector has seen every point exactly once');

# the source goes away: paused, with the reason, not failing every second
$node->safe_psql('postgres', q{DROP TABLE load});
poll(q{SELECT status FROM datalayer.monitors}, 'paused', 'a monitor whose table is dropped is paused');
like($node->safe_psql('postgres', q{SELECT paused_reason FROM datalayer.monitors}),
	qr/source table public\.load of monitor "load" no longer exists/, 'with the reason');
sleep(3);
is($node->safe_psql('postgres', q{
	SELECT count(*) FILTER (WHERE status = 'failed') || ' ' || count(*) FILTER (WHERE sqlstate = '42P01')
	FROM datalayer.job_runs}),
	'1 1', 'one failed run records it (42P01), and no more runs follow');

$node->stop;
done_testing();
