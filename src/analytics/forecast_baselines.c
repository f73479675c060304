/*
 * forecast_baselines.c
 *		Naive, seasonal naive, drift, Naive2 and Theta forecasts with normal
 *		prediction intervals (see forecast_baselines.h for the definitions).
 *
 * The three lag walks (naive = lag 1, seasonal naive = lag m, drift = lag 1
 * with a mean step) share one routine that yields point forecasts and
 * forecast standard errors; the interval bounds are then point +- z * se
 * for each level.  Naive2 and Theta seasonally adjust first with the
 * classical multiplicative indices.
 *
 * Theta's simple exponential smoothing is fitted by least squares over
 * (alpha, l0) as R's ets(model = "ANN", opt.crit = "mse") does, but not by
 * Nelder-Mead: the one-step errors are linear in l0 for a fixed alpha,
 * e_t = c_t(alpha) - (1 - alpha)^t l0, so the best l0 has a closed form
 * and only alpha needs a search (a grid, then Brent's method around the
 * best grid point).  That finds the least squares optimum at least as well
 * as R's search does; the two agree to the optimiser's tolerance.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "analytics/forecast_baselines.h"

/* ets()'s "usual" bounds on the SES smoothing parameter */
#define SES_ALPHA_MIN	1e-4
#define SES_ALPHA_MAX	0.9999
#define SES_GRID		64

const char *
fb_status_message(FbStatus status)
{
	switch (status)
	{
		case FB_OK:
			return "ok";
		case FB_ERR_ARGUMENT:
			return "forecast needs at least one observation, a horizon of at least 1 and output arrays";
		case FB_ERR_PERIOD:
			return "seasonal period must be at least 1";
		case FB_ERR_LEVEL:
			return "prediction interval levels must be at least 0 and below 100";
		case FB_ERR_VALUE:
			return "forecast input values must be finite numbers";
		case FB_ERR_TOO_SHORT:
			return "seasonal naive forecast needs at least one full season of observations";
	}
	return "unknown forecast error";
}

/*
 * Inverse standard normal CDF, Wichura's algorithm AS 241 (PPND16), about
 * 16 significant digits, which is what R's qnorm() uses as well.
 */
static double
normal_quantile(double p)
{
	double		q = p - 0.5;
	double		r;
	double		x;

	if (!(p > 0.0 && p < 1.0))
		return p == 0.0 ? -HUGE_VAL : (p == 1.0 ? HUGE_VAL : NAN);
	if (fabs(q) <= 0.425)
	{
		r = 0.180625 - q * q;
		return q * (((((((2509.0809287301226727 * r + 33430.575583588128105) * r +
						 67265.770927008700853) * r + 45921.953931549871457) * r +
					   13731.693765509461125) * r + 1971.5909503065514427) * r +
					 133.14166789178437745) * r + 3.387132872796366608)
			/ (((((((5226.495278852854561 * r + 28729.085735721942674) * r +
					39307.89580009271061) * r + 21213.794301586595867) * r +
				  5394.1960214247511077) * r + 687.1870074920579083) * r +
				42.313330701600911252) * r + 1.0);
	}
	r = q < 0 ? p : 1.0 - p;
	r = sqrt(-log(r));
	if (r <= 5.0)
	{
		r -= 1.6;
		x = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r +
				  0.24178072517745061177) * r + 1.27045825245236838258) * r +
				3.64784832476320460504) * r + 5.7694972214606914055) * r +
			  4.6303378461565452959) * r + 1.42343711074968357734)
			/ (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r +
					0.0151986665636164571966) * r + 0.14810397642748007459) * r +
				  0.68976733498510000455) * r + 1.6763848301838038494) * r +
				2.05319162663775882187) * r + 1.0);
	}
	else
	{
		r -= 5.0;
		x = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r +
				  0.0012426609473880784386) * r + 0.026532189526576123093) * r +
				0.29656057182850489123) * r + 1.7848265399172913358) * r +
			  5.4637849111641143699) * r + 6.6579046435011037772)
			/ (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r +
					1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
				  0.0148753612908506148525) * r + 0.13692988092273580531) * r +
				0.59983220655588793769) * r + 1.0);
	}
	return q < 0 ? -x : x;
}

/* checks shared by every method; m is checked by the callers that take one */
static FbStatus
check_inputs(const double *y, int n, int h, const double *levels, int n_levels,
			 const double *mean, const double *lower, const double *upper)
{
	int			i;

	if (y == NULL || mean == NULL || n < 1 || h < 1 || n_levels < 0)
		return FB_ERR_ARGUMENT;
	if (n_levels > 0 && (levels == NULL || lower == NULL || upper == NULL))
		return FB_ERR_ARGUMENT;
	for (i = 0; i < n_levels; i++)
		if (!(levels[i] >= 0.0 && levels[i] < 100.0))
			return FB_ERR_LEVEL;
	for (i = 0; i < n; i++)
		if (!isfinite(y[i]))
			return FB_ERR_VALUE;
	return FB_OK;
}

static void
clear_info(FbInfo *info)
{
	if (info != NULL)
		memset(info, 0, sizeof(FbInfo));
}

/*
 * Bounds point * scale +- z * se * (scale_se ? scale : 1) for every level;
 * scale NULL means 1.  Writes mean[] = point * scale too.
 */
static void
write_forecast(const double *point, const double *se, const double *scale, bool scale_se,
			   int h, const double *levels, int n_levels,
			   double *mean, double *lower, double *upper)
{
	int			l,
				i;

	for (l = 0; l < n_levels; l++)
	{
		double		z = normal_quantile(0.5 + levels[l] / 200.0);
		double	   *lo = lower + (size_t) l * (size_t) h;
		double	   *hi = upper + (size_t) l * (size_t) h;

		for (i = 0; i < h; i++)
		{
			double		s = scale != NULL ? scale[i] : 1.0;
			double		half = z * se[i];

			if (scale_se)
			{
				lo[i] = (point[i] - half) * s;
				hi[i] = (point[i] + half) * s;
			}
			else
			{
				lo[i] = point[i] * s - half;
				hi[i] = point[i] * s + half;
			}
		}
	}
	for (i = 0; i < h; i++)
		mean[i] = point[i] * (scale != NULL ? scale[i] : 1.0);
}

/*
 * The lag walk y[t] = y[t - lag] (+ drift) + e[t]: forecasts and their
 * standard errors.  The one-step variance is the mean square of the lag
 * differences (without drift) or their variance about the mean step (with
 * drift, lag 1), as forecast.lagwalk estimates it, including its quirk of
 * dividing by the count rather than count - 1 when the estimated drift is
 * exactly zero.  Step i (1-based) is ceil(i / lag) lags ahead.
 */
static void
lag_walk(const double *y, int n, int lag, bool with_drift, int h,
		 double *point, double *se, FbInfo *info)
{
	int			count = n - lag;	/* number of lag differences */
	double		drift = 0.0;
	double		drift_se = 0.0;
	double		mse = 0.0;
	int			t,
				i;

	if (count > 0)
	{
		double		ss = 0.0;

		if (with_drift)
		{
			double		sum = 0.0;

			for (t = lag; t < n; t++)
				sum += y[t] - y[t - lag];
			drift = sum / count;
		}
		for (t = lag; t < n; t++)
		{
			double		r = y[t] - y[t - lag] - drift;

			ss += r * r;
		}
		if (!with_drift)
			mse = ss / count;
		else if (count > 1)
		{
			double		sigma2 = ss / (count - 1);

			drift_se = sqrt(sigma2 / count);
			mse = drift != 0.0 ? sigma2 : ss / count;
		}
		/* one difference: a perfect fit, no variance estimate (R: NaN) */
	}
	for (i = 0; i < h; i++)
	{
		double		steps = (double) (i / lag + 1);

		point[i] = y[n - lag + i % lag] + steps * drift;
		se[i] = sqrt(mse * steps + (steps * drift_se) * (steps * drift_se));
	}
	if (info != NULL)
	{
		info->sigma2 = mse;
		info->drift = drift;
		info->drift_se = drift_se;
	}
}

/* lag walk into caller's arrays, with scratch for the standard errors */
static FbStatus
lag_walk_forecast(const double *y, int n, int lag, bool with_drift, int h,
				  const double *levels, int n_levels,
				  double *mean, double *lower, double *upper, FbInfo *info)
{
	double	   *se = dl_alloc((size_t) h * sizeof(double));

	clear_info(info);
	lag_walk(y, n, lag, with_drift, h, mean, se, info);
	write_forecast(mean, se, NULL, false, h, levels, n_levels, mean, lower, upper);
	dl_free(se);
	return FB_OK;
}

FbStatus
fb_naive(const double *y, int n, int h, const double *levels, int n_levels,
		 double *mean, double *lower, double *upper, FbInfo *info)
{
	FbStatus	status = check_inputs(y, n, h, levels, n_levels, mean, lower, upper);

	if (status != FB_OK)
		return status;
	return lag_walk_forecast(y, n, 1, false, h, levels, n_levels, mean, lower, upper, info);
}

FbStatus
fb_seasonal_naive(const double *y, int n, int m, int h, const double *levels, int n_levels,
				  double *mean, double *lower, double *upper, FbInfo *info)
{
	FbStatus	status = check_inputs(y, n, h, levels, n_levels, mean, lower, upper);

	if (status != FB_OK)
		return status;
	if (m < 1)
		return FB_ERR_PERIOD;
	if (n < m)
		return FB_ERR_TOO_SHORT;
	return lag_walk_forecast(y, n, m, false, h, levels, n_levels, mean, lower, upper, info);
}

FbStatus
fb_drift(const double *y, int n, int h, const double *levels, int n_levels,
		 double *mean, double *lower, double *upper, FbInfo *info)
{
	FbStatus	status = check_inputs(y, n, h, levels, n_levels, mean, lower, upper);

	if (status != FB_OK)
		return status;
	return lag_walk_forecast(y, n, 1, true, h, levels, n_levels, mean, lower, upper, info);
}

/*
 * R's is.constant(): all.equal(x, rep(x[1], n)), i.e. the mean absolute
 * difference from x[1], relative to the mean absolute value when that is
 * above the tolerance, is at most 1.5e-8.
 */
static bool
is_constant(const double *y, int n)
{
	double		diff = 0.0;
	double		size = 0.0;
	int			t;

	for (t = 0; t < n; t++)
	{
		diff += fabs(y[t] - y[0]);
		size += fabs(y[t]);
	}
	diff /= n;
	size /= n;
	if (size > 1.5e-8)
		diff /= size;
	return diff <= 1.5e-8;
}

double
fb_seasonal_statistic(const double *y, int n, int m)
{
	double		mu = 0.0;
	double		c0 = 0.0;
	double		sum_sq = 0.0;
	double		r_m = 0.0;
	int			t,
				k;

	if (y == NULL || m < 2 || n <= m)
		return 0.0;
	for (t = 0; t < n; t++)
		mu += y[t];
	mu /= n;
	for (t = 0; t < n; t++)
		c0 += (y[t] - mu) * (y[t] - mu);
	if (!(c0 > 0.0) || !isfinite(c0))
		return 0.0;
	for (k = 1; k <= m; k++)
	{
		double		ck = 0.0;
		double		r;

		dl_check_interrupts();
		for (t = 0; t + k < n; t++)
			ck += (y[t] - mu) * (y[t + k] - mu);
		r = ck / c0;
		if (k < m)
			sum_sq += r * r;
		else
			r_m = r;
	}
	return fabs(r_m) / sqrt((1.0 + 2.0 * sum_sq) / n);
}

bool
fb_seasonal_test(const double *y, int n, int m)
{
	if (m < 2 || (long long) n < 3LL * m)
		return false;
	return fb_seasonal_statistic(y, n, m) > 1.645;
}

/* thetaf()'s version: n > 2m, not constant, critical value qnorm(0.95) */
static bool
theta_seasonal_test(const double *y, int n, int m)
{
	if (m < 2 || (long long) n <= 2LL * m || is_constant(y, n))
		return false;
	return fb_seasonal_statistic(y, n, m) > normal_quantile(0.95);
}

bool
fb_classical_indices(const double *y, int n, int m, double *index)
{
	int			half = m / 2;
	bool		even = (m % 2) == 0;
	double		total = 0.0;
	double	   *sum;
	int		   *count;
	bool		ok = true;
	int			t,
				k;

	if (y == NULL || index == NULL || m < 2 || (long long) n < 2LL * m)
		return false;
	sum = dl_alloc0((size_t) m * sizeof(double));
	count = dl_alloc0((size_t) m * sizeof(int));

	/*
	 * Centred moving average over m points (odd m) or 2 x m (even m: m + 1
	 * points, the two ends weighted 1/2), defined where the window fits.
	 */
	for (t = half; t < n - half; t++)
	{
		double		trend = 0.0;
		int			j;

		if ((t & 1023) == 0)
			dl_check_interrupts();
		if (even)
		{
			trend = 0.5 * (y[t - half] + y[t + half]);
			for (j = t - half + 1; j < t + half; j++)
				trend += y[j];
		}
		else
			for (j = t - half; j <= t + half; j++)
				trend += y[j];
		trend /= m;
		if (trend == 0.0)
		{
			ok = false;
			break;
		}
		sum[t % m] += y[t] / trend;
		count[t % m]++;
	}
	for (k = 0; ok && k < m; k++)
	{
		if (count[k] == 0)
			ok = false;
		else
		{
			index[k] = sum[k] / count[k];
			total += index[k];
		}
	}
	if (ok)
	{
		total /= m;
		for (k = 0; k < m; k++)
		{
			index[k] /= total;
			if (!isfinite(index[k]) || !(index[k] > 0.0))
				ok = false;
		}
	}
	dl_free(sum);
	dl_free(count);
	return ok;
}

/*
 * The seasonal adjustment Naive2 and Theta share: adjusted[t] = y[t] /
 * index[t % m] and future[i] = index[(n + i) % m], or a copy and ones when
 * the series is not adjusted.  Returns whether it was.
 */
static bool
seasonal_adjust(const double *y, int n, int m, int h, bool seasonal, double min_index,
				double *adjusted, double *future)
{
	double	   *index = NULL;
	int			t;

	if (seasonal)
	{
		index = dl_alloc((size_t) m * sizeof(double));
		if (!fb_classical_indices(y, n, m, index))
			seasonal = false;
		for (t = 0; seasonal && t < m; t++)
			if (fabs(index[t]) < min_index)
				seasonal = false;
	}
	for (t = 0; t < n; t++)
		adjusted[t] = seasonal ? y[t] / index[t % m] : y[t];
	for (t = 0; t < h; t++)
		future[t] = seasonal ? index[(int) (((long long) n + t) % m)] : 1.0;
	dl_free(index);
	return seasonal;
}

FbStatus
fb_naive2(const double *y, int n, int m, int h, const double *levels, int n_levels,
		  double *mean, double *lower, double *upper, FbInfo *info)
{
	FbStatus	status = check_inputs(y, n, h, levels, n_levels, mean, lower, upper);
	double	   *adjusted;
	double	   *future;
	double	   *point;
	double	   *se;
	bool		seasonal;

	if (status != FB_OK)
		return status;
	if (m < 1)
		return FB_ERR_PERIOD;
	clear_info(info);
	adjusted = dl_alloc((size_t) n * sizeof(double));
	future = dl_alloc((size_t) h * sizeof(double));
	point = dl_alloc((size_t) h * sizeof(double));
	se = dl_alloc((size_t) h * sizeof(double));
	seasonal = seasonal_adjust(y, n, m, h, fb_seasonal_test(y, n, m), 0.0, adjusted, future);
	lag_walk(adjusted, n, 1, false, h, point, se, info);
	write_forecast(point, se, future, true, h, levels, n_levels, mean, lower, upper);
	if (info != NULL)
		info->seasonal = seasonal;
	dl_free(adjusted);
	dl_free(future);
	dl_free(point);
	dl_free(se);
	return FB_OK;
}

/*
 * Simple exponential smoothing l[t] = l[t-1] + alpha * (y[t] - l[t-1]),
 * one-step errors e[t] = y[t] - l[t-1]; returns the sum of squared errors
 * and the final level.
 */
static double
ses_sse(const double *y, int n, double alpha, double l0, double *final_level)
{
	double		level = l0;
	double		sse = 0.0;
	int			t;

	for (t = 0; t < n; t++)
	{
		double		e = y[t] - level;

		sse += e * e;
		level += alpha * e;
	}
	if (final_level != NULL)
		*final_level = level;
	return sse;
}

/* the least squares l0 for this alpha: e[t] = c[t] - (1 - alpha)^t * l0 */
static double
ses_best_l0(const double *y, int n, double alpha)
{
	double		level = 0.0;
	double		power = 1.0;
	double		cross = 0.0;
	double		norm = 0.0;
	int			t;

	for (t = 0; t < n; t++)
	{
		double		c = y[t] - level;

		cross += c * power;
		norm += power * power;
		level += alpha * c;
		power *= 1.0 - alpha;
	}
	return cross / norm;		/* norm >= 1 from t = 0 */
}

static double
ses_profile_sse(const double *y, int n, double alpha)
{
	return ses_sse(y, n, alpha, ses_best_l0(y, n, alpha), NULL);
}

/*
 * Brent's minimisation (golden sections with parabolic steps) of the
 * profile SSE over alpha in [a, b], starting from x with value fx.
 */
static double
ses_brent(const double *y, int n, double a, double b, double x, double fx)
{
	const double golden = 0.3819660112501051;	/* (3 - sqrt(5)) / 2 */
	double		w = x,
				v = x,
				fw = fx,
				fv = fx;
	double		d = 0.0,
				e = 0.0;
	int			iter;

	for (iter = 0; iter < 200; iter++)
	{
		double		mid = 0.5 * (a + b);
		double		tol1 = 1e-10 * fabs(x) + 1e-12;
		double		tol2 = 2.0 * tol1;
		double		u,
					fu;

		dl_check_interrupts();
		if (fabs(x - mid) <= tol2 - 0.5 * (b - a))
			break;
		if (fabs(e) > tol1)
		{
			/* try a parabola through x, w, v */
			double		r = (x - w) * (fx - fv);
			double		q = (x - v) * (fx - fw);
			double		p = (x - v) * q - (x - w) * r;
			double		e_prev = e;

			q = 2.0 * (q - r);
			if (q > 0.0)
				p = -p;
			else
				q = -q;
			e = d;
			if (fabs(p) < fabs(0.5 * q * e_prev) && p > q * (a - x) && p < q * (b - x))
			{
				d = p / q;
				u = x + d;
				if (u - a < tol2 || b - u < tol2)
					d = x < mid ? tol1 : -tol1;
			}
			else
			{
				e = (x < mid ? b : a) - x;
				d = golden * e;
			}
		}
		else
		{
			e = (x < mid ? b : a) - x;
			d = golden * e;
		}
		u = fabs(d) >= tol1 ? x + d : x + (d > 0.0 ? tol1 : -tol1);
		fu = ses_profile_sse(y, n, u);
		if (fu <= fx)
		{
			if (u < x)
				b = x;
			else
				a = x;
			v = w;
			fv = fw;
			w = x;
			fw = fx;
			x = u;
			fx = fu;
		}
		else
		{
			if (u < x)
				a = u;
			else
				b = u;
			if (fu <= fw || w == x)
			{
				v = w;
				fv = fw;
				w = u;
				fw = fu;
			}
			else if (fu <= fv || v == x || v == w)
			{
				v = u;
				fv = fu;
			}
		}
	}
	return x;
}

/*
 * Least squares SES over alpha in ets()'s bounds and a free l0: the
 * profile SSE on a grid, then Brent between the best point's neighbours.
 */
static void
ses_fit(const double *y, int n, double *alpha_out, double *l0_out, double *sse_out,
		double *final_level)
{
	double		step = (SES_ALPHA_MAX - SES_ALPHA_MIN) / (SES_GRID - 1);
	double		best_alpha = SES_ALPHA_MIN;
	double		best_sse = HUGE_VAL;
	int			best = 0;
	int			g;
	double		alpha;
	double		l0;

	for (g = 0; g < SES_GRID; g++)
	{
		double		a = g == SES_GRID - 1 ? SES_ALPHA_MAX : SES_ALPHA_MIN + g * step;
		double		s = ses_profile_sse(y, n, a);

		if (s < best_sse)
		{
			best_sse = s;
			best_alpha = a;
			best = g;
		}
	}
	dl_check_interrupts();
	alpha = ses_brent(y, n,
					  best > 0 ? SES_ALPHA_MIN + (best - 1) * step : SES_ALPHA_MIN,
					  best < SES_GRID - 1 ? SES_ALPHA_MIN + (best + 1) * step : SES_ALPHA_MAX,
					  best_alpha, best_sse);
	if (alpha < SES_ALPHA_MIN)
		alpha = SES_ALPHA_MIN;
	if (alpha > SES_ALPHA_MAX)
		alpha = SES_ALPHA_MAX;
	l0 = ses_best_l0(y, n, alpha);
	*sse_out = ses_sse(y, n, alpha, l0, final_level);
	if (*sse_out > best_sse)
	{
		/* Brent should never lose the grid point, but keep the better one */
		alpha = best_alpha;
		l0 = ses_best_l0(y, n, alpha);
		*sse_out = ses_sse(y, n, alpha, l0, final_level);
	}
	*alpha_out = alpha;
	*l0_out = l0;
}

/* slope of the least squares line through (t, y[t]), t = 0..n-1 */
static double
trend_slope(const double *y, int n)
{
	double		tbar = (n - 1) / 2.0;
	double		ybar = 0.0;
	double		sxy = 0.0;
	double		sxx = 0.0;
	int			t;

	if (n < 2)
		return 0.0;
	for (t = 0; t < n; t++)
		ybar += y[t];
	ybar /= n;
	for (t = 0; t < n; t++)
	{
		sxy += (t - tbar) * (y[t] - ybar);
		sxx += (t - tbar) * (t - tbar);
	}
	return sxy / sxx;
}

FbStatus
fb_theta(const double *y, int n, int m, int h, const double *levels, int n_levels,
		 double *mean, double *lower, double *upper, FbInfo *info)
{
	FbStatus	status = check_inputs(y, n, h, levels, n_levels, mean, lower, upper);
	double	   *adjusted;
	double	   *future;
	double	   *point;
	double	   *se;
	bool		seasonal;
	double		alpha,
				l0,
				sse,
				level,
				sigma2,
				drift,
				start;
	int			i;

	if (status != FB_OK)
		return status;
	if (m < 1)
		return FB_ERR_PERIOD;
	clear_info(info);
	adjusted = dl_alloc((size_t) n * sizeof(double));
	future = dl_alloc((size_t) h * sizeof(double));
	point = dl_alloc((size_t) h * sizeof(double));
	se = dl_alloc((size_t) h * sizeof(double));

	/* thetaf falls back to no adjustment when an index is below 1e-4 */
	seasonal = seasonal_adjust(y, n, m, h, theta_seasonal_test(y, n, m), 1e-4,
							   adjusted, future);

	/*
	 * Centre before fitting: SES is shift-equivariant and the sums of
	 * squares lose less to cancellation around zero.
	 */
	{
		double		shift = adjusted[n - 1];
		double		slope = trend_slope(adjusted, n);

		for (i = 0; i < n; i++)
			adjusted[i] -= shift;
		ses_fit(adjusted, n, &alpha, &l0, &sse, &level);
		l0 += shift;
		level += shift;
		drift = slope / 2.0;
	}
	/* ets: sigma2 = SSE / (n - number of parameters), here alpha and l0 */
	sigma2 = n > 2 ? sse / (n - 2) : sse;
	if (alpha < 1e-10)
		alpha = 1e-10;

	/*
	 * Hyndman & Billah (2003): the Theta forecast is SES plus half the
	 * trend slope times h - 1 + (1 - (1 - alpha)^n) / alpha.
	 */
	start = (1.0 - pow(1.0 - alpha, n)) / alpha;
	for (i = 0; i < h; i++)
	{
		point[i] = level + drift * ((double) i + start);
		se[i] = sqrt(sigma2 * (1.0 + (double) i * alpha * alpha));
	}

	/*
	 * thetaf() reseasonalises the point forecast and puts the SES standard
	 * error, unscaled, around it.
	 */
	write_forecast(point, se, future, false, h, levels, n_levels, mean, lower, upper);
	if (info != NULL)
	{
		info->seasonal = seasonal;
		info->sigma2 = sigma2;
		info->drift = drift;
		info->alpha = alpha;
		info->initial_level = l0;
		info->final_level = level;
	}
	dl_free(adjusted);
	dl_free(future);
	dl_free(point);
	dl_free(se);
	return FB_OK;
}
