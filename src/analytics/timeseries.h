/*
 * timeseries.h
 *		The datalayer.timeseries SQL type: conversions between its varlena
 *		datum and decoded points, shared by the type's own functions, the
 *		series() aggregate and every function that takes a series.
 */
#ifndef DATALAYER_TIMESERIES_H
#define DATALAYER_TIMESERIES_H

#include "postgres.h"

#include "analytics/timeseries_format.h"
#include "fmgr.h"

/* Turns a format status into an ERROR with the right SQLSTATE; returns on TS_OK. */
extern void ts_check_status(TsStatus status, const char *context);

/* Decodes a (possibly toasted) timeseries datum into palloc'd points. */
extern void ts_datum_to_points(Datum datum, TsPoints *points);

/* Encodes sorted, unique points into a new timeseries datum. */
extern Datum ts_points_to_datum(const TsPoints *points);

#define PG_GETARG_TIMESERIES_POINTS(n, pts) ts_datum_to_points(PG_GETARG_DATUM(n), (pts))

#endif							/* DATALAYER_TIMESERIES_H */
