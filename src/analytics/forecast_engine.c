/*
 * forecast_engine.c
 *		Method dispatch, seasonal periods, scaling and 'auto' selection for
 *		datalayer's forecasting functions.
 *
 * A series whose mean absolute value lies outside 1e-3 .. 1e9 is divided
 * by the power of ten nearest that mean, so that huge and tiny magnitudes
 * meet the optimisers at the scale their bounds and step sizes assume; the
 * forecasts are scaled back at the end.  Series of ordinary magnitude are
 * fitted as they are (the optimisers, like R's, are not scale invariant, and
 * results should match R's on the same data).
 *
 * 'auto' goes by the seasonality found.  A seasonal series is forecast by
 * automatic ARIMA: a seasonal model for one period of at most 24 steps;
 * otherwise (hourly data with daily and weekly cycles) MSTL takes the
 * seasonal components out, ARIMA forecasts the adjusted series and each
 * component continues its last cycle.  A series without seasonality gets
 * the mean of ETS, ARIMA and Theta, each chosen automatically.  On the M4
 * data these rules beat choosing among the methods on a holdout
 * (docs/benchmarks.md has the figures).
 */
#include "util/portable.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analytics/arima.h"
#include "analytics/ets.h"
#include "analytics/forecast_baselines.h"
#include "analytics/forecast_engine.h"
#include "analytics/forecast_stats.h"
#include "analytics/seasonality.h"
#include "analytics/stl.h"

static const char *const method_names[] = {
	[FC_AUTO] = "auto",
	[FC_NAIVE] = "naive",
	[FC_SNAIVE] = "snaive",
	[FC_DRIFT] = "drift",
	[FC_THETA] = "theta",
	[FC_ETS] = "ets",
	[FC_ARIMA] = "arima",
	[FC_MSTL] = "mstl",
	[FC_MSTL_ARIMA] = "mstl_arima",
	[FC_COMBINED] = "combined",
	[FC_CONSTANT] = "constant",
};

const char *
fc_method_name(FcMethod method)
{
	if ((int) method < 0 || method > FC_CONSTANT)
		return "unknown";
	return method_names[method];
}

bool
fc_method_parse(const char *name, FcMethod *method)
{
	int			i;

	for (i = FC_AUTO; i < FC_CONSTANT; i++)
		if (strcmp(name, method_names[i]) == 0)
		{
			*method = (FcMethod) i;
			return true;
		}
	return false;
}

void
fc_request_init(FcRequest *req)
{
	memset(req, 0, sizeof(*req));
	req->method = FC_AUTO;
	req->n_periods = -1;
	req->damped = -1;
	req->seed = 42;
}

void
fc_result_free(FcResult *result)
{
	dl_free(result->mean);
	dl_free(result->lower);
	dl_free(result->upper);
	dl_free(result->fitted);
	result->mean = result->lower = result->upper = result->fitted = NULL;
}

/* ------------------------------------------------------------ one method */

/* What one method produced on (scaled) data. */
typedef struct MethodOut
{
	double	   *mean;			/* h */
	double	   *lower;			/* n_levels x h */
	double	   *upper;
	double	   *fitted;			/* n one-step fitted values, or NULL */
	char		model[FC_MODEL_LEN];
	char		note[200];
	double		loglik,
				aic,
				aicc,
				bic;
	int			lik_n;			/* observations in the likelihood */
	int			n_params;
	char		param_names[16][16];
	double		param_values[16];
	bool		ok;
} MethodOut;

typedef struct Problem
{
	const double *y;			/* scaled */
	int			n;
	int			h;
	const double *levels;
	int			n_levels;
	const int  *periods;
	int			n_periods;
	const char *ets_model;
	int			damped;
	uint64_t	seed;
} Problem;

static void
out_init(MethodOut *out, const Problem *p)
{
	memset(out, 0, sizeof(*out));
	out->mean = dl_alloc0(sizeof(double) * p->h);
	out->lower = dl_alloc0(sizeof(double) * p->h * (p->n_levels > 0 ? p->n_levels : 1));
	out->upper = dl_alloc0(sizeof(double) * p->h * (p->n_levels > 0 ? p->n_levels : 1));
	out->loglik = out->aic = out->aicc = out->bic = NAN;
}

static void
out_free(MethodOut *out)
{
	dl_free(out->mean);
	dl_free(out->lower);
	dl_free(out->upper);
	dl_free(out->fitted);
	out->mean = out->lower = out->upper = out->fitted = NULL;
}

static void
add_param(MethodOut *out, const char *name, double value)
{
	if (out->n_params >= 16)
		return;
	snprintf(out->param_names[out->n_params], sizeof(out->param_names[0]), "%s", name);
	out->param_values[out->n_params++] = value;
}

static const char *
ets_status_text(EtsStatus status)
{
	switch (status)
	{
		case ETS_OK:
			return "ok";
		case ETS_TOO_SHORT:
			return "too few observations for the model's parameters";
		case ETS_NOT_POSITIVE:
			return "a multiplicative component needs positive data";
		case ETS_FORBIDDEN:
			return "the model is not an admissible combination";
		case ETS_BAD_PERIOD:
			return "the seasonal period is outside 2 to 24";
		case ETS_NO_FIT:
			return "no admissible parameters were found";
	}
	return "unknown";
}

/* ETS on y (period 1 or one period <= ETS_MAX_PERIOD), pattern as ets(). */
static bool
fit_ets(const double *y, int n, int period, const char *pattern, int damped,
		const Problem *p, MethodOut *out)
{
	EtsFit		fit;
	EtsStatus	st;
	char		name[32];

	st = ets_fit_auto(y, n, period, pattern, damped, false, &fit);
	if (st != ETS_OK && pattern[2] != 'N' && period > 1)
	{
		/* a seasonal model did not fit (too short for the states): go on
		 * without a season, as ets() does for short series */
		char		p2[4];

		memcpy(p2, pattern, 3);
		p2[2] = 'N';
		p2[3] = '\0';
		st = ets_fit_auto(y, n, 1, p2, damped, false, &fit);
		if (st == ETS_OK)
			snprintf(out->note, sizeof(out->note),
					 "too short for a seasonal model of period %d: fitted without a season", period);
	}
	if (st != ETS_OK)
	{
		snprintf(out->note, sizeof(out->note), "ETS: %s", ets_status_text(st));
		return false;
	}
	ets_forecast(&fit, p->h, p->levels, p->n_levels, p->seed, 2000,
				 out->mean, out->lower, out->upper);
	out->fitted = dl_alloc(sizeof(double) * n);
	ets_fitted_values(&fit, y, n, out->fitted);
	ets_model_name(&fit.spec, name, sizeof(name));
	snprintf(out->model, sizeof(out->model), "%s", name);
	out->loglik = fit.loglik;
	out->aic = fit.aic;
	out->aicc = fit.aicc;
	out->bic = fit.bic;
	out->lik_n = n;
	add_param(out, "alpha", fit.alpha);
	if (fit.spec.trend != ETS_NONE)
		add_param(out, "beta", fit.beta);
	if (fit.spec.season != ETS_NONE)
		add_param(out, "gamma", fit.gamma);
	if (fit.spec.damped)
		add_param(out, "phi", fit.phi);
	out->ok = true;
	return true;
}

/* the periods ETS and ARIMA can model themselves: one, of at most 24 */
static bool
single_short_period(const Problem *p)
{
	return p->n_periods == 1 && p->periods[0] <= ETS_MAX_PERIOD;
}

/*
 * Seasonal naive continuation of each MSTL seasonal component added to a
 * forecast of the adjusted series (as stlf() does).  Unlike stlf(), the
 * intervals also carry the uncertainty of that continuation: each component
 * is treated as a seasonal random walk whose per-cycle change has the
 * variance of s[t] - s[t - period] in the sample, so j cycles ahead add j
 * times that variance to each side of the model's interval.
 */
static void
add_seasonal_naive(const MstlResult *m, int n, int h, const double *levels, int n_levels,
				   double *mean, double *lower, double *upper)
{
	int			k,
				t,
				l;
	double		cycle_var[FC_MAX_PERIODS];

	for (k = 0; k < m->n_periods; k++)
	{
		int			period = m->periods[k];
		double		ss = 0;

		for (t = period; t < n; t++)
		{
			double		d = m->seasonal[k][t] - m->seasonal[k][t - period];

			ss += d * d;
		}
		cycle_var[k] = n > period ? ss / (n - period) : 0.0;
	}
	for (l = 0; l < n_levels; l++)
	{
		double		z = forecast_normal_quantile(0.5 + levels[l] / 200.0);

		if (!(z > 0))
			continue;
		for (t = 0; t < h; t++)
		{
			double		extra = 0,
						lo = mean[t] - lower[l * h + t],
						hi = upper[l * h + t] - mean[t];

			for (k = 0; k < m->n_periods; k++)
				extra += (double) (t / m->periods[k] + 1) * cycle_var[k];
			lower[l * h + t] = mean[t] - z * sqrt(lo * lo / (z * z) + extra);
			upper[l * h + t] = mean[t] + z * sqrt(hi * hi / (z * z) + extra);
		}
	}
	for (k = 0; k < m->n_periods; k++)
	{
		int			period = m->periods[k];

		for (t = 0; t < h; t++)
		{
			double		s = m->seasonal[k][n - period + (t % period)];

			mean[t] += s;
			for (l = 0; l < n_levels; l++)
			{
				lower[l * h + t] += s;
				upper[l * h + t] += s;
			}
		}
	}
}

typedef enum AdjustedModel
{
	ADJ_ETS,
	ADJ_ARIMA,
	ADJ_THETA
} AdjustedModel;

static bool fit_arima(const double *y, int n, int period, const Problem *p, MethodOut *out);
static bool fit_theta(const double *y, int n, int period, const Problem *p, MethodOut *out);

/* MSTL, a non-seasonal model of the adjusted series, seasonal naive on top */
static bool
fit_mstl(const Problem *p, AdjustedModel model, MethodOut *out)
{
	MstlResult	m;
	double	   *adjusted;
	bool		ok;
	int			k,
				t;
	char		inner[FC_MODEL_LEN];

	if (p->n_periods == 0)
		return false;
	mstl_decompose(p->y, p->n, p->periods, p->n_periods, NULL, 2, &m);
	if (m.n_periods == 0)
	{
		mstl_free(&m);
		return false;
	}
	adjusted = dl_alloc(sizeof(double) * p->n);
	for (t = 0; t < p->n; t++)
	{
		adjusted[t] = p->y[t];
		for (k = 0; k < m.n_periods; k++)
			adjusted[t] -= m.seasonal[k][t];
	}
	if (model == ADJ_ARIMA)
		ok = fit_arima(adjusted, p->n, 1, p, out);
	else if (model == ADJ_THETA)
		ok = fit_theta(adjusted, p->n, 1, p, out);
	else
		ok = fit_ets(adjusted, p->n, 1, "ZZN", p->damped, p, out);
	if (ok)
	{
		add_seasonal_naive(&m, p->n, p->h, p->levels, p->n_levels, out->mean, out->lower, out->upper);
		if (out->fitted != NULL)
			for (t = 0; t < p->n; t++)
				for (k = 0; k < m.n_periods; k++)
					out->fitted[t] += m.seasonal[k][t];
		snprintf(inner, sizeof(inner), "%s", out->model);
		{
			char		plist[40] = "";
			int			len = 0;

			for (k = 0; k < m.n_periods; k++)
				len += snprintf(plist + len, sizeof(plist) - len, "%s%d", k ? "," : "", m.periods[k]);
			/* the inner name cut to what fits after "STL(<= 39 chars) + " */
			snprintf(out->model, sizeof(out->model), "STL(%s) + %.190s", plist, inner);
		}
	}
	dl_free(adjusted);
	mstl_free(&m);
	return ok;
}

/* ar1.., ma1.., sar1.., sma1.., then mean or drift: the order arima.h keeps */
static void
arima_name_coefficients(const ArimaFit *fit, MethodOut *out)
{
	const ArimaOrder *o = &fit->order;
	int			k = 0,
				i;
	char		name[16];

	for (i = 1; i <= o->p; i++, k++)
	{
		snprintf(name, sizeof(name), "ar%d", i);
		add_param(out, name, fit->coef[k]);
	}
	for (i = 1; i <= o->q; i++, k++)
	{
		snprintf(name, sizeof(name), "ma%d", i);
		add_param(out, name, fit->coef[k]);
	}
	for (i = 1; i <= o->P; i++, k++)
	{
		snprintf(name, sizeof(name), "sar%d", i);
		add_param(out, name, fit->coef[k]);
	}
	for (i = 1; i <= o->Q; i++, k++)
	{
		snprintf(name, sizeof(name), "sma%d", i);
		add_param(out, name, fit->coef[k]);
	}
	if (fit->has_constant && k < fit->ncoef)
		add_param(out, fit->is_drift ? "drift" : "mean", fit->coef[k]);
	add_param(out, "sigma2", fit->sigma2);
}

static bool
fit_arima(const double *y, int n, int period, const Problem *p, MethodOut *out)
{
	ArimaFit	fit;
	ArimaStatus st;
	int			i;
	double	   *resid;

	dl_check_interrupts();
	st = arima_auto(y, n, period <= ARIMA_MAX_SEASONAL_PERIOD ? period : 1, &fit);
	if (st != ARIMA_OK)
	{
		snprintf(out->note, sizeof(out->note), "ARIMA: %s",
				 st == ARIMA_TOO_SHORT ? "too few observations" : "no admissible model was found");
		if (st == ARIMA_NOT_ADMISSIBLE)
			arima_free(&fit);
		return false;
	}
	arima_forecast(&fit, p->h, p->levels, p->n_levels, out->mean, out->lower, out->upper);
	arima_model_name(&fit, out->model, sizeof(out->model));
	out->loglik = fit.loglik;
	out->aic = fit.aic;
	out->aicc = fit.aicc;
	out->bic = fit.bic;
	out->lik_n = fit.nobs;
	arima_name_coefficients(&fit, out);
	resid = dl_alloc(sizeof(double) * n);
	if (arima_residuals(&fit, resid))
	{
		/*
		 * arima_residuals() gives the standardised innovations of the
		 * differenced series, which start after the first d + D*m values
		 * (those only start the differencing: no fitted value, left out of
		 * in-sample accuracy).  They are already on the data's scale: the
		 * filter's variances F_t are relative to sigma2, which is
		 * concentrated out of the likelihood, so e_t / sqrt(F_t) is the
		 * one-step error itself once the filter has reached its steady
		 * state (F_t = 1) and slightly shrunk before.  That is what R's
		 * residuals() of an Arima fit are, and y - them its fitted().
		 * (Multiplying by sigma again, as this once did, put the fitted
		 * values far off for any series whose sigma is not near 1.)
		 */
		int			start = fit.order.d + fit.order.D * fit.order.period;

		out->fitted = dl_alloc(sizeof(double) * n);
		for (i = 0; i < n; i++)
			out->fitted[i] = (i < start || i - start >= fit.nobs) ? NAN : y[i] - resid[i - start];
		dl_free(resid);
	}
	else
		dl_free(resid);
	arima_free(&fit);
	out->ok = true;
	return true;
}

static bool
fit_theta(const double *y, int n, int period, const Problem *p, MethodOut *out)
{
	FbInfo		theta;

	if (fb_theta(y, n, period, p->h, p->levels, p->n_levels, out->mean, out->lower, out->upper, &theta) != FB_OK)
	{
		snprintf(out->note, sizeof(out->note), "Theta: too few observations");
		return false;
	}
	if (theta.seasonal)
		snprintf(out->model, sizeof(out->model), "Theta (seasonally adjusted, period %d)", period);
	else
		snprintf(out->model, sizeof(out->model), "Theta");
	add_param(out, "alpha", theta.alpha);
	add_param(out, "drift", theta.drift);

	/*
	 * One-step fitted values are those of the simple exponential smoothing
	 * inside Theta (the drift only enters the forecasts), on the seasonally
	 * adjusted series and multiplied back by the same classical indices.
	 */
	{
		double	   *index = NULL;
		double		level = theta.initial_level;
		int			t;

		if (theta.seasonal)
		{
			index = dl_alloc(sizeof(double) * period);
			if (!fb_classical_indices(y, n, period, index))
			{
				dl_free(index);
				index = NULL;
			}
		}
		if (!theta.seasonal || index != NULL)
		{
			out->fitted = dl_alloc(sizeof(double) * n);
			for (t = 0; t < n; t++)
			{
				double		f = index ? index[t % period] : 1.0;

				out->fitted[t] = level * f;
				level = theta.alpha * (y[t] / f) + (1 - theta.alpha) * level;
			}
		}
		dl_free(index);
	}
	out->ok = true;
	return true;
}

static int
first_period(const Problem *p)
{
	return p->n_periods > 0 ? p->periods[0] : 1;
}

/* mean of members' forecasts and bounds: members have the same shape */
static void
average_into(MethodOut *acc, const MethodOut *members, int count, const Problem *p)
{
	int			i,
				t,
				total = p->h * p->n_levels;

	for (t = 0; t < p->h; t++)
	{
		double		s = 0;

		for (i = 0; i < count; i++)
			s += members[i].mean[t];
		acc->mean[t] = s / count;
	}
	for (t = 0; t < total; t++)
	{
		double		lo = 0,
					hi = 0;

		for (i = 0; i < count; i++)
		{
			lo += members[i].lower[t];
			hi += members[i].upper[t];
		}
		acc->lower[t] = lo / count;
		acc->upper[t] = hi / count;
	}
}

static bool run_method(FcMethod method, const Problem *p, MethodOut *out);

/* ETS, ARIMA and Theta (each MSTL-based when the season needs it), averaged */
static bool
fit_combined(const Problem *p, MethodOut *out)
{
	MethodOut	members[3];
	FcMethod	kinds[3] = {FC_ETS, FC_ARIMA, FC_THETA};
	int			count = 0,
				i,
				len = 0;

	for (i = 0; i < 3; i++)
	{
		out_init(&members[count], p);
		if (run_method(kinds[i], p, &members[count]))
			count++;
		else
			out_free(&members[count]);
	}
	if (count == 0)
		return false;
	average_into(out, members, count, p);
	/* in-sample fitted values: the members' mean, when all have them */
	for (i = 0; i < count && members[i].fitted != NULL; i++)
		;
	if (i == count)
	{
		int			t;

		out->fitted = dl_alloc0(sizeof(double) * p->n);
		for (t = 0; t < p->n; t++)
		{
			for (i = 0; i < count; i++)
				out->fitted[t] += members[i].fitted[t];
			out->fitted[t] /= count;
		}
	}
	len = snprintf(out->model, sizeof(out->model), "mean of ");
	for (i = 0; i < count; i++)
	{
		len += snprintf(out->model + len, sizeof(out->model) - len, "%s%s", i ? ", " : "", members[i].model);
		if (len >= (int) sizeof(out->model))
			break;
	}
	for (i = 0; i < count; i++)
		out_free(&members[i]);
	out->ok = true;
	return true;
}

static bool
run_method(FcMethod method, const Problem *p, MethodOut *out)
{
	int			m = first_period(p);

	dl_check_interrupts();
	switch (method)
	{
		case FC_NAIVE:
			fb_naive(p->y, p->n, p->h, p->levels, p->n_levels, out->mean, out->lower, out->upper, NULL);
			snprintf(out->model, sizeof(out->model), "naive");
			return out->ok = true;
		case FC_SNAIVE:
			if (m < 2 || p->n < m + 1)
			{
				fb_naive(p->y, p->n, p->h, p->levels, p->n_levels, out->mean, out->lower, out->upper, NULL);
				snprintf(out->model, sizeof(out->model), "naive");
				snprintf(out->note, sizeof(out->note), "no seasonal period with a full cycle: seasonal naive is naive");
			}
			else
			{
				fb_seasonal_naive(p->y, p->n, m, p->h, p->levels, p->n_levels, out->mean, out->lower, out->upper, NULL);
				snprintf(out->model, sizeof(out->model), "seasonal naive (period %d)", m);
			}
			return out->ok = true;
		case FC_DRIFT:
			{
				FbInfo		info;

				fb_drift(p->y, p->n, p->h, p->levels, p->n_levels, out->mean, out->lower, out->upper, &info);
				snprintf(out->model, sizeof(out->model), "drift");
				add_param(out, "drift", info.drift);
			}
			return out->ok = true;
		case FC_THETA:
			if (p->n_periods > 1 || m > ETS_MAX_PERIOD)
				return fit_mstl(p, ADJ_THETA, out);
			return fit_theta(p->y, p->n, m, p, out);
		case FC_ETS:
			if (p->n_periods == 0)
				return fit_ets(p->y, p->n, 1, p->ets_model ? p->ets_model : "ZZN", p->damped, p, out);
			if (single_short_period(p))
				return fit_ets(p->y, p->n, m, p->ets_model ? p->ets_model : "ZZZ", p->damped, p, out);
			return fit_mstl(p, ADJ_ETS, out);
		case FC_ARIMA:
			/* seasonal ARIMA beyond period 24 costs much and gains little */
			if (p->n_periods > 1 || m > ETS_MAX_PERIOD)
				return fit_mstl(p, ADJ_ARIMA, out);
			return fit_arima(p->y, p->n, m, p, out);
		case FC_MSTL:
			if (p->n_periods == 0)
			{
				snprintf(out->note, sizeof(out->note), "no seasonal period: MSTL is plain ETS");
				return fit_ets(p->y, p->n, 1, "ZZN", p->damped, p, out);
			}
			return fit_mstl(p, ADJ_ETS, out);
		case FC_MSTL_ARIMA:
			if (p->n_periods == 0)
			{
				snprintf(out->note, sizeof(out->note), "no seasonal period: MSTL + ARIMA is plain ARIMA");
				return fit_arima(p->y, p->n, 1, p, out);
			}
			return fit_mstl(p, ADJ_ARIMA, out);
		case FC_COMBINED:
			return fit_combined(p, out);
		case FC_AUTO:
		case FC_CONSTANT:
			break;
	}
	return false;
}

/* ------------------------------------------------------------- accuracy */

/*
 * One-step fitted values of the benchmark methods on the original scale, as
 * R's fitted() gives them: the previous value (naive), the value one season
 * back (seasonal naive, which is naive when there is no full season, as in
 * run_method), the previous value plus the mean step (drift).  Computed
 * only for callers that ask (want_fitted) and kept out of the in-sample
 * accuracy, which has always been reported for fitted models only.
 */
static void
baseline_fitted(FcMethod method, const double *y, int n, int period, double *fitted)
{
	int			lag = 1,
				t;
	double		step = 0;

	if (method == FC_SNAIVE && period >= 2 && n >= period + 1)
		lag = period;
	if (method == FC_DRIFT && n > 1)
		step = (y[n - 1] - y[0]) / (n - 1);
	for (t = 0; t < n; t++)
		fitted[t] = t < lag ? NAN : y[t - lag] + step;
}

/* in-sample mean absolute seasonal difference (MASE's scale) */
static double
mase_scale(const double *y, int n, int m)
{
	double		s = 0;
	int			t;

	if (m < 1 || n <= m)
		m = 1;
	if (n <= m)
		return NAN;
	for (t = m; t < n; t++)
		s += fabs(y[t] - y[t - m]);
	return s / (n - m);
}

/* ------------------------------------------------------------- periods */

int
fc_detect_periods(const double *y, int n, int *periods, double *strength)
{
	int			found[FC_MAX_PERIODS];
	int			count,
				kept = 0,
				k;
	MstlResult	m;

	count = seasonality_detect_periods(y, n, FC_MAX_PERIODS, found);
	for (k = 0; k < count; k++)
		if (found[k] >= 2 && n >= 2 * found[k])
			periods[kept++] = found[k];
	if (kept == 0)
		return 0;
	mstl_decompose(y, n, periods, kept, NULL, 2, &m);
	for (k = 0; k < m.n_periods; k++)
	{
		periods[k] = m.periods[k];
		if (strength != NULL)
			strength[k] = seasonality_strength(m.seasonal[k], m.remainder, n);
	}
	kept = m.n_periods;
	mstl_free(&m);
	return kept;
}

/* ------------------------------------------------------------- 'auto' */

/*
 * 'auto' checks its intervals on a holdout, the way split conformal
 * prediction does: the method is refitted without the last H values, and
 * the 80th percentile of |error| / (the model's standard deviation) over
 * those H steps, divided by its value for normal errors (1.2816), says how
 * much the model understates its uncertainty, tails included.  Intervals are widened by that factor
 * (never narrowed, at most 3 times).  Returns the factor applied.
 */
static double
calibrate_intervals(FcMethod method, const Problem *p, MethodOut *out)
{
	Problem		train = *p;
	MethodOut	o;
	double		level = 80.0;
	double		z = forecast_normal_quantile(0.9);
	double	   *ratio;
	int			h = p->h,
				count = 0,
				longest = p->n_periods > 0 ? p->periods[p->n_periods - 1] : 1,
				t,
				l;
	double		factor = 1.0;

	if (h > p->n / 5)
		h = p->n / 5;
	if (h < 4 || p->n - h < 2 * longest + 10 || p->n_levels == 0)
		return 1.0;
	train.n = p->n - h;
	train.h = h;
	train.levels = &level;
	train.n_levels = 1;
	out_init(&o, &train);
	if (!run_method(method, &train, &o))
	{
		out_free(&o);
		return 1.0;
	}
	ratio = dl_alloc(sizeof(double) * h);
	for (t = 0; t < h; t++)
	{
		double		sd = (o.upper[t] - o.lower[t]) / (2 * z);

		if (sd > 0 && isfinite(sd))
			ratio[count++] = fabs(p->y[train.n + t] - o.mean[t]) / sd;
	}
	if (count >= 4)
	{
		/* sorted by insertion: h is small */
		for (t = 1; t < count; t++)
		{
			double		v = ratio[t];
			int			k = t;

			for (; k > 0 && ratio[k - 1] > v; k--)
				ratio[k] = ratio[k - 1];
			ratio[k] = v;
		}
		factor = ratio[(int) ceil(0.8 * count) - 1] / z;
		factor = fmin(fmax(factor, 1.0), 3.0);
	}
	dl_free(ratio);
	out_free(&o);
	if (factor > 1.0)
		for (l = 0; l < p->n_levels; l++)
			for (t = 0; t < p->h; t++)
			{
				int			i = l * p->h + t;

				out->lower[i] = out->mean[t] - factor * (out->mean[t] - out->lower[i]);
				out->upper[i] = out->mean[t] + factor * (out->upper[i] - out->mean[t]);
			}
	return factor;
}

FcMethod
fc_auto_method(int n_periods)
{
	return n_periods > 0 ? FC_MSTL_ARIMA : FC_COMBINED;
}

/* ------------------------------------------------------------- entry point */

static FcStatus
fail(FcResult *result, FcStatus status, const char *message)
{
	result->status = status;
	snprintf(result->message, sizeof(result->message), "%s", message);
	return status;
}

FcStatus
fc_forecast(const FcRequest *req, FcResult *result)
{
	double	   *y;
	double		scale = 0,
				lo,
				hi;
	int			i,
				t,
				nl = req->n_levels;
	Problem		p;
	MethodOut	out;
	FcMethod	method = req->method;
	int			periods[FC_MAX_PERIODS];
	int			n_periods = 0;
	bool		calibrate = false;

	memset(result, 0, sizeof(*result));
	result->loglik = result->aic = result->aicc = result->bic = NAN;
	result->mae = result->rmse = result->mase = NAN;
	result->interval_factor = 1.0;

	if (req->n < FC_MIN_POINTS)
		return fail(result, FC_ERR_TOO_SHORT, "a forecast needs at least 3 values");
	if (req->horizon < 1 || req->horizon > FC_MAX_HORIZON)
		return fail(result, FC_ERR_HORIZON, "the horizon must be between 1 and 100000 steps");
	if (nl < 0 || nl > FC_MAX_LEVELS)
		return fail(result, FC_ERR_LEVEL, "at most 16 levels can be asked for");
	for (i = 0; i < nl; i++)
		if (!(req->levels[i] > 0 && req->levels[i] < 100))
			return fail(result, FC_ERR_LEVEL, "levels are percentages strictly between 0 and 100");
	if (req->ets_model != NULL)
	{
		const char *m = req->ets_model;

		if (strlen(m) != 3 || strchr("AMZ", m[0]) == NULL || strchr("NAMZ", m[1]) == NULL ||
			strchr("NAMZ", m[2]) == NULL)
			return fail(result, FC_ERR_MODEL, "an ETS model is three letters: error A, M or Z; trend N, A, M or Z; season N, A, M or Z");
	}
	lo = hi = req->y[0];
	for (i = 0; i < req->n; i++)
	{
		if (!isfinite(req->y[i]))
			return fail(result, FC_ERR_NOT_FINITE, "the series has an infinite or NaN value");
		lo = fmin(lo, req->y[i]);
		hi = fmax(hi, req->y[i]);
		scale += fabs(req->y[i]);
	}
	scale /= req->n;
	if (scale >= 1e-3 && scale <= 1e9)
		scale = 1.0;
	else
		scale = pow(10.0, round(log10(scale)));

	if (req->n_periods >= 0)
	{
		if (req->n_periods > FC_MAX_PERIODS)
			return fail(result, FC_ERR_PERIOD, "at most 4 seasonal periods can be given");
		for (i = 0; i < req->n_periods; i++)
		{
			if (req->periods[i] < 2)
				return fail(result, FC_ERR_PERIOD, "a seasonal period is at least 2 steps");
			if (req->n >= 2 * req->periods[i])
				periods[n_periods++] = req->periods[i];
			else
				snprintf(result->message, sizeof(result->message),
						 "period %d dropped: the series has fewer than two full cycles", req->periods[i]);
		}
		/* ascending, distinct */
		for (i = 1; i < n_periods; i++)
			for (t = i; t > 0 && periods[t - 1] > periods[t]; t--)
			{
				int			tmp = periods[t];

				periods[t] = periods[t - 1];
				periods[t - 1] = tmp;
			}
	}

	result->mean = dl_alloc0(sizeof(double) * req->horizon);
	result->lower = dl_alloc0(sizeof(double) * req->horizon * (nl > 0 ? nl : 1));
	result->upper = dl_alloc0(sizeof(double) * req->horizon * (nl > 0 ? nl : 1));

	/* a constant series: every method agrees, and the intervals are empty */
	if (hi - lo <= 1e-12 * fmax(fabs(hi), fabs(lo)) || hi == lo)
	{
		for (t = 0; t < req->horizon; t++)
			result->mean[t] = req->y[req->n - 1];
		for (t = 0; t < req->horizon * nl; t++)
			result->lower[t] = result->upper[t] = req->y[req->n - 1];
		result->method = FC_CONSTANT;
		snprintf(result->model, sizeof(result->model), "constant");
		snprintf(result->message, sizeof(result->message), "the series is constant: so is its forecast");
		result->mae = result->rmse = 0;
		result->n_periods = 0;
		if (req->want_fitted)
		{
			result->fitted = dl_alloc(sizeof(double) * req->n);
			for (t = 0; t < req->n; t++)
				result->fitted[t] = req->y[0];
		}
		return FC_OK;
	}

	y = dl_alloc(sizeof(double) * req->n);
	for (i = 0; i < req->n; i++)
		y[i] = req->y[i] / scale;

	if (req->n_periods < 0)
	{
		n_periods = fc_detect_periods(y, req->n, periods, result->strength);
		result->periods_detected = true;
	}
	else if (n_periods > 0)
	{
		MstlResult	m;

		mstl_decompose(y, req->n, periods, n_periods, NULL, 2, &m);
		for (i = 0; i < m.n_periods; i++)
			result->strength[i] = seasonality_strength(m.seasonal[i], m.remainder, req->n);
		mstl_free(&m);
	}
	memcpy(result->periods, periods, sizeof(int) * n_periods);
	result->n_periods = n_periods;

	p.y = y;
	p.n = req->n;
	p.h = req->horizon;
	p.levels = req->levels;
	p.n_levels = nl;
	p.periods = periods;
	p.n_periods = n_periods;
	p.ets_model = req->ets_model;
	p.damped = req->damped;
	p.seed = req->seed;

	if (method == FC_AUTO)
	{
		method = fc_auto_method(p.n_periods);
		calibrate = true;
	}

	out_init(&out, &p);
	if (!run_method(method, &p, &out))
	{
		/* the method cannot fit these data: fall back to what always works */
		char		why[200];

		snprintf(why, sizeof(why), "%s", out.note[0] ? out.note : "the method did not fit");
		out_free(&out);
		if (req->method != FC_AUTO)
		{
			dl_free(y);
			fc_result_free(result);
			return fail(result, FC_ERR_METHOD, why);
		}
		out_init(&out, &p);
		method = n_periods > 0 ? FC_SNAIVE : FC_NAIVE;
		run_method(method, &p, &out);
		snprintf(out.note, sizeof(out.note), "%.170s; fell back to %s", why, fc_method_name(method));
		calibrate = false;
	}
	if (calibrate)
		result->interval_factor = calibrate_intervals(method, &p, &out);

	/* back to the original scale */
	for (t = 0; t < p.h; t++)
		result->mean[t] = out.mean[t] * scale;
	for (t = 0; t < p.h * nl; t++)
	{
		double		a = out.lower[t] * scale,
					b = out.upper[t] * scale;

		/* simulated bounds can cross the mean by rounding: keep them ordered */
		result->lower[t] = fmin(a, result->mean[t % p.h]);
		result->upper[t] = fmax(b, result->mean[t % p.h]);
	}
	result->method = method;
	snprintf(result->model, sizeof(result->model), "%s", out.model);
	if (out.note[0])
		snprintf(result->message, sizeof(result->message), "%s", out.note);
	result->n_params = out.n_params;
	memcpy(result->param_names, out.param_names, sizeof(out.param_names));
	memcpy(result->param_values, out.param_values, sizeof(out.param_values));
	if (isfinite(out.loglik))
	{
		/* the likelihood of y / scale: shift it to the data's own scale */
		double		shift = out.lik_n * log(scale);

		result->loglik = out.loglik - shift;
		result->aic = out.aic + 2 * shift;
		result->aicc = out.aicc + 2 * shift;
		result->bic = out.bic + 2 * shift;
	}
	if (out.fitted != NULL)
	{
		double		sa = 0,
					ss = 0,
					ms = mase_scale(req->y, req->n, first_period(&p));
		int			cnt = 0;

		for (t = 0; t < p.n; t++)
		{
			double		e = req->y[t] - out.fitted[t] * scale;

			if (!isfinite(e))
				continue;
			sa += fabs(e);
			ss += e * e;
			cnt++;
		}
		if (cnt > 0)
		{
			result->mae = sa / cnt;
			result->rmse = sqrt(ss / cnt);
			result->mase = ms > 0 ? result->mae / ms : NAN;
		}
	}
	if (req->want_fitted)
	{
		if (out.fitted != NULL)
		{
			result->fitted = dl_alloc(sizeof(double) * p.n);
			for (t = 0; t < p.n; t++)
				result->fitted[t] = out.fitted[t] * scale;
		}
		else if (method == FC_NAIVE || method == FC_SNAIVE || method == FC_DRIFT)
		{
			result->fitted = dl_alloc(sizeof(double) * p.n);
			baseline_fitted(method, req->y, p.n, first_period(&p), result->fitted);
		}
	}
	/* nothing leaves here as NaN without a reason */
	for (t = 0; t < p.h; t++)
		if (!isfinite(result->mean[t]))
		{
			out_free(&out);
			dl_free(y);
			fc_result_free(result);
			return fail(result, FC_ERR_METHOD, "the model's forecast overflowed; try a simpler method");
		}
	out_free(&out);
	dl_free(y);
	result->status = FC_OK;
	return FC_OK;
}
