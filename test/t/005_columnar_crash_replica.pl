# Columnar tables survive crashes and reach streaming standbys: every page
# they write is WAL-logged.  The server is killed (immediate stop) in the
# middle of a bulk load and in the middle of ALTER TABLE ... SET ACCESS
# METHOD; after restart no committed row is lost and no uncommitted row is
# visible.  A standby returns the primary's answers after loads, updates,
# deletes, VACUUM FULL, and the reuse of pages plain VACUUM freed.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(usleep);

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', "shared_preload_libraries = 'datalayer'\ndatalayer.scheduler_enabled = off");
$primary->start;
$primary->safe_psql('postgres', 'CREATE EXTENSION datalayer');
# a physical slot keeps the WAL of the multi-million-row loads until the
# standby has received it, however far behind it falls
$primary->safe_psql('postgres', q{SELECT pg_create_physical_replication_slot('standby_slot')});
$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->append_conf('postgresql.conf', "primary_slot_name = 'standby_slot'");
$standby->start;

my $summary = q{SELECT count(*), sum(id), sum(v), count(DISTINCT tag), md5(string_agg(id::text || ':' || v::text || tag, ',' ORDER BY id)) FROM m};

# loads, updates, deletes, a unique index and VACUUM FULL, then the standby's answers
$primary->safe_psql('postgres', q{
	CREATE TABLE m (id int PRIMARY KEY, v float8, tag text) USING datalayer_columnar;
	INSERT INTO m SELECT g, round((g * 0.37)::numeric % 100, 2), 'tag' || (g % 7) FROM generate_series(1, 120000) g;
	UPDATE m SET v = -v WHERE id % 1000 = 0;
	DELETE FROM m WHERE id % 10 = 3;
	INSERT INTO m VALUES (200000, 1.5, 'late') ON CONFLICT (id) DO NOTHING;
});
$primary->wait_for_catchup($standby);
my $on_primary = $primary->safe_psql('postgres', $summary);
is($standby->safe_psql('postgres', $summary), $on_primary, 'standby sees the loads, updates and deletes');
is($standby->safe_psql('postgres', 'SET enable_seqscan = off; SELECT v FROM m WHERE id = 5000'),
	'-50', 'standby answers through the index');
$primary->safe_psql('postgres', 'VACUUM FULL m');
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', $summary), $on_primary, 'standby after VACUUM FULL');
is($standby->safe_psql('postgres', q{SELECT deleted_rows FROM datalayer.columnar_stats('m') LIMIT 1}),
	'0', 'VACUUM FULL left no deleted rows, on the standby too');

# kill the server in the middle of a bulk load
my $committed = $primary->safe_psql('postgres', 'SELECT count(*) FROM m');
my $size = $primary->safe_psql('postgres', q{SELECT pg_relation_size('m')});
my ($out, $err) = ('', '');
my $load = IPC::Run::start(
	[ 'psql', '-X', '-d', $primary->connstr('postgres'), '-c',
	  q{INSERT INTO m SELECT g, 1, 'uncommitted' FROM generate_series(1000001, 6000000) g} ],
	'>', \$out, '2>', \$err);
# wait until the load has written row groups
my $waited = 0;
while ($waited < 300)
{
	last if $primary->safe_psql('postgres',
		"SELECT pg_relation_size('m') > $size + 200000") eq 't';
	usleep(100_000);
	$waited++;
}
ok($waited < 300, 'the load was running when the server was killed');
$primary->stop('immediate');
$load->finish;
$primary->start;
is($primary->safe_psql('postgres', 'SELECT count(*) FROM m'), $committed,
	'after a crash during a bulk load: every committed row, no uncommitted one');
is($primary->safe_psql('postgres', $summary), $on_primary, 'and the same rows');
$primary->safe_psql('postgres', q{INSERT INTO m VALUES (300000, 2, 'after crash')});
is($primary->safe_psql('postgres', 'SELECT count(*) FROM m WHERE id >= 200000'), '2', 'the table takes new rows');

# kill the server in the middle of ALTER TABLE ... SET ACCESS METHOD
$primary->safe_psql('postgres', q{
	CREATE TABLE h (id int, v text);
	INSERT INTO h SELECT g, md5(g::text) FROM generate_series(1, 3000000) g;
});
my $before = $primary->safe_psql('postgres', 'SELECT count(*), sum(id) FROM h');
my $alter = IPC::Run::start(
	[ 'psql', '-X', '-d', $primary->connstr('postgres'), '-c',
	  'ALTER TABLE h SET ACCESS METHOD datalayer_columnar' ],
	'>', \$out, '2>', \$err);
$waited = 0;
while ($waited < 300)
{
	last if $primary->safe_psql('postgres',
		q{SELECT count(*) > 0 FROM pg_stat_activity WHERE query LIKE 'ALTER TABLE h%' AND state = 'active'}) eq 't';
	usleep(50_000);
	$waited++;
}
usleep(700_000);
$primary->stop('immediate');
$alter->finish;
$primary->start;
is($primary->safe_psql('postgres', q{SELECT amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.oid = 'h'::regclass}),
	'heap', 'the interrupted ALTER left the table in heap');
is($primary->safe_psql('postgres', 'SELECT count(*), sum(id) FROM h'), $before, 'with all its rows');
$primary->safe_psql('postgres', 'ALTER TABLE h SET ACCESS METHOD datalayer_columnar');
is($primary->safe_psql('postgres', 'SELECT count(*), sum(id) FROM h'), $before, 'a completed ALTER keeps every row');

# the standby follows all of it
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', 'SELECT count(*), sum(id) FROM h'), $before, 'standby has the converted table');
is($standby->safe_psql('postgres', $summary), $primary->safe_psql('postgres', $summary),
	'standby agrees after the crash and restart');

# plain VACUUM frees row groups whose rows are all deleted, and new row
# groups reuse their pages: a standby query whose snapshot still sees the
# freed groups is cancelled when the reuse is replayed, the standby agrees
# with the primary afterwards, and so does the primary after a crash
my $free_summary = q{SELECT count(*), sum(id), sum(v) FROM f};
$primary->safe_psql('postgres', q{
	CREATE TABLE f (id int PRIMARY KEY, v float8) USING datalayer_columnar;
	SELECT datalayer.columnar_set('f', row_group_size => 1000);
	INSERT INTO f SELECT g, g * 0.25 FROM generate_series(1, 6000) g;
	DELETE FROM f WHERE id <= 3000;
});
$standby->append_conf('postgresql.conf', 'max_standby_streaming_delay = 0');
$standby->reload;
$primary->wait_for_catchup($standby);
my $log_offset = -s $standby->logfile;
my $reader = $standby->background_psql('postgres', on_error_stop => 0);
$reader->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ');
is($reader->query_safe('SELECT count(*), sum(id) FROM f'), '3000|13501500',
	'a standby reader takes its snapshot before VACUUM');
$primary->safe_psql('postgres', 'VACUUM f');
is($primary->safe_psql('postgres', q{SELECT count(*) FROM datalayer.columnar_row_groups('f')}),
	'3', 'VACUUM freed the three row groups of deleted rows');
my $free_size = $primary->safe_psql('postgres', q{SELECT pg_relation_size('f')});
ok($primary->poll_query_until('postgres',
		q{SELECT bool_and(reusable) FROM datalayer.columnar_free_space('f')}),
	'the freed pages become reusable');
my $lsn_before = $primary->safe_psql('postgres', 'SELECT pg_current_wal_lsn()');
$primary->safe_psql('postgres', q{INSERT INTO f SELECT g, g * 0.5 FROM generate_series(10001, 12000) g});
my $lsn_after = $primary->safe_psql('postgres', 'SELECT pg_current_wal_lsn()');
is($primary->safe_psql('postgres', q{SELECT pg_relation_size('f')}), $free_size,
	'new row groups went into the freed pages');
# the reuse is announced to standbys with nbtree's page-reuse conflict record
my $filenode = $primary->safe_psql('postgres', q{SELECT pg_relation_filenode('f')});
my ($waldump) = run_command([ 'pg_waldump', '-p', $primary->data_dir . '/pg_wal',
	'-s', $lsn_before, '-e', $lsn_after, '-r', 'Btree' ]);
like($waldump, qr{REUSE_PAGE.*/$filenode;}, 'the reuse wrote a recovery conflict record for the table');
$primary->wait_for_catchup($standby);
ok($standby->wait_for_log(qr/terminating connection due to conflict with recovery/, $log_offset),
	'the standby ended the reader whose snapshot predates the reuse');
# the reader's psql has lost its connection
eval { $reader->quit; };
my $free_expected = $primary->safe_psql('postgres', $free_summary);
is($free_expected, '5000|35502500|14375875', 'the primary has the old and the new rows');
is($standby->safe_psql('postgres', $free_summary), $free_expected, 'and so has the standby');
is($standby->safe_psql('postgres', 'SET enable_seqscan = off; SELECT v FROM f WHERE id = 11000'),
	'5500', 'the standby finds a row in reused pages through the index');
$primary->stop('immediate');
$primary->start;
is($primary->safe_psql('postgres', $free_summary), $free_expected,
	'after a crash the reused pages hold the new rows');

# plain VACUUM writes a half-deleted row group again without the values of
# its dead rows: the standby and the primary after a crash agree, by scan
# and through the index
my $index_summary = q{SET enable_seqscan = off; SELECT count(*), sum(v) FROM f WHERE id BETWEEN 3500 AND 5500};
$primary->safe_psql('postgres', 'DELETE FROM f WHERE id % 2 = 0 AND id BETWEEN 4001 AND 5000');
$primary->safe_psql('postgres', 'VACUUM f');
is($primary->safe_psql('postgres',
		q{SELECT dropped_rows FROM datalayer.columnar_row_groups('f') WHERE first_row = 4001}),
	'500', 'VACUUM dropped the values of the dead rows of a row group');
my $dropped = $primary->safe_psql('postgres', $free_summary);
my $dropped_index = $primary->safe_psql('postgres', $index_summary);
is($dropped, '4500|33252000|13813250', 'the live rows are all there');
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', $free_summary), $dropped, 'the standby agrees after the rewrite');
is($standby->safe_psql('postgres', $index_summary), $dropped_index, 'also through the index');
$primary->stop('immediate');
$primary->start;
is($primary->safe_psql('postgres', $free_summary), $dropped, 'and so does the primary after a crash');
is($primary->safe_psql('postgres', $index_summary), $dropped_index, 'also through the index');

$standby->stop;
$primary->stop;
done_testing();
