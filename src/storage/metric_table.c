/*
 * metric_table.c
 *		SQL entry points of metric tables that need C: arguments of type "any"
 *		(a chunk width or a cut-off may be an interval, a time value or an
 *		integer depending on the table), chunk bounds read from the partition
 *		catalog, and the time conversions the SQL layer uses.
 *
 * The DDL orchestration itself (converting a table, creating chunks, moving
 * stray rows) lives in src/sql/20_metric_tables.sql as PL/pgSQL: it is a
 * sequence of ordinary DDL statements, and keeping it in SQL keeps each one
 * visible to event triggers, the lineage capture and pg_stat_statements.
 * The entry points here validate and normalise their arguments, then call
 * the matching datalayer._* SQL function through SPI.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "nodes/parsenodes.h"
#include "nodes/primnodes.h"
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "storage/metric_table.h"
#include "time/time_value.h"

PG_FUNCTION_INFO_V1(metric_table_create);
PG_FUNCTION_INFO_V1(metric_table_show_chunks);
PG_FUNCTION_INFO_V1(metric_table_drop_chunks);
PG_FUNCTION_INFO_V1(metric_table_set_chunk_interval);
PG_FUNCTION_INFO_V1(metric_table_create_chunks);
PG_FUNCTION_INFO_V1(metric_table_chunk_bounds);
PG_FUNCTION_INFO_V1(metric_table_chunk_range_for);
PG_FUNCTION_INFO_V1(metric_table_time_to_internal);
PG_FUNCTION_INFO_V1(metric_table_internal_to_timestamptz);
PG_FUNCTION_INFO_V1(metric_table_bound_literal);
PG_FUNCTION_INFO_V1(metric_table_width_to_interval);

/*
 * The time type of a metric table, from datalayer's catalog; errors if the
 * relation is not a metric table.
 */
Oid
metric_table_time_type(Oid relid)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};
	Oid			result = InvalidOid;
	int			ret;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute_with_args("SELECT time_type::oid FROM datalayer._metric_table_keys WHERE relid = $1",
								1, argtypes, values, NULL, true, 1);
	if (ret != SPI_OK_SELECT)
		elog(ERROR, "could not read datalayer.metric_table_catalog");
	if (SPI_processed == 1)
	{
		bool		isnull;

		result = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0],
												SPI_tuptable->tupdesc, 1, &isnull));
	}
	SPI_finish();

	if (!OidIsValid(result))
	{
		char	   *name = get_rel_name(relid);

		if (name == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("relation with OID %u does not exist", relid)));
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a metric table", name),
				 errhint("Make it one with datalayer.create_metric_table().")));
	}
	return result;
}

/*
 * Run a set-returning SQL function through SPI and hand its rows to our
 * caller, whose result descriptor is the same.
 */
static void
forward_rows(FunctionCallInfo fcinfo, const char *sql, int nargs, Oid *argtypes,
			 Datum *values, const char *nulls)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	uint64		i;

	/* a scalar set (SETOF regclass) has no row type of its own: use the executor's */
	InitMaterializedSRF(fcinfo,
						get_call_result_type(fcinfo, NULL, NULL) == TYPEFUNC_COMPOSITE
						? 0 : MAT_SRF_USE_EXPECTED_DESC);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args(sql, nargs, argtypes, values, nulls, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "SPI_execute failed: %s", sql);
	for (i = 0; i < SPI_processed; i++)
	{
		CHECK_FOR_INTERRUPTS();
		tuplestore_puttuple(rsinfo->setResult, SPI_tuptable->vals[i]);
	}
	SPI_finish();
}

static Oid
column_type(Oid relid, Name column)
{
	AttrNumber	attnum = get_attnum(relid, NameStr(*column));
	Oid			typid;

	if (attnum == InvalidAttrNumber)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						NameStr(*column), get_rel_name(relid))));
	if (attnum < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot partition on system column \"%s\"", NameStr(*column))));
	typid = get_atttype(relid, attnum);
	if (!time_type_is_supported(typid))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" has type %s, which is not a time type",
						NameStr(*column), format_type_be(typid)),
				 errhint("A metric table's time column must be timestamptz, timestamp, date, smallint, integer or bigint.")));
	return typid;
}

/*
 * create_metric_table(relation regclass, time_column name,
 *					   chunk_interval "any" DEFAULT NULL,
 *					   migrate_data boolean DEFAULT true)
 */
Datum
metric_table_create(PG_FUNCTION_ARGS)
{
	Oid			relid;
	Oid			time_type;
	int64		width;
	Oid			argtypes[4] = {REGCLASSOID, NAMEOID, INT8OID, BOOLOID};
	Datum		values[4];

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("relation must not be NULL")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("time_column must not be NULL")));
	relid = PG_GETARG_OID(0);
	if (get_rel_name(relid) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	time_type = column_type(relid, PG_GETARG_NAME(1));

	if (PG_ARGISNULL(2))
	{
		if (time_type_is_integer(time_type))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("chunk_interval is required for an integer time column"),
					 errhint("Give the width of a chunk in the column's units, for example chunk_interval => 86400.")));
		width = (time_type == DATEOID) ? 1 : USECS_PER_DAY;
	}
	else
		width = time_width_to_internal(PG_GETARG_DATUM(2), get_fn_expr_argtype(fcinfo->flinfo, 2),
									   time_type, "chunk_interval");

	values[0] = ObjectIdGetDatum(relid);
	values[1] = PG_GETARG_DATUM(1);
	values[2] = Int64GetDatum(width);
	values[3] = PG_ARGISNULL(3) ? BoolGetDatum(true) : PG_GETARG_DATUM(3);
	forward_rows(fcinfo, "SELECT * FROM datalayer._create_metric_table($1, $2, $3, $4)",
				 4, argtypes, values, NULL);
	return (Datum) 0;
}

/* the SQL name of argument i, for error messages */
static const char *
cutoff_name(FunctionCallInfo fcinfo, int i)
{
	HeapTuple	proc = SearchSysCache1(PROCOID, ObjectIdGetDatum(fcinfo->flinfo->fn_oid));
	char	  **names;
	char	   *modes;
	Oid		   *types;
	int			nargs;
	const char *result = "argument";

	if (HeapTupleIsValid(proc))
	{
		nargs = get_func_arg_info(proc, &types, &names, &modes);
		if (names != NULL && i < nargs)
			result = names[i];
		ReleaseSysCache(proc);
	}
	return result;
}

/* the internal bounds of show_chunks/drop_chunks cut-offs */
static void
cutoff_args(FunctionCallInfo fcinfo, Oid relid, Datum *values, char *nulls)
{
	Oid			time_type = metric_table_time_type(relid);
	int			i;

	for (i = 1; i <= 2; i++)
	{
		if (PG_ARGISNULL(i))
		{
			values[i] = (Datum) 0;
			nulls[i] = 'n';
		}
		else
		{
			values[i] = Int64GetDatum(time_cutoff_to_internal(PG_GETARG_DATUM(i),
															  get_fn_expr_argtype(fcinfo->flinfo, i),
															  time_type,
															  cutoff_name(fcinfo, i)));
			nulls[i] = ' ';
		}
	}
}

/* show_chunks(relation regclass, older_than "any" DEFAULT NULL, newer_than "any" DEFAULT NULL) */
Datum
metric_table_show_chunks(PG_FUNCTION_ARGS)
{
	Oid			argtypes[3] = {REGCLASSOID, INT8OID, INT8OID};
	Datum		values[3];
	char		nulls[4] = "   ";

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("relation must not be NULL")));
	values[0] = PG_GETARG_DATUM(0);
	cutoff_args(fcinfo, PG_GETARG_OID(0), values, nulls);
	forward_rows(fcinfo, "SELECT * FROM datalayer._show_chunks($1, $2, $3)",
				 3, argtypes, values, nulls);
	return (Datum) 0;
}

/* drop_chunks(relation regclass, older_than "any" DEFAULT NULL, newer_than "any" DEFAULT NULL) */
Datum
metric_table_drop_chunks(PG_FUNCTION_ARGS)
{
	Oid			argtypes[3] = {REGCLASSOID, INT8OID, INT8OID};
	Datum		values[3];
	char		nulls[4] = "   ";

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("relation must not be NULL")));
	if (PG_ARGISNULL(1) && PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("drop_chunks needs older_than or newer_than"),
				 errhint("To drop every chunk, use TRUNCATE or DROP TABLE on the metric table.")));
	values[0] = PG_GETARG_DATUM(0);
	cutoff_args(fcinfo, PG_GETARG_OID(0), values, nulls);
	forward_rows(fcinfo, "SELECT * FROM datalayer._drop_chunks($1, $2, $3)",
				 3, argtypes, values, nulls);
	return (Datum) 0;
}

/* set_chunk_interval(relation regclass, chunk_interval "any") */
Datum
metric_table_set_chunk_interval(PG_FUNCTION_ARGS)
{
	Oid			relid;
	Oid			time_type;
	int64		width;
	Oid			argtypes[2] = {REGCLASSOID, INT8OID};
	Datum		values[2];

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("relation and chunk_interval must not be NULL")));
	relid = PG_GETARG_OID(0);
	time_type = metric_table_time_type(relid);
	width = time_width_to_internal(PG_GETARG_DATUM(1), get_fn_expr_argtype(fcinfo->flinfo, 1),
								   time_type, "chunk_interval");
	values[0] = ObjectIdGetDatum(relid);
	values[1] = Int64GetDatum(width);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute_with_args("SELECT datalayer._set_chunk_interval($1, $2)",
							  2, argtypes, values, NULL, false, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not set the chunk interval");
	SPI_finish();
	PG_RETURN_VOID();
}

/*
 * create_chunks(relation regclass, start "any", finish "any"): make sure
 * chunks cover [start, finish), for backfilling history without sending rows
 * through the default partition.
 */
Datum
metric_table_create_chunks(PG_FUNCTION_ARGS)
{
	Oid			argtypes[3] = {REGCLASSOID, INT8OID, INT8OID};
	Datum		values[3];
	char		nulls[4] = "   ";

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("relation, start and finish must not be NULL")));
	values[0] = PG_GETARG_DATUM(0);
	cutoff_args(fcinfo, PG_GETARG_OID(0), values, nulls);
	if (DatumGetInt64(values[1]) >= DatumGetInt64(values[2]))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("start must be before finish")));
	forward_rows(fcinfo, "SELECT * FROM datalayer._create_chunks($1, $2, $3)",
				 3, argtypes, values, nulls);
	return (Datum) 0;
}

static Datum
two_int8_tuple(FunctionCallInfo fcinfo, int64 a, bool a_null, int64 b, bool b_null)
{
	TupleDesc	tupdesc;
	Datum		values[2];
	bool		nulls[2];

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	values[0] = Int64GetDatum(a);
	values[1] = Int64GetDatum(b);
	nulls[0] = a_null;
	nulls[1] = b_null;
	return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls));
}

static int64
range_datum_to_internal(PartitionRangeDatum *prd)
{
	Const	   *c;

	if (prd->kind == PARTITION_RANGE_DATUM_MINVALUE)
		return TIME_INTERNAL_MIN;
	if (prd->kind == PARTITION_RANGE_DATUM_MAXVALUE)
		return TIME_INTERNAL_MAX;
	c = castNode(Const, prd->value);
	if (c->constisnull)
		elog(ERROR, "unexpected NULL in partition bound");
	return time_value_to_internal(c->constvalue, c->consttype);
}

/*
 * _chunk_bounds(chunk regclass, OUT range_start bigint, OUT range_end bigint):
 * the range of a chunk in internal units, read from its partition bound, so
 * that chunk ranges are never stored twice.  NULLs for a default partition
 * or a relation that is not a range partition on one column.
 */
Datum
metric_table_chunk_bounds(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	HeapTuple	tuple;
	Datum		bound;
	bool		isnull;
	PartitionBoundSpec *spec;
	int64		lower;
	int64		upper;

	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		PG_RETURN_NULL();
	bound = SysCacheGetAttr(RELOID, tuple, Anum_pg_class_relpartbound, &isnull);
	if (isnull)
	{
		ReleaseSysCache(tuple);
		return two_int8_tuple(fcinfo, 0, true, 0, true);
	}
	spec = castNode(PartitionBoundSpec, stringToNode(TextDatumGetCString(bound)));
	ReleaseSysCache(tuple);

	if (spec->is_default || spec->strategy != PARTITION_STRATEGY_RANGE ||
		list_length(spec->lowerdatums) != 1 || list_length(spec->upperdatums) != 1)
		return two_int8_tuple(fcinfo, 0, true, 0, true);

	lower = range_datum_to_internal(linitial_node(PartitionRangeDatum, spec->lowerdatums));
	upper = range_datum_to_internal(linitial_node(PartitionRangeDatum, spec->upperdatums));
	return two_int8_tuple(fcinfo, lower, false, upper, false);
}

/* _chunk_range_for(value bigint, width bigint, time_type regtype, OUT range_start, OUT range_end) */
Datum
metric_table_chunk_range_for(PG_FUNCTION_ARGS)
{
	int64		value = PG_GETARG_INT64(0);
	int64		width = PG_GETARG_INT64(1);
	Oid			time_type = PG_GETARG_OID(2);
	int64		start;
	int64		end;

	if (width <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("chunk width must be greater than zero")));
	if (!time_type_is_supported(time_type))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("type %s is not a time type", format_type_be(time_type))));
	time_chunk_range(value, width, time_type, &start, &end);
	return two_int8_tuple(fcinfo, start, false, end, false);
}

/* _time_to_internal(value anyelement) returns bigint */
Datum
metric_table_time_to_internal(PG_FUNCTION_ARGS)
{
	Oid			typid = get_fn_expr_argtype(fcinfo->flinfo, 0);

	if (!time_type_is_supported(typid))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("type %s is not a time type", format_type_be(typid))));
	PG_RETURN_INT64(time_value_to_internal(PG_GETARG_DATUM(0), typid));
}

/*
 * _internal_to_timestamptz(value bigint, time_type regtype): a chunk bound as
 * timestamptz for the views (timestamp bounds read as UTC); NULL for integer
 * time types, whose bounds the views show as integers.
 */
Datum
metric_table_internal_to_timestamptz(PG_FUNCTION_ARGS)
{
	int64		value = PG_GETARG_INT64(0);
	Oid			time_type = PG_GETARG_OID(1);

	if (time_type_is_integer(time_type))
		PG_RETURN_NULL();
	if (value == TIME_INTERNAL_MIN)
		PG_RETURN_TIMESTAMPTZ(DT_NOBEGIN);
	if (value == TIME_INTERNAL_MAX)
		PG_RETURN_TIMESTAMPTZ(DT_NOEND);
	if (time_type == DATEOID)
		PG_RETURN_TIMESTAMPTZ(value * USECS_PER_DAY);
	PG_RETURN_TIMESTAMPTZ(value);
}

/*
 * _bound_literal(value bigint, time_type regtype) returns text: a partition
 * bound as SQL text, MINVALUE/MAXVALUE for the sentinels.
 */
Datum
metric_table_bound_literal(PG_FUNCTION_ARGS)
{
	int64		value = PG_GETARG_INT64(0);
	Oid			time_type = PG_GETARG_OID(1);
	Oid			outfunc;
	bool		isvarlena;
	char	   *str;

	if (value == TIME_INTERNAL_MIN)
		PG_RETURN_TEXT_P(cstring_to_text("MINVALUE"));
	if (value == TIME_INTERNAL_MAX)
		PG_RETURN_TEXT_P(cstring_to_text("MAXVALUE"));
	getTypeOutputInfo(time_type, &outfunc, &isvarlena);
	str = OidOutputFunctionCall(outfunc, time_value_from_internal(value, time_type));
	PG_RETURN_TEXT_P(cstring_to_text(quote_literal_cstr(str)));
}

/* _width_to_interval(width bigint, time_type regtype) returns interval, for the views */
Datum
metric_table_width_to_interval(PG_FUNCTION_ARGS)
{
	int64		width = PG_GETARG_INT64(0);
	Oid			time_type = PG_GETARG_OID(1);
	Interval   *result;

	if (time_type_is_integer(time_type))
		PG_RETURN_NULL();
	result = (Interval *) palloc0(sizeof(Interval));
	if (time_type == DATEOID)
		result->day = (int32) Min(width, PG_INT32_MAX);
	else
	{
		result->day = (int32) Min(width / USECS_PER_DAY, PG_INT32_MAX);
		result->time = width % USECS_PER_DAY;
	}
	PG_RETURN_INTERVAL_P(result);
}
