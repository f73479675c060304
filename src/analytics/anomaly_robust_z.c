/*
 * anomaly_robust_z.c
 *		Causal robust z-score: each point is compared with the median and
 *		MAD of the previous `window` finite values.
 *
 * The median and MAD ignore outliers inside the window, so one spike does
 * not mask the next, and a level shift is absorbed once it fills half the
 * window.  The window values are kept twice: in arrival order (the ring,
 * which is what gets serialized) and sorted (rebuilt when a state is loaded),
 * so the median is a lookup and an update is one memmove.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "analytics/anomaly_causal.h"
#include "analytics/anomaly_stats.h"

/* fewer values than this (or than the window) give a score but no flag */
#define ROBUST_Z_MIN_COUNT 5

void
robust_z_init(RobustZState *state, int window)
{
	state->window = window;
	state->count = 0;
	state->head = 0;
	state->ring = dl_alloc0(sizeof(double) * (size_t) window);
	state->sorted = dl_alloc0(sizeof(double) * (size_t) window);
	state->work = dl_alloc0(sizeof(double) * (size_t) window);
}

void
robust_z_free(RobustZState *state)
{
	if (state->ring)
		dl_free(state->ring);
	if (state->sorted)
		dl_free(state->sorted);
	if (state->work)
		dl_free(state->work);
	state->ring = state->sorted = state->work = NULL;
}

/*
 * Rebuild the sorted copy from the ring after a state was deserialized.  The
 * ring never holds -0.0 (steps store +0.0), so the sorted copy is the same
 * bit pattern whatever the insertion order.
 */
void
robust_z_rebuild(RobustZState *state)
{
	int			i;
	int			sorted_count = 0;

	for (i = 0; i < state->count; i++)
		anomaly_sorted_insert(state->sorted, &sorted_count, state->ring[i]);
}

void
robust_z_step(RobustZState *state, double x, double k, AnomalyStepOutput *out)
{
	if (state->count == 0)
		anomaly_fill_unknown(out, NAN);
	else
	{
		double		median = anomaly_sorted_median(state->sorted, state->count);
		double		scale = anomaly_robust_scale(state->ring, (size_t) state->count,
												 median, state->work);

		int			min_count = state->window < ROBUST_Z_MIN_COUNT
			? state->window : ROBUST_Z_MIN_COUNT;

		anomaly_fill_z(out, x, median, scale, k);
		if (state->count < min_count)
			out->is_anomaly = false;
	}

	if (!anomaly_value_usable(x))
		return;
	/* canonical zero: -0.0 and +0.0 compare equal but would differ in bits */
	if (x == 0.0)
		x = 0.0;
	if (state->count == state->window)
	{
		int			sorted_count = state->count;

		anomaly_sorted_remove(state->sorted, &sorted_count, state->ring[state->head]);
		anomaly_sorted_insert(state->sorted, &sorted_count, x);
		state->ring[state->head] = x;
		state->head = (state->head + 1) % state->window;
	}
	else
	{
		int			sorted_count = state->count;

		anomaly_sorted_insert(state->sorted, &sorted_count, x);
		state->ring[state->count] = x;
		state->count++;
	}
}
