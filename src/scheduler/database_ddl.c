/*
 * database_ddl.c
 *		Keeps the scheduler out of the way of DDL on whole databases.
 *
 * DROP DATABASE, ALTER DATABASE ... RENAME / SET TABLESPACE and CREATE
 * DATABASE ... TEMPLATE fail while another session is connected to the
 * database, and a scheduler or job worker is such a session.  Before those
 * statements run, this ProcessUtility hook asks the database's scheduler to
 * leave (it terminates its job workers as it exits, and their runs are
 * recorded as interrupted) and keeps the launcher from starting it again for
 * a few seconds.  PostgreSQL itself waits up to five seconds for other
 * sessions to go, which is ample for them to exit.
 */
#include "postgres.h"

#include <signal.h>

#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "nodes/parsenodes.h"
#include "tcop/utility.h"
#include "utils/timestamp.h"

#include "scheduler/scheduler.h"

#define EVICTION_MS		15000

static ProcessUtility_hook_type prev_process_utility = NULL;

static void
evict_scheduler(const char *dbname)
{
	Oid			dboid;
	DatabaseSlot *slot;
	pid_t		pid = 0;

	if (dbname == NULL || scheduler_shared() == NULL)
		return;
	dboid = get_database_oid(dbname, true);
	if (!OidIsValid(dboid))
		return;
	scheduler_lock(true);
	slot = scheduler_slot_for(dboid, false);
	if (slot != NULL)
	{
		slot->evicted_until = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), EVICTION_MS);
		pid = slot->pid;
	}
	scheduler_unlock();
	if (pid != 0)
		(void) kill(pid, SIGTERM);
}

static void
datalayer_process_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
						  ProcessUtilityContext context, ParamListInfo params,
						  QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *stmt = pstmt->utilityStmt;
	ListCell   *lc;

	switch (nodeTag(stmt))
	{
		case T_DropdbStmt:
			evict_scheduler(((DropdbStmt *) stmt)->dbname);
			break;
		case T_RenameStmt:
			if (((RenameStmt *) stmt)->renameType == OBJECT_DATABASE)
				evict_scheduler(((RenameStmt *) stmt)->subname);
			break;
		case T_AlterDatabaseStmt:
			foreach(lc, ((AlterDatabaseStmt *) stmt)->options)
				if (strcmp(lfirst_node(DefElem, lc)->defname, "tablespace") == 0)
					evict_scheduler(((AlterDatabaseStmt *) stmt)->dbname);
			break;
		case T_CreatedbStmt:
			foreach(lc, ((CreatedbStmt *) stmt)->options)
			{
				DefElem    *opt = lfirst_node(DefElem, lc);

				if (strcmp(opt->defname, "template") == 0 && opt->arg != NULL)
					evict_scheduler(defGetString(opt));
			}
			break;
		default:
			break;
	}

	if (prev_process_utility)
		prev_process_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
}

void
scheduler_install_utility_hook(void)
{
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = datalayer_process_utility;
}
