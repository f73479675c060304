/*
 * job_cron.c
 *		datalayer.cron_next(): when a cron schedule next fires, in a time zone.
 *
 * cron_expr.c finds matching wall-clock times; this file maps them onto
 * real instants with PostgreSQL's time zone library, which is where the
 * daylight-saving rules live:
 *  - a wall-clock time that occurs twice (the night clocks go back) fires
 *    once, at its first occurrence, unless the hour field is unrestricted
 *    ('*'): such a schedule follows the clock through both passes of the
 *    repeated hour, as its times are meant as "every so often";
 *  - a wall-clock time that does not exist (the night clocks go forward) is
 *    read as PostgreSQL reads it, with the offset in force before the change
 *    (02:30 in Berlin on that night is 03:30 CEST), so a daily job still runs
 *    that day; with an unrestricted hour field it is simply skipped.
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "scheduler/cron_expr.h"

PG_FUNCTION_INFO_V1(job_cron_next);

#define UNIX_EPOCH_IN_PG_SECONDS	INT64CONST(946684800)
#define SEARCH_YEARS				8
#define MARGIN_SECONDS				(3 * 3600)

static int64
offset_at(int64 unix_seconds, pg_tz *tz)
{
	pg_time_t	t = (pg_time_t) unix_seconds;
	struct pg_tm *tm = pg_localtime(&t, tz);

	if (tm != NULL)
		return tm->tm_gmtoff;
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("time out of range for time zone conversion")));
	return 0;					/* keep compiler quiet */
}

/*
 * The instants whose wall-clock time in tz is local (0, 1 or 2 of them),
 * and the offset before the nearest transition, for times in a gap.
 */
static int
instants_of(int64 local, pg_tz *tz, int64 *instants, int64 *offset_before)
{
	int64		before = offset_at(local - 86400, tz);
	int64		after = offset_at(local + 86400, tz);
	int			n = 0;

	*offset_before = before;
	if (offset_at(local - before, tz) == before)
		instants[n++] = local - before;
	if (after != before && offset_at(local - after, tz) == after)
		instants[n++] = local - after;
	if (n == 2 && instants[0] > instants[1])
	{
		int64		swap = instants[0];

		instants[0] = instants[1];
		instants[1] = swap;
	}
	return n;
}

static int64
next_instant(const CronExpr *expr, int64 after, pg_tz *tz)
{
	int64		local_after = after + offset_at(after, tz);
	int64		best = 0;
	bool		found = false;
	int64		local_limit = 0;
	CronTime	from;
	CronTime	match;

	/* start early: a match before local_after may map after "after" across a transition */
	cron_seconds_to_time(local_after - MARGIN_SECONDS, &from);
	while (cron_next_local(expr, &from, SEARCH_YEARS, &match))
	{
		int64		local = cron_time_to_seconds(&match);
		int64		instants[2];
		int64		offset_before;
		int			n;
		int			i;

		CHECK_FOR_INTERRUPTS();
		if (found && local > local_limit)
			break;
		n = instants_of(local, tz, instants, &offset_before);
		if (n == 0 && !expr->hours_star)
		{
			instants[0] = local - offset_before;
			n = 1;
		}
		else if (n == 2 && !expr->hours_star)
			n = 1;				/* first occurrence only */
		for (i = 0; i < n; i++)
		{
			if (instants[i] > after && (!found || instants[i] < best))
			{
				if (!found)
					local_limit = local + MARGIN_SECONDS;
				best = instants[i];
				found = true;
			}
		}
		cron_seconds_to_time(local + 1, &from);
	}
	if (!found)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cron schedule does not fire within %d years", SEARCH_YEARS)));
	return best;
}

/* cron_next(schedule text, after timestamptz, timezone text DEFAULT 'UTC') */
Datum
job_cron_next(PG_FUNCTION_ARGS)
{
	char	   *schedule;
	TimestampTz after;
	const char *zone = "UTC";
	pg_tz	   *tz;
	CronExpr	expr;
	char		error[256];
	int64		after_seconds;
	int64		next;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	schedule = text_to_cstring(PG_GETARG_TEXT_PP(0));
	after = PG_GETARG_TIMESTAMPTZ(1);
	if (!PG_ARGISNULL(2))
		zone = text_to_cstring(PG_GETARG_TEXT_PP(2));

	if (!cron_parse(schedule, &expr, error, sizeof(error)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid cron expression \"%s\"", schedule),
				 errdetail("%s", error),
				 errhint("Five fields (minute hour day month weekday), six with seconds first, or a macro such as @daily.")));
	tz = pg_tzset(zone);
	if (tz == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time zone \"%s\" not recognized", zone)));
	if (TIMESTAMP_NOT_FINITE(after))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the time to search from must be finite")));

	/* whole seconds, rounded down: cron times are whole seconds */
	after_seconds = after / USECS_PER_SEC - (after % USECS_PER_SEC < 0 ? 1 : 0) + UNIX_EPOCH_IN_PG_SECONDS;
	next = next_instant(&expr, after_seconds, tz);
	PG_RETURN_TIMESTAMPTZ((next - UNIX_EPOCH_IN_PG_SECONDS) * USECS_PER_SEC);
}
