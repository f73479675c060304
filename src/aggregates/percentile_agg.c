/*
 * percentile_agg.c
 *		percentile_agg(value) and uddsketch(size, max_error, value): mergeable
 *		quantile sketches with a guaranteed relative error (UDDSketch, see
 *		uddsketch.h), approx_percentile(), rollup() and accessors.
 *
 * percentile_agg uses a 0.1% relative error and at most 10000 buckets per
 * sign; when the values span more orders of magnitude than that covers the
 * sketch merges neighbouring buckets and its error bound doubles (roughly),
 * which error(sketch) reports.  Every estimate q satisfies
 * |q - exact| <= error(sketch) * |exact| for the nearest-rank percentile.
 */
#include "postgres.h"

#include <math.h>

#include "aggregates/summary_io.h"
#include "aggregates/uddsketch.h"
#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(uddsketch_in);
PG_FUNCTION_INFO_V1(uddsketch_out);
PG_FUNCTION_INFO_V1(uddsketch_recv);
PG_FUNCTION_INFO_V1(uddsketch_send);
PG_FUNCTION_INFO_V1(uddsketch_transfn);
PG_FUNCTION_INFO_V1(uddsketch_rollup_transfn);
PG_FUNCTION_INFO_V1(uddsketch_combinefn);
PG_FUNCTION_INFO_V1(uddsketch_serializefn);
PG_FUNCTION_INFO_V1(uddsketch_deserializefn);
PG_FUNCTION_INFO_V1(uddsketch_finalfn);
PG_FUNCTION_INFO_V1(uddsketch_approx_percentile);
PG_FUNCTION_INFO_V1(uddsketch_error);
PG_FUNCTION_INFO_V1(uddsketch_num_vals);
PG_FUNCTION_INFO_V1(uddsketch_stat);

#define PERCENTILE_AGG_ALPHA	0.001
#define PERCENTILE_AGG_BUCKETS	10000

static const char *
validate_udd(const uint8 *buf, size_t len)
{
	UddSketch  *s;
	UddStatus	st = udd_deserialize(buf, len, &s);

	if (st != UDD_OK)
		return udd_status_message(st);
	udd_free(s);
	return NULL;
}

static const SummaryKind udd_kind = {"uddsketch", validate_udd};

Datum
uddsketch_in(PG_FUNCTION_ARGS)
{
	return summary_in(&udd_kind, PG_GETARG_CSTRING(0));
}

Datum
uddsketch_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(summary_out(PG_GETARG_VARLENA_PP(0)));
}

Datum
uddsketch_recv(PG_FUNCTION_ARGS)
{
	return summary_recv(&udd_kind, (StringInfo) PG_GETARG_POINTER(0));
}

Datum
uddsketch_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(summary_send(PG_GETARG_VARLENA_PP(0)));
}

static MemoryContext
udd_aggcontext(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("uddsketch support function called in a non-aggregate context")));
	return aggcontext;
}

static UddSketch *
udd_from_datum(Datum d)
{
	struct varlena *v = PG_DETOAST_DATUM_PACKED(d);
	UddSketch  *s;
	UddStatus	st = udd_deserialize((const uint8 *) VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), &s);

	if (st != UDD_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid uddsketch value: %s", udd_status_message(st))));
	return s;
}

static struct varlena *
udd_to_varlena(const UddSketch *s)
{
	uint8	   *buf;
	size_t		len;

	udd_serialize(s, VARHDRSZ, &buf, &len);
	SET_VARSIZE(buf, len);
	return (struct varlena *) buf;
}

static UddSketch *
udd_new(double alpha, int32 size)
{
	UddSketch  *s;

	if (udd_create(alpha, size < 0 ? 0 : (uint32) size, &s) != UDD_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid uddsketch parameters: size %d, max_error %g", size, alpha),
				 errdetail("size must be between %d and %u, max_error between %g and %g.",
						   UDD_MIN_BUCKETS, UDD_MAX_BUCKETS, UDD_MIN_ALPHA, UDD_MAX_ALPHA)));
	return s;
}

/* uddsketch_transfn(state, value) or (state, size, max_error, value) */
Datum
uddsketch_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = udd_aggcontext(fcinfo);
	MemoryContext old;
	UddSketch  *s = PG_ARGISNULL(0) ? NULL : (UddSketch *) PG_GETARG_POINTER(0);
	int			valarg = PG_NARGS() == 2 ? 1 : 3;
	UddStatus	st;

	old = MemoryContextSwitchTo(aggcontext);
	if (s == NULL)
	{
		if (PG_NARGS() == 2)
			s = udd_new(PERCENTILE_AGG_ALPHA, PERCENTILE_AGG_BUCKETS);
		else
		{
			if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("uddsketch size and max_error must not be NULL")));
			s = udd_new(PG_GETARG_FLOAT8(2), PG_GETARG_INT32(1));
		}
	}
	if (!PG_ARGISNULL(valarg))
	{
		st = udd_add(s, PG_GETARG_FLOAT8(valarg));
		if (st == UDD_ERR_NOT_FINITE)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("cannot add %g to a percentile sketch", PG_GETARG_FLOAT8(valarg)),
					 errdetail("Percentile sketches hold finite values only."),
					 errhint("Filter the values, for example WHERE v NOT IN ('NaN', 'Infinity', '-Infinity').")));
		else if (st != UDD_OK)
			elog(ERROR, "uddsketch: %s", udd_status_message(st));
	}
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(s);
}

static void
udd_merge_or_error(UddSketch *into, const UddSketch *other)
{
	UddStatus	st = udd_merge(into, other);

	if (st == UDD_ERR_INCOMPATIBLE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot combine uddsketches built with different max_error")));
	else if (st != UDD_OK)
		elog(ERROR, "uddsketch: %s", udd_status_message(st));
}

Datum
uddsketch_rollup_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = udd_aggcontext(fcinfo);
	MemoryContext old;
	UddSketch  *s = PG_ARGISNULL(0) ? NULL : (UddSketch *) PG_GETARG_POINTER(0);

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(s);
	old = MemoryContextSwitchTo(aggcontext);
	if (s == NULL)
		s = udd_from_datum(PG_GETARG_DATUM(1));
	else
		udd_merge_or_error(s, udd_from_datum(PG_GETARG_DATUM(1)));
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(s);
}

Datum
uddsketch_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = udd_aggcontext(fcinfo);
	MemoryContext old;
	UddSketch  *a = PG_ARGISNULL(0) ? NULL : (UddSketch *) PG_GETARG_POINTER(0);
	UddSketch  *b = PG_ARGISNULL(1) ? NULL : (UddSketch *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	old = MemoryContextSwitchTo(aggcontext);
	if (a == NULL)
	{
		a = udd_new(b->alpha0, (int32) b->max_buckets);
	}
	udd_merge_or_error(a, b);
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(a);
}

Datum
uddsketch_serializefn(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(udd_to_varlena((UddSketch *) PG_GETARG_POINTER(0)));
}

Datum
uddsketch_deserializefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = udd_aggcontext(fcinfo);
	MemoryContext old = MemoryContextSwitchTo(aggcontext);
	UddSketch  *s = udd_from_datum(PG_GETARG_DATUM(0));

	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(s);
}

Datum
uddsketch_finalfn(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_POINTER(udd_to_varlena((UddSketch *) PG_GETARG_POINTER(0)));
}

/* approx_percentile(p, sketch): NULL for an empty sketch */
Datum
uddsketch_approx_percentile(PG_FUNCTION_ARGS)
{
	double		p = PG_GETARG_FLOAT8(0);
	UddSketch  *s = udd_from_datum(PG_GETARG_DATUM(1));
	double		out;

	if (isnan(p) || p < 0 || p > 1)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("percentile value %g is not between 0 and 1", p)));
	if (udd_count(s) == 0)
		PG_RETURN_NULL();
	if (udd_quantile(s, p, &out) != UDD_OK)
		elog(ERROR, "uddsketch: cannot compute percentile %g", p);
	PG_RETURN_FLOAT8(out);
}

Datum
uddsketch_error(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(udd_relative_error(udd_from_datum(PG_GETARG_DATUM(0))));
}

Datum
uddsketch_num_vals(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64((int64) udd_count(udd_from_datum(PG_GETARG_DATUM(0))));
}

/* uddsketch_stat(sketch, 'mean' | 'min' | 'max'): exact, NULL when empty */
Datum
uddsketch_stat(PG_FUNCTION_ARGS)
{
	UddSketch  *s = udd_from_datum(PG_GETARG_DATUM(0));
	char	   *what = text_to_cstring(PG_GETARG_TEXT_PP(1));
	double		out;
	bool		ok;

	if (strcmp(what, "mean") == 0)
		ok = udd_mean(s, &out);
	else if (strcmp(what, "min") == 0)
		ok = udd_min(s, &out);
	else if (strcmp(what, "max") == 0)
		ok = udd_max(s, &out);
	else
		elog(ERROR, "unknown sketch statistic \"%s\"", what);
	if (!ok)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(out);
}
