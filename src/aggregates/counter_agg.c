/*
 * counter_agg.c
 *		counter_agg(time, value): a summary of a monotonic counter with its
 *		resets, and Prometheus's functions over it: delta(), rate(),
 *		irate(), idelta(), extrapolated_delta() (Prometheus increase())
 *		and extrapolated_rate() (Prometheus rate()); rollup() joins the
 *		summaries of consecutive time ranges.
 *
 * The aggregate collects the group's points (series_agg.h) and builds the
 * summary from them in time order, so parallel workers and any input order
 * give the same result.  NULL values are skipped; duplicate times, NaN and
 * infinite values are errors.  The semantics are those of the pure-C core,
 * counter.h.
 */
#include "postgres.h"

#include "aggregates/counter.h"
#include "aggregates/series_agg.h"
#include "aggregates/summary_io.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(counter_summary_in);
PG_FUNCTION_INFO_V1(counter_summary_out);
PG_FUNCTION_INFO_V1(counter_summary_recv);
PG_FUNCTION_INFO_V1(counter_summary_send);
PG_FUNCTION_INFO_V1(counter_agg_finalfn);
PG_FUNCTION_INFO_V1(counter_rollup_transfn);
PG_FUNCTION_INFO_V1(counter_rollup_combinefn);
PG_FUNCTION_INFO_V1(counter_rollup_serializefn);
PG_FUNCTION_INFO_V1(counter_rollup_deserializefn);
PG_FUNCTION_INFO_V1(counter_rollup_finalfn);
PG_FUNCTION_INFO_V1(counter_accessor);
PG_FUNCTION_INFO_V1(counter_extrapolated);
PG_FUNCTION_INFO_V1(counter_info);

static const char *
validate_counter(const uint8 *buf, size_t len)
{
	CounterSummary s;
	CounterStatus st = counter_deserialize(buf, len, &s);

	return st == COUNTER_OK ? NULL : counter_status_message(st);
}

static const SummaryKind counter_kind = {"counter_summary", validate_counter};

Datum
counter_summary_in(PG_FUNCTION_ARGS)
{
	return summary_in(&counter_kind, PG_GETARG_CSTRING(0));
}

Datum
counter_summary_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(summary_out(PG_GETARG_VARLENA_PP(0)));
}

Datum
counter_summary_recv(PG_FUNCTION_ARGS)
{
	return summary_recv(&counter_kind, (StringInfo) PG_GETARG_POINTER(0));
}

Datum
counter_summary_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(summary_send(PG_GETARG_VARLENA_PP(0)));
}

static void
counter_check(CounterStatus st)
{
	if (st == COUNTER_OK)
		return;
	if (st == COUNTER_ERR_VALUE || st == COUNTER_ERR_OVERFLOW)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("counter_agg: %s", counter_status_message(st)),
				 errhint("Counter values must be finite numbers; filter out NaN and infinities.")));
	if (st == COUNTER_ERR_OVERLAP)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot roll up counter summaries whose time ranges overlap"),
				 errhint("rollup() joins summaries of consecutive, non-overlapping time ranges, such as hourly buckets of one series.")));
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("counter_agg: %s", counter_status_message(st))));
}

static struct varlena *
counter_to_varlena(const CounterSummary *s)
{
	uint8		buf[COUNTER_SERIALIZED_SIZE] = {0};

	counter_serialize(s, buf);
	return summary_from_bytes(buf, sizeof(buf));
}

static void
counter_from_datum(Datum d, CounterSummary *s)
{
	struct varlena *v = PG_DETOAST_DATUM_PACKED(d);
	CounterStatus st = counter_deserialize((const uint8 *) VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), s);

	if (st != COUNTER_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid counter_summary value: %s", counter_status_message(st))));
}

/* counter_agg's final function over the collected points; NULL without points */
Datum
counter_agg_finalfn(PG_FUNCTION_ARGS)
{
	SeriesState *state = PG_ARGISNULL(0) ? NULL : (SeriesState *) PG_GETARG_POINTER(0);
	TsPoints	points;
	CounterSummary summary;

	series_aggcontext(fcinfo, "counter_agg_finalfn");
	if (state == NULL)
		PG_RETURN_NULL();
	series_state_points(state, "counter_agg()", true, &points);
	if (points.count == 0)
		PG_RETURN_NULL();
	counter_check(counter_build(points.times, points.values, points.count, &summary));
	PG_RETURN_POINTER(counter_to_varlena(&summary));
}

/* rollup(): the summaries of a group, joined in time order at the end */
Datum
counter_rollup_transfn(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(summary_list_transfn(fcinfo, &counter_kind, COUNTER_SERIALIZED_SIZE));
}

Datum
counter_rollup_combinefn(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(summary_list_combinefn(fcinfo, COUNTER_SERIALIZED_SIZE));
}

Datum
counter_rollup_serializefn(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(summary_list_serialize((SummaryList *) PG_GETARG_POINTER(0)));
}

Datum
counter_rollup_deserializefn(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(summary_list_deserialize(fcinfo, &counter_kind, COUNTER_SERIALIZED_SIZE));
}

static int
counter_cmp_first_time(const void *a, const void *b)
{
	int64		ta = ((const CounterSummary *) a)->first_time;
	int64		tb = ((const CounterSummary *) b)->first_time;

	return ta < tb ? -1 : ta > tb ? 1 : 0;
}

Datum
counter_rollup_finalfn(PG_FUNCTION_ARGS)
{
	SummaryList *list = PG_ARGISNULL(0) ? NULL : (SummaryList *) PG_GETARG_POINTER(0);
	CounterSummary *items;
	CounterSummary acc;
	int			i;

	series_aggcontext(fcinfo, "counter rollup");
	if (list == NULL || list->count == 0)
		PG_RETURN_NULL();
	items = palloc(sizeof(CounterSummary) * list->count);
	for (i = 0; i < list->count; i++)
		counter_check(counter_deserialize(list->items + (Size) i * COUNTER_SERIALIZED_SIZE,
										  COUNTER_SERIALIZED_SIZE, &items[i]));
	qsort(items, list->count, sizeof(CounterSummary), counter_cmp_first_time);
	acc = items[0];
	for (i = 1; i < list->count; i++)
	{
		CounterSummary joined;

		counter_check(counter_combine(&acc, &items[i], &joined));
		acc = joined;
	}
	PG_RETURN_POINTER(counter_to_varlena(&acc));
}

/* counter_accessor(summary, what): NULL where Prometheus gives no result */
Datum
counter_accessor(PG_FUNCTION_ARGS)
{
	CounterSummary s;
	char	   *what = text_to_cstring(PG_GETARG_TEXT_PP(1));
	double		out = 0;
	CounterStatus st;

	counter_from_datum(PG_GETARG_DATUM(0), &s);
	if (strcmp(what, "delta") == 0)
		st = counter_delta(&s, &out);
	else if (strcmp(what, "rate") == 0)
		st = counter_rate(&s, &out);
	else if (strcmp(what, "idelta") == 0)
		st = counter_idelta(&s, &out);
	else if (strcmp(what, "irate") == 0)
		st = counter_irate(&s, &out);
	else
		elog(ERROR, "unknown counter function \"%s\"", what);
	if (st == COUNTER_ERR_TOO_FEW)
		PG_RETURN_NULL();
	counter_check(st);
	PG_RETURN_FLOAT8(out);
}

/*
 * counter_extrapolated(summary, range_start, range_end, rate bool): Prometheus
 * increase() (rate false) or rate() over the range the samples were taken
 * from; the samples must lie within it.
 */
Datum
counter_extrapolated(PG_FUNCTION_ARGS)
{
	CounterSummary s;
	TimestampTz start = PG_GETARG_TIMESTAMPTZ(1);
	TimestampTz end = PG_GETARG_TIMESTAMPTZ(2);
	bool		rate = PG_GETARG_BOOL(3);
	double		out = 0;
	CounterStatus st;

	counter_from_datum(PG_GETARG_DATUM(0), &s);
	if (TIMESTAMP_NOT_FINITE(start) || TIMESTAMP_NOT_FINITE(end) || start >= end)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the range must have finite bounds with start before end")));
	st = rate ? counter_extrapolated_rate(&s, start, end, &out)
		: counter_extrapolated_increase(&s, start, end, &out);
	if (st == COUNTER_ERR_RANGE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the counter's samples are not all within the range"),
				 errdetail("The samples span %s to %s.",
						   timestamptz_to_str(s.first_time), timestamptz_to_str(s.last_time)),
				 errhint("Pass the range the samples were selected from, for example the time bucket.")));
	if (st == COUNTER_ERR_TOO_FEW)
		PG_RETURN_NULL();
	counter_check(st);
	PG_RETURN_FLOAT8(out);
}

/* counter_info(summary, what): num_vals, num_resets */
Datum
counter_info(PG_FUNCTION_ARGS)
{
	CounterSummary s;
	char	   *what = text_to_cstring(PG_GETARG_TEXT_PP(1));

	counter_from_datum(PG_GETARG_DATUM(0), &s);
	if (strcmp(what, "num_vals") == 0)
		PG_RETURN_INT64((int64) s.count);
	if (strcmp(what, "num_resets") == 0)
		PG_RETURN_INT64((int64) s.resets);
	elog(ERROR, "unknown counter statistic \"%s\"", what);
	PG_RETURN_NULL();
}
