/*
 * job_api.c
 *		SQL-callable functions of the scheduler: waking a database's
 *		scheduler after a job change, and scheduler_status().
 */
#include "postgres.h"

#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

#include "scheduler/scheduler.h"

PG_FUNCTION_INFO_V1(job_scheduler_wake);
PG_FUNCTION_INFO_V1(job_scheduler_status);

/*
 * _scheduler_wake(): the jobs of this database changed (or the extension was
 * just created): have its scheduler look now.  Without the library in
 * shared_preload_libraries there is no scheduler: say so, once per session.
 */
Datum
job_scheduler_wake(PG_FUNCTION_ARGS)
{
	static bool warned = false;

	if (scheduler_shared() == NULL)
	{
		/* CREATE EXTENSION hides notices: keep this one for the user's own first job */
		if (creating_extension)
			PG_RETURN_VOID();
		if (!warned)
			ereport(NOTICE,
					(errmsg("datalayer jobs will not run: the scheduler is not loaded"),
					 errhint("Add datalayer to shared_preload_libraries and restart the server.")));
		warned = true;
		PG_RETURN_VOID();
	}
	scheduler_request_wake(MyDatabaseId);
	PG_RETURN_VOID();
}

static const char *
state_name(DatabaseSchedulerState state)
{
	switch (state)
	{
		case DB_SCHEDULER_UNKNOWN:
			return "not started";
		case DB_SCHEDULER_STARTING:
			return "starting";
		case DB_SCHEDULER_RUNNING:
			return "running";
		case DB_SCHEDULER_IDLE:
			return "idle";
		case DB_SCHEDULER_NO_EXTENSION:
			return "no extension";
	}
	return "unknown";
}

/*
 * scheduler_status(): the launcher and one row per database it knows of.
 * Without preloading: one row saying the scheduler is not loaded.
 */
Datum
job_scheduler_status(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SchedulerShared *sh = scheduler_shared();
	SchedulerShared copy;
	Datum		values[6];
	bool		nulls[6];
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	memset(nulls, 0, sizeof(nulls));

	if (sh == NULL)
	{
		values[0] = CStringGetTextDatum("launcher");
		nulls[1] = true;
		nulls[2] = true;
		values[3] = CStringGetTextDatum("not loaded (datalayer is not in shared_preload_libraries)");
		nulls[4] = true;
		nulls[5] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		return (Datum) 0;
	}

	scheduler_lock(false);
	memcpy(&copy, sh, sizeof(copy));
	scheduler_unlock();

	values[0] = CStringGetTextDatum("launcher");
	nulls[1] = true;
	if (copy.launcher_pid != 0)
		values[2] = Int32GetDatum(copy.launcher_pid);
	nulls[2] = copy.launcher_pid == 0;
	values[3] = CStringGetTextDatum(copy.launcher_pid != 0 ? "running" : "not running");
	nulls[4] = true;
	nulls[5] = true;
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);

	for (i = 0; i < SCHEDULER_MAX_DATABASES; i++)
	{
		DatabaseSlot *slot = &copy.slots[i];
		char	   *dbname;

		if (slot->dboid == InvalidOid)
			continue;
		dbname = get_database_name(slot->dboid);
		if (dbname == NULL)
			continue;
		memset(nulls, 0, sizeof(nulls));
		values[0] = CStringGetTextDatum("scheduler");
		{
			NameData   *name = palloc0(sizeof(NameData));

			namestrcpy(name, dbname);
			values[1] = NameGetDatum(name);
		}
		values[2] = Int32GetDatum(slot->pid);
		nulls[2] = slot->pid == 0;
		values[3] = CStringGetTextDatum(state_name(slot->state));
		values[4] = TimestampTzGetDatum(slot->next_wake);
		nulls[4] = slot->state != DB_SCHEDULER_IDLE;
		values[5] = Int32GetDatum(slot->running_jobs);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
