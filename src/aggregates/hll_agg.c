/*
 * hll_agg.c
 *		hll_agg(value [, precision]): approximate distinct counts with
 *		HyperLogLog (hyperloglog.h), distinct_count(), stderror(), rollup().
 *
 * Any type with a hash opclass can be counted: values are hashed with the
 * type's 64-bit extended hash (so equal values hash alike, under the input
 * collation for text), then mixed again so every bit is well distributed.
 * The default precision 14 gives 16384 registers, a standard error of
 * 1.04/sqrt(16384) = 0.81% and at most 16 kB per sketch.
 */
#include "postgres.h"

#include <math.h>

#include "aggregates/hyperloglog.h"
#include "aggregates/summary_io.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

PG_FUNCTION_INFO_V1(hyperloglog_in);
PG_FUNCTION_INFO_V1(hyperloglog_out);
PG_FUNCTION_INFO_V1(hyperloglog_recv);
PG_FUNCTION_INFO_V1(hyperloglog_send);
PG_FUNCTION_INFO_V1(hll_transfn);
PG_FUNCTION_INFO_V1(hll_rollup_transfn);
PG_FUNCTION_INFO_V1(hll_combinefn);
PG_FUNCTION_INFO_V1(hll_serializefn);
PG_FUNCTION_INFO_V1(hll_deserializefn);
PG_FUNCTION_INFO_V1(hll_finalfn);
PG_FUNCTION_INFO_V1(hll_distinct_count);
PG_FUNCTION_INFO_V1(hll_stderror);

#define HLL_DEFAULT_PRECISION 14

static const char *
validate_hll(const uint8 *buf, size_t len)
{
	Hll		   *h;
	HllStatus	st = hll_deserialize(buf, len, &h);

	if (st != HLL_OK)
		return hll_status_message(st);
	hll_free(h);
	return NULL;
}

static const SummaryKind hll_kind = {"hyperloglog", validate_hll};

Datum
hyperloglog_in(PG_FUNCTION_ARGS)
{
	return summary_in(&hll_kind, PG_GETARG_CSTRING(0));
}

Datum
hyperloglog_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(summary_out(PG_GETARG_VARLENA_PP(0)));
}

Datum
hyperloglog_recv(PG_FUNCTION_ARGS)
{
	return summary_recv(&hll_kind, (StringInfo) PG_GETARG_POINTER(0));
}

Datum
hyperloglog_send(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(summary_send(PG_GETARG_VARLENA_PP(0)));
}

/* transition state: the sketch and how to hash the input type */
typedef struct HllState
{
	Hll		   *hll;
	FmgrInfo	hash;
	Oid			collation;
} HllState;

static MemoryContext
hll_aggcontext(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("hyperloglog support function called in a non-aggregate context")));
	return aggcontext;
}

static Hll *
hll_from_datum(Datum d)
{
	struct varlena *v = PG_DETOAST_DATUM_PACKED(d);
	Hll		   *h;
	HllStatus	st = hll_deserialize((const uint8 *) VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), &h);

	if (st != HLL_OK)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid hyperloglog value: %s", hll_status_message(st))));
	return h;
}

static struct varlena *
hll_to_varlena(const Hll *h)
{
	uint8	   *buf;
	size_t		len;

	hll_serialize(h, VARHDRSZ, &buf, &len);
	SET_VARSIZE(buf, len);
	return (struct varlena *) buf;
}

static Hll *
hll_new(int32 precision)
{
	Hll		   *h;

	if (hll_create(precision, &h) != HLL_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("hyperloglog precision %d is out of range", precision),
				 errdetail("The precision must be between %d and %d.", HLL_MIN_PRECISION, HLL_MAX_PRECISION)));
	return h;
}

static HllState *
hll_state_new(MemoryContext aggcontext, Hll *hll)
{
	HllState   *state = MemoryContextAllocZero(aggcontext, sizeof(HllState));

	state->hll = hll;
	return state;
}

/* hll_transfn(state, value anyelement [, precision]) */
Datum
hll_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = hll_aggcontext(fcinfo);
	MemoryContext old;
	HllState   *state = PG_ARGISNULL(0) ? NULL : (HllState *) PG_GETARG_POINTER(0);
	uint64		hash;

	if (state == NULL)
	{
		Oid			type = get_fn_expr_argtype(fcinfo->flinfo, 1);
		TypeCacheEntry *tce = lookup_type_cache(type, TYPECACHE_HASH_EXTENDED_PROC_FINFO);
		int32		precision = HLL_DEFAULT_PRECISION;

		if (!OidIsValid(tce->hash_extended_proc_finfo.fn_oid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("could not identify a hash function for type %s", format_type_be(type)),
					 errhint("hll_agg() counts values of types with a hash operator class.")));
		if (PG_NARGS() > 2)
		{
			if (PG_ARGISNULL(2))
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("hyperloglog precision must not be NULL")));
			precision = PG_GETARG_INT32(2);
		}
		old = MemoryContextSwitchTo(aggcontext);
		state = hll_state_new(aggcontext, hll_new(precision));
		fmgr_info_copy(&state->hash, &tce->hash_extended_proc_finfo, aggcontext);
		state->collation = PG_GET_COLLATION();
		MemoryContextSwitchTo(old);
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);
	hash = DatumGetUInt64(FunctionCall2Coll(&state->hash, state->collation,
											PG_GETARG_DATUM(1), UInt64GetDatum(0)));
	old = MemoryContextSwitchTo(aggcontext);
	hll_add_hash(state->hll, hll_hash_int64((int64) hash));
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(state);
}

Datum
hll_rollup_transfn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = hll_aggcontext(fcinfo);
	MemoryContext old;
	HllState   *state = PG_ARGISNULL(0) ? NULL : (HllState *) PG_GETARG_POINTER(0);

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);
	old = MemoryContextSwitchTo(aggcontext);
	if (state == NULL)
		state = hll_state_new(aggcontext, hll_from_datum(PG_GETARG_DATUM(1)));
	else if (hll_merge(state->hll, hll_from_datum(PG_GETARG_DATUM(1))) != HLL_OK)
		elog(ERROR, "cannot merge hyperloglog sketches");
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(state);
}

Datum
hll_combinefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = hll_aggcontext(fcinfo);
	MemoryContext old;
	HllState   *a = PG_ARGISNULL(0) ? NULL : (HllState *) PG_GETARG_POINTER(0);
	HllState   *b = PG_ARGISNULL(1) ? NULL : (HllState *) PG_GETARG_POINTER(1);

	if (b == NULL)
		PG_RETURN_POINTER(a);
	old = MemoryContextSwitchTo(aggcontext);
	if (a == NULL)
		a = hll_state_new(aggcontext, hll_new(b->hll->precision));
	if (hll_merge(a->hll, b->hll) != HLL_OK)
		elog(ERROR, "cannot merge hyperloglog sketches");
	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(a);
}

Datum
hll_serializefn(PG_FUNCTION_ARGS)
{
	HllState   *state = (HllState *) PG_GETARG_POINTER(0);

	PG_RETURN_POINTER(hll_to_varlena(state->hll));
}

/* partial states are only merged afterwards, so no hash function is needed */
Datum
hll_deserializefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = hll_aggcontext(fcinfo);
	MemoryContext old = MemoryContextSwitchTo(aggcontext);
	HllState   *state = hll_state_new(aggcontext, hll_from_datum(PG_GETARG_DATUM(0)));

	MemoryContextSwitchTo(old);
	PG_RETURN_POINTER(state);
}

Datum
hll_finalfn(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_POINTER(hll_to_varlena(((HllState *) PG_GETARG_POINTER(0))->hll));
}

Datum
hll_distinct_count(PG_FUNCTION_ARGS)
{
	double		estimate = hll_estimate(hll_from_datum(PG_GETARG_DATUM(0)));

	/* only a crafted sketch can estimate beyond bigint */
	if (!(estimate < 9.2e18))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("hyperloglog estimate %g is out of range for bigint", estimate)));
	PG_RETURN_INT64((int64) llround(estimate));
}

Datum
hll_stderror(PG_FUNCTION_ARGS)
{
	PG_RETURN_FLOAT8(hll_standard_error(hll_from_datum(PG_GETARG_DATUM(0))->precision));
}
