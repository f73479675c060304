/*
 * lttb.h
 *		Largest-Triangle-Three-Buckets downsampling (Sveinn Steinarsson,
 *		"Downsampling Time Series for Visual Representation", 2013).
 *
 * Input is n points (time, value) sorted by strictly increasing time;
 * times are int64 microseconds, values finite doubles.  The caller skips
 * NULL values before calling; a NaN or infinite value is rejected with
 * LTTB_ERR_VALUE (it has no place on a chart and would poison the bucket
 * averages).  The output is `threshold` of the input points, chosen as in
 * the reference implementation: the first and last point are always
 * kept, the n - 2 points between are cut into threshold - 2 buckets, and
 * from each bucket the point forming the largest triangle with the point
 * chosen from the previous bucket and the average of the next bucket is
 * kept (the earliest one on ties).  Bucket boundaries are
 * floor(i * (n - 2) / (threshold - 2)) + 1 computed in integers, so the
 * choice is deterministic and exact; the reference computes them in
 * floating point, where a product that should be an integer can land
 * just below it and move a boundary by one point (n = 4986,
 * threshold = 2066, i = 258), which is the only way results differ from
 * it.  O(n) time, no allocation.
 *
 * threshold < 3 is an error (LTTB_ERR_THRESHOLD); threshold >= n returns
 * all n points unchanged; n = 0 returns nothing.
 */
#ifndef DATALAYER_LTTB_H
#define DATALAYER_LTTB_H

#include "util/portable.h"

typedef enum LttbStatus
{
	LTTB_OK = 0,
	LTTB_ERR_THRESHOLD,			/* threshold < 3 */
	LTTB_ERR_TIME,				/* times not strictly increasing */
	LTTB_ERR_VALUE				/* NaN or infinite value */
} LttbStatus;

extern const char *lttb_status_message(LttbStatus status);

/* number of points lttb_select and lttb_downsample return: min(n, threshold) */
extern size_t lttb_output_size(size_t n, size_t threshold);

/*
 * Indices (increasing) of the kept points into indices[], which must have
 * room for lttb_output_size(n, threshold) entries; *out_count is set to
 * that number on success, 0 on error.
 */
extern LttbStatus lttb_select(const int64_t *times, const double *values, size_t n,
							  size_t threshold, size_t *indices, size_t *out_count);

/* the same, copying the kept points into out_times[] and out_values[] */
extern LttbStatus lttb_downsample(const int64_t *times, const double *values, size_t n,
								  size_t threshold, int64_t *out_times, double *out_values,
								  size_t *out_count);

#endif							/* DATALAYER_LTTB_H */
