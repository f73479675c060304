/*
 * launcher.c
 *		The scheduler launcher: one background worker per cluster that starts
 *		a scheduler in every database that has datalayer.
 *
 * It connects to no database and reads pg_database itself.  A database it
 * has not seen before is probed once (a scheduler starts, finds no
 * extension, says so and exits); after that, only CREATE EXTENSION or a job
 * change (both call datalayer._scheduler_wake()) makes it start one there
 * again.  A scheduler with nothing due soon exits, leaving the time it wants
 * to be woken; the launcher starts it again then.  So databases without jobs
 * hold no connection, and DROP DATABASE is rarely blocked.  Template
 * databases are never probed: a connection to one would make CREATE DATABASE
 * fail.  A scheduler that died without saying why is restarted after a pause.
 */
#include "postgres.h"

#include <signal.h>

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "scheduler/scheduler.h"

#define LAUNCHER_NAPTIME_MS		5000
#define RESTART_PAUSE_MS		5000

/* launcher-local: the handle of each slot's scheduler, by slot index */
static BackgroundWorkerHandle *handles[SCHEDULER_MAX_DATABASES];
static TimestampTz died_at[SCHEDULER_MAX_DATABASES];

void
scheduler_register_launcher(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 10;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "datalayer");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "datalayer_launcher_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "datalayer scheduler launcher");
	snprintf(worker.bgw_type, BGW_MAXLEN, "datalayer launcher");
	RegisterBackgroundWorker(&worker);
}

typedef struct DatabaseEntry
{
	Oid			oid;
	bool		allowed;		/* connectable and not a template */
} DatabaseEntry;

/* every database, read from pg_database without being connected to one */
static List *
list_databases(void)
{
	List	   *result = NIL;
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;
	MemoryContext outer = CurrentMemoryContext;

	StartTransactionCommand();
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while (HeapTupleIsValid(tup = heap_getnext(scan, ForwardScanDirection)))
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tup);
		MemoryContext old = MemoryContextSwitchTo(outer);
		DatabaseEntry *entry = palloc(sizeof(DatabaseEntry));

		entry->oid = db->oid;
		entry->allowed = db->datallowconn && !db->datistemplate && db->datconnlimit != -2;
		result = lappend(result, entry);
		MemoryContextSwitchTo(old);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	CommitTransactionCommand();
	return result;
}

static bool
start_scheduler(int index, Oid dboid)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "datalayer");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "datalayer_db_scheduler_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "datalayer scheduler for database %u", dboid);
	snprintf(worker.bgw_type, BGW_MAXLEN, "datalayer scheduler");
	worker.bgw_main_arg = ObjectIdGetDatum(dboid);
	worker.bgw_notify_pid = MyProcPid;

	if (!RegisterDynamicBackgroundWorker(&worker, &handles[index]))
	{
		handles[index] = NULL;
		ereport(WARNING,
				(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
				 errmsg("datalayer could not start a scheduler for database %u", dboid),
				 errhint("Raise max_worker_processes.")));
		return false;
	}
	return true;
}

/*
 * Has the scheduler of slot index stopped?  Without a handle (the launcher
 * itself was restarted) the pid it left in its slot tells.  Lock held.
 */
static bool
handle_stopped(int index)
{
	pid_t		pid;
	DatabaseSlot *slot = &scheduler_shared()->slots[index];

	if (handles[index] == NULL)
		return slot->pid == 0 || kill(slot->pid, 0) != 0;
	return GetBackgroundWorkerPid(handles[index], &pid) == BGWH_STOPPED;
}

/* one pass over the databases; returns how long to sleep */
static long
launcher_pass(void)
{
	SchedulerShared *sh = scheduler_shared();
	List	   *databases = list_databases();
	TimestampTz now = GetCurrentTimestamp();
	long		sleep_ms = LAUNCHER_NAPTIME_MS;
	ListCell   *lc;
	int			i;

	/* forget databases that are gone */
	scheduler_lock(true);
	for (i = 0; i < SCHEDULER_MAX_DATABASES; i++)
	{
		DatabaseSlot *slot = &sh->slots[i];
		bool		exists = false;

		if (slot->dboid == InvalidOid)
			continue;
		foreach(lc, databases)
			if (((DatabaseEntry *) lfirst(lc))->oid == slot->dboid)
				exists = true;
		if (!exists && handle_stopped(i))
		{
			slot->dboid = InvalidOid;
			handles[i] = NULL;
		}
	}
	scheduler_unlock();

	foreach(lc, databases)
	{
		DatabaseEntry *db = lfirst(lc);
		DatabaseSlot *slot;
		bool		start = false;
		int			index;

		if (!db->allowed)
			continue;
		scheduler_lock(true);
		slot = scheduler_slot_for(db->oid, true);
		if (slot == NULL)
		{
			scheduler_unlock();
			ereport(WARNING,
					(errmsg("datalayer schedules jobs in at most %d databases", SCHEDULER_MAX_DATABASES)));
			break;
		}
		index = slot - sh->slots;
		if (slot->evicted_until > now)
		{
			sleep_ms = Min(sleep_ms, TimestampDifferenceMilliseconds(now, slot->evicted_until) + 1);
			scheduler_unlock();
			continue;
		}
		switch (slot->state)
		{
			case DB_SCHEDULER_UNKNOWN:
				start = true;
				break;
			case DB_SCHEDULER_NO_EXTENSION:
				start = slot->wake_requested;
				break;
			case DB_SCHEDULER_IDLE:
				if (slot->wake_requested || slot->next_wake <= now)
					start = true;
				else
					sleep_ms = Min(sleep_ms, TimestampDifferenceMilliseconds(now, slot->next_wake) + 1);
				break;
			case DB_SCHEDULER_STARTING:
			case DB_SCHEDULER_RUNNING:
				/* a scheduler that stopped without saying why died: restart after a pause */
				if (handle_stopped(index))
				{
					if (died_at[index] == 0)
					{
						died_at[index] = now;
						ereport(LOG,
								(errmsg("datalayer scheduler for database %u exited unexpectedly; restarting it",
										db->oid)));
					}
					if (TimestampDifferenceExceeds(died_at[index], now, RESTART_PAUSE_MS))
						start = true;
					else
						sleep_ms = Min(sleep_ms, RESTART_PAUSE_MS);
				}
				break;
		}
		if (start)
		{
			slot->state = DB_SCHEDULER_STARTING;
			slot->wake_requested = false;
			slot->running_jobs = 0;
			died_at[index] = 0;
		}
		scheduler_unlock();
		if (start && !start_scheduler(index, db->oid))
		{
			scheduler_lock(true);
			slot->state = DB_SCHEDULER_UNKNOWN;
			scheduler_unlock();
		}
	}
	list_free_deep(databases);
	return sleep_ms;
}

void
datalayer_launcher_main(Datum arg)
{
	SchedulerShared *sh;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname("datalayer launcher");

	sh = scheduler_shared();
	scheduler_lock(true);
	sh->launcher_pid = MyProcPid;
	sh->launcher_latch = &MyProc->procLatch;
	scheduler_unlock();

	ereport(LOG, (errmsg("datalayer scheduler launcher started")));

	for (;;)
	{
		long		sleep_ms = LAUNCHER_NAPTIME_MS;

		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		if (datalayer_scheduler_enabled)
			sleep_ms = launcher_pass();
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Max(sleep_ms, 10), PG_WAIT_EXTENSION);
	}
}
