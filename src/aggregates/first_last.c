/*
 * first_last.c
 *		The first(value, time) and last(value, time) aggregates: the value of
 *		the row with the smallest (largest) time, for any value type and any
 *		time type with a btree ordering.
 *
 * The state holds the best time and its value, copied into the aggregate
 * context.  Rows with a NULL time are skipped; a NULL value on the winning
 * row is the result.  Among rows with equal times the first one seen wins,
 * which is arbitrary unless the input is ordered.  Partial states of
 * parallel workers are combined by comparing their times, and cross process
 * boundaries with datumSerialize(), which handles any type.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

PG_FUNCTION_INFO_V1(first_transfn);
PG_FUNCTION_INFO_V1(last_transfn);
PG_FUNCTION_INFO_V1(first_combinefn);
PG_FUNCTION_INFO_V1(last_combinefn);
PG_FUNCTION_INFO_V1(bookend_serializefn);
PG_FUNCTION_INFO_V1(bookend_deserializefn);
PG_FUNCTION_INFO_V1(bookend_finalfn);

typedef struct TypeInfo
{
	Oid			type;
	int16		typlen;
	bool		typbyval;
} TypeInfo;

typedef struct BookendState
{
	TypeInfo	value_type;
	TypeInfo	time_type;
	bool		has_row;		/* false until a row with a non-NULL time */
	Datum		time;
	Datum		value;
	bool		value_isnull;
	Oid			collation;		/* of the time argument, for text-like times */
	FmgrInfo	cmp;			/* btree comparison of the time type */
	bool		cmp_ready;
} BookendState;

static MemoryContext
bookend_aggcontext(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("first() and last() support functions called in a non-aggregate context")));
	return aggcontext;
}

static void
type_info_set(TypeInfo *info, Oid type)
{
	info->type = type;
	get_typlenbyval(type, &info->typlen, &info->typbyval);
}

static void
bookend_prepare_cmp(BookendState *state, MemoryContext aggcontext)
{
	TypeCacheEntry *tce;

	if (state->cmp_ready)
		return;
	tce = lookup_type_cache(state->time_type.type, TYPECACHE_CMP_PROC_FINFO);
	if (!OidIsValid(tce->cmp_proc_finfo.fn_oid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("could not identify an ordering for type %s",
						format_type_be(state->time_type.type)),
				 errhint("The time argument of first() and last() needs a type with a btree ordering.")));
	fmgr_info_copy(&state->cmp, &tce->cmp_proc_finfo, aggcontext);
	state->cmp_ready = true;
}

static int
bookend_compare(BookendState *state, Datum a, Datum b)
{
	return DatumGetInt32(FunctionCall2Coll(&state->cmp, state->collation, a, b));
}

static void
bookend_store(BookendState *state, MemoryContext aggcontext, Datum time, Datum value, bool value_isnull)
{
	MemoryContext old = MemoryContextSwitchTo(aggcontext);

	if (state->has_row)
	{
		if (!state->time_type.typbyval)
			pfree(DatumGetPointer(state->time));
		if (!state->value_isnull && !state->value_type.typbyval)
			pfree(DatumGetPointer(state->value));
	}
	state->time = datumCopy(time, state->time_type.typbyval, state->time_type.typlen);
	state->value_isnull = value_isnull;
	state->value = value_isnull ? (Datum) 0 :
		datumCopy(value, state->value_type.typbyval, state->value_type.typlen);
	state->has_row = true;
	MemoryContextSwitchTo(old);
}

static Datum
bookend_transfn(FunctionCallInfo fcinfo, int sign)
{
	MemoryContext aggcontext = bookend_aggcontext(fcinfo);
	BookendState *state = PG_ARGISNULL(0) ? NULL : (BookendState *) PG_GETARG_POINTER(0);

	if (state == NULL)
	{
		state = MemoryContextAllocZero(aggcontext, sizeof(BookendState));
		type_info_set(&state->value_type, get_fn_expr_argtype(fcinfo->flinfo, 1));
		type_info_set(&state->time_type, get_fn_expr_argtype(fcinfo->flinfo, 2));
		state->collation = PG_GET_COLLATION();
	}
	if (PG_ARGISNULL(2))
		PG_RETURN_POINTER(state);
	bookend_prepare_cmp(state, aggcontext);
	if (!state->has_row || sign * bookend_compare(state, PG_GETARG_DATUM(2), state->time) < 0)
		bookend_store(state, aggcontext, PG_GETARG_DATUM(2), PG_GETARG_DATUM(1), PG_ARGISNULL(1));
	PG_RETURN_POINTER(state);
}

Datum
first_transfn(PG_FUNCTION_ARGS)
{
	return bookend_transfn(fcinfo, 1);
}

Datum
last_transfn(PG_FUNCTION_ARGS)
{
	return bookend_transfn(fcinfo, -1);
}

static Datum
bookend_combinefn(FunctionCallInfo fcinfo, int sign)
{
	MemoryContext aggcontext = bookend_aggcontext(fcinfo);
	BookendState *a = PG_ARGISNULL(0) ? NULL : (BookendState *) PG_GETARG_POINTER(0);
	BookendState *b = PG_ARGISNULL(1) ? NULL : (BookendState *) PG_GETARG_POINTER(1);

	if (b == NULL || !b->has_row)
		PG_RETURN_POINTER(a);
	if (a == NULL)
	{
		a = MemoryContextAllocZero(aggcontext, sizeof(BookendState));
		a->value_type = b->value_type;
		a->time_type = b->time_type;
		a->collation = b->collation;
	}
	bookend_prepare_cmp(a, aggcontext);
	if (!a->has_row || sign * bookend_compare(a, b->time, a->time) < 0)
		bookend_store(a, aggcontext, b->time, b->value, b->value_isnull);
	PG_RETURN_POINTER(a);
}

Datum
first_combinefn(PG_FUNCTION_ARGS)
{
	return bookend_combinefn(fcinfo, 1);
}

Datum
last_combinefn(PG_FUNCTION_ARGS)
{
	return bookend_combinefn(fcinfo, -1);
}

/*
 * Partial states only travel from parallel workers to their leader, which
 * run the same binary, so datumSerialize's in-memory form is safe here.
 */
Datum
bookend_serializefn(PG_FUNCTION_ARGS)
{
	BookendState *state = (BookendState *) PG_GETARG_POINTER(0);
	Size		size;
	bytea	   *result;
	char	   *p;

	size = VARHDRSZ + 2 * sizeof(Oid) + 1;
	if (state->has_row)
		size += datumEstimateSpace(state->time, false, state->time_type.typbyval,
								   state->time_type.typlen) +
			datumEstimateSpace(state->value, state->value_isnull, state->value_type.typbyval,
							   state->value_type.typlen);
	result = palloc(size);
	SET_VARSIZE(result, size);
	p = VARDATA(result);
	memcpy(p, &state->value_type.type, sizeof(Oid));
	p += sizeof(Oid);
	memcpy(p, &state->time_type.type, sizeof(Oid));
	p += sizeof(Oid);
	*p++ = state->has_row ? 1 : 0;
	if (state->has_row)
	{
		datumSerialize(state->time, false, state->time_type.typbyval, state->time_type.typlen, &p);
		datumSerialize(state->value, state->value_isnull, state->value_type.typbyval,
					   state->value_type.typlen, &p);
	}
	Assert(p == (char *) result + size);
	PG_RETURN_BYTEA_P(result);
}

Datum
bookend_deserializefn(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = bookend_aggcontext(fcinfo);
	bytea	   *bytes = PG_GETARG_BYTEA_P(0);
	char	   *p = VARDATA(bytes);
	BookendState *state;
	Oid			value_type;
	Oid			time_type;
	MemoryContext old;

	if (VARSIZE(bytes) < VARHDRSZ + 2 * sizeof(Oid) + 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid partial state of first() or last()")));
	memcpy(&value_type, p, sizeof(Oid));
	p += sizeof(Oid);
	memcpy(&time_type, p, sizeof(Oid));
	p += sizeof(Oid);
	state = MemoryContextAllocZero(aggcontext, sizeof(BookendState));
	type_info_set(&state->value_type, value_type);
	type_info_set(&state->time_type, time_type);
	state->collation = PG_GET_COLLATION();
	if (*p++)
	{
		bool		isnull;

		old = MemoryContextSwitchTo(aggcontext);
		state->time = datumRestore(&p, &isnull);
		state->value = datumRestore(&p, &state->value_isnull);
		MemoryContextSwitchTo(old);
		state->has_row = true;
	}
	PG_RETURN_POINTER(state);
}

/* bookend_finalfn(state, value anyelement, time "any") returns anyelement */
Datum
bookend_finalfn(PG_FUNCTION_ARGS)
{
	BookendState *state = PG_ARGISNULL(0) ? NULL : (BookendState *) PG_GETARG_POINTER(0);

	bookend_aggcontext(fcinfo);
	if (state == NULL || !state->has_row || state->value_isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(state->value);
}
