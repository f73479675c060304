/*
 * time_value.h
 *		The time types a metric table may be partitioned on, and their common
 *		internal form.
 *
 * Chunk arithmetic is done on one int64 representation whatever the column's
 * type: microseconds for timestamptz and timestamp (PostgreSQL's own Datum),
 * days since 2000-01-01 for date, and the value itself for integer times.
 * Chunk bounds that fall outside the finite range of the type become the
 * sentinels TIME_INTERNAL_MIN / TIME_INTERNAL_MAX, rendered as MINVALUE and
 * MAXVALUE in partition bounds, so +-infinity and extreme integers still
 * have a chunk to live in.
 */
#ifndef DATALAYER_TIME_VALUE_H
#define DATALAYER_TIME_VALUE_H

#include "postgres.h"
#include "fmgr.h"
#include "datatype/timestamp.h"

#define TIME_INTERNAL_MIN	PG_INT64_MIN
#define TIME_INTERNAL_MAX	PG_INT64_MAX

extern bool time_type_is_supported(Oid typid);
extern bool time_type_is_integer(Oid typid);
extern int64 time_value_to_internal(Datum value, Oid typid);
extern Datum time_value_from_internal(int64 value, Oid typid);
extern int64 time_interval_usecs(Interval *iv, const char *what);
extern int64 time_width_to_internal(Datum width, Oid width_type, Oid time_type,
									const char *what);
extern int64 time_cutoff_to_internal(Datum value, Oid value_type, Oid time_type,
									 const char *what);
extern void time_chunk_range(int64 value, int64 width, Oid time_type,
							 int64 *range_start, int64 *range_end);

#endif							/* DATALAYER_TIME_VALUE_H */
