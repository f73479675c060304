/*
 * counter.h
 *		Rollup-able summary of a monotonic counter with Prometheus semantics:
 *		reset-adjusted increase, rate, irate, and Prometheus's extrapolated
 *		rate()/increase(), with combine of adjacent time ranges and a
 *		validated binary form.
 *
 * Input is a series of samples (time, value) sorted by strictly increasing
 * time; times are int64 microseconds (PostgreSQL TimestampTz), values are
 * finite doubles.  A reset is any value lower than the one before it; the
 * counter is then taken to have restarted from 0, so the sample's value
 * counts as increase, exactly as Prometheus does.
 *
 * The extrapolation follows extrapolatedRate() in Prometheus's
 * promql/functions.go for float samples as of Prometheus 3.x (verified
 * against v3.14.0): the order "replace a too-long gap to the range start
 * by half an average interval, then clamp to the counter's zero point" is
 * the one in force since v2.51; start timestamps (created timestamps),
 * the anchored/smoothed modifiers and native histograms are not modelled.
 * Prometheus 3 selects the samples of a range (start, end] (left-open);
 * callers wanting identical results select their samples the same way.
 * The functions here accept any range_start <= first sample time and
 * last sample time <= range_end and apply the formula as is.
 *
 * Values that Prometheus would propagate as NaN are rejected instead
 * (COUNTER_ERR_VALUE): the SQL layer skips NULLs, and NaN or infinite
 * samples make a summary meaningless.  Every stored field is finite, and
 * an operation whose result would overflow reports COUNTER_ERR_OVERFLOW.
 */
#ifndef DATALAYER_COUNTER_H
#define DATALAYER_COUNTER_H

#include "util/portable.h"

#define COUNTER_FORMAT_VERSION		1
#define COUNTER_SERIALIZED_SIZE		92

typedef enum CounterStatus
{
	COUNTER_OK = 0,
	COUNTER_ERR_EMPTY,			/* no samples */
	COUNTER_ERR_TOO_FEW,		/* result needs at least two samples */
	COUNTER_ERR_TIME,			/* times not strictly increasing, or infinite */
	COUNTER_ERR_VALUE,			/* NaN or infinite value */
	COUNTER_ERR_OVERLAP,		/* combine: ranges overlap or are out of order */
	COUNTER_ERR_RANGE,			/* range does not contain the samples */
	COUNTER_ERR_OVERFLOW,		/* result not representable as a finite double */
	COUNTER_ERR_TRUNCATED,		/* serialized form has the wrong length */
	COUNTER_ERR_VERSION,		/* unknown version or state kind */
	COUNTER_ERR_CORRUPT			/* impossible field values */
} CounterStatus;

/*
 * With one sample second, penultimate and last equal first; with two,
 * second is last and penultimate is first; with three, second is
 * penultimate.  reset_sum is the sum of the values just before each reset
 * (what Prometheus adds to last - first), so the reset-adjusted increase
 * is last_value - first_value + reset_sum.
 */
typedef struct CounterSummary
{
	uint64_t	count;			/* number of samples, >= 1 */
	uint64_t	resets;			/* number of i with v[i] < v[i-1] */
	int64_t		first_time;
	double		first_value;
	int64_t		second_time;
	double		second_value;
	int64_t		penultimate_time;
	double		penultimate_value;
	int64_t		last_time;
	double		last_value;
	double		reset_sum;
} CounterSummary;

extern const char *counter_status_message(CounterStatus status);

/* summary of n samples, times strictly increasing */
extern CounterStatus counter_build(const int64_t *times, const double *values,
								   size_t n, CounterSummary *out);

/* summary of a before b; a reset between a's last and b's first counts */
extern CounterStatus counter_combine(const CounterSummary *a, const CounterSummary *b,
									 CounterSummary *out);

/* reset-adjusted last - first (Prometheus increase() without extrapolation) */
extern CounterStatus counter_delta(const CounterSummary *s, double *out);

/* counter_delta per second of (last_time - first_time) */
extern CounterStatus counter_rate(const CounterSummary *s, double *out);

/*
 * last - penultimate, or last alone if last < penultimate (a reset): the
 * numerator of irate().  Prometheus's idelta() is meant for gauges and
 * has no reset rule; this one is for counters.
 */
extern CounterStatus counter_idelta(const CounterSummary *s, double *out);

/* counter_idelta per second of (last_time - penultimate_time): Prometheus irate() */
extern CounterStatus counter_irate(const CounterSummary *s, double *out);

/* Prometheus increase(): extrapolated towards [range_start, range_end] */
extern CounterStatus counter_extrapolated_increase(const CounterSummary *s,
												   int64_t range_start, int64_t range_end,
												   double *out);

/* Prometheus rate(): extrapolated increase per second of the range length */
extern CounterStatus counter_extrapolated_rate(const CounterSummary *s,
											   int64_t range_start, int64_t range_end,
											   double *out);

extern void counter_serialize(const CounterSummary *s, uint8_t out[COUNTER_SERIALIZED_SIZE]);
extern CounterStatus counter_deserialize(const uint8_t *buf, size_t len, CounterSummary *s);

#endif							/* DATALAYER_COUNTER_H */
