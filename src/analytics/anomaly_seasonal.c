/*
 * anomaly_seasonal.c
 *		Season-length detection by autocorrelation and a robust additive
 *		decomposition (rolling-median trend, per-phase median season).
 *
 * The season is the highest local autocorrelation peak past the first lags;
 * a multiple of the true period also peaks, slightly lower, so among peaks
 * within 90% of the best the shortest wins.  Medians rather than means keep
 * the decomposition from absorbing the very anomalies it is meant to expose.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "analytics/anomaly.h"
#include "analytics/anomaly_seasonal.h"
#include "analytics/anomaly_stats.h"

/*
 * The autocorrelation peak of a season is broad (cos(2 pi d / P) near lag
 * P), so estimation noise can move its top by a few lags; the peaks at
 * multiples of the period are sharper.  Among lags within 10% of the peak,
 * take the one whose multiples (as many as fit for every candidate, at most
 * 4) have the largest summed autocorrelation.
 */
static int
refine_period(const double *acf, int max_lag, int peak)
{
	int			lo = peak - peak / 10;
	int			hi = peak + peak / 10;
	int			multiples;
	int			lag;
	int			best = peak;
	double		best_sum = -INFINITY;

	if (lo < 4)
		lo = 4;
	if (hi > max_lag)
		hi = max_lag;
	multiples = max_lag / hi;
	if (multiples > 4)
		multiples = 4;
	if (multiples < 2)
		return peak;
	for (lag = lo; lag <= hi; lag++)
	{
		double		sum = 0.0;
		int			m;

		for (m = 1; m <= multiples; m++)
			sum += acf[m * lag];
		if (sum > best_sum)
		{
			best_sum = sum;
			best = lag;
		}
	}
	return best;
}

int
anomaly_detect_period(const double *values, size_t n, int max_period, double *strength)
{
	double	   *centered;
	double	   *acf;
	double	   *trough;			/* trough[l] = min of acf[0..l] */
	double		mean = 0.0;
	double		denominator = 0.0;
	size_t		finite = 0;
	size_t		i;
	int			max_lag;
	int			lag;
	int			best = 1;
	double		best_acf = 0.0;

	if (strength)
		*strength = 0.0;
	/* the most recent stretch suffices and bounds the work */
	if (n > ANOMALY_SEASON_MAX_POINTS)
	{
		values += n - ANOMALY_SEASON_MAX_POINTS;
		n = ANOMALY_SEASON_MAX_POINTS;
	}
	if (n < 12)
		return 1;
	max_lag = (int) (n / 3);
	if (max_lag > max_period)
		max_lag = max_period;
	if (max_lag < 5)
		return 1;

	for (i = 0; i < n; i++)
		if (anomaly_value_usable(values[i]))
		{
			mean += values[i];
			finite++;
		}
	if (finite < 12)
		return 1;
	mean /= (double) finite;

	centered = dl_alloc(sizeof(double) * n);
	acf = dl_alloc0(sizeof(double) * (size_t) (max_lag + 2));
	trough = dl_alloc0(sizeof(double) * (size_t) (max_lag + 2));
	for (i = 0; i < n; i++)
	{
		centered[i] = anomaly_value_usable(values[i]) ? values[i] - mean : 0.0;
		denominator += centered[i] * centered[i];
	}
	if (denominator <= 0.0)
	{
		dl_free(centered);
		dl_free(acf);
		dl_free(trough);
		return 1;
	}
	for (lag = 1; lag <= max_lag + 1 && (size_t) lag < n; lag++)
	{
		double		sum = 0.0;

		dl_check_interrupts();
		for (i = (size_t) lag; i < n; i++)
			sum += centered[i] * centered[i - lag];
		acf[lag] = sum / denominator;
	}

	/*
	 * best local peak, lags 4..max_lag, that rises clearly above the lowest
	 * autocorrelation at shorter lags: a trend or random walk has a slowly
	 * decaying autocorrelation whose wiggles are not seasons
	 */
	acf[0] = 1.0;
	trough[0] = 1.0;
	for (lag = 1; lag <= max_lag; lag++)
		trough[lag] = acf[lag] < trough[lag - 1] ? acf[lag] : trough[lag - 1];
	for (lag = 4; lag <= max_lag; lag++)
		if (acf[lag] >= acf[lag - 1] && acf[lag] >= acf[lag + 1] && acf[lag] > best_acf &&
			acf[lag] - trough[lag] >= ANOMALY_SEASON_MIN_PROMINENCE)
		{
			best_acf = acf[lag];
			best = lag;
		}
	if (best_acf < ANOMALY_SEASON_MIN_ACF)
		best = 1;
	else
	{
		/* the shortest peak nearly as strong: a multiple's peak is lower */
		for (lag = 4; lag < best; lag++)
			if (acf[lag] >= acf[lag - 1] && acf[lag] >= acf[lag + 1] &&
				acf[lag] - trough[lag] >= ANOMALY_SEASON_MIN_PROMINENCE &&
				acf[lag] >= 0.9 * best_acf)
			{
				best = lag;
				best_acf = acf[lag];
				break;
			}
		best = refine_period(acf, max_lag, best);
		if (strength)
			*strength = acf[best];
	}
	dl_free(centered);
	dl_free(acf);
	dl_free(trough);
	return best;
}

void
anomaly_decompose(const double *values, size_t n, int period, int trend_window,
				  double *trend, double *seasonal)
{
	double	   *sorted;
	double	   *work;
	int			count = 0;
	long		half = trend_window / 2;
	long		lo = 0;
	long		hi = -1;		/* window [lo, hi] of indices inserted */
	size_t		i;
	int			phase;

	if (n == 0)
		return;
	sorted = dl_alloc(sizeof(double) * (size_t) (trend_window + 2));
	work = dl_alloc(sizeof(double) * n);

	/* centred rolling median over finite values */
	for (i = 0; i < n; i++)
	{
		long		want_lo = (long) i - half;
		long		want_hi = (long) i + half;

		if (want_lo < 0)
			want_lo = 0;
		if (want_hi > (long) n - 1)
			want_hi = (long) n - 1;
		while (hi < want_hi)
		{
			hi++;
			if (anomaly_value_usable(values[hi]))
				anomaly_sorted_insert(sorted, &count, values[hi]);
		}
		while (lo < want_lo)
		{
			if (anomaly_value_usable(values[lo]))
				anomaly_sorted_remove(sorted, &count, values[lo]);
			lo++;
		}
		trend[i] = count > 0 ? anomaly_sorted_median(sorted, count)
			: (i > 0 ? trend[i - 1] : NAN);
	}
	/* a leading gap of non-finite values takes the first known trend */
	for (i = n; i-- > 0;)
		if (isnan(trend[i]))
			trend[i] = i + 1 < n ? trend[i + 1] : 0.0;

	for (phase = 0; phase < period; phase++)
	{
		size_t		m = 0;
		double		median;

		for (i = (size_t) phase; i < n; i += (size_t) period)
			if (anomaly_value_usable(values[i]))
				work[m++] = values[i] - trend[i];
		median = (period > 1 && m > 0) ? anomaly_median_inplace(work, m) : 0.0;
		for (i = (size_t) phase; i < n; i += (size_t) period)
			seasonal[i] = median;
	}
	dl_free(sorted);
	dl_free(work);
}
