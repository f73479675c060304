# Logical replication from columnar tables.  With wal_level = logical every
# change to a columnar table is also written as the heap record logical
# decoding reads (the block reference being a full-page image of the
# table's metapage, so redo never applies it to columnar pages).  A
# subscriber receives the initial copy, inserts (single rows, multi-row
# statements, COPY, ON CONFLICT), updates, deletes and TRUNCATE; aborted
# transactions and rolled-back subtransactions are not sent; replica
# identity FULL works without a key.  A physical standby of the publisher
# and the publisher itself after a crash still read the columnar tables
# correctly, and test_decoding shows the decoded changes.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $pub = PostgreSQL::Test::Cluster->new('publisher');
$pub->init(allows_streaming => 'logical');
$pub->append_conf('postgresql.conf', "shared_preload_libraries = 'datalayer'\ndatalayer.scheduler_enabled = off");
$pub->start;
$pub->safe_psql('postgres', 'CREATE EXTENSION datalayer');
$pub->safe_psql('postgres', q{SELECT pg_create_physical_replication_slot('standby_slot')});
$pub->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($pub, 'base', has_streaming => 1);
$standby->append_conf('postgresql.conf', "primary_slot_name = 'standby_slot'");
$standby->start;

my $sub = PostgreSQL::Test::Cluster->new('subscriber');
$sub->init;
$sub->append_conf('postgresql.conf', "shared_preload_libraries = 'datalayer'\ndatalayer.scheduler_enabled = off");
$sub->start;
$sub->safe_psql('postgres', 'CREATE EXTENSION datalayer');

my $ddl = q{
	CREATE TABLE m (id int PRIMARY KEY, t timestamptz, v float8, tag text, note text) USING datalayer_columnar;
	CREATE TABLE f (a int, b text) USING datalayer_columnar;
	ALTER TABLE f REPLICA IDENTITY FULL;
};
$pub->safe_psql('postgres', $ddl);
# the subscriber keeps m in a heap table and f in a columnar one
$sub->safe_psql('postgres', q{
	CREATE TABLE m (id int PRIMARY KEY, t timestamptz, v float8, tag text, note text);
	CREATE TABLE f (a int, b text) USING datalayer_columnar;
});

# rows before the subscription arrive with the initial copy
$pub->safe_psql('postgres', q{
	INSERT INTO m SELECT g, '2024-01-01'::timestamptz + g * interval '1 min', g / 4.0, 'tag' || (g % 5), NULL
	FROM generate_series(1, 20000) g;
	INSERT INTO f SELECT g % 100, 'b' || g FROM generate_series(1, 1000) g;
});
$pub->safe_psql('postgres', 'CREATE PUBLICATION p FOR TABLE m, f');
my $pub_conn = $pub->connstr() . ' dbname=postgres';
$sub->safe_psql('postgres', "CREATE SUBSCRIPTION s CONNECTION '$pub_conn' PUBLICATION p");
$sub->wait_for_subscription_sync($pub, 's');

my $m_sum = q{SELECT count(*), sum(id), sum(v), md5(string_agg(concat_ws('|', id, t, v, tag, note), ',' ORDER BY id)) FROM m};
my $f_sum = q{SELECT count(*), md5(string_agg(a || ':' || b, ',' ORDER BY a, b)) FROM f};
is($sub->safe_psql('postgres', $m_sum), $pub->safe_psql('postgres', $m_sum), 'initial copy of m');
is($sub->safe_psql('postgres', $f_sum), $pub->safe_psql('postgres', $f_sum), 'initial copy of f');

# every kind of change
$pub->safe_psql('postgres', q{
	INSERT INTO m VALUES (30001, now(), 1.5, 'single', 'one row');
	INSERT INTO m SELECT g, '2025-01-01', g, 'multi', repeat('x', g % 300) FROM generate_series(30002, 35000) g;
	COPY m FROM PROGRAM 'seq 40001 40100 | awk ''{print $1 "\t2025-02-01\t0.25\tcopy\t\\\\N"}''';
	UPDATE m SET v = -v, note = 'updated' WHERE id % 97 = 0;
	UPDATE m SET id = id + 100000 WHERE id BETWEEN 100 AND 110;
	DELETE FROM m WHERE id % 13 = 0;
	INSERT INTO m VALUES (1, now(), 0, 'upsert', 'conflict'), (50000, now(), 0, 'upsert', 'new')
		ON CONFLICT (id) DO UPDATE SET note = excluded.note || ' resolved', tag = excluded.tag;
	UPDATE f SET b = b || '!' WHERE a = 7;
	DELETE FROM f WHERE a = 8;
	INSERT INTO f VALUES (1000, 'new'), (1000, 'new');
});
# values still in a heap table's TOAST when inserted (INSERT ... SELECT) arrive whole
$pub->safe_psql('postgres', q{
	CREATE TABLE toasted (id int, note text);
	ALTER TABLE toasted ALTER COLUMN note SET STORAGE EXTERNAL;
	INSERT INTO toasted SELECT g, repeat(md5(g::text), 600) FROM generate_series(1, 5) g;
	INSERT INTO m SELECT 36000 + id, now(), 0, 'toasted', note FROM toasted;
});
# what is rolled back is not sent
$pub->safe_psql('postgres', q{
	BEGIN;
	INSERT INTO m VALUES (60000, now(), 1, 'aborted', NULL);
	DELETE FROM m WHERE id < 50;
	ROLLBACK;
	BEGIN;
	INSERT INTO m VALUES (60001, now(), 1, 'kept', NULL);
	SAVEPOINT sp;
	INSERT INTO m VALUES (60002, now(), 1, 'rolled back', NULL);
	UPDATE m SET note = 'rolled back' WHERE id = 60001;
	ROLLBACK TO SAVEPOINT sp;
	UPDATE m SET note = 'after savepoint' WHERE id = 60001;
	COMMIT;
});
$pub->wait_for_catchup('s');
is($sub->safe_psql('postgres', $m_sum), $pub->safe_psql('postgres', $m_sum),
	'inserts, COPY, updates (also of the key), deletes and ON CONFLICT reach the subscriber');
is($sub->safe_psql('postgres', $f_sum), $pub->safe_psql('postgres', $f_sum),
	'replica identity FULL: updates and deletes of rows without a key');
is($sub->safe_psql('postgres', q{SELECT count(*) FROM m WHERE tag IN ('aborted', 'rolled back') OR note = 'rolled back'}),
	'0', 'nothing rolled back arrives');
is($sub->safe_psql('postgres', q{SELECT note FROM m WHERE id = 60001}), 'after savepoint',
	'a subtransaction rolled back to its savepoint is left out');
is($sub->safe_psql('postgres', q{SELECT count(*), sum(length(note)) FROM m WHERE tag = 'toasted'}), '5|96000',
	'values from another table\'s TOAST arrive whole');
is($sub->safe_psql('postgres', q{SELECT note FROM m WHERE id = 1}), 'conflict resolved',
	'ON CONFLICT DO UPDATE arrives as an update');
# ids 100..110 moved to 100100..100110, and 100100 (a multiple of 13) was deleted
is($sub->safe_psql('postgres', q{SELECT string_agg(id::text, ',' ORDER BY id) FROM m WHERE id BETWEEN 100 AND 110 OR id BETWEEN 100100 AND 100110}),
	'100101,100102,100103,100104,100105,100106,100107,100108,100109,100110',
	'a changed primary key arrives');

# a row too large for one block's WAL data is refused, and nothing else breaks
my ($rc, $out, $err) = $pub->psql('postgres', q{INSERT INTO m VALUES (70000, now(), 0, 'big', repeat(md5(random()::text), 3000))});
like($err, qr/too large for logical decoding/, 'a row over 64 kB is refused with wal_level = logical');

# TRUNCATE
$pub->safe_psql('postgres', 'TRUNCATE f');
$pub->safe_psql('postgres', q{INSERT INTO f VALUES (1, 'after truncate')});
$pub->wait_for_catchup('s');
is($sub->safe_psql('postgres', $f_sum), $pub->safe_psql('postgres', $f_sum), 'TRUNCATE and what follows');

# rewriting a published table (to heap and back) sends no rows again
$pub->safe_psql('postgres', q{
	INSERT INTO f SELECT g, 'rewrite' FROM generate_series(1, 500) g;
	ALTER TABLE f SET ACCESS METHOD heap;
	ALTER TABLE f SET ACCESS METHOD datalayer_columnar;
	INSERT INTO f VALUES (2, 'after rewrite');
});
$pub->wait_for_catchup('s');
is($sub->safe_psql('postgres', $f_sum), $pub->safe_psql('postgres', $f_sum),
	'ALTER TABLE ... SET ACCESS METHOD on a published table sends no rows twice');

# the changes as test_decoding shows them
$pub->safe_psql('postgres', q{SELECT pg_create_logical_replication_slot('td', 'test_decoding')});
$pub->safe_psql('postgres', q{
	INSERT INTO m VALUES (80000, '2025-03-01 00:00+00', 2.5, 'decoded', 'x');
	UPDATE m SET v = 3.5 WHERE id = 80000;
	DELETE FROM m WHERE id = 80000;
});
my $changes = $pub->safe_psql('postgres',
	q{SELECT string_agg(data, E'\n') FROM pg_logical_slot_get_changes('td', NULL, NULL) WHERE data LIKE 'table public.m:%'});
is($changes, join("\n",
	q{table public.m: INSERT: id[integer]:80000 t[timestamp with time zone]:'2025-03-01 00:00:00+00' v[double precision]:2.5 tag[text]:'decoded' note[text]:'x'},
	q{table public.m: UPDATE: old-key: id[integer]:80000 new-tuple: id[integer]:80000 t[timestamp with time zone]:'2025-03-01 00:00:00+00' v[double precision]:3.5 tag[text]:'decoded' note[text]:'x'},
	q{table public.m: DELETE: id[integer]:80000}),
	'test_decoding decodes the insert, update and delete');
$pub->safe_psql('postgres', q{SELECT pg_drop_replication_slot('td')});

# redo of these records leaves the columnar tables intact: on the standby ...
$pub->wait_for_catchup($standby);
is($standby->safe_psql('postgres', $m_sum), $pub->safe_psql('postgres', $m_sum), 'the standby reads m as the publisher does');
is($standby->safe_psql('postgres', $f_sum), $pub->safe_psql('postgres', $f_sum), 'and f');
# ... and after a crash of the publisher
my $before = $pub->safe_psql('postgres', $m_sum);
$pub->stop('immediate');
$pub->start;
is($pub->safe_psql('postgres', $m_sum), $before, 'after crash recovery the publisher reads m unchanged');
$pub->safe_psql('postgres', q{INSERT INTO m VALUES (90000, now(), 9, 'after crash', NULL)});
$pub->wait_for_catchup('s');
is($sub->safe_psql('postgres', $m_sum), $pub->safe_psql('postgres', $m_sum), 'replication goes on after the crash');

done_testing();
