# Metric tables and their chunks survive a clean restart and a crash
# (immediate stop): committed rows are all there, in correctly bounded chunks,
# stray rows too, and uncommitted ones are not.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('metric_restart');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'datalayer'");
$node->start;

$node->safe_psql('postgres', q{
	CREATE EXTENSION datalayer;
	CREATE TABLE m (ts timestamptz NOT NULL, host text, v float8);
	INSERT INTO m SELECT '2024-01-01'::timestamptz + g * interval '10 minutes', 'h' || (g % 5), g
	  FROM generate_series(0, 9999) g;
	SELECT datalayer.create_metric_table('m', 'ts', interval '1 day');
	INSERT INTO m VALUES ('1980-01-01', 'stray', -1);
});

my $summary = q{SELECT count(*), sum(v), count(DISTINCT tableoid) FROM m};
my $before = $node->safe_psql('postgres', $summary);
my $chunks_before = $node->safe_psql('postgres',
	q{SELECT count(*) FROM datalayer.chunks WHERE metric_table = 'm'::regclass});

$node->restart;
is($node->safe_psql('postgres', $summary), $before, 'all rows after a clean restart');
is($node->safe_psql('postgres',
	q{SELECT count(*) FROM datalayer.chunks WHERE metric_table = 'm'::regclass}),
	$chunks_before, 'same chunks after a clean restart');
is($node->safe_psql('postgres', q{SELECT count(*) FROM ONLY m_default}), '1',
	'the stray row waits in the default partition');

# a committed maintenance run and an open transaction, then a crash
$node->safe_psql('postgres', q{SELECT datalayer.run_maintenance('m')});
my $bg = $node->background_psql('postgres');
$bg->query_safe(q{BEGIN});
$bg->query_safe(q{INSERT INTO m VALUES ('1990-06-01', 'uncommitted', 42)});
$node->stop('immediate');
$node->start;

is($node->safe_psql('postgres', q{SELECT count(*) FROM m WHERE host = 'uncommitted'}), '0',
	'uncommitted row is gone after the crash');
is($node->safe_psql('postgres', q{SELECT count(*), sum(v) FROM m}),
	$node->safe_psql('postgres', q{SELECT 10001, sum(g) - 1 FROM generate_series(0, 9999) g}),
	'every committed row is there after the crash');
is($node->safe_psql('postgres', q{SELECT count(*) FROM ONLY m_default}), '0',
	'the committed maintenance moved the stray row for good');
is($node->safe_psql('postgres', q{
	SELECT count(*) FROM m JOIN datalayer.chunks c ON c.chunk = m.tableoid
	WHERE NOT (m.ts >= c.range_start AND m.ts < c.range_end)}), '0',
	'every row lies inside its chunk bounds');

# the table keeps working: new rows, maintenance, retention
$node->safe_psql('postgres', q{INSERT INTO m VALUES ('2024-01-03 12:00', 'after', 1)});
is($node->safe_psql('postgres',
	q{SELECT count(*) FROM datalayer.drop_chunks('m', older_than => '2024-01-02'::timestamptz)}),
	'2', 'drop_chunks after recovery drops the old chunks');
is($node->safe_psql('postgres', q{SELECT min(ts) >= '2024-01-02' FROM m}), 't',
	'only newer rows remain');

$node->stop;
done_testing();
