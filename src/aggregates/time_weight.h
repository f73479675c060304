/*
 * time_weight.h
 *		Rollup-able time-weighted average and integral of a sampled signal,
 *		with combine of adjacent time ranges and a validated binary form.
 *
 * Input is a series of points (time, value) sorted by strictly increasing
 * time; times are int64 microseconds (PostgreSQL TimestampTz), values are
 * finite doubles (the SQL layer skips NULLs; NaN and infinities are
 * rejected with TIME_WEIGHT_ERR_VALUE).  Two interpolations:
 *
 *	LINEAR	the signal goes in a straight line between consecutive points,
 *			so the integral is the sum of trapezoids;
 *	LOCF	each value holds until the next point (last observation carried
 *			forward); the last point's value covers no time.
 *
 * The integral covers [first time, last time] and is kept in value x
 * microseconds.  A summary of a single point has integral 0 and average
 * equal to that point's value.  Every stored field is finite; a build or
 * combine whose integral would overflow reports TIME_WEIGHT_ERR_OVERFLOW.
 */
#ifndef DATALAYER_TIME_WEIGHT_H
#define DATALAYER_TIME_WEIGHT_H

#include "util/portable.h"

#define TIME_WEIGHT_FORMAT_VERSION		1
#define TIME_WEIGHT_SERIALIZED_SIZE		52

typedef enum TimeWeightMethod
{
	TIME_WEIGHT_LINEAR = 1,
	TIME_WEIGHT_LOCF = 2
} TimeWeightMethod;

typedef enum TimeWeightStatus
{
	TIME_WEIGHT_OK = 0,
	TIME_WEIGHT_ERR_EMPTY,		/* no points */
	TIME_WEIGHT_ERR_METHOD,		/* unknown method, or combine of different methods */
	TIME_WEIGHT_ERR_TIME,		/* times not strictly increasing, or infinite */
	TIME_WEIGHT_ERR_VALUE,		/* NaN or infinite value */
	TIME_WEIGHT_ERR_OVERLAP,	/* combine: ranges overlap or are out of order */
	TIME_WEIGHT_ERR_UNIT,		/* integral unit not positive */
	TIME_WEIGHT_ERR_OVERFLOW,	/* result not representable as a finite double */
	TIME_WEIGHT_ERR_TRUNCATED,	/* serialized form has the wrong length */
	TIME_WEIGHT_ERR_VERSION,	/* unknown version or state kind */
	TIME_WEIGHT_ERR_CORRUPT		/* impossible field values */
} TimeWeightStatus;

typedef struct TimeWeightSummary
{
	TimeWeightMethod method;
	uint64_t	count;			/* number of points, >= 1 */
	int64_t		first_time;
	double		first_value;
	int64_t		last_time;
	double		last_value;
	double		weighted_sum;	/* integral over [first_time, last_time], value x microseconds */
} TimeWeightSummary;

extern const char *time_weight_status_message(TimeWeightStatus status);

/* summary of n points, times strictly increasing */
extern TimeWeightStatus time_weight_build(TimeWeightMethod method, const int64_t *times,
										  const double *values, size_t n,
										  TimeWeightSummary *out);

/* summary of a before b, adding the segment from a's last to b's first point */
extern TimeWeightStatus time_weight_combine(const TimeWeightSummary *a,
											const TimeWeightSummary *b,
											TimeWeightSummary *out);

/* integral / (last_time - first_time); the value itself for a single point */
extern TimeWeightStatus time_weight_average(const TimeWeightSummary *s, double *out);

/* integral in value x unit_us microseconds (1 = value x us, 1000000 = value x s) */
extern TimeWeightStatus time_weight_integral(const TimeWeightSummary *s, int64_t unit_us,
											 double *out);

extern void time_weight_serialize(const TimeWeightSummary *s,
								  uint8_t out[TIME_WEIGHT_SERIALIZED_SIZE]);
extern TimeWeightStatus time_weight_deserialize(const uint8_t *buf, size_t len,
												TimeWeightSummary *s);

#endif							/* DATALAYER_TIME_WEIGHT_H */
