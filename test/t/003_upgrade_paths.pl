# An upgrade from every released version gives the same catalog as a fresh
# install of the current one.  Released versions keep their install script,
# frozen, in src/sql/releases/datalayer--VERSION.sql; the upgrade scripts live
# in src/sql/updates/.
use strict;
use warnings;
use File::Basename;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $sharedir = `pg_config --sharedir`;
chomp $sharedir;
my @released = map { /datalayer--([0-9.]+)\.sql$/ ? $1 : () }
  glob("$sharedir/extension/datalayer--*.sql");
my ($current) = `grep default_version $sharedir/extension/datalayer.control` =~ /'([^']+)'/;
@released = grep { $_ ne $current } @released;
plan skip_all => "no released version before $current to upgrade from" unless @released;

my $node = PostgreSQL::Test::Cluster->new('upgrade');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'datalayer'");
$node->start;

# everything the extension owns, described in text
my $describe = q{
	SELECT string_agg(d, E'\n' ORDER BY d) FROM (
		SELECT pg_describe_object(classid, objid, objsubid)
		       || coalesce(' ' || pg_get_functiondef(objid), '') AS d
		FROM pg_depend
		WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
		  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'datalayer')
		  AND classid <> 'pg_proc'::regclass
		UNION ALL
		SELECT pg_get_functiondef(objid) FROM pg_depend
		WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e' AND classid = 'pg_proc'::regclass
		  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'datalayer')
		UNION ALL
		SELECT format('%s.%s %s %s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull)
		FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		WHERE c.relnamespace = 'datalayer'::regnamespace) s};

$node->safe_psql('postgres', 'CREATE DATABASE fresh');
$node->safe_psql('fresh', 'CREATE EXTENSION datalayer');
my $fresh = $node->safe_psql('fresh', $describe);
ok(length($fresh) > 0, "fresh install of $current described");

foreach my $version (sort @released)
{
	my $db = "from_" . ($version =~ s/\./_/gr);
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, "CREATE EXTENSION datalayer VERSION '$version'");
	$node->safe_psql($db, 'ALTER EXTENSION datalayer UPDATE');
	is($node->safe_psql($db, q{SELECT extversion FROM pg_extension WHERE extname = 'datalayer'}),
		$current, "$version updates to $current");
	is($node->safe_psql($db, $describe), $fresh, "$version updated gives the catalog of a fresh $current");
}

$node->stop;
done_testing();
