# Shared by scripts/demo.sh and scripts/test.sh: packages, build, and a
# throwaway PostgreSQL cluster run by the right operating-system user.
#
# PostgreSQL refuses to run as root, so when these scripts run as root the
# server (and TAP tests, which start servers themselves) run as the
# "postgres" user that Debian's packages create; the clients stay root and
# connect as the database superuser "postgres".  Run as an ordinary user,
# everything runs as that user and only apt-get and make install use sudo.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_MAJOR=15
PGBIN=/usr/lib/postgresql/$PG_MAJOR/bin
PGXS_DIR=/usr/lib/postgresql/$PG_MAJOR/lib/pgxs
PACKAGES_BUILD=(postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR libzstd-dev make gcc)
PACKAGES_TEST=(libipc-run-perl cppcheck)

if [ "$(id -u)" -eq 0 ]; then
	SUDO=()
	AS_ROOT=1
else
	SUDO=(sudo)
	AS_ROOT=0
fi

step() { printf '\n==> %s\n' "$*"; }

install_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		echo "Debian packages already installed: $*"
		return
	fi
	step "Installing Debian packages: ${missing[*]}"
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	# Debian's postgresql-common would create and start a cluster of its own: not wanted.
	if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
		"${SUDO[@]}" mkdir -p /etc/postgresql-common/createcluster.d
		echo "create_main_cluster = false" | "${SUDO[@]}" tee /etc/postgresql-common/createcluster.d/datalayer.conf >/dev/null
	fi
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# DATALAYER_ASAN=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer;
# servers started by start_cluster then preload the ASan runtime.
DATALAYER_ASAN=${DATALAYER_ASAN:-0}
SANITIZE_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

build_and_install() {
	local flavor=plain extra_c="" extra_ld=""
	if [ "$DATALAYER_ASAN" = 1 ]; then
		flavor=asan extra_c=$SANITIZE_FLAGS extra_ld="-fsanitize=address,undefined"
	fi
	# objects of the other flavour must not be linked in
	if [ "$(cat "$TOP/.build-flavor" 2>/dev/null || echo plain)" != "$flavor" ]; then
		make -C "$TOP" -s clean PG_CONFIG=$PGBIN/pg_config >/dev/null
	fi
	echo "$flavor" > "$TOP/.build-flavor"
	step "Building datalayer ($flavor)"
	make -C "$TOP" -s -j"$(nproc)" PG_CONFIG=$PGBIN/pg_config \
		DATALAYER_EXTRA_CFLAGS="$extra_c" DATALAYER_EXTRA_LDFLAGS="$extra_ld"
	step "Installing datalayer into PostgreSQL $PG_MAJOR"
	"${SUDO[@]}" make -C "$TOP" -s install PG_CONFIG=$PGBIN/pg_config \
		DATALAYER_EXTRA_CFLAGS="$extra_c" DATALAYER_EXTRA_LDFLAGS="$extra_ld" >/dev/null
}

# run a command as the operating-system user that owns the server
as_server_user() {
	if [ "$AS_ROOT" -eq 1 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# the database superuser of clusters we initialise
db_superuser() {
	if [ "$AS_ROOT" -eq 1 ]; then echo postgres; else id -un; fi
}

# A directory the server user can write: DIR itself when that user can reach
# it, otherwise a private one under /var/tmp (a checkout under /root, say).
server_dir() {
	local dir=$1
	mkdir -p "$dir"
	if [ "$AS_ROOT" -eq 1 ]; then
		chown postgres: "$dir"
		if ! runuser -u postgres -- test -w "$dir"; then
			dir=/var/tmp/datalayer-$(echo "$1" | md5sum | cut -c1-8)
			mkdir -p "$dir"
			chown postgres: "$dir"
		fi
	fi
	echo "$dir"
}

port_is_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# init_cluster DATADIR SOCKETDIR PORT: a fresh cluster with datalayer preloaded
init_cluster() {
	local data=$1 sock=$2 port=$3
	as_server_user "$PGBIN/initdb" -D "$data" -A trust -U "$(db_superuser)" --no-sync -E UTF8 \
		--locale=C >/dev/null
	as_server_user tee -a "$data/postgresql.conf" >/dev/null <<CONF

# ---- datalayer throwaway cluster ----
port = $port
listen_addresses = 'localhost'
unix_socket_directories = '$sock'
shared_preload_libraries = 'datalayer'
max_worker_processes = 16
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 512MB
work_mem = 64MB
maintenance_work_mem = 512MB
max_wal_size = 4GB
log_min_messages = warning
CONF
}

start_cluster() {
	local data=$1 log=$2
	if [ "$DATALAYER_ASAN" = 1 ]; then
		# PostgreSQL's memory contexts are not leaks; stop at the first error
		as_server_user env LD_PRELOAD="$(gcc -print-file-name=libasan.so)" \
			ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:log_path="$data/../asan" \
			UBSAN_OPTIONS=print_stacktrace=1:log_path="$data/../ubsan" \
			"$PGBIN/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null
	else
		as_server_user "$PGBIN/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null
	fi
}

stop_cluster() {
	local data=$1
	as_server_user "$PGBIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
}

# start_bench_cluster WORK: a throwaway cluster in WORK/data on a free port,
# PGHOST/PGPORT/PGUSER exported and an empty database "bench" created
start_bench_cluster() {
	local work=$1 port=$((20000 + RANDOM % 20000))
	while ! port_is_free $port; do port=$((port + 1)); done
	init_cluster "$work/data" "$work" "$port"
	start_cluster "$work/data" "$work/server.log"
	export PGHOST=$work PGPORT=$port PGUSER
	PGUSER=$(db_superuser)
	psql -X -q -d postgres -c "CREATE DATABASE bench"
}

# tsbs_generate WORK HOSTS HOURS PRECISION: the TSBS cpu rows, in time order, in WORK/cpu.tsv
tsbs_generate() {
	local work=$1
	cc -O2 -o "$work/tsbs_generate" "$TOP/bench/tsbs/tsbs_generate.c"
	"$work/tsbs_generate" --hosts "$2" --hours "$3" --precision "$4" > "$work/cpu.tsv"
	[ "$AS_ROOT" -eq 1 ] && chown postgres: "$work/cpu.tsv"
	return 0
}

# bench_setup [PACKAGE...]: installs the build packages (and more), builds and
# installs datalayer, and sets WORK to a fresh directory the server can use,
# removed with its cluster when the script exits
bench_setup() {
	install_packages "${PACKAGES_BUILD[@]}" "$@"
	build_and_install
	WORK=$(server_dir "$(mktemp -d /var/tmp/datalayer-bench.XXXXXX)")
	trap 'stop_cluster "$WORK/data"; rm -rf "$WORK"' EXIT
}
