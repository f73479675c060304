/*
 * forecast_residuals.c
 *		Expected values, bands and anomaly scores from the one-step-ahead
 *		errors of a model fitted by the forecasting engine.
 *
 * The model is fitted once on the whole series (missing values linearly
 * interpolated, as the SQL grid does), so its one-step fitted values are
 * in-sample: each uses the data before the point, but the parameters were
 * estimated with the whole series, anomalies included.  A robust scale of
 * the errors then turns each error into a score.  How the method is chosen
 * for long series, and why, is in forecast_residuals.h.
 */
#include "util/portable.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analytics/forecast_engine.h"
#include "analytics/forecast_residuals.h"
#include "analytics/forecast_stats.h"

/* 1 / qnorm(0.75): makes the MAD of normal errors estimate their sd */
#define MAD_TO_SD 1.4826

/*
 * Errors below this fraction of the largest |y| are rounding, not signal: a
 * model that fits exactly (a line under drift or Holt, a pure cycle under
 * the seasonal naive) leaves errors of ~1e-15 relative, and a scale made of
 * those would turn the next rounding error into a huge score.
 */
#define SIGMA_FLOOR_RELATIVE 1e-10

FcMethod
fc_residual_method(FcMethod requested, int n, int n_periods)
{
	FcMethod	m = requested;

	if (m == FC_AUTO && n <= FC_RESIDUAL_ARIMA_MAX_POINTS)
		return fc_auto_method(n_periods);
	if (n > FC_RESIDUAL_ARIMA_MAX_POINTS &&
		(m == FC_AUTO || m == FC_ARIMA || m == FC_MSTL_ARIMA || m == FC_COMBINED))
		return n_periods > 0 ? FC_MSTL : FC_ETS;
	return m;
}

/*
 * Missing values become the straight line between their observed
 * neighbours; before the first and after the last observed value the
 * nearest observed value is carried.  Needs at least one observed value.
 */
static void
fill_missing(const double *y, int n, double *filled)
{
	int			prev = -1,
				t,
				k;

	for (t = 0; t < n; t++)
	{
		if (isnan(y[t]))
			continue;
		filled[t] = y[t];
		if (prev < 0)
			for (k = 0; k < t; k++)
				filled[k] = y[t];
		else
			for (k = prev + 1; k < t; k++)
				filled[k] = y[prev] + (y[t] - y[prev]) * (double) (k - prev) / (double) (t - prev);
		prev = t;
	}
	for (k = prev + 1; k < n; k++)
		filled[k] = y[prev];
}

static int
compare_doubles(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* median of x[0..n), n >= 1; sorts x */
static double
median_in_place(double *x, int n)
{
	qsort(x, n, sizeof(double), compare_doubles);
	return (n % 2) ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

/*
 * The scale of the one-step errors r[0..count).  The errors of the points
 * we are looking for are in the sample too: a single error of 20 sd among
 * 100 more than doubles the RMSE and would hide itself and its neighbours,
 * while the median absolute deviation ignores up to half of the sample
 * whatever their size.  1.4826 makes it the sd for normal errors.  The MAD
 * is 0 when more than half of the errors are exactly equal (a series that
 * mostly repeats its last value under naive, a step series): then the RMSE
 * is the only scale left that still sees the rare changes, which it then
 * scores by how rare they are.  Sorts r.
 */
static double
robust_scale(double *r, int count, bool *from_mad)
{
	double		med,
				ss = 0;
	int			i;

	*from_mad = false;
	if (count == 0)
		return 0;
	for (i = 0; i < count; i++)
		ss += r[i] * r[i];
	ss = sqrt(ss / count);
	med = median_in_place(r, count);
	for (i = 0; i < count; i++)
		r[i] = fabs(r[i] - med);
	med = median_in_place(r, count);
	if (med > 0)
	{
		*from_mad = true;
		return MAD_TO_SD * med;
	}
	return ss;
}

/* the fit, or FC_ERR_METHOD when there is no usable fitted value */
static FcStatus
fit_once(const double *y, int n, FcMethod method, const int *periods, int n_periods,
		 FcResult *res)
{
	FcRequest	req;
	FcStatus	st;
	int			t;

	fc_request_init(&req);
	req.y = y;
	req.n = n;
	req.horizon = 1;
	req.method = method;
	req.n_periods = n_periods;
	memcpy(req.periods, periods, sizeof(int) * n_periods);
	req.want_fitted = true;
	st = fc_forecast(&req, res);
	if (st != FC_OK)
		return st;
	if (res->fitted != NULL)
		for (t = 0; t < n; t++)
			if (isfinite(res->fitted[t]))
				return FC_OK;
	fc_result_free(res);
	return FC_ERR_METHOD;
}

FcStatus
fc_residual_band(const double *y, int n, FcMethod method, int period, double level,
				 double *expected, double *lower, double *upper, double *score,
				 char *model_out)
{
	return fc_residual_band_ex(y, n, method, period, level, expected, lower, upper,
							   score, model_out, NULL);
}

FcStatus
fc_residual_band_ex(const double *y, int n, FcMethod method, int period, double level,
					double *expected, double *lower, double *upper, double *score,
					char *model_out, FcResidualInfo *info)
{
	FcResidualInfo local;
	FcResult	res;
	FcStatus	st;
	FcMethod	chosen;
	double	   *filled,
			   *resid;
	double		z,
				sigma,
				largest = 0;
	int			periods[FC_MAX_PERIODS];
	int			n_periods = 0,
				observed = 0,
				count = 0,
				t;
	bool		from_mad;

	if (info == NULL)
		info = &local;
	memset(info, 0, sizeof(*info));
	info->sigma = NAN;

	if (y == NULL || n < FC_MIN_POINTS)
		return FC_ERR_TOO_SHORT;
	if (!(level > 0 && level < 100))
		return FC_ERR_LEVEL;
	if (period < 0)
		return FC_ERR_PERIOD;
	if ((int) method < 0 || method >= FC_CONSTANT)
		return FC_ERR_METHOD;
	for (t = 0; t < n; t++)
	{
		if (isnan(y[t]))
			continue;
		if (!isfinite(y[t]))
			return FC_ERR_NOT_FINITE;
		observed++;
		largest = fmax(largest, fabs(y[t]));
	}
	if (observed < FC_MIN_POINTS)
		return FC_ERR_TOO_SHORT;
	z = forecast_normal_quantile(0.5 + level / 200.0);

	filled = dl_alloc(sizeof(double) * n);
	fill_missing(y, n, filled);

	if (period == 0)
		n_periods = fc_detect_periods(filled, n, periods, NULL);
	else if (period >= 2 && n >= 2 * period)
		periods[n_periods++] = period;

	chosen = fc_residual_method(method, n, n_periods);
	if (chosen != method && method != FC_AUTO)
		snprintf(info->message, sizeof(info->message),
				 "%s is too slow on %d points: fitted %s instead",
				 fc_method_name(method), n, fc_method_name(chosen));
	else if (chosen != fc_auto_method(n_periods) && method == FC_AUTO)
		snprintf(info->message, sizeof(info->message),
				 "auto on %d points: %s instead of %s (ARIMA's order search is too slow past %d)",
				 n, fc_method_name(chosen), fc_method_name(fc_auto_method(n_periods)),
				 FC_RESIDUAL_ARIMA_MAX_POINTS);
	st = fit_once(filled, n, chosen, periods, n_periods, &res);
	if (st != FC_OK && chosen != FC_ETS)
	{
		snprintf(info->message, sizeof(info->message),
				 "%s gave no one-step fitted values: fitted ets instead",
				 fc_method_name(chosen));
		st = fit_once(filled, n, FC_ETS, periods, n_periods, &res);
	}
	if (st != FC_OK)
	{
		dl_free(filled);
		return st == FC_ERR_TOO_SHORT || st == FC_ERR_NOT_FINITE ? st : FC_ERR_METHOD;
	}

	/* the scale, from observed points only: interpolated ones fit too well */
	resid = dl_alloc(sizeof(double) * n);
	for (t = 0; t < n; t++)
		if (!isnan(y[t]) && isfinite(res.fitted[t]))
			resid[count++] = y[t] - res.fitted[t];
	sigma = robust_scale(resid, count, &from_mad);
	sigma = fmax(sigma, SIGMA_FLOOR_RELATIVE * largest);
	dl_free(resid);

	for (t = 0; t < n; t++)
	{
		double		f = res.fitted[t];
		double		s;

		if (!isfinite(f))
		{
			if (expected)
				expected[t] = NAN;
			if (lower)
				lower[t] = NAN;
			if (upper)
				upper[t] = NAN;
			if (score)
				score[t] = 0;
			continue;
		}
		if (expected)
			expected[t] = f;
		if (lower)
			lower[t] = f - z * sigma;
		if (upper)
			upper[t] = f + z * sigma;
		if (isnan(y[t]))
			s = NAN;
		else if (sigma > 0)
			s = fmin(fabs(y[t] - f) / sigma, FC_RESIDUAL_MAX_SCORE);
		else
			s = y[t] == f ? 0 : FC_RESIDUAL_MAX_SCORE;
		if (score)
			score[t] = s;
	}

	if (model_out)
		snprintf(model_out, FC_MODEL_LEN, "%s", res.model);
	info->method = res.method;
	snprintf(info->model, sizeof(info->model), "%s", res.model);
	info->sigma = sigma;
	info->sigma_from_mad = from_mad;
	info->n_periods = res.n_periods;
	memcpy(info->periods, res.periods, sizeof(res.periods));
	info->n_residuals = count;
	info->n_missing = n - observed;
	fc_result_free(&res);
	dl_free(filled);
	return FC_OK;
}
