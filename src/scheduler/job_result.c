/*
 * job_result.c
 *		What a job run reports about its work: rows affected and a jsonb
 *		detail (chunks created, rows moved ...), kept in backend memory until
 *		the run's record is closed.
 *
 * A job calls datalayer.report_job_result(rows, detail) any number of
 * times: rows add up, the last detail wins.  The job worker also adds the
 * rows of the INSERT, UPDATE, DELETE, MERGE and COPY commands of a SQL
 * command job.  The values live in TopMemoryContext because a procedure
 * job may COMMIT between reports; the worker (or run_job) takes them when it
 * records the end of the run, which clears them.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "scheduler/scheduler.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(job_report_result);
PG_FUNCTION_INFO_V1(job_take_result);

static bool has_rows = false;
static int64 reported_rows = 0;
static char *reported_detail = NULL;	/* jsonb text, in TopMemoryContext */

void
job_result_add_rows(int64 rows)
{
	has_rows = true;
	reported_rows += rows;
}

void
job_result_take(bool *rows_isnull, int64 *rows, char **detail)
{
	*rows_isnull = !has_rows;
	*rows = reported_rows;
	*detail = reported_detail ? pstrdup(reported_detail) : NULL;
	job_result_clear();
}

void
job_result_clear(void)
{
	has_rows = false;
	reported_rows = 0;
	if (reported_detail)
		pfree(reported_detail);
	reported_detail = NULL;
}

/* report_job_result(rows bigint DEFAULT NULL, detail jsonb DEFAULT NULL) */
Datum
job_report_result(PG_FUNCTION_ARGS)
{
	if (!PG_ARGISNULL(0))
	{
		if (PG_GETARG_INT64(0) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("rows affected cannot be negative")));
		job_result_add_rows(PG_GETARG_INT64(0));
	}
	if (!PG_ARGISNULL(1))
	{
		char	   *text = JsonbToCString(NULL, &PG_GETARG_JSONB_P(1)->root, VARSIZE(PG_GETARG_JSONB_P(1)));

		if (reported_detail)
			pfree(reported_detail);
		reported_detail = MemoryContextStrdup(TopMemoryContext, text);
	}
	PG_RETURN_VOID();
}

/* _take_job_result(OUT rows bigint, OUT detail jsonb), for run_job */
Datum
job_take_result(PG_FUNCTION_ARGS)
{
	TupleDesc	desc;
	Datum		values[2];
	bool		nulls[2];
	int64		rows;
	char	   *detail;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	job_result_take(&nulls[0], &rows, &detail);
	values[0] = Int64GetDatum(rows);
	nulls[1] = detail == NULL;
	values[1] = detail ? DirectFunctionCall1(jsonb_in, CStringGetDatum(detail)) : (Datum) 0;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}
