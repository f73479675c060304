/*
 * anomaly_stats.c
 *		Robust statistics and the Student t quantile for the anomaly detectors.
 *
 * Medians use quickselect (expected linear time) on a caller-supplied work
 * buffer so no detector allocates inside its per-point loop.  The t quantile
 * is found by bisection on the upper tail, computed from the regularized
 * incomplete beta function with a continued fraction; bisection is slow but
 * unconditionally robust, and the ESD test calls it at most a few hundred
 * times per series.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "analytics/anomaly_stats.h"

double
anomaly_median_inplace(double *work, size_t n)
{
	long		lo = 0;
	long		hi = (long) n - 1;
	long		k = ((long) n - 1) / 2;
	double		upper_mid;
	size_t		i;

	if (n == 0)
		return NAN;
	/* quickselect for the lower middle element, signed indices on purpose */
	while (lo < hi)
	{
		double		pivot = work[lo + (hi - lo) / 2];
		long		a = lo;
		long		b = hi;

		while (a <= b)
		{
			while (work[a] < pivot)
				a++;
			while (work[b] > pivot)
				b--;
			if (a <= b)
			{
				double		t = work[a];

				work[a] = work[b];
				work[b] = t;
				a++;
				b--;
			}
		}
		if (k <= b)
			hi = b;
		else if (k >= a)
			lo = a;
		else
			break;
	}
	if (n % 2 == 1)
		return work[k];
	/* even n: the upper middle is the smallest element above position k */
	upper_mid = work[k + 1];
	for (i = (size_t) k + 2; i < n; i++)
		if (work[i] < upper_mid)
			upper_mid = work[i];
	return 0.5 * (work[k] + upper_mid);
}

double
anomaly_mad_sigma(const double *values, size_t n, double center, double *work)
{
	size_t		i;

	for (i = 0; i < n; i++)
		work[i] = fabs(values[i] - center);
	return ANOMALY_MAD_TO_SIGMA * anomaly_median_inplace(work, n);
}

double
anomaly_scale_floor(double center)
{
	return 1e-9 * (fabs(center) > 1.0 ? fabs(center) : 1.0);
}

double
anomaly_robust_scale(const double *values, size_t n, double center, double *work)
{
	double		scale = anomaly_mad_sigma(values, n, center, work);
	double		floor_ = anomaly_scale_floor(center);

	if (scale < floor_)
	{
		double		sum = 0.0;
		size_t		i;

		for (i = 0; i < n; i++)
			sum += fabs(values[i] - center);
		/* sqrt(pi/2) turns the mean absolute deviation into sigma */
		scale = 1.2533141373155 * sum / (double) n;
	}
	return scale < floor_ ? floor_ : scale;
}

static int
sorted_lower_bound(const double *sorted, int count, double value)
{
	int			lo = 0;
	int			hi = count;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (sorted[mid] < value)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
anomaly_sorted_insert(double *sorted, int *count, double value)
{
	int			pos = sorted_lower_bound(sorted, *count, value);

	memmove(sorted + pos + 1, sorted + pos, sizeof(double) * (size_t) (*count - pos));
	sorted[pos] = value;
	(*count)++;
}

void
anomaly_sorted_remove(double *sorted, int *count, double value)
{
	int			pos = sorted_lower_bound(sorted, *count, value);

	if (pos >= *count || sorted[pos] != value)
		return;					/* not present: nothing to remove */
	memmove(sorted + pos, sorted + pos + 1, sizeof(double) * (size_t) (*count - pos - 1));
	(*count)--;
}

double
anomaly_sorted_median(const double *sorted, int count)
{
	if (count <= 0)
		return NAN;
	if (count % 2 == 1)
		return sorted[count / 2];
	return 0.5 * (sorted[count / 2 - 1] + sorted[count / 2]);
}

/* continued fraction for the incomplete beta function (modified Lentz) */
static double
beta_continued_fraction(double a, double b, double x)
{
	const double tiny = 1e-300;
	double		c = 1.0;
	double		d = 1.0 - (a + b) * x / (a + 1.0);
	double		h;
	int			m;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1.0 / d;
	h = d;
	for (m = 1; m <= 300; m++)
	{
		double		m2 = 2.0 * m;
		double		num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
		double		delta;

		d = 1.0 + num * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		h *= d * c;
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
		d = 1.0 + num * d;
		if (fabs(d) < tiny)
			d = tiny;
		c = 1.0 + num / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		delta = d * c;
		h *= delta;
		if (fabs(delta - 1.0) < 1e-15)
			break;
	}
	return h;
}

/* regularized incomplete beta I_x(a, b) */
static double
incomplete_beta(double a, double b, double x)
{
	double		log_front;

	if (x <= 0.0)
		return 0.0;
	if (x >= 1.0)
		return 1.0;
	log_front = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
	if (x < (a + 1.0) / (a + b + 2.0))
		return exp(log_front) * beta_continued_fraction(a, b, x) / a;
	return 1.0 - exp(log_front) * beta_continued_fraction(b, a, 1.0 - x) / b;
}

double
anomaly_t_upper_tail(double t, double df)
{
	double		tail;

	if (isnan(t) || !(df > 0.0))
		return NAN;
	tail = 0.5 * incomplete_beta(0.5 * df, 0.5, df / (df + t * t));
	return t >= 0.0 ? tail : 1.0 - tail;
}

double
anomaly_t_quantile(double p, double df)
{
	double		q;
	double		lo = 0.0;
	double		hi = 1.0;
	int			i;

	if (!(p > 0.0 && p < 1.0) || !(df > 0.0))
		return NAN;
	if (p < 0.5)
		return -anomaly_t_quantile(1.0 - p, df);
	q = 1.0 - p;
	while (anomaly_t_upper_tail(hi, df) > q && hi < 1e300)
		hi *= 2.0;
	for (i = 0; i < 200 && hi - lo > 1e-12 * hi; i++)
	{
		double		mid = 0.5 * (lo + hi);

		if (anomaly_t_upper_tail(mid, df) > q)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}
