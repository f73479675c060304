# Columnar tables survive pg_dump and come back whole, and parallel
# sequential scans of them return what a single process and a heap table
# return.
#
# 1. A columnar table of many types (NULLs, NaN, -0, long and escaped text,
#    deleted and updated rows, a primary key and a second index, non-default
#    settings) is dumped with pg_dump -Fc and -Fp and restored into fresh
#    databases with pg_restore and psql.  The restored table is columnar again,
#    has the rows of a heap table that received the same statements, and its
#    indexes are valid, used and enforced.
# 2. Aggregates over a 1M-row columnar table run with parallel workers
#    launched (Gather), also with a WHERE that skips row groups and under a
#    rescanned Gather; every answer equals the serial one and the heap's.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('dump_parallel');
$node->init;
$node->append_conf('postgresql.conf', qq{shared_preload_libraries = 'datalayer'
datalayer.scheduler_enabled = off
max_worker_processes = 16
max_parallel_workers = 16
max_parallel_workers_per_gather = 2});
$node->start;

# pg_dump, pg_restore and psql of the server's own installation
my $bindir = $node->config_data('--bindir');
my $tmp = PostgreSQL::Test::Utils::tempdir;
my @conn = ('-h', $node->host, '-p', $node->port);

# runs a client program; returns its exit status and stderr
sub run_client
{
	my (@cmd) = @_;
	my ($out, $err) = ('', '');
	note 'running: ' . join(' ', @cmd);
	IPC::Run::run(\@cmd, '>', \$out, '2>', \$err);
	die "$cmd[0] killed by signal " . ($? & 127) if $? & 127;
	return ($? >> 8, $err);
}

# the error lines of a client's stderr
sub errors_in
{
	my ($stderr, $prefix) = @_;
	return join("\n", grep { /$prefix/ } split /\n/, $stderr);
}

# ---------------------------------------------------------------------------
# 1. pg_dump / pg_restore
# ---------------------------------------------------------------------------

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', 'CREATE EXTENSION datalayer');
# a user's job: the dump carries it, and the id sequence goes on after it
$node->safe_psql('src', q{SELECT datalayer.add_job('SELECT 1'::text, '1 hour', job_name => 'user job')});

my $columns = q{(
	id int PRIMARY KEY,
	i int,
	b bigint,
	f float8,
	lo text,
	hi text,
	ts timestamptz,
	flag bool,
	n numeric,
	j jsonb)};
# every column has NULLs; f has NaN, infinities and -0; lo has few values
# (and one with a tab, a newline and a backslash, for COPY's escaping); hi is
# distinct per row, sometimes empty, sometimes 6.4 kB; n has varying scales
my $rows = q{
	SELECT g,
	       CASE WHEN g % 13 = 0 THEN NULL ELSE (g * 7919) % 100003 - 50000 END,
	       CASE WHEN g % 17 = 0 THEN NULL ELSE g::bigint * 1000003 * (1 - 2 * (g % 2)) END,
	       CASE WHEN g % 19 = 0 THEN NULL
	            WHEN g % 1000 = 1 THEN 'NaN'::float8
	            WHEN g % 1000 = 2 THEN '-Infinity'::float8
	            WHEN g % 1000 = 3 THEN 'Infinity'::float8
	            WHEN g % 1000 = 4 THEN '-0'::float8
	            ELSE g * 0.37 / 3 END,
	       CASE WHEN g % 23 = 0 THEN NULL
	            WHEN g % 997 = 0 THEN E'odd\tone\nwith \\ backslash'
	            ELSE (ARRAY['cpu', 'mem', 'disk', 'net'])[g % 4 + 1] END,
	       CASE WHEN g % 29 = 0 THEN NULL
	            WHEN g % 5000 = 7 THEN repeat(md5(g::text), 200)
	            WHEN g % 5000 = 8 THEN ''
	            ELSE md5(g::text) END,
	       CASE WHEN g % 31 = 0 THEN NULL
	            ELSE timestamptz '2024-01-01 00:00:00+00' + g * interval '10 seconds'
	                 + (g % 1000) * interval '1 microsecond' END,
	       CASE WHEN g % 37 = 0 THEN NULL ELSE g % 3 = 0 END,
	       CASE WHEN g % 41 = 0 THEN NULL ELSE round(g::numeric / 7, g % 9) END,
	       CASE WHEN g % 43 = 0 THEN NULL
	            ELSE jsonb_build_object('g', g, 'tags', jsonb_build_array(g % 5, 'x' || g % 3), 'even', g % 2 = 0) END
	FROM generate_series(1, 50000) g};

# the heap table h gets the same statements as the columnar table t
$node->safe_psql('src', qq{
	CREATE TABLE h $columns;
	CREATE TABLE t $columns USING datalayer_columnar;
	SELECT datalayer.columnar_set('t', row_group_size => 10000, zstd_level => 5, sort_by => '{lo,id}');
	CREATE INDEX t_lo_ts ON t (lo, ts);
	INSERT INTO h $rows;
	INSERT INTO t $rows;
});
foreach my $tab ('h', 't')
{
	$node->safe_psql('src', qq{
		DELETE FROM $tab WHERE id % 11 = 0 OR id BETWEEN 20001 AND 20500;
		UPDATE $tab SET f = f * 2, lo = 'updated', n = n + 1, j = j || '{"updated": true}'
		 WHERE id % 503 = 5;
		INSERT INTO $tab SELECT g, g, g, g / 4.0, 'late', md5(g::text), NULL, true, g, NULL
		  FROM generate_series(60001, 60100) g;
	});
}
$node->safe_psql('src', 'ANALYZE h; ANALYZE t');

my $summary = q{SELECT count(*), md5(string_agg(x::text, ',' ORDER BY id)) FROM %s x};
my $expected = $node->safe_psql('src', sprintf($summary, 'h'));
my ($expected_count) = split /\|/, $expected;
is($expected_count, '45100', 'heap reference: 50000 - 5000 deleted + 100 inserted rows');
is($node->safe_psql('src', sprintf($summary, 't')), $expected,
	'source: the columnar table has exactly the heap table\'s rows');

my $settings_q = q{SELECT row_group_size, zstd_level, sort_by FROM datalayer.columnar_settings WHERE relid = 't'::regclass};
is($node->safe_psql('src', $settings_q), '10000|5|{lo,id}', 'source: columnar_set took effect');
is($node->safe_psql('src',
		q{SELECT count(*) FILTER (WHERE row_count = 10000), max(row_count) FROM datalayer.columnar_row_groups('t')}),
	'5|10000', 'source: the load was written in 10,000-row groups');
note 'source row groups: ' . $node->safe_psql('src', q{SELECT count(*) FROM datalayer.columnar_row_groups('t')});

my $am_q = q{SELECT a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam WHERE c.oid = 't'::regclass};
my $index_q = q{SELECT string_agg(format('%s valid=%s ready=%s live=%s unique=%s', indexrelid::regclass,
	indisvalid, indisready, indislive, indisunique), ', ' ORDER BY indexrelid::regclass::text)
	FROM pg_index WHERE indrelid = 't'::regclass};
my $indexes = 't_lo_ts valid=t ready=t live=t unique=f, t_pkey valid=t ready=t live=t unique=t';
is($node->safe_psql('src', $index_q), $indexes, 'source: both indexes valid');

# checks a restored copy of t against the source
sub check_restored
{
	my ($db, $how) = @_;

	is($node->safe_psql($db, $am_q), 'datalayer_columnar', "$how: t is still a columnar table");
	is($node->safe_psql($db, sprintf($summary, 't')), $expected,
		"$how: same row count and checksum of every row as the source heap table");
	is($node->safe_psql($db, q{SELECT rows, deleted_rows FROM datalayer.columnar_stats('t') LIMIT 1}),
		"$expected_count|0", "$how: the rows are in columnar storage, none deleted");
	is($node->safe_psql($db, $index_q), $indexes, "$how: both indexes exist and are valid");

	# the indexes are used and find the rows
	like($node->safe_psql($db, 'SET enable_seqscan = off; EXPLAIN (COSTS OFF) SELECT * FROM t WHERE id = 4242'),
		qr/Index Scan using t_pkey on t/, "$how: a primary key lookup uses t_pkey");
	is($node->safe_psql($db, 'SET enable_seqscan = off; SELECT x::text FROM t x WHERE id = 4242'),
		$node->safe_psql('src', 'SELECT x::text FROM h x WHERE id = 4242'), "$how: and finds the row");
	my $by_index = 'SET enable_seqscan = off; SET enable_bitmapscan = off; ' . sprintf($summary, 't') . ' WHERE id >= 0';
	like($node->safe_psql($db, "SET enable_seqscan = off; SET enable_bitmapscan = off; EXPLAIN (COSTS OFF) "
			. sprintf($summary, 't') . ' WHERE id >= 0'),
		qr/Index Scan using t_pkey on t x/, "$how: a full scan through t_pkey is planned");
	is($node->safe_psql($db, $by_index), $expected, "$how: every row is reached through t_pkey");
	my $lo_q = q{SELECT count(*), md5(string_agg(id::text, ',' ORDER BY id)) FROM %s
		WHERE lo = 'mem' AND ts < '2024-01-03 00:00:00+00'};
	like($node->safe_psql($db, 'SET enable_seqscan = off; EXPLAIN (COSTS OFF) ' . sprintf($lo_q, 't')),
		qr/Index Scan using t_lo_ts on t/, "$how: the (lo, ts) index is used");
	is($node->safe_psql($db, 'SET enable_seqscan = off; ' . sprintf($lo_q, 't')),
		$node->safe_psql('src', sprintf($lo_q, 'h')), "$how: and finds the heap table's rows");

	# the primary key is enforced
	my ($rc, $stdout, $stderr) = $node->psql($db, q{INSERT INTO t (id, lo) VALUES (4242, 'dup')});
	like($stderr, qr/duplicate key value violates unique constraint "t_pkey"/, "$how: t_pkey rejects a duplicate");

	# the settings travel with the dump, and the load used them
	is($node->safe_psql($db, $settings_q), '10000|5|{lo,id}', "$how: settings survive");
	is($node->safe_psql($db, q{SELECT max(row_count) <= 10000 FROM datalayer.columnar_row_groups('t')}),
		't', "$how: the restored rows were written in row groups of at most 10,000 rows");

	# the user's job came along, and new jobs get new ids
	is($node->safe_psql($db, q{SELECT string_agg(job_name, ',' ORDER BY job_id) FROM datalayer.job}),
		'lineage compaction,user job', "$how: the user's job is restored once, the built-in one kept");
	is($node->safe_psql($db,
			q{SELECT datalayer.add_job('SELECT 2'::text, '1 hour') > max(job_id) FILTER (WHERE job_name = 'user job') FROM datalayer.job}),
		't', "$how: a new job gets an id after the restored ones");
	return;
}

my $dump_custom = "$tmp/src.dump";
my $dump_plain = "$tmp/src.sql";
my ($rc, $err) = run_client("$bindir/pg_dump", @conn, '-Fc', '-f', $dump_custom, '-d', 'src');
is($rc, 0, 'pg_dump -Fc succeeds') or diag $err;
($rc, $err) = run_client("$bindir/pg_dump", @conn, '-Fp', '-f', $dump_plain, '-d', 'src');
is($rc, 0, 'pg_dump -Fp succeeds') or diag $err;
ok(slurp_file($dump_plain) =~ /^SET default_table_access_method = datalayer_columnar;\n(?:--.*\n|\n)*CREATE TABLE public\.t \(/m,
	'the plain dump creates t with the columnar access method');

# pg_restore of the custom-format dump into a fresh database
$node->safe_psql('postgres', 'CREATE DATABASE dst_custom');
($rc, $err) = run_client("$bindir/pg_restore", @conn, '-d', 'dst_custom', $dump_custom);
is(errors_in($err, qr/^pg_restore: error:/), '', 'pg_restore: no error');
is($rc, 0, 'pg_restore succeeds');
check_restored('dst_custom', 'pg_restore -Fc');

# psql of the plain dump into a fresh database
$node->safe_psql('postgres', 'CREATE DATABASE dst_plain');
($rc, $err) = run_client("$bindir/psql", @conn, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'dst_plain', '-f', $dump_plain);
is($rc, 0, 'psql ran the plain dump, stopping at any error');
is(errors_in($err, qr/ERROR:/), '', 'psql: no error');
check_restored('dst_plain', 'psql -Fp');

# ---------------------------------------------------------------------------
# 2. Parallel sequential scans
# ---------------------------------------------------------------------------

$node->safe_psql('postgres', 'CREATE DATABASE par');
$node->safe_psql('par', 'CREATE EXTENSION datalayer');
# x is a multiple of 0.25 below 1001, so float sums are exact in any order;
# s has 5000 values and some NULLs; rows deleted and updated in both tables;
# 100 row groups of 10,000 rows for the workers to share
my $par_rows = q{SELECT g, (g % 4001) / 4.0, CASE WHEN g % 1013 = 0 THEN NULL ELSE 'k' || (g % 5000) END
	FROM generate_series(1, 1000000) g};
$node->safe_psql('par', qq{
	CREATE TABLE p (id int, x float8, s text) USING datalayer_columnar;
	SELECT datalayer.columnar_set('p', row_group_size => 10000);
	CREATE TABLE ph (id int, x float8, s text) USING heap;
	INSERT INTO p $par_rows;
	INSERT INTO ph $par_rows;
});
foreach my $tab ('p', 'ph')
{
	$node->safe_psql('par', qq{
		DELETE FROM $tab WHERE id % 97 = 0;
		UPDATE $tab SET x = -x, s = s || 'u' WHERE id % 100003 = 1;
		ANALYZE $tab;
	});
}
is($node->safe_psql('par', 'SELECT count(*) FROM ph'), '989691', 'heap reference: 1M - 10309 deleted rows');

my $parallel = 'SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; '
  . 'SET max_parallel_workers_per_gather = 2; SET datalayer.columnar_aggregate = off; ';
my $serial = 'SET max_parallel_workers_per_gather = 0; SET datalayer.columnar_aggregate = off; ';
my $explain = 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ';

# runs query (with %s for the table) in parallel and serially on p and on ph
sub check_parallel
{
	my ($name, $query, $extra_settings, $plan_re) = @_;
	$extra_settings //= '';
	my $heap = $node->safe_psql('par', $serial . $extra_settings . sprintf($query, 'ph'));

	my $plan = $node->safe_psql('par', $parallel . $extra_settings . $explain . sprintf($query, 'p'));
	my ($launched) = $plan =~ /Workers Launched: (\d+)/;
	ok(defined $launched && $launched >= 1, "$name: parallel workers launched")
	  or diag $plan;
	like($plan, $plan_re, "$name: the plan is as expected") if $plan_re;
	like($plan, qr/Gather.*\n(?:.*\n)*?\s*->  Parallel Custom Scan \(ColumnarScan\) on p\b/,
		"$name: p is scanned by a parallel ColumnarScan under a Gather");
	my ($scan) = $plan =~ /->  (Parallel Seq Scan|(?:Parallel )?Custom Scan \(\w+\)) on p\b/;
	note "$name: parallel plan scans p with " . ($scan // '?')
	  . ($plan =~ /Row Groups Skipped: (\d+)/ ? ", row groups skipped: $1" : ', no row group skipping');
	is($node->safe_psql('par', $parallel . $extra_settings . sprintf($query, 'p')), $heap,
		"$name: parallel result equals the heap table's");
	is($node->safe_psql('par', $serial . $extra_settings . sprintf($query, 'p')), $heap,
		"$name: serial result equals the heap table's");
	return $heap;
}

my $r = check_parallel('aggregates',
	q{SELECT count(*), count(s), sum(id::bigint), sum(x), min(x), max(x), min(s), max(s), sum(hashtext(s)::bigint)
	  FROM %s WHERE x > 10});
# the same aggregates computed from generate_series, without either table
is($r, $node->safe_psql('par', q{
	WITH d AS (
		SELECT g AS id,
		       ((g % 4001) / 4.0 * CASE WHEN g % 100003 = 1 THEN -1 ELSE 1 END)::float8 AS x,
		       CASE WHEN g % 1013 = 0 THEN NULL
		            ELSE 'k' || (g % 5000) || CASE WHEN g % 100003 = 1 THEN 'u' ELSE '' END END AS s
		FROM generate_series(1, 1000000) g WHERE g % 97 <> 0)
	SELECT count(*), count(s), sum(id::bigint), sum(x), min(x), max(x), min(s), max(s), sum(hashtext(s)::bigint)
	FROM d WHERE x > 10}),
	'aggregates: the values computed from generate_series alone');

check_parallel('count distinct',
	q{SELECT count(*), count(DISTINCT s), sum(id::bigint), min(id), max(id) FROM %s WHERE x >= 900});

# a range of id: row groups outside it are skipped by ColumnarScan
my $skip_q = q{SELECT count(*), sum(id::bigint), sum(x), min(s), max(s), count(DISTINCT s) FROM %s
	WHERE id BETWEEN 500000 AND 700000};
like($node->safe_psql('par', $serial . $explain . sprintf($skip_q, 'p')),
	qr/ColumnarScan\) on p(?:.*\n)*\s*Row Groups Skipped: [1-9]/,
	'row group skipping: the serial ColumnarScan skips row groups');
$r = check_parallel('row group skipping', $skip_q, '',
	qr/Row Groups Read: [1-9]\d*\n\s*Row Groups Skipped: [1-9]/);
is((split /\|/, $r)[0], '197939', 'row group skipping: 200001 - 2062 deleted rows');

# a Gather rescanned three times (the parallel scan is reinitialised)
my $rescan_q = q{SELECT v.k, ss.* FROM (SELECT count(*), sum(x), max(id) FROM %s WHERE id < 200000) ss
	RIGHT JOIN (VALUES (1), (2), (3)) v(k) ON true ORDER BY v.k};
check_parallel('rescan', $rescan_q, 'SET enable_material = off; ', qr/Gather \(actual rows=\d+ loops=3\)/);

$node->stop;
done_testing();
