# The scheduler in a running cluster: interval jobs repeat, failures are
# retried and recorded, jobs run as their owners, max_runtime cancels, a
# second database gets its own scheduler, DROP DATABASE is not blocked, and
# scheduling resumes after a crash with the interrupted run recorded.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('scheduler');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'datalayer'
max_worker_processes = 20
});
$node->start;

sub poll
{
	my ($db, $sql, $expected, $what) = @_;
	ok($node->poll_query_until($db, $sql, $expected), $what);
}

$node->safe_psql('postgres', q{
	CREATE EXTENSION datalayer;
	CREATE TABLE ticks (at timestamptz DEFAULT clock_timestamp(), who text DEFAULT current_user, tag text);
	CREATE PROCEDURE tick(job_id int, config jsonb) LANGUAGE plpgsql AS $$
	BEGIN
		INSERT INTO ticks (tag) VALUES (config->>'tag');
		COMMIT;
		INSERT INTO ticks (tag) VALUES ('after commit');
	END $$;
	SELECT datalayer.add_job('tick'::regproc, '1 second', config => '{"tag": "interval"}');
});
poll('postgres', q{SELECT count(*) >= 3 FROM ticks WHERE tag = 'interval'}, 't',
	'an interval job runs repeatedly');
is($node->safe_psql('postgres', q{SELECT count(*) > 0 FROM ticks WHERE tag = 'after commit'}), 't',
	'a procedure job may COMMIT');
like($node->safe_psql('postgres', q{SELECT string_agg(DISTINCT status, ',') FROM datalayer.job_runs}),
	qr/^succeeded$/, 'its runs are recorded as succeeded');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM (SELECT started_at, lead(started_at) OVER (ORDER BY started_at) AS nxt
	                      FROM datalayer.job_runs) r WHERE nxt < started_at + interval '0.5 second'}),
	'0', 'runs of one job never overlap and keep their period');

# a cron job with a seconds field fires on its second
$node->safe_psql('postgres', q{
	CREATE TABLE cron_hits (at timestamptz DEFAULT clock_timestamp());
	SELECT datalayer.add_job('INSERT INTO cron_hits DEFAULT VALUES', '*/3 * * * * *', job_name => 'every 3 s')});
poll('postgres', q{SELECT count(*) >= 3 FROM cron_hits}, 't', 'a six-field cron job runs');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM datalayer.job_runs WHERE job_name = 'every 3 s'
	   AND (extract(second FROM scheduled_at)::int % 3 <> 0 OR started_at - scheduled_at > interval '1 second')}),
	'0', 'each run was planned on a multiple of 3 seconds and started within a second of it');
$node->safe_psql('postgres', q{SELECT datalayer.pause_job(job_id) FROM datalayer.jobs WHERE job_name = 'every 3 s'});

# what a run did: rows written by a SQL command job; what a procedure reports, across COMMITs
$node->safe_psql('postgres', q{
	CREATE PROCEDURE batches(job_id int, config jsonb) LANGUAGE plpgsql AS $$
	BEGIN
		PERFORM datalayer.report_job_result(10);
		COMMIT;
		PERFORM datalayer.report_job_result(5, '{"batches": 2}');
	END $$;
	SELECT datalayer.add_job('INSERT INTO cron_hits SELECT clock_timestamp() FROM generate_series(1, 4)', '1 hour',
	                         job_name => 'writes 4 rows');
	SELECT datalayer.add_job('batches'::regproc, '1 hour', job_name => 'reports')});
poll('postgres', q{SELECT rows_affected FROM datalayer.job_runs WHERE job_name = 'writes 4 rows' AND status = 'succeeded'},
	'4', 'a SQL command job records the rows it wrote');
poll('postgres', q{SELECT rows_affected || ' ' || result FROM datalayer.job_runs WHERE job_name = 'reports' AND status = 'succeeded'},
	'15 {"batches": 2}', 'a procedure job records what it reported, across a COMMIT');

# a failing job: retried with backoff, the error recorded with its SQLSTATE
$node->safe_psql('postgres', q{
	SELECT datalayer.add_job('SELECT 1/0', '1 hour', job_name => 'fails', max_retries => 2, retry_period => '1 second')});
poll('postgres', q{SELECT count(*) FROM datalayer.job_runs WHERE job_name = 'fails'}, '3',
	'a failing job is tried, then retried max_retries times');
is($node->safe_psql('postgres', q{
	SELECT string_agg(format('%s %s %s %s', attempt, status, sqlstate, error_message), ';' ORDER BY run_id)
	FROM datalayer.job_runs WHERE job_name = 'fails'}),
	'1 failed 22012 division by zero;2 failed 22012 division by zero;3 failed 22012 division by zero',
	'each attempt is recorded with its SQLSTATE and message');
is($node->safe_psql('postgres', q{
	SELECT next_start > now() + interval '50 minutes' FROM datalayer.jobs WHERE job_name = 'fails'}),
	't', 'after the last retry the job waits for its next scheduled time');

# a job runs as its owner: it cannot read what its owner cannot
$node->safe_psql('postgres', q{
	CREATE ROLE worker_role LOGIN;
	CREATE TABLE secret (x int);
	CREATE TABLE visible (who text, can_read boolean);
	GRANT INSERT ON visible TO worker_role;
	SET ROLE worker_role;
	SELECT datalayer.add_job($$INSERT INTO visible VALUES (current_user, has_table_privilege('secret', 'SELECT'))$$,
	                         '1 hour', job_name => 'as owner');
	SELECT datalayer.add_job('SELECT count(*) FROM secret', '1 hour', job_name => 'reads secret', max_retries => 0);
	RESET ROLE;
});
poll('postgres', q{SELECT count(*) FROM visible}, '1', 'a job of an ordinary role ran');
is($node->safe_psql('postgres', q{SELECT who || ' ' || can_read FROM visible}), 'worker_role false',
	'it ran as its owner, without the superuser\'s privileges');
poll('postgres', q{SELECT status || ' ' || sqlstate FROM datalayer.job_runs WHERE job_name = 'reads secret'},
	'failed 42501', 'reading a table its owner may not read fails with 42501');
like($node->safe_psql('postgres', q{SELECT application_name FROM pg_stat_activity WHERE backend_type = 'datalayer scheduler' LIMIT 1}),
	qr/datalayer scheduler/, 'the scheduler shows in pg_stat_activity');

# max_runtime cancels a long job
$node->safe_psql('postgres', q{
	SELECT datalayer.add_job('SELECT pg_sleep(30)', '1 hour', job_name => 'too long', max_runtime => '1 second', max_retries => 0)});
poll('postgres', q{SELECT status || ' ' || sqlstate FROM datalayer.job_runs WHERE job_name = 'too long'},
	'timed_out 57014', 'max_runtime ends a long run, recorded as timed_out');

# cancelled and terminated runs are recorded as such, and the scheduler goes on
$node->safe_psql('postgres', q{
	SELECT datalayer.add_job('SELECT pg_sleep(30)', '1 hour', job_name => 'to cancel', max_retries => 0);
	SELECT datalayer.add_job('SELECT pg_sleep(30)', '1 hour', job_name => 'to kill', max_retries => 0)});
poll('postgres', q{SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'datalayer job % to %'}, '2',
	'the long jobs run, named in application_name');
$node->safe_psql('postgres', q{
	SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'datalayer job % to cancel';
	SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'datalayer job % to kill'});
poll('postgres', q{SELECT status FROM datalayer.job_runs WHERE job_name = 'to cancel'}, 'cancelled',
	'pg_cancel_backend is recorded as cancelled');
poll('postgres', q{SELECT status FROM datalayer.job_runs WHERE job_name = 'to kill'}, 'terminated',
	'pg_terminate_backend is recorded as terminated');

# a second database gets its own scheduler without any configuration
$node->safe_psql('postgres', q{CREATE DATABASE second});
$node->safe_psql('second', q{
	CREATE EXTENSION datalayer;
	CREATE TABLE hits (at timestamptz DEFAULT now());
	SELECT datalayer.add_job('INSERT INTO hits DEFAULT VALUES', '1 second')});
poll('second', q{SELECT count(*) >= 2 FROM hits}, 't', 'a job in a second database runs');
is($node->safe_psql('postgres', q{SELECT count(*) FROM datalayer.scheduler_status() WHERE database IN ('postgres', 'second') AND state = 'running'}),
	'2', 'scheduler_status shows both schedulers');

# DROP DATABASE is not blocked by the scheduler connected to it
my ($ret, $out, $err) = $node->psql('postgres', q{DROP DATABASE second});
is($ret, 0, 'DROP DATABASE succeeds while its scheduler runs') or diag($err);

# at most datalayer.max_job_workers runs at once; the others wait their turn, in order
$node->safe_psql('postgres', q{
	ALTER SYSTEM SET datalayer.max_job_workers = 2;
	SELECT pg_reload_conf();
	SELECT datalayer.pause_job(job_id) FROM datalayer.jobs WHERE schedule = '1 second'});
sleep(1);
$node->safe_psql('postgres', q{
	SELECT datalayer.add_job('SELECT pg_sleep(2)', '1 hour', job_name => 'capped ' || i,
	                         initial_start => clock_timestamp() + i * interval '10 milliseconds')
	FROM generate_series(1, 4) i});
poll('postgres', q{SELECT count(*) FROM datalayer.job_runs WHERE job_name LIKE 'capped%' AND status = 'succeeded'}, '4',
	'all four capped jobs ran');
is($node->safe_psql('postgres', q{
	SELECT max((SELECT count(*) FROM datalayer.job_runs b WHERE b.job_name LIKE 'capped%'
	            AND b.started_at <= a.started_at AND b.finished_at > a.started_at))
	FROM datalayer.job_runs a WHERE a.job_name LIKE 'capped%'}),
	'2', 'never more than max_job_workers runs at once');
is($node->safe_psql('postgres', q{
	SELECT string_agg(job_name, ',' ORDER BY started_at) FROM datalayer.job_runs WHERE job_name LIKE 'capped%'}),
	'capped 1,capped 2,capped 3,capped 4', 'waiting jobs started in the order they were due');
$node->safe_psql('postgres', q{
	ALTER SYSTEM RESET datalayer.max_job_workers;
	SELECT pg_reload_conf();
	SELECT datalayer.resume_job(job_id) FROM datalayer.jobs WHERE schedule = '1 second'});

# a job whose owner role is dropped is paused with the reason recorded, not retried forever
$node->safe_psql('postgres', q{
	CREATE ROLE short_lived LOGIN;
	SELECT datalayer.add_job('SELECT 1', '1 second', job_name => 'orphan', owner => 'short_lived')});
poll('postgres', q{SELECT count(*) > 0 FROM datalayer.job_runs WHERE job_name = 'orphan' AND status = 'succeeded'}, 't',
	'the job of a role runs');
$node->safe_psql('postgres', q{DROP ROLE short_lived});
poll('postgres', q{SELECT paused FROM datalayer.jobs WHERE job_name = 'orphan'}, 't',
	'after DROP ROLE its job is paused');
like($node->safe_psql('postgres', q{
	SELECT status || ' ' || sqlstate || ' ' || error_message FROM datalayer.job_runs
	WHERE job_name = 'orphan' ORDER BY run_id DESC LIMIT 1}),
	qr/^not_started 42704 the job's owner role no longer exists/, 'with the reason in its history');

# a crash in the middle of a run: the run is recorded as interrupted and
# scheduling resumes
$node->safe_psql('postgres', q{
	SELECT datalayer.add_job('SELECT pg_sleep(60)', '1 hour', job_name => 'in flight')});
poll('postgres', q{SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'datalayer job % in flight'}, '1',
	'a long run is in flight');
$node->stop('immediate');
$node->start;
poll('postgres', q{SELECT status FROM datalayer.job_runs WHERE job_name = 'in flight' ORDER BY run_id LIMIT 1}, 'interrupted',
	'the run cut by the crash is recorded as interrupted');
my $before = $node->safe_psql('postgres', q{SELECT count(*) FROM ticks WHERE tag = 'interval'});
poll('postgres', qq{SELECT count(*) > $before + 1 FROM ticks WHERE tag = 'interval'}, 't',
	'scheduling resumes after the crash');

# DROP EXTENSION stops the database's scheduler cleanly
$node->safe_psql('postgres', q{DROP EXTENSION datalayer CASCADE});
poll('postgres', q{SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'datalayer scheduler'}, '0',
	'DROP EXTENSION stops the scheduler');

$node->stop;

# without shared_preload_libraries the extension works and says jobs will not run
my $plain = PostgreSQL::Test::Cluster->new('no_preload');
$plain->init;
$plain->start;
my ($rc, $stdout, $stderr) = $plain->psql('postgres', q{
	CREATE EXTENSION datalayer;
	SELECT datalayer.add_job('SELECT 1', '1 minute')});
is($rc, 0, 'without preloading, add_job still works');
like($stderr, qr/datalayer jobs will not run: the scheduler is not loaded/, 'and says the jobs will not run');
like($plain->safe_psql('postgres', q{SELECT state FROM datalayer.scheduler_status()}),
	qr/not loaded/, 'scheduler_status says the scheduler is not loaded');
$plain->stop;

done_testing();
