/*
 * db_scheduler.c
 *		The scheduler of one database: starts due job runs in background
 *		workers, notices when they end, and plans the next start.
 *
 * It runs as the bootstrap superuser and works through SQL functions of the
 * extension (datalayer._due_jobs, _finish_run, ...), so that the rules for
 * schedules, retries and history live in one place, src/sql/30_jobs.sql,
 * where regression tests reach them.  Each pass is one short transaction.
 *
 * Runs of one job never overlap: a job with a live worker is not due.  A
 * worker that outlives its max_runtime by a grace period (its own statement
 * timeout should have ended it) is terminated.  With nothing due within a
 * minute and nothing running, the scheduler exits and leaves the launcher
 * the time to start it again, so idle databases hold no connection.
 */
#include "postgres.h"

#include <signal.h>

#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "scheduler/scheduler.h"

#define SCHEDULER_NAPTIME_MS	5000
#define IDLE_EXIT_AFTER_MS		60000
#define RUNTIME_GRACE_MS		10000
#define PRUNE_EVERY_MS			60000
#define MAX_RUNNING				1024

typedef struct RunningJob
{
	int64		job_id;
	BackgroundWorkerHandle *handle;
	TimestampTz planned;
	TimestampTz launched;
	TimestampTz deadline;		/* 0: no max_runtime */
	bool		terminated;
} RunningJob;

typedef struct DueJob
{
	int64		job_id;
	Oid			owner;
	TimestampTz planned;
	int64		max_runtime_ms; /* 0: none */
} DueJob;

static RunningJob running[MAX_RUNNING];
static int	n_running = 0;
static DatabaseSlot *my_slot = NULL;

static void
set_slot_state(DatabaseSchedulerState state, TimestampTz next_wake)
{
	scheduler_lock(true);
	my_slot->state = state;
	my_slot->next_wake = next_wake;
	my_slot->running_jobs = n_running;
	if (state != DB_SCHEDULER_RUNNING)
	{
		my_slot->pid = 0;
		my_slot->latch = NULL;
	}
	scheduler_unlock();
}

/*
 * Leave as idle until next_wake, unless a wake request arrived meanwhile
 * (checked under the same lock the requester takes, so none is lost).
 */
static bool
try_go_idle(TimestampTz next_wake)
{
	bool		idle = false;

	scheduler_lock(true);
	if (!my_slot->wake_requested)
	{
		my_slot->state = DB_SCHEDULER_IDLE;
		my_slot->next_wake = next_wake;
		my_slot->pid = 0;
		my_slot->latch = NULL;
		my_slot->running_jobs = 0;
		idle = true;
	}
	scheduler_unlock();
	return idle;
}

static void
scheduler_on_exit(int code, Datum arg)
{
	int			i;

	/* our runs cannot be followed once we are gone: end them (swept as interrupted) */
	for (i = 0; i < n_running; i++)
		TerminateBackgroundWorker(running[i].handle);
	if (my_slot == NULL)
		return;
	scheduler_lock(true);
	if (my_slot->pid == MyProcPid)
	{
		my_slot->pid = 0;
		my_slot->latch = NULL;
		my_slot->running_jobs = 0;
	}
	scheduler_unlock();
}

static Datum
running_job_ids(void)
{
	Datum	   *ids = palloc(sizeof(Datum) * Max(n_running, 1));
	int			i;

	for (i = 0; i < n_running; i++)
		ids[i] = Int64GetDatum(running[i].job_id);
	return PointerGetDatum(construct_array(ids, n_running, INT8OID, 8, true, TYPALIGN_DOUBLE));
}

static void
spi_exec(const char *sql, int nargs, Oid *types, Datum *values)
{
	int			ret = SPI_execute_with_args(sql, nargs, types, values, NULL, false, 0);

	if (ret < 0)
		elog(ERROR, "datalayer scheduler: SPI failed (%d) for: %s", ret, sql);
}

/* record the end of runs whose workers have stopped; terminate overdue ones */
static void
reap_finished(TimestampTz now)
{
	int			i = 0;

	while (i < n_running)
	{
		RunningJob *r = &running[i];
		pid_t		pid;

		if (GetBackgroundWorkerPid(r->handle, &pid) == BGWH_STOPPED)
		{
			Oid			types[3] = {INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID};
			Datum		values[3];

			values[0] = Int64GetDatum(r->job_id);
			values[1] = TimestampTzGetDatum(r->launched);
			values[2] = TimestampTzGetDatum(r->planned);
			spi_exec("SELECT datalayer._finish_run($1, $2, $3)", 3, types, values);
			pfree(r->handle);
			running[i] = running[--n_running];
			continue;
		}
		if (r->deadline != 0 && !r->terminated &&
			TimestampDifferenceExceeds(r->deadline, now, RUNTIME_GRACE_MS))
		{
			ereport(LOG,
					(errmsg("datalayer job %lld exceeded its max_runtime; terminating its worker",
							(long long) r->job_id)));
			TerminateBackgroundWorker(r->handle);
			r->terminated = true;
		}
		i++;
	}
}

/* the jobs to start now, at most limit of them, oldest due first */
static List *
fetch_due_jobs(int limit, MemoryContext keep)
{
	Oid			types[2] = {INT8ARRAYOID, INT4OID};
	Datum		values[2];
	List	   *result = NIL;
	uint64		i;

	values[0] = running_job_ids();
	values[1] = Int32GetDatum(limit);
	if (SPI_execute_with_args("SELECT job_id, owner, planned, max_runtime_ms FROM datalayer._due_jobs($1, $2)",
							  2, types, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "datalayer scheduler: could not read due jobs");
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		MemoryContext old = MemoryContextSwitchTo(keep);
		DueJob	   *job = palloc0(sizeof(DueJob));
		Datum		d;

		job->job_id = DatumGetInt64(SPI_getbinval(tup, desc, 1, &isnull));
		job->owner = DatumGetObjectId(SPI_getbinval(tup, desc, 2, &isnull));
		job->planned = DatumGetTimestampTz(SPI_getbinval(tup, desc, 3, &isnull));
		d = SPI_getbinval(tup, desc, 4, &isnull);
		job->max_runtime_ms = isnull ? 0 : DatumGetInt64(d);
		result = lappend(result, job);
		MemoryContextSwitchTo(old);
	}
	return result;
}

static TimestampTz
fetch_next_due(void)
{
	Oid			types[1] = {INT8ARRAYOID};
	Datum		values[1];
	bool		isnull;
	Datum		d;

	values[0] = running_job_ids();
	if (SPI_execute_with_args("SELECT datalayer._next_due($1)", 1, types, values, NULL, true, 1) != SPI_OK_SELECT ||
		SPI_processed != 1)
		elog(ERROR, "datalayer scheduler: could not read the next due time");
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? DT_NOEND : DatumGetTimestampTz(d);
}

static bool
launch_job(DueJob *job)
{
	BackgroundWorker worker;
	JobWorkerArgs args;
	RunningJob *r;
	MemoryContext old;
	bool		registered;

	if (n_running >= MAX_RUNNING)
		return false;
	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "datalayer");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "datalayer_job_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "datalayer job %lld", (long long) job->job_id);
	snprintf(worker.bgw_type, BGW_MAXLEN, "datalayer job");
	worker.bgw_notify_pid = MyProcPid;
	args.dboid = MyDatabaseId;
	args.owner = job->owner;
	args.job_id = job->job_id;
	args.planned_start = job->planned;
	args.launched_at = GetCurrentTimestamp();
	StaticAssertStmt(sizeof(JobWorkerArgs) <= BGW_EXTRALEN, "job worker arguments too large");
	memcpy(worker.bgw_extra, &args, sizeof(args));

	r = &running[n_running];
	r->handle = NULL;
	/* the handle must outlive this pass */
	old = MemoryContextSwitchTo(TopMemoryContext);
	registered = RegisterDynamicBackgroundWorker(&worker, &r->handle);
	MemoryContextSwitchTo(old);
	if (!registered)
		return false;
	r->job_id = job->job_id;
	r->planned = job->planned;
	r->launched = args.launched_at;
	r->deadline = job->max_runtime_ms > 0
		? TimestampTzPlusMilliseconds(args.launched_at, job->max_runtime_ms) : 0;
	r->terminated = false;
	n_running++;
	ereport(datalayer_job_log_level,
			(errmsg("datalayer job %lld started (planned for %s)", (long long) job->job_id,
					timestamptz_to_str(job->planned))));
	return true;
}

void
datalayer_db_scheduler_main(Datum arg)
{
	Oid			dboid = DatumGetObjectId(arg);
	TimestampTz last_prune = 0;
	MemoryContext pass_context;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(dboid, InvalidOid, 0);
	pgstat_report_appname("datalayer scheduler");

	/* claim the database's slot; another live scheduler there means we are not needed */
	scheduler_lock(true);
	my_slot = scheduler_slot_for(dboid, true);
	if (my_slot == NULL ||
		(my_slot->pid != 0 && my_slot->pid != MyProcPid && kill(my_slot->pid, 0) == 0))
	{
		scheduler_unlock();
		proc_exit(0);
	}
	my_slot->pid = MyProcPid;
	my_slot->latch = &MyProc->procLatch;
	my_slot->state = DB_SCHEDULER_RUNNING;
	my_slot->wake_requested = false;
	my_slot->running_jobs = 0;
	scheduler_unlock();
	before_shmem_exit(scheduler_on_exit, (Datum) 0);

	pass_context = AllocSetContextCreate(TopMemoryContext, "datalayer scheduler pass",
										 ALLOCSET_DEFAULT_SIZES);
	{
		bool		first = true;

		for (;;)
		{
			TimestampTz now;
			TimestampTz next_due;
			List	   *due = NIL;
			ListCell   *lc;
			int			capacity;
			long		sleep_ms;

			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();
			if (ConfigReloadPending)
			{
				ConfigReloadPending = false;
				ProcessConfigFile(PGC_SIGHUP);
			}
			MemoryContextReset(pass_context);

			StartTransactionCommand();
			SetCurrentStatementStartTimestamp();
			if (!OidIsValid(get_extension_oid("datalayer", true)))
			{
				CommitTransactionCommand();
				set_slot_state(DB_SCHEDULER_NO_EXTENSION, 0);
				proc_exit(0);
			}
			if (!OidIsValid(get_relname_relid("job", get_namespace_oid("datalayer", true))))
			{
				/* installed from a version without jobs: nothing to schedule until it is updated */
				ereport(LOG,
						(errmsg("datalayer in database \"%s\" has no job catalog; not scheduling there",
								get_database_name(MyDatabaseId)),
						 errhint("Run ALTER EXTENSION datalayer UPDATE in that database.")));
				CommitTransactionCommand();
				set_slot_state(DB_SCHEDULER_NO_EXTENSION, 0);
				proc_exit(0);
			}
			SPI_connect();
			PushActiveSnapshot(GetTransactionSnapshot());
			pgstat_report_activity(STATE_RUNNING, "datalayer scheduler pass");

			now = GetCurrentTimestamp();
			if (first)
			{
				/* runs left 'running' by a previous scheduler or server life */
				spi_exec("SELECT datalayer._sweep_orphan_runs()", 0, NULL, NULL);
				first = false;
			}
			reap_finished(now);

			scheduler_lock(false);
			capacity = datalayer_max_job_workers - scheduler_running_jobs_total();
			scheduler_unlock();
			if (datalayer_scheduler_enabled && capacity > 0)
				due = fetch_due_jobs(capacity, pass_context);
			if (TimestampDifferenceExceeds(last_prune, now, PRUNE_EVERY_MS))
			{
				Oid			types[1] = {INT4OID};
				Datum		values[1] = {Int32GetDatum(datalayer_job_history_retention)};

				spi_exec("SELECT datalayer._prune_job_history($1)", 1, types, values);
				last_prune = now;
			}

			PopActiveSnapshot();
			SPI_finish();
			CommitTransactionCommand();

			foreach(lc, due)
			{
				if (!launch_job((DueJob *) lfirst(lc)))
				{
					ereport(WARNING,
							(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
							 errmsg("datalayer could not start a worker for job %lld",
									(long long) ((DueJob *) lfirst(lc))->job_id),
							 errhint("Raise max_worker_processes, or lower datalayer.max_job_workers.")));
					break;
				}
			}
			scheduler_lock(true);
			my_slot->running_jobs = n_running;
			scheduler_unlock();

			/* when is something next due, now that the new runs count as running? */
			StartTransactionCommand();
			SPI_connect();
			PushActiveSnapshot(GetTransactionSnapshot());
			next_due = datalayer_scheduler_enabled ? fetch_next_due() : DT_NOEND;
			PopActiveSnapshot();
			SPI_finish();
			CommitTransactionCommand();
			pgstat_report_activity(STATE_IDLE, NULL);

			now = GetCurrentTimestamp();
			if (n_running == 0 &&
				(next_due == DT_NOEND ||
				 TimestampDifferenceExceeds(now, next_due, IDLE_EXIT_AFTER_MS)) &&
				try_go_idle(next_due == DT_NOEND ? DT_NOEND
							: TimestampTzPlusMilliseconds(next_due, -1000)))
			{
				/* nothing to do for a while: the launcher starts us again then */
				proc_exit(0);
			}
			scheduler_lock(true);
			my_slot->wake_requested = false;
			scheduler_unlock();

			sleep_ms = SCHEDULER_NAPTIME_MS;
			if (next_due != DT_NOEND)
			{
				long		until_due = TimestampDifferenceMilliseconds(now, next_due);

				/* wake at the due time, rounded up so that the job is due then */
				sleep_ms = Min(sleep_ms, until_due + 1);
			}
			if (n_running > 0)
				sleep_ms = Min(sleep_ms, 1000);
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
							 Max(sleep_ms, 1), PG_WAIT_EXTENSION);
		}
	}
}
