/*
 * seasonality.c
 *		Seasonality detection and measurement for the forecasting core.
 *
 * seasonality_acf, seasonality_test and seasonality_classical_indices
 * reproduce R (stats::acf, the M4 competition's seasonality test, the
 * figure of stats::decompose) to rounding; seasonality_strength is the
 * Wang, Smith & Hyndman (2006) measure of feasts and tsfeatures.
 *
 * seasonality_detect_periods works in three steps.
 *
 * Candidates: lags that are local maxima of the sample ACF (by FFT, so a
 * long series costs O(n log n)) above Bartlett's 95% bound, either for the
 * series minus its least squares line or for its first differences (which
 * exposes a season riding on a wandering level).
 *
 * Confirmation of a period m (profile_test): remove the trend with the
 * centred 2 x m moving average, which leaves a period-m pattern intact, and
 * fit the seasonal profile (the mean at each position of the cycle).  It
 * must explain a real share of the detrended variance (an effect size,
 * adjusted for the m fitted values so that noise scores about 0) and do so
 * significantly: an ANOVA F test, Bonferroni-corrected over the lags
 * tried, on the series prewhitened by an AR(1) filter fitted to the
 * residuals, because the residuals of random walks and AR processes are
 * autocorrelated and would make any profile look significant.
 *
 * Structure: the most significant confirmed candidate is taken down to its
 * smallest divisor it does not improve on (a period's multiples explain as
 * much as it does) and up past harmonics (8 or 12 of a sharp daily
 * pattern) to the cycle they belong to.  Shorter periods are then looked
 * for among its divisors (24 inside 168) and longer ones among its
 * multiples (168 on top of 24): these must explain a real, significant
 * share of what the other period leaves, more than the multiples
 * typically do (a level that differs from day to day lets every multiple
 * explain something), and an inner period must be a cycle of its own
 * (is_inner_cycle), not a harmonic.
 *
 * On simulated white noise, random walks, AR(1) series (phi 0.5 to 0.99),
 * trends and level shifts of 20 to 100,000 points, a period is reported for
 * about 1 series in 500; daily and weekly cycles in hourly data and yearly
 * cycles in monthly data are found when they explain more than a tenth of
 * the variance.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "analytics/seasonality.h"

/* detection tuning */
#define DETECT_MIN_N		8		/* shorter series have no detectable season */
#define DETECT_CYCLES		4		/* a period must fit this often in the data */
#define DETECT_MAX_LAG		100000	/* longest period considered */
#define DETECT_ACF_Z		1.96	/* Bartlett bound for ACF candidates */
#define DETECT_ALPHA		0.0001	/* family-wise level of each stage's F tests */
#define DETECT_MIN_SHARE	0.10	/* variance share a first period must explain */
#define DETECT_MIN_SHARE_NESTED 0.05	/* ... and a longer one on top of it */
#define DETECT_MIN_INNER	0.50	/* see is_inner_cycle() */
#define DETECT_MAX_CANDIDATES 64	/* tallest ACF peaks tried for the first */
#define DETECT_MAX_MULTIPLES 64	/* multiples tried for a longer period */
#define DETECT_TEST_WINDOW	16384	/* recent points a profile test looks at */
#define DETECT_MAX_N		(1 << 19)	/* longer series: their last so many */

/*
 * Power of two by which to multiply y so that its largest finite magnitude
 * lies in [0.5, 1) (or 1 for an all-zero series).  Multiplying by it is
 * exact, so scale-invariant results do not change.
 */
static double
unit_scale(const double *y, int n)
{
	double		big = 0.0;
	int			i,
				e;

	for (i = 0; i < n; i++)
		if (fabs(y[i]) > big && isfinite(y[i]))
			big = fabs(y[i]);
	if (big == 0.0)
		return 1.0;
	(void) frexp(big, &e);
	return ldexp(1.0, -e);
}

/* only large or tiny magnitudes are rescaled (results are identical) */
static double
guard_scale(const double *y, int n)
{
	double		s = unit_scale(y, n);

	return (s > 0x1p-500 && s < 0x1p+500) ? 1.0 : s;
}

static bool
all_finite(const double *y, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		if (!isfinite(y[i]))
			return false;
	return true;
}

static bool
is_constant(const double *y, int n)
{
	int			i;

	for (i = 1; i < n; i++)
		if (y[i] != y[0])
			return false;
	return true;
}

/* R's mean(): long double sum with a correction pass */
static double
r_mean(const double *x, int n)
{
	long double s = 0.0L,
				t = 0.0L;
	int			i;

	for (i = 0; i < n; i++)
		s += x[i];
	s /= n;
	if (isfinite((double) s))
	{
		for (i = 0; i < n; i++)
			t += x[i] - s;
		s += t / n;
	}
	return (double) s;
}

void
seasonality_acf(const double *y, int n, int max_lag, double *acf)
{
	double	   *x;
	double		scale,
				se2,
				c0 = 0.0;
	long double mean = 0.0L;
	int			i,
				k;

	if (max_lag <= 0 || acf == NULL)
		return;
	for (k = 0; k < max_lag; k++)
		acf[k] = 0.0;
	if (n < 2 || y == NULL || is_constant(y, n) || !all_finite(y, n))
		return;

	/* as R: demean (colMeans), covariances / n, divided by the variance */
	scale = unit_scale(y, n);
	x = dl_alloc(sizeof(double) * (size_t) n);
	for (i = 0; i < n; i++)
		mean += y[i] * scale;
	mean /= n;
	for (i = 0; i < n; i++)
		x[i] = y[i] * scale - (double) mean;
	for (i = 0; i < n; i++)
		c0 += x[i] * x[i];
	c0 /= n;
	se2 = sqrt(c0) * sqrt(c0);
	if (se2 > 0.0)
	{
		for (k = 1; k <= max_lag && k < n; k++)
		{
			double		s = 0.0,
						a;

			for (i = 0; i < n - k; i++)
				s += x[i + k] * x[i];
			a = (s / n) / se2;
			acf[k - 1] = a > 1.0 ? 1.0 : (a < -1.0 ? -1.0 : a);
		}
	}
	dl_free(x);
}

bool
seasonality_test(const double *y, int n, int m, double z)
{
	double	   *acf;
	double		sum = 0.0,
				limit;
	bool		result;
	int			k;

	if (y == NULL || m <= 1 || n < 3 * m || !(z >= 0.0))
		return false;
	if (is_constant(y, n) || !all_finite(y, n))
		return false;
	acf = dl_alloc(sizeof(double) * (size_t) m);
	seasonality_acf(y, n, m, acf);
	for (k = 0; k < m - 1; k++)
		sum += acf[k] * acf[k];
	limit = z * sqrt((1.0 + 2.0 * sum) / n);
	result = fabs(acf[m - 1]) > limit;
	dl_free(acf);
	return result;
}

bool
seasonality_classical_indices(const double *y, int n, int m,
							  bool multiplicative, double *index)
{
	double	   *ratio;
	double	   *coef;
	int		   *count;
	int			half = m / 2,
				nf = (m % 2 == 0) ? m + 1 : m;
	double		scale,
				mean;
	int			t,
				k,
				j;

	if (y == NULL || index == NULL || m < 2 || n < 2 * m)
		return false;
	if (!all_finite(y, n))
		return false;
	if (multiplicative)
		for (t = 0; t < n; t++)
			if (!(y[t] > 0.0))
				return false;

	/* R: filter(x, c(0.5, rep(1, m - 1), 0.5) / m) (or rep(1, m) / m) */
	scale = guard_scale(y, n);
	coef = dl_alloc(sizeof(double) * (size_t) nf);
	for (j = 0; j < nf; j++)
		coef[j] = ((m % 2 == 0) && (j == 0 || j == nf - 1) ? 0.5 : 1.0) / m;
	ratio = dl_alloc(sizeof(double) * (size_t) n);
	count = dl_alloc0(sizeof(int) * (size_t) m);
	for (t = half; t < n - half; t++)
	{
		double		trend = 0.0;

		for (j = 0; j < nf; j++)
			trend += coef[j] * (y[t + half - j] * scale);
		ratio[t] = multiplicative ? (y[t] * scale) / trend : y[t] * scale - trend;
	}

	/* figure[k]: mean over positions t = k, k + m, ... that have a trend */
	for (k = 0; k < m; k++)
	{
		long double s = 0.0L,
					c = 0.0L;
		int			first = k;

		while (first < half)
			first += m;
		for (t = first; t < n - half; t += m)
		{
			s += ratio[t];
			count[k]++;
		}
		if (count[k] == 0)
		{
			index[k] = multiplicative ? 1.0 : 0.0;
			continue;
		}
		s /= count[k];
		if (isfinite((double) s))
		{
			for (t = first; t < n - half; t += m)
				c += ratio[t] - s;
			s += c / count[k];
		}
		index[k] = (double) s;
	}
	mean = r_mean(index, m);
	for (k = 0; k < m; k++)
	{
		if (multiplicative)
			index[k] = (mean != 0.0 && isfinite(mean)) ? index[k] / mean : 1.0;
		else
			index[k] = (index[k] - mean) / scale;
	}
	dl_free(coef);
	dl_free(ratio);
	dl_free(count);
	return true;
}

double
seasonality_strength(const double *seasonal, const double *remainder, int n)
{
	double		mr = 0.0,
				ms = 0.0,
				vr = 0.0,
				vs = 0.0,
				scale,
				big = 0.0,
				strength;
	int			t,
				e;

	if (seasonal == NULL || remainder == NULL || n < 2)
		return 0.0;
	for (t = 0; t < n; t++)
	{
		if (!isfinite(seasonal[t]) || !isfinite(remainder[t]))
			return 0.0;
		big = fmax(big, fmax(fabs(seasonal[t]), fabs(remainder[t])));
	}
	if (big == 0.0)
		return 0.0;
	(void) frexp(big, &e);
	scale = ldexp(1.0, -e - 1);
	for (t = 0; t < n; t++)
	{
		mr += remainder[t] * scale;
		ms += (seasonal[t] * scale + remainder[t] * scale);
	}
	mr /= n;
	ms /= n;
	for (t = 0; t < n; t++)
	{
		double		r = remainder[t] * scale - mr,
					s = (seasonal[t] * scale + remainder[t] * scale) - ms;

		vr += r * r;
		vs += s * s;
	}
	if (!(vs > 0.0))
		return 0.0;
	strength = 1.0 - vr / vs;
	if (!(strength > 0.0))
		return 0.0;
	return strength > 1.0 ? 1.0 : strength;
}

/* ---------------------------------------------------------------------
 * Period detection
 * ---------------------------------------------------------------------
 */

/* in-place radix-2 FFT of (re, im), length n a power of two */
static void
fft(double *re, double *im, int n, const double *cs, const double *sn)
{
	int			i,
				j = 0,
				len;

	for (i = 1; i < n; i++)
	{
		int			bit = n >> 1;

		for (; j & bit; bit >>= 1)
			j ^= bit;
		j ^= bit;
		if (i < j)
		{
			double		t = re[i];

			re[i] = re[j];
			re[j] = t;
			t = im[i];
			im[i] = im[j];
			im[j] = t;
		}
	}
	for (len = 2; len <= n; len <<= 1)
	{
		int			half = len / 2,
					step = n / len;

		for (i = 0; i < n; i += len)
		{
			int			k;

			for (k = 0; k < half; k++)
			{
				double		wr = cs[k * step],
							wi = -sn[k * step];
				double		ur = re[i + k],
							ui = im[i + k];
				double		vr = re[i + k + half] * wr - im[i + k + half] * wi;
				double		vi = re[i + k + half] * wi + im[i + k + half] * wr;

				re[i + k] = ur + vr;
				im[i + k] = ui + vi;
				re[i + k + half] = ur - vr;
				im[i + k + half] = ui - vi;
			}
		}
	}
}

/*
 * acf[k] (k = 0..max_lag) of x[0..n), demeaned, by FFT.  acf[0] = 1; all
 * zero if x has no variance.
 */
static void
acf_fft(const double *x, int n, int max_lag, double *acf)
{
	int			size = 2,
				i;
	double	   *re,
			   *im,
			   *cs,
			   *sn;
	double		mean = 0.0,
				c0;

	while (size < 2 * n)
		size <<= 1;
	re = dl_alloc0(sizeof(double) * (size_t) size * 3);
	im = re + size;
	cs = im + size;
	sn = cs + size / 2;
	for (i = 0; i < size / 2; i++)
	{
		double		angle = 2.0 * 3.14159265358979323846 * i / size;

		cs[i] = cos(angle);
		sn[i] = sin(angle);
	}
	for (i = 0; i < n; i++)
		mean += x[i];
	mean /= n;
	for (i = 0; i < n; i++)
		re[i] = x[i] - mean;
	fft(re, im, size, cs, sn);
	for (i = 0; i < size; i++)
	{
		re[i] = re[i] * re[i] + im[i] * im[i];
		im[i] = 0.0;
	}
	fft(re, im, size, cs, sn);	/* real and even: forward = inverse * size */
	c0 = re[0];
	for (i = 0; i <= max_lag; i++)
		acf[i] = (c0 > 0.0 && i < n) ? re[i] / c0 : 0.0;
	dl_free(re);
}

/* Bartlett's bound z * sqrt((1 + 2 sum_{j<k} r_j^2) / n) at every lag k */
static void
bartlett_bounds(const double *acf, int max_lag, int n, double z, double *bound)
{
	double		sum = 0.0;
	int			k;

	bound[0] = 0.0;
	for (k = 1; k <= max_lag; k++)
	{
		bound[k] = z * sqrt((1.0 + 2.0 * sum) / n);
		sum += acf[k] * acf[k];
	}
}

/*
 * The F(d1, d2) statistic f as a standard normal deviate (Wilson-Hilferty
 * cube-root approximation): large when f is improbably large.
 */
static double
f_as_z(double f, double d1, double d2)
{
	double		a = 2.0 / (9.0 * d1),
				b = 2.0 / (9.0 * d2),
				c;

	if (!(f > 0.0))
		return -HUGE_VAL;
	c = cbrt(f);
	return ((1.0 - b) * c - (1.0 - a)) / sqrt(a + b * c * c);
}

/* the standard normal deviate with upper tail probability p (bisection) */
static double
normal_upper_quantile(double p)
{
	double		lo = -40.0,
				hi = 40.0;
	int			i;

	for (i = 0; i < 100; i++)
	{
		double		mid = 0.5 * (lo + hi);

		if (0.5 * erfc(mid / sqrt(2.0)) > p)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

/*
 * d[t] = x[t] minus its centred 2 x period (period odd: period) moving
 * average, for t in [period / 2, n - period / 2).
 */
static void
detrend_moving_average(const double *x, int n, int period, double *d)
{
	int			half = period / 2,
				t;
	double		window = 0.0;

	for (t = 0; t < period; t++)
		window += x[t];
	for (t = half; t < n - half; t++)
	{
		double		trend;

		if (period % 2 == 0)
		{
			/* window holds x[t - half .. t + half - 1] */
			trend = (window - 0.5 * x[t - half] + 0.5 * x[t + half]) / period;
			window += x[t + half] - x[t - half];
		}
		else
		{
			trend = window / period;
			if (t + half + 1 < n)
				window += x[t + half + 1] - x[t - half];
		}
		d[t] = x[t] - trend;
	}
}

/* mean of v[lo..hi) per position t % period */
static void
cycle_profile(const double *v, int lo, int hi, int period, double *profile,
			  int *counts)
{
	int			t,
				k;

	for (k = 0; k < period; k++)
	{
		profile[k] = 0.0;
		counts[k] = 0;
	}
	for (t = lo, k = lo % period; t < hi; t++)
	{
		profile[k] += v[t];
		counts[k]++;
		if (++k == period)
			k = 0;
	}
	for (k = 0; k < period; k++)
		profile[k] = counts[k] > 0 ? profile[k] / counts[k] : 0.0;
}

/* residual sums of squares of v[lo..hi) around its period-m and -base profiles */
static void
profile_sums(const double *v, int lo, int hi, int m, int base, double *pm,
			 double *pb, int *counts, double *ss_full, double *ss_base)
{
	int			t,
				km,
				kb;
	double		full = 0.0,
				part = 0.0;

	cycle_profile(v, lo, hi, m, pm, counts);
	cycle_profile(v, lo, hi, base, pb, counts);
	for (t = lo, km = lo % m, kb = lo % base; t < hi; t++)
	{
		double		rf = v[t] - pm[km],
					rb = v[t] - pb[kb];

		full += rf * rf;
		part += rb * rb;
		if (++km == m)
			km = 0;
		if (++kb == base)
			kb = 0;
	}
	*ss_full = full;
	*ss_base = part;
}

/*
 * Does a period-m profile explain d[lo..hi) (a detrended series) beyond a
 * period-base one (base divides m; 1 = the mean)?
 *
 * share: the adjusted share, 1 - MS(full) / MS(base) with residual mean
 * squares (sums over residual degrees of freedom), so that profiles of
 * noise score about 0 whatever m.
 *
 * z: the F test of the extra m - base profile values, as a normal deviate.
 * The F test needs uncorrelated residuals, which autocorrelated series
 * (random walks, AR processes) do not have, so it is run on the series
 * prewhitened with an AR(1) filter fitted to the full model's residuals;
 * a linear filter keeps a period-m pattern period-m.
 *
 * work needs hi + 2 m doubles, counts m ints.  Too short a range (fewer
 * than two cycles plus a point) scores 0 and -inf.
 */
static void
profile_test(const double *d, int lo, int hi, int m, int base, double *work,
			 int *counts, double *share, double *z)
{
	int			valid = hi - lo,
				t;
	double	   *w = work,
			   *pm = work + hi,
			   *pb = pm + m;
	double		ss_full,
				ss_base,
				num = 0.0,
				den = 0.0,
				phi;

	*share = 0.0;
	*z = -HUGE_VAL;
	if (m < 2 || base < 1 || m % base != 0 || valid < 3 * m)
		return;
	profile_sums(d, lo, hi, m, base, pm, pb, counts, &ss_full, &ss_base);
	if (!(ss_base > 0.0))
		return;
	*share = 1.0 - (ss_full / (valid - m)) / (ss_base / (valid - base));

	/* AR(1) coefficient of the full model's residuals */
	{
		int			k = lo % m;
		double		e0 = d[lo] - pm[k];

		for (t = lo + 1; t < hi; t++)
		{
			double		e1;

			if (++k == m)
				k = 0;
			e1 = d[t] - pm[k];
			num += e1 * e0;
			den += e0 * e0;
			e0 = e1;
		}
	}
	phi = den > 0.0 ? num / den : 0.0;
	if (phi > 1.0)
		phi = 1.0;
	if (phi < -0.9)
		phi = -0.9;
	for (t = lo + 1; t < hi; t++)
		w[t] = d[t] - phi * d[t - 1];
	profile_sums(w, lo + 1, hi, m, base, pm, pb, counts, &ss_full, &ss_base);
	if (!(ss_full > 0.0))
	{
		/* an exact pattern: as significant as it gets, if there is one */
		*z = ss_base > 0.0 ? HUGE_VAL : -HUGE_VAL;
		return;
	}
	if (ss_base < ss_full)
		ss_base = ss_full;
	*z = f_as_z(((ss_base - ss_full) / (m - base)) / (ss_full / (valid - 1 - m)),
				(double) (m - base), (double) (valid - 1 - m));
}

typedef struct DetectState
{
	const double *x;			/* the series, scaled to unit magnitude */
	int			n;
	int			max_lag;		/* longest period: n / DETECT_CYCLES */
	int			top;			/* the ACFs hold lags 0 .. top */
	double	   *acf_a,			/* ACF of x minus its least squares line */
			   *acf_b,			/* ACF of the first differences */
			   *bound_a,		/* their Bartlett bounds */
			   *bound_b;
	double	   *d;				/* x detrended ... */
	int			d_period;		/* ... by this period's moving average */
	int			d_start;		/* ... from this point of x on */
	double	   *work;			/* n + 2 max_lag + 2 */
	int		   *counts;			/* max_lag + 2 */
	double	   *shares;			/* 3 (DETECT_MAX_MULTIPLES + 1) */
} DetectState;

static inline bool
acf_peak(const double *acf, const double *bound, int lag, int step)
{
	return acf[lag] >= acf[lag - step] && acf[lag] >= acf[lag + step] &&
		acf[lag] > bound[lag];
}

/* m is a local maximum of either ACF (comparing lags m +- step) above its bound */
static bool
is_candidate(const DetectState *st, int m, int step)
{
	if (m - step < 1 || m + step > st->top)
		return false;
	return acf_peak(st->acf_a, st->bound_a, m, step) ||
		acf_peak(st->acf_b, st->bound_b, m, step);
}

/*
 * x detrended by the moving average of `detrend` into st->d, over the last
 * max(DETECT_TEST_WINDOW, 8 detrend) points (all of a shorter series):
 * ample for the tests, and it bounds their cost on long series.  Sets the
 * valid range [lo, hi) of st->d; false if detrend is too long.
 */
static bool
detrended(DetectState *st, int detrend, int *lo, int *hi)
{
	int			len = st->n,
				start;

	if (detrend > st->max_lag)
		return false;
	if (len > DETECT_TEST_WINDOW && len / 8 > detrend)
		len = DETECT_TEST_WINDOW > 8 * detrend ? DETECT_TEST_WINDOW : 8 * detrend;
	start = st->n - len;
	if (st->d_period != detrend || st->d_start != start)
	{
		detrend_moving_average(st->x + start, len, detrend, st->d);
		st->d_period = detrend;
		st->d_start = start;
	}
	*lo = detrend / 2;
	*hi = len - detrend / 2;
	return true;
}

/* profile_test of period m against base on x detrended by `detrend` */
static void
test_period(DetectState *st, int detrend, int m, int base, double *share,
			double *z)
{
	int			lo,
				hi;

	*share = 0.0;
	*z = -HUGE_VAL;
	if (detrended(st, detrend, &lo, &hi))
		profile_test(st->d, lo, hi, m, base, st->work, st->counts, share, z);
}

/*
 * Is `inner` a cycle of its own inside `outer` (24 inside 168), rather than
 * a harmonic of outer's pattern (4 inside a spiky 12) or a lag at which a
 * smooth series is still similar to itself (4 inside 24)?  A cycle inside a
 * longer one changes slowly from one inner cycle to the next, so the
 * autocorrelation peaks at lag inner almost as high, and as prominently
 * (above the lowest value at shorter lags), as at lag outer.  A harmonic's
 * peak is far lower, as the other harmonics pull it down; a smooth series'
 * ACF does not peak at all.  The ACF is that of the series detrended by
 * outer's moving average and prewhitened as in profile_test, so that a
 * wandering level does not mask the cycles.
 */
static bool
is_inner_cycle(DetectState *st, int inner, int outer)
{
	int			lo,
				hi,
				k,
				t;
	double	   *acf,
			   *w = st->work,
			   *profile;
	double		low = 1.0,
				low_inner = 1.0,
				num = 0.0,
				den = 0.0,
				phi;
	bool		result;

	if (!detrended(st, outer, &lo, &hi) || hi - lo <= outer + 2)
		return false;
	profile = st->work + hi;
	cycle_profile(st->d, lo, hi, outer, profile, st->counts);
	k = lo % outer;
	for (t = lo + 1; t < hi; t++)
	{
		int			k1 = k + 1 == outer ? 0 : k + 1;
		double		e0 = st->d[t - 1] - profile[k],
					e1 = st->d[t] - profile[k1];

		num += e1 * e0;
		den += e0 * e0;
		k = k1;
	}
	phi = den > 0.0 ? fmin(1.0, fmax(-0.9, num / den)) : 0.0;
	for (t = lo + 1; t < hi; t++)
		w[t] = st->d[t] - phi * st->d[t - 1];

	acf = dl_alloc(sizeof(double) * ((size_t) outer + 1));
	acf_fft(w + lo + 1, hi - lo - 1, outer, acf);
	for (k = 1; k <= outer; k++)
	{
		if (acf[k] < low)
			low = acf[k];
		if (k == inner)
			low_inner = low;
	}
	result = acf[outer] > 0.0 && acf[outer] - low > 0.0 &&
		acf[inner] >= DETECT_MIN_INNER * acf[outer] &&
		acf[inner] - low_inner >= DETECT_MIN_INNER * (acf[outer] - low);
	dl_free(acf);
	return result;
}

static double
acf_height(const DetectState *st, int m)
{
	return fmax(st->acf_a[m], st->acf_b[m]);
}

/* sorts v[0..n) ascending (n small) */
static void
sort_small(double *v, int n)
{
	int			i;

	for (i = 1; i < n; i++)
	{
		double		t = v[i];
		int			j = i - 1;

		while (j >= 0 && v[j] > t)
		{
			v[j + 1] = v[j];
			j--;
		}
		v[j + 1] = t;
	}
}

/*
 * The first period: of the DETECT_MAX_CANDIDATES tallest ACF peaks and
 * their neighbours (a noisy ACF may peak a lag off), those whose profile
 * explains a real, significant share of the variance; the most significant
 * of them, refined over nearby lags, and then reduced to its smallest
 * divisor that it does not improve on (a period's multiples explain as
 * much as it does).  0 if none.
 */
static int
first_period(DetectState *st, int *candidates)
{
	int			confirmed[DETECT_MAX_CANDIDATES];
	int			n_confirmed = 0;
	int			n_candidates = 0,
				best = 0,
				i,
				m,
				dv;
	double		best_z = -HUGE_VAL,
				z_crit;

	for (m = 2; m <= st->max_lag; m++)
	{
		int			j;

		if (!is_candidate(st, m, 1))
			continue;
		/* keep the DETECT_MAX_CANDIDATES tallest, sorted by height */
		if (n_candidates == DETECT_MAX_CANDIDATES &&
			acf_height(st, candidates[n_candidates - 1]) >= acf_height(st, m))
			continue;
		j = n_candidates < DETECT_MAX_CANDIDATES ? n_candidates++ : n_candidates - 1;
		while (j > 0 && acf_height(st, candidates[j - 1]) < acf_height(st, m))
		{
			candidates[j] = candidates[j - 1];
			j--;
		}
		candidates[j] = m;
	}
	if (n_candidates == 0)
		return 0;

	/*
	 * Try them by increasing lag.  Once a period is confirmed, its
	 * multiples (give or take a lag) are not tried: they cannot explain
	 * less, and a longer period on top of it is looked for later.
	 */
	for (i = 1; i < n_candidates; i++)
	{
		int			v = candidates[i],
					j = i - 1;

		while (j >= 0 && candidates[j] > v)
		{
			candidates[j + 1] = candidates[j];
			j--;
		}
		candidates[j + 1] = v;
	}
	/* Bonferroni over every lag that may be tried: peaks and neighbours */
	z_crit = normal_upper_quantile(DETECT_ALPHA / (3.0 * n_candidates));
	for (i = 0; i < n_candidates; i++)
	{
		int			c = candidates[i],
					k;
		bool		covered = false;

		for (k = 0; k < n_confirmed && !covered; k++)
		{
			int			p = confirmed[k];

			/* (near-multiples only of periods long enough to tell) */
			covered = c % p == 0 ||
				(p >= 6 && ((c - 1) % p == 0 || (c + 1) % p == 0));
		}
		if (covered)
			continue;
		for (m = c - 1; m <= c + 1; m++)
		{
			double		share,
						z;

			if (m < 2 || m > st->max_lag)
				continue;
			test_period(st, m, m, 1, &share, &z);
			if (share >= DETECT_MIN_SHARE && z > z_crit)
			{
				if (n_confirmed < DETECT_MAX_CANDIDATES)
					confirmed[n_confirmed++] = m;
				if (z > best_z)
				{
					best = m;
					best_z = z;
				}
			}
		}
	}
	if (best == 0)
		return 0;

	/* the ACF of a weak season can peak a few lags off: look around */
	{
		int			w = best / 32 > 1 ? best / 32 : 1,
					c = best;

		for (m = c - w; m <= c + w; m++)
		{
			double		share,
						z;

			if (m < 2 || m == c || m == c - 1 || m == c + 1)
				continue;		/* (the neighbours were tried) */
			test_period(st, m, m, 1, &share, &z);
			if (share >= DETECT_MIN_SHARE && z > best_z)
			{
				best = m;
				best_z = z;
			}
		}
	}

	z_crit = normal_upper_quantile(DETECT_ALPHA);
	for (dv = 2; dv <= best / 2; dv++)
	{
		double		share,
					z;

		if (best % dv != 0)
			continue;
		test_period(st, best, best, dv, &share, &z);
		if (share < DETECT_MIN_SHARE_NESTED || !(z > z_crit))
			return dv;
	}
	return best;
}

/*
 * A shorter period inside `shortest`: the divisor with an ACF peak (give or
 * take a lag) whose profile explains most of the variance left by the
 * longest period's moving average (24 inside 168), if that is a real,
 * significant share, and if it is a cycle of its own (is_inner_cycle).
 * 0 if none.
 */
static int
shorter_period(DetectState *st, int shortest, int longest)
{
	int			tests = 0,
				pick = 0,
				dv;
	double		pick_share = 0.0,
				z_crit;

	for (dv = 2; dv <= shortest / 2; dv++)
		if (shortest % dv == 0)
			tests++;
	if (tests == 0)
		return 0;
	z_crit = normal_upper_quantile(DETECT_ALPHA / tests);
	for (dv = 2; dv <= shortest / 2; dv++)
	{
		double		share,
					z;

		if (shortest % dv != 0 ||
			!(is_candidate(st, dv, 1) || is_candidate(st, dv - 1, 1) ||
			  is_candidate(st, dv + 1, 1)))
			continue;
		test_period(st, longest, dv, 1, &share, &z);
		if (share >= DETECT_MIN_SHARE && z > z_crit && share > pick_share &&
			is_inner_cycle(st, dv, longest))
		{
			pick = dv;
			pick_share = share;
		}
	}
	return pick;
}

/*
 * A longer period: the multiple of `longest` whose profile explains the
 * largest real, significant share of what longest's leaves (168 on top of
 * 24), reduced to its smallest divisor among the multiples that it does
 * not improve on.
 * Slow variation (a level that differs from day to day) lets every multiple
 * explain something, so the share must also stand out from the lower
 * quartile of the multiples' shares (most multiples do not contain a true
 * longer period).  0 if none.
 */
static int
longer_period(DetectState *st, int longest)
{
	double	   *shares = st->shares,
			   *zs = shares + DETECT_MAX_MULTIPLES + 1,
			   *sorted = zs + DETECT_MAX_MULTIPLES + 1;
	double		typical,
				z_crit;
	int			tests = 0,
				found,
				j;

	for (j = 2; j <= DETECT_MAX_MULTIPLES + 1 &&
		 (long) j * longest <= st->max_lag; j++)
	{
		test_period(st, j * longest, j * longest, longest, &shares[tests],
					&zs[tests]);
		tests++;
	}
	if (tests == 0)
		return 0;
	memcpy(sorted, shares, sizeof(double) * tests);
	sort_small(sorted, tests);
	typical = sorted[(tests - 1) / 4];
	if (typical < 0.0)
		typical = 0.0;
	z_crit = normal_upper_quantile(DETECT_ALPHA / tests);
	found = 0;
	for (j = 0; j < tests; j++)
		if (shares[j] >= typical + DETECT_MIN_SHARE_NESTED && zs[j] > z_crit &&
			(found == 0 || shares[j] > shares[found / longest - 2]))
			found = (j + 2) * longest;
	if (found == 0)
		return 0;

	/* as for the first period: the smallest multiple it does not improve on */
	z_crit = normal_upper_quantile(DETECT_ALPHA);
	for (j = 2; j < found / longest; j++)
	{
		double		share,
					z;

		if (found % (j * longest) != 0)
			continue;
		test_period(st, found, found, j * longest, &share, &z);
		if (share < DETECT_MIN_SHARE_NESTED || !(z > z_crit))
			return j * longest;
	}
	return found;
}

int
seasonality_detect_periods(const double *y, int n, int max_periods, int *periods)
{
	DetectState st;
	double	   *x,
			   *view;
	int		   *candidates;
	int			chain[32];
	int			n_chain = 0,
				first,
				i;
	double		intercept,
				slope,
				tm = 0.0,
				ym = 0.0,
				sxy = 0.0,
				sxx = 0.0,
				scale;

	if (y == NULL || periods == NULL || max_periods <= 0 ||
		n < DETECT_MIN_N || !all_finite(y, n) || is_constant(y, n))
		return 0;
	if (n > DETECT_MAX_N)
	{
		y += n - DETECT_MAX_N;
		n = DETECT_MAX_N;
		if (is_constant(y, n))
			return 0;
	}
	memset(&st, 0, sizeof(st));
	st.d_period = -1;
	st.n = n;
	st.max_lag = n / DETECT_CYCLES;
	if (st.max_lag > DETECT_MAX_LAG)
		st.max_lag = DETECT_MAX_LAG;
	if (st.max_lag < 2)
		return 0;
	st.top = n - 2;

	/* unit magnitude, so that no sum of squares can overflow */
	scale = unit_scale(y, n);
	x = dl_alloc(sizeof(double) * (size_t) n * 3);
	view = x + n;
	st.d = view + n;
	st.x = x;
	for (i = 0; i < n; i++)
	{
		x[i] = y[i] * scale;
		tm += i;
		ym += x[i];
	}
	tm /= n;
	ym /= n;
	for (i = 0; i < n; i++)
	{
		sxy += (i - tm) * (x[i] - ym);
		sxx += (i - tm) * (i - tm);
	}
	slope = sxy / sxx;
	intercept = ym - slope * tm;

	st.acf_a = dl_alloc(sizeof(double) * ((size_t) st.top + 1) * 4);
	st.acf_b = st.acf_a + st.top + 1;
	st.bound_a = st.acf_b + st.top + 1;
	st.bound_b = st.bound_a + st.top + 1;
	for (i = 0; i < n; i++)
		view[i] = x[i] - (intercept + slope * i);
	acf_fft(view, n, st.top, st.acf_a);
	for (i = 0; i + 1 < n; i++)
		view[i] = x[i + 1] - x[i];
	acf_fft(view, n - 1, st.top, st.acf_b);
	bartlett_bounds(st.acf_a, st.top, n, DETECT_ACF_Z, st.bound_a);
	bartlett_bounds(st.acf_b, st.top, n - 1, DETECT_ACF_Z, st.bound_b);

	st.work = dl_alloc(sizeof(double) * ((size_t) n + 2 * (size_t) st.max_lag + 2));
	st.counts = dl_alloc(sizeof(int) * ((size_t) st.max_lag + 2));
	st.shares = dl_alloc(sizeof(double) * 3 * (DETECT_MAX_MULTIPLES + 1));
	candidates = dl_alloc(sizeof(int) * DETECT_MAX_CANDIDATES);

	first = first_period(&st, candidates);

	/*
	 * A harmonic is no period of its own: while a longer period stands out
	 * on top of the first and the first is no cycle of its own inside it
	 * (8 inside 24 for a sharp daily pattern), take the longer one instead.
	 */
	while (first > 0)
	{
		int			longer = longer_period(&st, first);

		if (longer == 0 || is_inner_cycle(&st, first, longer))
			break;
		first = longer;
	}

	if (first > 0)
	{
		chain[n_chain++] = first;
		while (n_chain < max_periods && n_chain < 32)
		{
			int			p = shorter_period(&st, chain[0], chain[n_chain - 1]);

			if (p == 0)
				break;
			memmove(chain + 1, chain, sizeof(int) * n_chain);
			chain[0] = p;
			n_chain++;
		}
		while (n_chain < max_periods && n_chain < 32)
		{
			int			p = longer_period(&st, chain[n_chain - 1]);

			if (p == 0)
				break;
			chain[n_chain++] = p;
		}
	}

	for (i = 0; i < n_chain; i++)
		periods[i] = chain[i];
	dl_free(x);
	dl_free(st.acf_a);
	dl_free(st.work);
	dl_free(st.counts);
	dl_free(st.shares);
	dl_free(candidates);
	return n_chain;
}
