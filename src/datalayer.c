/*
 * datalayer.c
 *		Module entry: PG_MODULE_MAGIC and _PG_init, which registers the
 *		extension's settings.  Each feature registers its own pieces from here
 *		so that this file stays a table of contents.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "storage/ipc.h"
#include "utils/guc.h"

#include "columnar/columnar.h"
#include "lineage/lineage.h"
#include "scheduler/scheduler.h"
#include "storage/metric_table.h"
#include "time/gapfill.h"
#include "util/portable.h"

PG_MODULE_MAGIC;

int			datalayer_max_chunks = 10000;
int			datalayer_chunks_ahead = 3;
bool		datalayer_scheduler_enabled = true;
int			datalayer_max_job_workers = 8;
int			datalayer_job_history_retention = 7 * 24 * 3600;
int			datalayer_job_log_level = DEBUG1;

static const struct config_enum_entry log_level_options[] = {
	{"debug5", DEBUG5, false},
	{"debug4", DEBUG4, false},
	{"debug3", DEBUG3, false},
	{"debug2", DEBUG2, false},
	{"debug1", DEBUG1, false},
	{"debug", DEBUG2, true},
	{"info", INFO, false},
	{"notice", NOTICE, false},
	{"warning", WARNING, false},
	{"log", LOG, false},
	{NULL, 0, false}
};

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

void		_PG_init(void);

/* dl_check_interrupts() of the pure-C cores, inside the backend */
void
datalayer_check_interrupts(void)
{
	CHECK_FOR_INTERRUPTS();
}

static void
datalayer_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	scheduler_shmem_request();
}

static void
datalayer_shmem_startup(void)
{
	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();
	scheduler_shmem_startup();
}

void
_PG_init(void)
{
	DefineCustomIntVariable("datalayer.max_chunks",
							"Largest number of chunks one metric table may be given in one call.",
							"Protects against a chunk interval so small that converting a table, or moving stray rows, would create an unmanageable number of partitions.",
							&datalayer_max_chunks,
							10000, 1, 1000000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("datalayer.chunks_ahead",
							"How many chunks maintenance creates ahead of the current time.",
							NULL,
							&datalayer_chunks_ahead,
							3, 0, 1000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomBoolVariable("datalayer.scheduler_enabled",
							 "Whether datalayer's scheduler starts job runs.",
							 "Turned off, schedulers keep running but start no job until it is turned on again.",
							 &datalayer_scheduler_enabled,
							 true,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("datalayer.max_job_workers",
							"Most job runs at the same time, in the whole cluster.",
							"Due jobs wait, oldest first, while this many run.  Each run is a background worker: max_worker_processes must leave room.",
							&datalayer_max_job_workers,
							8, 1, 1000,
							PGC_SIGHUP, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("datalayer.job_history_retention",
							"How long finished runs are kept in datalayer.job_runs.",
							"-1 keeps them forever.",
							&datalayer_job_history_retention,
							7 * 24 * 3600, -1, PG_INT32_MAX,
							PGC_SIGHUP, GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomEnumVariable("datalayer.job_log_level",
							 "Message level of the server log lines for job runs that start and succeed.",
							 "Failures are always logged at LOG.",
							 &datalayer_job_log_level,
							 DEBUG1, log_level_options,
							 PGC_SIGHUP, 0,
							 NULL, NULL, NULL);
	DefineCustomBoolVariable("datalayer.lineage_capture",
							 "Whether datalayer records lineage of the statements that run.",
							 "Set it per database or role with ALTER DATABASE / ALTER ROLE ... SET; only superusers may change it, so that nobody hides their own data flows.",
							 &datalayer_lineage_capture,
							 true,
							 PGC_SUSET, 0,
							 NULL, NULL, NULL);
	MarkGUCPrefixReserved("datalayer");
	lineage_install_hooks();
	gapfill_install_hooks();
	columnar_install_hooks();

	/* the scheduler needs shared memory and a launcher: only when preloaded */
	if (process_shared_preload_libraries_in_progress)
	{
		prev_shmem_request_hook = shmem_request_hook;
		shmem_request_hook = datalayer_shmem_request;
		prev_shmem_startup_hook = shmem_startup_hook;
		shmem_startup_hook = datalayer_shmem_startup;
		scheduler_register_launcher();
		scheduler_install_utility_hook();
	}
}
