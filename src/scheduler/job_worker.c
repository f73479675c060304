/*
 * job_worker.c
 *		One run of one job, in a background worker connected as the job's owner.
 *
 * The command runs as a client's simple query would: each statement in its
 * own transaction unless the command opens a block, at top level, so a
 * procedure may COMMIT and VACUUM works.  The whole run is limited by the
 * job's max_runtime through the statement timeout (and the scheduler
 * terminates a worker that outlives it anyway).  The outcome, with the
 * SQLSTATE and message of an error, is recorded in datalayer.job_run through
 * SECURITY DEFINER functions, since the owner cannot write that catalog.
 */
#include "postgres.h"

#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "parser/analyze.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/ipc.h"
#include "tcop/dest.h"
#include "tcop/pquery.h"
#include "tcop/tcopprot.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/portal.h"
#include "utils/ps_status.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"

#include "scheduler/job_state.h"
#include "scheduler/scheduler.h"

/* Run every statement of sql at top level, as a simple query would. */
static void
execute_command(const char *sql, MemoryContext parse_context)
{
	List	   *statements;
	ListCell   *lc;
	MemoryContext old;

	old = MemoryContextSwitchTo(parse_context);
	statements = pg_parse_query(sql);
	MemoryContextSwitchTo(old);

	foreach(lc, statements)
	{
		RawStmt    *raw = lfirst_node(RawStmt, lc);
		CommandTag	tag = CreateCommandTag(raw->stmt);
		bool		snapshot_set = false;
		List	   *queries;
		List	   *plans;
		Portal		portal;
		DestReceiver *receiver;
		QueryCompletion qc;

		CHECK_FOR_INTERRUPTS();
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		pgstat_report_activity(STATE_RUNNING, sql);
		set_ps_display(GetCommandTagName(tag));

		if (analyze_requires_snapshot(raw))
		{
			PushActiveSnapshot(GetTransactionSnapshot());
			snapshot_set = true;
		}
		old = MemoryContextSwitchTo(parse_context);
		queries = pg_analyze_and_rewrite_fixedparams(raw, sql, NULL, 0, NULL);
		plans = pg_plan_queries(queries, sql, CURSOR_OPT_PARALLEL_OK, NULL);
		MemoryContextSwitchTo(old);
		if (snapshot_set)
			PopActiveSnapshot();

		portal = CreatePortal("", true, true);
		portal->visible = false;
		PortalDefineQuery(portal, NULL, sql, tag, plans, NULL);
		PortalStart(portal, NULL, 0, InvalidSnapshot);
		receiver = CreateDestReceiver(DestNone);
		(void) PortalRun(portal, FETCH_ALL, true, true, receiver, receiver, &qc);
		/* rows written by the command count as rows affected */
		if (qc.commandTag == CMDTAG_INSERT || qc.commandTag == CMDTAG_UPDATE ||
			qc.commandTag == CMDTAG_DELETE || qc.commandTag == CMDTAG_MERGE ||
			qc.commandTag == CMDTAG_COPY)
			job_result_add_rows((int64) qc.nprocessed);
		receiver->rDestroy(receiver);
		PortalDrop(portal, false);
		CommitTransactionCommand();
	}

	if (IsTransactionBlock())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("job command left a transaction block open"),
				 errhint("End the command with COMMIT.")));
}

static void
record_end(int64 run_id, JobRunStatus status, const char *sqlstate, const char *message)
{
	Oid			types[6] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, INT8OID, TEXTOID};
	Datum		values[6];
	char		nulls[6] = "      ";
	bool		rows_isnull;
	int64		rows;
	char	   *detail;

	job_result_take(&rows_isnull, &rows, &detail);
	values[0] = Int64GetDatum(run_id);
	values[1] = CStringGetTextDatum(job_run_status_name(status));
	values[2] = sqlstate ? CStringGetTextDatum(sqlstate) : (Datum) 0;
	values[3] = message ? CStringGetTextDatum(message) : (Datum) 0;
	values[4] = Int64GetDatum(rows);
	values[5] = detail ? CStringGetTextDatum(detail) : (Datum) 0;
	nulls[2] = sqlstate ? ' ' : 'n';
	nulls[3] = message ? ' ' : 'n';
	nulls[4] = rows_isnull ? 'n' : ' ';
	nulls[5] = detail ? ' ' : 'n';

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_execute_with_args("SELECT datalayer._record_run_end($1, $2, $3, $4, $5, $6::jsonb)",
							  6, types, values, nulls, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not record the end of run %lld", (long long) run_id);
	PopActiveSnapshot();
	SPI_finish();
	CommitTransactionCommand();
}

void
datalayer_job_worker_main(Datum arg)
{
	JobWorkerArgs args;
	int64		run_id;
	char	   *command;
	int64		max_runtime_ms = 0;
	char		appname[NAMEDATALEN];
	MemoryContext parse_context;
	MemoryContext keep = TopMemoryContext;
	TimestampTz started;

	memcpy(&args, MyBgworkerEntry->bgw_extra, sizeof(args));
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	/* as the owner: the job can do exactly what its owner can */
	BackgroundWorkerInitializeConnectionByOid(args.dboid, args.owner, 0);

	/* start the run's record and fetch what to run */
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	SPI_connect();
	PushActiveSnapshot(GetTransactionSnapshot());
	{
		Oid			types[3] = {INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID};
		Datum		values[3];
		bool		isnull;
		Datum		d;
		char	   *name;

		values[0] = Int64GetDatum(args.job_id);
		values[1] = TimestampTzGetDatum(args.planned_start);
		values[2] = TimestampTzGetDatum(args.launched_at);
		if (SPI_execute_with_args("SELECT run_id, command, max_runtime_ms, job_name FROM datalayer._begin_run($1, $2, $3)",
								  3, types, values, NULL, false, 0) != SPI_OK_SELECT ||
			SPI_processed != 1)
			elog(ERROR, "could not start a run of job %lld", (long long) args.job_id);
		run_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		command = MemoryContextStrdup(keep, TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0],
																			   SPI_tuptable->tupdesc, 2, &isnull)));
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull);
		if (!isnull)
			max_runtime_ms = DatumGetInt64(d);
		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull);
		name = isnull ? "" : TextDatumGetCString(d);
		snprintf(appname, sizeof(appname), "datalayer job %lld %s", (long long) args.job_id, name);
	}
	PopActiveSnapshot();
	SPI_finish();
	CommitTransactionCommand();

	SetConfigOption("application_name", appname, PGC_USERSET, PGC_S_SESSION);
	pgstat_report_appname(appname);

	parse_context = AllocSetContextCreate(TopMemoryContext, "datalayer job command",
										  ALLOCSET_DEFAULT_SIZES);
	started = GetCurrentTimestamp();
	PG_TRY();
	{
		if (max_runtime_ms > 0)
		{
			char		buf[32];

			/* the run as a whole is limited, and the job cannot lift it */
			snprintf(buf, sizeof(buf), "%lld", (long long) Min(max_runtime_ms, (int64) PG_INT32_MAX));
			SetConfigOption("statement_timeout", buf, PGC_SUSET, PGC_S_OVERRIDE);
			enable_timeout_after(STATEMENT_TIMEOUT, (int) Min(max_runtime_ms, (int64) PG_INT32_MAX));
		}
		execute_command(command, parse_context);
		disable_all_timeouts(false);
	}
	PG_CATCH();
	{
		ErrorData  *edata;
		JobRunStatus status = JOB_RUN_FAILED;
		MemoryContext old;

		disable_all_timeouts(false);
		old = MemoryContextSwitchTo(keep);
		edata = CopyErrorData();
		MemoryContextSwitchTo(old);
		FlushErrorState();
		/* the error goes to the server log too, with the job named */
		ereport(LOG,
				(errmsg("datalayer job %lld failed: %s", (long long) args.job_id, edata->message)));
		AbortOutOfAnyTransaction();

		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED)
			status = (max_runtime_ms > 0 &&
					  TimestampDifferenceExceeds(started, GetCurrentTimestamp(), (int) Min(max_runtime_ms, (int64) PG_INT32_MAX) - 50))
				? JOB_RUN_TIMED_OUT : JOB_RUN_CANCELLED;
		record_end(run_id, status, unpack_sql_state(edata->sqlerrcode), edata->message);
		proc_exit(0);
	}
	PG_END_TRY();

	record_end(run_id, JOB_RUN_SUCCEEDED, NULL, NULL);
	ereport(datalayer_job_log_level,
			(errmsg("datalayer job %lld succeeded in %ld ms", (long long) args.job_id,
					TimestampDifferenceMilliseconds(started, GetCurrentTimestamp()))));
	proc_exit(0);
}
