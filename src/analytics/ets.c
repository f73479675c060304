/*
 * ets.c
 *		Exponential smoothing state space models: likelihood, estimation,
 *		selection and forecasting (see ets.h).
 *
 * The recursions are written in error-correction form, which is the same for
 * additive and multiplicative errors given the observation; the error type
 * only changes the likelihood (Hyndman et al. 2008, ch. 2).  Estimation
 * mirrors R's forecast::ets() (version 8.20) so that results can be checked
 * against it:
 *
 *	- the same starting values: R's initstate() (classical decomposition as
 *	  stats::decompose(), or a trend + first Fourier pair regression when
 *	  there are fewer than three seasons, then a regression line on the first
 *	  max(10, 2m) adjusted values) and initparam();
 *	- the same objective n log(SSE) [+ 2 sum log|yhat|], with R's guards
 *	  (a negative multiplicative slope or a NaN is infeasible, perfect fits
 *	  are capped at -1e10);
 *	- the same "both" parameter space: the usual bounds intersected with the
 *	  admissible region, the multiplicative seasonal states non-negative;
 *	- the same optimiser (R's Nelder-Mead, 2000 evaluations) over the
 *	  smoothing parameters and the initial states together;
 *	- the same candidate models, order and AICc selection as ets(y).
 *
 * The admissibility test for seasonal models needs every root of the
 * characteristic polynomial within 1 + 1e-10 of the origin (R calls
 * polyroot()); we run the Schur-Cohn recursion on the polynomial scaled by
 * that radius instead, O(m^2) per evaluation.
 *
 * The recursion keeps the seasonal states in a ring buffer (R copies all m
 * of them every step) and accumulates prod |yhat| with explicit exponent
 * bookkeeping instead of one log() per observation, which is what makes the
 * search over all models about twenty times faster than R's.
 *
 * Forecast variances are analytical for classes 1 to 3 of Hyndman et al.
 * (2008, ch. 6); the class 3 recursion (multiplicative error and season) is
 * R's class3() written with the Kronecker products applied as operators.
 * The multiplicative trend models are simulated.  Everything returned is
 * finite: forecasts that would overflow are clamped to +-1e300.
 */
#include "util/portable.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "analytics/ets.h"
#include "analytics/forecast_stats.h"
#include "analytics/nelder_mead.h"

#define ETS_TOL 1e-10
#define ETS_HUGE 1e10
#define ETS_PERFECT_FIT (-1e10)		/* R's cap on the objective */
#define ETS_FINITE_MAX 1e300		/* forecasts and bounds are clamped here */
#define ETS_DEFAULT_PATHS 5000		/* R's npaths */
#define ETS_MIN_PATHS 100
#define ETS_MAX_PATH_STEPS 5000000.0	/* simulation budget: paths x h */
#define ETS_PI 3.14159265358979323846
#define ETS_LN2 0.69314718055994530942

/* R's default bounds: alpha, beta, gamma in [1e-4, 0.9999], phi [0.8, 0.98] */
static const double lower_bound[4] = {0.0001, 0.0001, 0.0001, 0.8};
static const double upper_bound[4] = {0.9999, 0.9999, 0.9999, 0.98};

typedef struct EtsParams
{
	double		alpha,
				beta,
				gamma,
				phi;
} EtsParams;

/* in-sample accuracy of one pass (fitted values against y) */
typedef struct EtsRunStats
{
	double		sse;			/* sum of squared residuals (relative for M) */
	double		sse_abs;		/* sum of squared y - yhat */
	double		sae;			/* sum of |y - yhat| */
} EtsRunStats;

static inline double
clamp_finite(double v)
{
	if (isnan(v))
		return 0.0;
	if (v > ETS_FINITE_MAX)
		return ETS_FINITE_MAX;
	if (v < -ETS_FINITE_MAX)
		return -ETS_FINITE_MAX;
	return v;
}

bool
ets_parse_model(const char *name, int period, EtsSpec *spec)
{
	size_t		len;

	if (name == NULL || spec == NULL)
		return false;
	len = strlen(name);
	if (len != 3 && !(len == 4 && name[2] == 'd'))
		return false;
	memset(spec, 0, sizeof(*spec));
	switch (name[0])
	{
		case 'A':
			spec->error = ETS_ADDITIVE;
			break;
		case 'M':
			spec->error = ETS_MULTIPLICATIVE;
			break;
		default:
			return false;
	}
	switch (name[1])
	{
		case 'N':
			spec->trend = ETS_NONE;
			break;
		case 'A':
			spec->trend = ETS_ADDITIVE;
			break;
		case 'M':
			spec->trend = ETS_MULTIPLICATIVE;
			break;
		default:
			return false;
	}
	spec->damped = (len == 4);
	if (spec->damped && spec->trend == ETS_NONE)
		return false;
	switch (name[len - 1])
	{
		case 'N':
			spec->season = ETS_NONE;
			break;
		case 'A':
			spec->season = ETS_ADDITIVE;
			break;
		case 'M':
			spec->season = ETS_MULTIPLICATIVE;
			break;
		default:
			return false;
	}
	spec->period = (spec->season == ETS_NONE) ? 1 : period;
	return true;
}

static char
component_letter(EtsComponent c)
{
	switch (c)
	{
		case ETS_NONE:
			return 'N';
		case ETS_ADDITIVE:
			return 'A';
		case ETS_MULTIPLICATIVE:
			return 'M';
	}
	return '?';
}

void
ets_model_name(const EtsSpec *spec, char *buf, int buflen)
{
	if (buf == NULL || buflen <= 0)
		return;
	snprintf(buf, buflen, "ETS(%c,%c%s,%c)", component_letter(spec->error),
			 component_letter(spec->trend), spec->damped ? "d" : "",
			 component_letter(spec->season));
}

/*
 * One pass of the model over y (R's etscalc()).  state (layout as EtsFit)
 * is the initial state on entry and the final one on exit.  Returns R's
 * objective n log(SSE) (+ 2 sum log|yhat| for multiplicative errors), -Inf
 * for a perfect fit, or +Inf when the recursion degenerates (negative
 * multiplicative slope, zero or non-finite forecasts).  fitted and stats
 * may be NULL.
 */
static double
ets_run(const EtsSpec *spec, const EtsParams *p, const double *y, int n,
		double *state, double *fitted, EtsRunStats *stats)
{
	const EtsComponent trend = spec->trend;
	const EtsComponent season = spec->season;
	const bool	mult_error = spec->error == ETS_MULTIPLICATIVE;
	const int	m = season != ETS_NONE ? spec->period : 1;
	const double alpha = p->alpha;
	const double gamma = p->gamma;
	const double phi = spec->damped ? p->phi : 1.0;
	const bool	phi_one = fabs(phi - 1.0) < ETS_TOL;
	const double ratio = trend != ETS_NONE ? p->beta / p->alpha : 0.0;
	double		seas[ETS_MAX_PERIOD];
	double		level = state[0];
	double		slope = trend != ETS_NONE ? state[1] : 0.0;
	double		sse = 0.0,
				sse_abs = 0.0,
				sae = 0.0,
				prod = 1.0,
				lik;
	int			expo = 0,
				k = 0,
				t,
				j;
	bool		invalid = false;

	/* seas[k] = latest figure for positions t with t % m == k */
	if (season != ETS_NONE)
		for (j = 0; j < m; j++)
			seas[m - 1 - j] = state[2 + j];

	for (t = 0; t < n; t++)
	{
		const double yt = y[t];
		double		phib,
					q,
					s = 0.0,
					yhat,
					e,
					a,
					new_level;

		if (trend == ETS_NONE)
		{
			phib = 0.0;
			q = level;
		}
		else if (trend == ETS_ADDITIVE)
		{
			phib = phi * slope;
			q = level + phib;
		}
		else
		{
			if (slope < 0.0)
			{
				/* R: an NA forecast, the model is unusable here */
				if (fitted == NULL && stats == NULL)
					return INFINITY;
				invalid = true;
				slope = 0.0;
			}
			phib = phi_one ? slope : pow(slope, phi);
			q = level * phib;
		}
		if (season == ETS_NONE)
			yhat = q;
		else
		{
			s = seas[k];
			yhat = (season == ETS_ADDITIVE) ? q + s : q * s;
		}
		if (fitted)
			fitted[t] = yhat;

		if (!mult_error)
			e = yt - yhat;
		else
		{
			e = (yt - yhat) / yhat;
			prod *= fabs(yhat);
			if (prod > 1e100 || prod < 1e-100)
			{
				int			ex;

				prod = frexp(prod, &ex);
				expo += ex;
			}
		}
		sse += e * e;
		if (stats)
		{
			sse_abs += (yt - yhat) * (yt - yhat);
			sae += fabs(yt - yhat);
		}

		/* state update */
		if (season == ETS_NONE)
			a = yt;
		else if (season == ETS_ADDITIVE)
			a = yt - s;
		else
			a = (fabs(s) < ETS_TOL) ? ETS_HUGE : yt / s;
		new_level = q + alpha * (a - q);
		if (trend == ETS_ADDITIVE)
			slope = phib + ratio * ((new_level - level) - phib);
		else if (trend == ETS_MULTIPLICATIVE)
		{
			double		r = (fabs(level) < ETS_TOL) ? ETS_HUGE : new_level / level;

			slope = phib + ratio * (r - phib);
		}
		if (season != ETS_NONE)
		{
			double		target;

			if (season == ETS_ADDITIVE)
				target = yt - q;
			else
				target = (fabs(q) < ETS_TOL) ? ETS_HUGE : yt / q;
			seas[k] = s + gamma * (target - s);
			if (++k == m)
				k = 0;
		}
		level = new_level;
	}

	state[0] = level;
	state[1] = slope;
	if (season != ETS_NONE)
		for (j = 0; j < m; j++)
		{
			int			idx = k - 1 - j;

			while (idx < 0)
				idx += m;
			state[2 + j] = seas[idx];
		}
	if (stats)
	{
		stats->sse = sse;
		stats->sse_abs = sse_abs;
		stats->sae = sae;
	}
	if (invalid || isnan(sse))
		return INFINITY;
	if (sse == 0.0)
		return -INFINITY;
	lik = n * log(sse);
	if (mult_error)
	{
		if (!(prod > 0.0) || !isfinite(prod))
			return INFINITY;
		lik += 2.0 * (log(prod) + expo * ETS_LN2);
	}
	return isnan(lik) ? INFINITY : lik;
}

/*
 * Schur-Cohn test: are all roots of sum coef[i] z^i (degree d) strictly
 * inside the unit circle?  coef is destroyed.
 */
static bool
roots_inside_unit_circle(double *coef, int d)
{
	double		tmp[ETS_MAX_PERIOD + 3];
	int			deg,
				i;

	for (deg = d; deg >= 1; deg--)
	{
		double		k;

		if (!(coef[deg] != 0.0) || !isfinite(coef[deg]))
			return false;
		k = coef[0] / coef[deg];
		if (!(fabs(k) < 1.0))
			return false;
		/* (a_d p(z) - a_0 z^d p(1/z)) / (a_d z) */
		for (i = 0; i <= deg; i++)
			tmp[i] = coef[i] - k * coef[deg - i];
		for (i = 0; i < deg; i++)
			coef[i] = tmp[i + 1];
	}
	return true;
}

/* R's admissible(): the region where the model is forecastable */
static bool
admissible(const EtsSpec *spec, const EtsParams *p)
{
	double		alpha = p->alpha;
	double		beta = spec->trend != ETS_NONE ? p->beta : 0.0;
	double		gamma = p->gamma;
	double		phi = spec->damped ? p->phi : 1.0;
	int			m = spec->period;

	if (phi < 0.0 || phi > 1.0 + 1e-8)
		return false;
	if (spec->season == ETS_NONE)
	{
		if (alpha < 1.0 - 1.0 / phi || alpha > 1.0 + 1.0 / phi)
			return false;
		if (spec->trend != ETS_NONE &&
			(beta < alpha * (phi - 1.0) || beta > (1.0 + phi) * (2.0 - alpha)))
			return false;
	}
	else if (m > 1)
	{
		double		coef[ETS_MAX_PERIOD + 2];
		double		r = 1.0 + 1e-10;	/* R: max |root| <= 1 + 1e-10 */
		double		scale = 1.0;
		int			i;

		if (gamma < fmax(1.0 - 1.0 / phi - alpha, 0.0) || gamma > 1.0 + 1.0 / phi - alpha)
			return false;
		if (alpha < 1.0 - 1.0 / phi - gamma * (1.0 - m + phi + phi * m) / (2.0 * phi * m))
			return false;
		if (beta < -(1.0 - phi) * (gamma / m + alpha))
			return false;

		/* characteristic polynomial (increasing powers), evaluated at r z */
		coef[0] = phi * (1.0 - alpha - gamma);
		coef[1] = alpha + beta - alpha * phi + gamma - 1.0;
		for (i = 2; i < m; i++)
			coef[i] = alpha + beta - alpha * phi;
		coef[m] = alpha + beta - phi;
		coef[m + 1] = 1.0;
		for (i = 0; i <= m + 1; i++)
		{
			coef[i] *= scale;
			scale *= r;
		}
		if (!roots_inside_unit_circle(coef, m + 1))
			return false;
	}
	return true;
}

/* R's check.param() with bounds = "usual" */
static bool
within_bounds(const EtsSpec *spec, const EtsParams *p)
{
	if (!(p->alpha >= lower_bound[0] && p->alpha <= upper_bound[0]))
		return false;
	if (spec->trend != ETS_NONE &&
		!(p->beta >= lower_bound[1] && p->beta <= p->alpha && p->beta <= upper_bound[1]))
		return false;
	if (spec->damped && !(p->phi >= lower_bound[3] && p->phi <= upper_bound[3]))
		return false;
	if (spec->season != ETS_NONE &&
		!(p->gamma >= lower_bound[2] && p->gamma <= 1.0 - p->alpha && p->gamma <= upper_bound[2]))
		return false;
	return true;
}

typedef struct EtsObjective
{
	const EtsSpec *spec;
	const double *y;
	int			n;
} EtsObjective;

/* optimisation vector: alpha [beta] [gamma] [phi] level [slope] s_0..s_{m-2} */
static int
unpack(const EtsSpec *spec, const double *x, EtsParams *p, double *state)
{
	int			i = 0,
				j,
				m = spec->period;

	p->alpha = x[i++];
	p->beta = spec->trend != ETS_NONE ? x[i++] : 0.0;
	p->gamma = spec->season != ETS_NONE ? x[i++] : 0.0;
	p->phi = spec->damped ? x[i++] : 1.0;
	state[0] = x[i++];
	state[1] = spec->trend != ETS_NONE ? x[i++] : 0.0;
	if (spec->season != ETS_NONE)
	{
		double		sum = 0.0;

		for (j = 0; j < m - 1; j++)
		{
			state[2 + j] = x[i++];
			sum += state[2 + j];
		}
		/* the last seasonal state follows from the normalisation */
		state[2 + m - 1] = (spec->season == ETS_MULTIPLICATIVE ? m : 0.0) - sum;
	}
	return i;
}

static double
ets_objective(const double *x, void *context)
{
	EtsObjective *o = context;
	EtsParams	p;
	double		state[ETS_STATE_SIZE];
	double		lik;
	int			j;

	unpack(o->spec, x, &p, state);
	if (!within_bounds(o->spec, &p) || !admissible(o->spec, &p))
		return INFINITY;
	if (o->spec->season == ETS_MULTIPLICATIVE)
		for (j = 0; j < o->spec->period; j++)
			if (!(state[2 + j] >= 0.0))
				return INFINITY;
	lik = ets_run(o->spec, &p, o->y, o->n, state, NULL, NULL);
	if (isnan(lik))
		return INFINITY;
	/*
	 * Beyond R: a multiplicative slope that ends negative cannot be
	 * forecast (R stops in forecast()), so such a fit is not admissible.
	 */
	if (o->spec->trend == ETS_MULTIPLICATIVE && !(state[1] >= 0.0))
		return INFINITY;
	if (lik < ETS_PERFECT_FIT)
		return ETS_PERFECT_FIT;		/* a perfect fit: do not chase -Inf */
	return lik;
}

/*
 * stats::decompose()'s seasonal figure: centred moving average of order m
 * (2 x m for even m), detrended values averaged per position t % m, then
 * centred (additive) or scaled to mean 1 (multiplicative).  Needs n >= 2m.
 */
static bool
classical_figure(const double *y, int n, int m, bool mult, double *figure)
{
	int			half = m / 2;	/* R's offset o = nf %/% 2 */
	int			nf = (m % 2 == 0) ? m + 1 : m;
	double		count[ETS_MAX_PERIOD];
	double		mean = 0.0;
	int			t,
				j,
				k;

	for (k = 0; k < m; k++)
	{
		figure[k] = 0.0;
		count[k] = 0.0;
	}
	for (t = 0; t < n; t++)
	{
		double		trend = 0.0;

		if (t + half - (nf - 1) < 0 || t + half >= n)
			continue;
		for (j = 0; j < nf; j++)
		{
			double		w = (m % 2 == 0 && (j == 0 || j == nf - 1)) ? 0.5 / m : 1.0 / m;

			trend += w * y[t + half - j];
		}
		if (mult)
		{
			if (trend == 0.0)
				return false;
			figure[t % m] += y[t] / trend;
		}
		else
			figure[t % m] += y[t] - trend;
		count[t % m] += 1.0;
	}
	for (k = 0; k < m; k++)
	{
		if (count[k] == 0.0)
			return false;
		figure[k] /= count[k];
		mean += figure[k];
	}
	mean /= m;
	for (k = 0; k < m; k++)
	{
		if (mult)
			figure[k] /= mean;
		else
			figure[k] -= mean;
		if (!isfinite(figure[k]))
			return false;
	}
	return true;
}

/*
 * Least squares fit of y on up to 4 columns (modified Gram-Schmidt); a
 * column that is (numerically) a combination of the previous ones gets
 * coefficient 0, as lm() leaves aliased coefficients out.
 */
static void
least_squares(double *const *cols, int ncol, const double *y, int n, double *coef)
{
	double	   *q = dl_alloc(sizeof(double) * (size_t) ncol * n);
	double		r[4][4];
	double		qy[4];
	bool		kept[4];
	int			c,
				i,
				t;

	for (c = 0; c < ncol; c++)
	{
		double	   *v = q + (size_t) c * n;
		double		norm0 = 0.0,
					norm = 0.0;

		memcpy(v, cols[c], sizeof(double) * n);
		for (t = 0; t < n; t++)
			norm0 += v[t] * v[t];
		for (i = 0; i < c; i++)
		{
			const double *qi = q + (size_t) i * n;
			double		d = 0.0;

			r[i][c] = 0.0;
			if (!kept[i])
				continue;
			for (t = 0; t < n; t++)
				d += qi[t] * v[t];
			r[i][c] = d;
			for (t = 0; t < n; t++)
				v[t] -= d * qi[t];
		}
		for (t = 0; t < n; t++)
			norm += v[t] * v[t];
		kept[c] = norm > 0.0 && sqrt(norm) > 1e-7 * sqrt(norm0);
		r[c][c] = kept[c] ? sqrt(norm) : 1.0;
		if (kept[c])
			for (t = 0; t < n; t++)
				v[t] /= r[c][c];
	}
	for (c = 0; c < ncol; c++)
	{
		const double *qc = q + (size_t) c * n;
		double		d = 0.0;

		if (kept[c])
			for (t = 0; t < n; t++)
				d += qc[t] * y[t];
		qy[c] = d;
	}
	for (c = ncol - 1; c >= 0; c--)
	{
		double		v = qy[c];

		if (!kept[c])
		{
			coef[c] = 0.0;
			continue;
		}
		for (i = c + 1; i < ncol; i++)
			v -= r[c][i] * coef[i];
		coef[c] = v / r[c][c];
	}
	dl_free(q);
}

/*
 * R's initstate() for short seasonal series (n < 3m): the "seasonal" part
 * is what a regression on trend and the first Fourier pair leaves after the
 * trend (not periodic).
 */
static bool
fourier_seasonal(const double *y, int n, int m, bool mult, double *seasonal)
{
	double	   *cols[4];
	double		coef[4];
	int			ncol = (m == 2) ? 3 : 4;	/* sin(pi t) == 0 is dropped */
	int			c,
				t;
	bool		ok = true;

	for (c = 0; c < ncol; c++)
		cols[c] = dl_alloc(sizeof(double) * n);
	for (t = 0; t < n; t++)
	{
		double		angle = 2.0 * ETS_PI * ((t + 1) % m) / m;

		cols[0][t] = 1.0;
		cols[1][t] = t + 1;
		if (ncol == 4)
		{
			cols[2][t] = sin(angle);
			cols[3][t] = cos(angle);
		}
		else
			cols[2][t] = cos(angle);
	}
	least_squares(cols, ncol, y, n, coef);
	for (t = 0; t < n; t++)
	{
		double		tr = coef[0] + coef[1] * (t + 1);

		if (mult)
		{
			if (tr == 0.0)
				ok = false;
			else
				seasonal[t] = y[t] / tr;
		}
		else
			seasonal[t] = y[t] - tr;
		if (ok && !isfinite(seasonal[t]))
			ok = false;
	}
	for (c = 0; c < ncol; c++)
		dl_free(cols[c]);
	return ok;
}

/* R's initstate(): heuristic starting states */
static bool
initial_states(const double *y, int n, const EtsSpec *spec, double *state)
{
	int			m = spec->season != ETS_NONE ? spec->period : 1;
	double	   *adjusted;
	int			maxn,
				t,
				j;

	memset(state, 0, sizeof(double) * ETS_STATE_SIZE);
	if (n < 2)
		return false;
	adjusted = dl_alloc(sizeof(double) * n);
	if (spec->season != ETS_NONE)
	{
		bool		mult = spec->season == ETS_MULTIPLICATIVE;
		double	   *seasonal = dl_alloc(sizeof(double) * n);
		bool		ok;

		if (n < 4 || n <= m)
			ok = false;
		else if (n < 3 * m)
			ok = fourier_seasonal(y, n, m, mult, seasonal);
		else
		{
			double		figure[ETS_MAX_PERIOD];

			ok = classical_figure(y, n, m, mult, figure);
			if (ok)
				for (t = 0; t < n; t++)
					seasonal[t] = figure[t % m];
		}
		if (!ok)
		{
			dl_free(seasonal);
			dl_free(adjusted);
			return false;
		}
		/* s_j is the figure j + 1 steps before the first observation */
		for (j = 0; j < m - 1; j++)
			state[2 + j] = seasonal[m - 1 - j];
		if (mult)
		{
			double		sum = 0.0;

			for (j = 0; j < m - 1; j++)
			{
				state[2 + j] = fmax(state[2 + j], 0.01);
				sum += state[2 + j];
			}
			if (sum > m)
				for (j = 0; j < m - 1; j++)
					state[2 + j] /= sum + 0.01 * (m - 1);
			for (t = 0; t < n; t++)
				adjusted[t] = y[t] / fmax(seasonal[t], 0.01);
		}
		else
			for (t = 0; t < n; t++)
				adjusted[t] = y[t] - seasonal[t];
		dl_free(seasonal);
	}
	else
		memcpy(adjusted, y, sizeof(double) * n);

	maxn = (10 > 2 * m) ? 10 : 2 * m;
	if (maxn > n)
		maxn = n;
	if (spec->trend == ETS_NONE)
	{
		double		s = 0.0;

		for (t = 0; t < maxn; t++)
			s += adjusted[t];
		state[0] = s / maxn;
	}
	else
	{
		double		a,
					b;

		forecast_linear_fit(adjusted, maxn, 1.0, &a, &b);
		if (spec->trend == ETS_ADDITIVE)
		{
			state[0] = a;
			state[1] = b;
			if (fabs(a + b) < 1e-8)
			{
				state[0] = a * (1 + 1e-3);
				state[1] = b * (1 - 1e-3);
			}
		}
		else
		{
			double		l0 = a + b,
						b0;

			if (fabs(l0) < 1e-8)
				l0 = 1e-7;
			b0 = (a + 2.0 * b) / l0;
			l0 = l0 / b0;
			if (fabs(b0) > 1e10)
				b0 = b0 > 0 ? 1e10 : -1e10;
			if (!(l0 >= 1e-8 && b0 >= 1e-8))
			{
				l0 = fmax(adjusted[0], 1e-3);
				b0 = fmax(adjusted[1] / adjusted[0], 1e-3);
			}
			state[0] = l0;
			state[1] = b0;
		}
	}
	dl_free(adjusted);
	for (j = 0; j < ETS_STATE_SIZE; j++)
		if (!isfinite(state[j]))
			return false;
	return true;
}

/* R's npars in ets(): what a fully specified model needs beyond n > npars + 4 */
static int
count_free_parameters(const EtsSpec *spec)
{
	int			k = 2;			/* alpha, level */

	if (spec->trend != ETS_NONE)
		k += 2;
	if (spec->damped)
		k += 1;
	if (spec->season != ETS_NONE)
		k += spec->period;		/* gamma and m - 1 seasonal states, + 1 */
	return k;
}

/* the series' checks shared by the entry points */
static EtsStatus
check_data(const double *y, int n, bool *positive)
{
	int			t;

	*positive = true;
	if (y == NULL || n < 1)
		return ETS_TOO_SHORT;
	for (t = 0; t < n; t++)
	{
		if (!isfinite(y[t]))
			return ETS_NO_FIT;
		if (!(y[t] > 0.0))
			*positive = false;
	}
	return ETS_OK;
}

/* the spec's own checks (R's "forbidden model combination", restrict = TRUE) */
static EtsStatus
check_spec(EtsSpec *spec)
{
	if (spec->error != ETS_ADDITIVE && spec->error != ETS_MULTIPLICATIVE)
		return ETS_FORBIDDEN;
	if (spec->trend != ETS_NONE && spec->trend != ETS_ADDITIVE &&
		spec->trend != ETS_MULTIPLICATIVE)
		return ETS_FORBIDDEN;
	if (spec->season != ETS_NONE && spec->season != ETS_ADDITIVE &&
		spec->season != ETS_MULTIPLICATIVE)
		return ETS_FORBIDDEN;
	if (spec->damped && spec->trend == ETS_NONE)
		return ETS_FORBIDDEN;
	/* models with infinite forecast variance */
	if (spec->error == ETS_ADDITIVE &&
		(spec->trend == ETS_MULTIPLICATIVE || spec->season == ETS_MULTIPLICATIVE))
		return ETS_FORBIDDEN;
	if (spec->error == ETS_MULTIPLICATIVE && spec->trend == ETS_MULTIPLICATIVE &&
		spec->season == ETS_ADDITIVE)
		return ETS_FORBIDDEN;
	if (spec->season == ETS_NONE)
		spec->period = 1;
	else if (spec->period < 2 || spec->period > ETS_MAX_PERIOD)
		return ETS_BAD_PERIOD;
	return ETS_OK;
}

/*
 * R's etsmodel(): fits spec (already checked) to y.  The caller has
 * applied R's length rule; here only "more parameters than n - 2" and
 * unusable starting values are refused.
 */
static EtsStatus
fit_checked(const double *y, int n, const EtsSpec *spec, EtsFit *fit)
{
	EtsObjective objective;
	NelderMeadOptions options;
	EtsParams	p;
	EtsRunStats stats;
	double		x[4 + ETS_STATE_SIZE];
	double		state[ETS_STATE_SIZE];
	double		lik;
	int			dim = 0,
				m = spec->period,
				j,
				evaluations = 0;

	memset(fit, 0, sizeof(*fit));
	if (spec->season != ETS_NONE && (n < 4 || n <= m))
		return ETS_TOO_SHORT;
	dim = 1 + (spec->trend != ETS_NONE) + (spec->season != ETS_NONE) + spec->damped +
		1 + (spec->trend != ETS_NONE) + (spec->season != ETS_NONE ? m - 1 : 0);
	if (dim >= n - 1)
		return ETS_TOO_SHORT;

	/* R's initparam(): starting smoothing parameters */
	p.alpha = lower_bound[0] + 0.2 * (upper_bound[0] - lower_bound[0]) / m;
	p.beta = lower_bound[1] + 0.1 * (fmin(upper_bound[1], p.alpha) - lower_bound[1]);
	p.gamma = lower_bound[2] + 0.05 * (fmin(upper_bound[2], 1.0 - p.alpha) - lower_bound[2]);
	p.phi = lower_bound[3] + 0.99 * (upper_bound[3] - lower_bound[3]);
	if (!initial_states(y, n, spec, state))
		return ETS_NO_FIT;

	dim = 0;
	x[dim++] = p.alpha;
	if (spec->trend != ETS_NONE)
		x[dim++] = p.beta;
	if (spec->season != ETS_NONE)
		x[dim++] = p.gamma;
	if (spec->damped)
		x[dim++] = p.phi;
	x[dim++] = state[0];
	if (spec->trend != ETS_NONE)
		x[dim++] = state[1];
	if (spec->season != ETS_NONE)
		for (j = 0; j < m - 1; j++)
			x[dim++] = state[2 + j];

	objective.spec = spec;
	objective.y = y;
	objective.n = n;
	nelder_mead_default_options(&options);
	/* R: "function cannot be evaluated at initial parameters" */
	if (!isfinite(ets_objective(x, &objective)))
		return ETS_NO_FIT;
	nelder_mead_minimize(ets_objective, &objective, x, dim, &options, &evaluations);

	unpack(spec, x, &p, state);
	fit->spec = *spec;
	fit->alpha = p.alpha;
	fit->beta = p.beta;
	fit->gamma = p.gamma;
	fit->phi = p.phi;
	memcpy(fit->initial_state, state, sizeof(state));
	lik = ets_run(spec, &p, y, n, state, NULL, &stats);
	if (lik == -INFINITY || lik < ETS_PERFECT_FIT)
		lik = ETS_PERFECT_FIT;	/* exact fit: finite, very good criterion */
	else if (!isfinite(lik))
	{
		memset(fit, 0, sizeof(*fit));
		return ETS_NO_FIT;
	}
	memcpy(fit->final_state, state, sizeof(state));
	fit->n = n;
	fit->evaluations = evaluations;
	fit->n_params = dim + 1;
	fit->loglik = -0.5 * lik;
	fit->aic = lik + 2.0 * fit->n_params;
	fit->bic = lik + log((double) n) * fit->n_params;
	fit->aicc = (n - fit->n_params - 1 > 0)
		? fit->aic + 2.0 * fit->n_params * (fit->n_params + 1) / (n - fit->n_params - 1)
		: INFINITY;
	fit->sigma2 = stats.sse / (n - dim);
	fit->mse = stats.sse_abs / n;
	fit->mae = stats.sae / n;
	if (!isfinite(fit->sigma2) || !isfinite(fit->mse))
	{
		memset(fit, 0, sizeof(*fit));
		return ETS_NO_FIT;
	}
	return ETS_OK;
}

EtsStatus
ets_fit_model(const double *y, int n, const EtsSpec *spec_in, EtsFit *fit)
{
	EtsSpec		spec = *spec_in;
	EtsStatus	status;
	bool		positive;

	memset(fit, 0, sizeof(*fit));
	status = check_spec(&spec);
	if (status != ETS_OK)
		return status;
	status = check_data(y, n, &positive);
	if (status != ETS_OK)
		return status;
	if (!positive && (spec.error == ETS_MULTIPLICATIVE ||
					  spec.trend == ETS_MULTIPLICATIVE ||
					  spec.season == ETS_MULTIPLICATIVE))
		return ETS_NOT_POSITIVE;
	/* R fits no ETS model to n <= npars + 4 points (it falls back on HoltWinters) */
	if (n <= count_free_parameters(&spec) + 4)
		return ETS_TOO_SHORT;
	return fit_checked(y, n, &spec, fit);
}

/* R's is.constant(): all.equal(y, rep(y[1], n)), tolerance 1.5e-8 */
static bool
is_constant(const double *y, int n)
{
	double		diff = 0.0,
				scale = 0.0;
	int			t;

	for (t = 0; t < n; t++)
	{
		diff += fabs(y[t] - y[0]);
		scale += fabs(y[t]);
	}
	diff /= n;
	scale /= n;
	if (scale > 1.5e-8)
		diff /= scale;
	return diff <= 1.5e-8;
}

/*
 * What ets() returns for a constant series: simple exponential smoothing
 * with alpha 0.99999 started at the first value (ses(initial = "simple")).
 */
static void
fit_constant(const double *y, int n, EtsFit *fit)
{
	EtsParams	p = {0.99999, 0.0, 0.0, 1.0};
	EtsRunStats stats;
	double		state[ETS_STATE_SIZE];
	double		lik;

	memset(fit, 0, sizeof(*fit));
	memset(state, 0, sizeof(state));
	fit->spec.error = ETS_ADDITIVE;
	fit->spec.trend = ETS_NONE;
	fit->spec.season = ETS_NONE;
	fit->spec.damped = false;
	fit->spec.period = 1;
	fit->alpha = p.alpha;
	fit->phi = 1.0;
	state[0] = y[0];
	memcpy(fit->initial_state, state, sizeof(state));
	lik = ets_run(&fit->spec, &p, y, n, state, NULL, &stats);
	if (!(lik >= ETS_PERFECT_FIT) || !isfinite(lik))
		lik = ETS_PERFECT_FIT;
	memcpy(fit->final_state, state, sizeof(state));
	fit->n = n;
	fit->n_params = 3;
	fit->loglik = -0.5 * lik;
	fit->aic = lik + 2.0 * fit->n_params;
	fit->bic = lik + log((double) n) * fit->n_params;
	fit->aicc = (n - fit->n_params - 1 > 0)
		? fit->aic + 2.0 * fit->n_params * (fit->n_params + 1) / (n - fit->n_params - 1)
		: fit->aic;
	fit->sigma2 = stats.sse / n;
	fit->mse = stats.sse_abs / n;
	fit->mae = stats.sae / n;
}

static int
pattern_component(char c, bool allow_z)
{
	switch (c)
	{
		case 'N':
			return ETS_NONE;
		case 'A':
			return ETS_ADDITIVE;
		case 'M':
			return ETS_MULTIPLICATIVE;
		case 'Z':
			return allow_z ? -1 : -2;
	}
	return -2;
}

/* a status worth reporting when nothing fitted: the most specific one */
static EtsStatus
worse_status(EtsStatus kept, EtsStatus status)
{
	static const EtsStatus order[] = {ETS_TOO_SHORT, ETS_NOT_POSITIVE, ETS_NO_FIT,
	ETS_BAD_PERIOD, ETS_FORBIDDEN};
	int			i;

	for (i = 0; i < 5; i++)
	{
		if (kept == order[i])
			return kept;
		if (status == order[i])
			return status;
	}
	return status;
}

EtsStatus
ets_fit_auto(const double *y, int n, int period, const char *pattern,
			 int damped, bool allow_multiplicative_trend, EtsFit *best)
{
	static const EtsComponent all[3] = {ETS_NONE, ETS_ADDITIVE, ETS_MULTIPLICATIVE};
	EtsStatus	status,
				last = ETS_OK;
	bool		found = false,
				positive,
				tried = false;
	EtsFit		fit;
	int			pe,
				pt,
				ps,
				npars,
				e,
				tr,
				s,
				d;

	memset(best, 0, sizeof(*best));
	if (pattern == NULL)
		pattern = "ZZZ";
	if (strlen(pattern) != 3)
		return ETS_FORBIDDEN;
	pe = pattern_component(pattern[0], true);
	pt = pattern_component(pattern[1], true);
	ps = pattern_component(pattern[2], true);
	if (pe == -2 || pe == ETS_NONE || pt == -2 || ps == -2)
		return ETS_FORBIDDEN;
	status = check_data(y, n, &positive);
	if (status != ETS_OK)
		return status;
	if (is_constant(y, n))
	{
		fit_constant(y, n, best);
		return ETS_OK;
	}

	/* R: a season needs a period in 2..24 and more than one cycle */
	if (ps == ETS_ADDITIVE || ps == ETS_MULTIPLICATIVE)
	{
		if (period < 2 || period > ETS_MAX_PERIOD)
			return ETS_BAD_PERIOD;
		if (n <= period)
			ps = ETS_NONE;
	}
	else if (ps == -1 && (period < 2 || period > ETS_MAX_PERIOD || n <= period))
		ps = ETS_NONE;
	if (pe == ETS_MULTIPLICATIVE && !positive)
		return ETS_NOT_POSITIVE;
	if (damped == 1 && pt == ETS_NONE)
		return ETS_FORBIDDEN;

	/* R's length rule, counting only the components the pattern fixes */
	npars = 2;
	if (pt == ETS_ADDITIVE || pt == ETS_MULTIPLICATIVE)
		npars += 2;
	if (ps == ETS_ADDITIVE || ps == ETS_MULTIPLICATIVE)
		npars += period;
	if (damped == 1)
		npars += 1;
	if (n <= npars + 4)
		return ETS_TOO_SHORT;

	/* R's order: error A, M; trend N, A, M; season N, A, M; damped, not */
	for (e = 1; e <= 2; e++)
		for (tr = 0; tr <= 2; tr++)
			for (s = 0; s <= 2; s++)
				for (d = 1; d >= 0; d--)
				{
					EtsSpec		spec;

					if (pe != -1 && pe != e)
						continue;
					if (pt != -1 && pt != tr)
						continue;
					if (pt == -1 && tr == ETS_MULTIPLICATIVE && !allow_multiplicative_trend)
						continue;
					if (ps != -1 && ps != s)
						continue;
					if (ps == -1 && s != 0 &&
						(period < 2 || period > ETS_MAX_PERIOD || n <= period))
						continue;
					if (d == 1 && (tr == 0 || damped == 0))
						continue;
					if (d == 0 && damped == 1)
						continue;
					memset(&spec, 0, sizeof(spec));
					spec.error = all[e];
					spec.trend = all[tr];
					spec.season = all[s];
					spec.damped = (d == 1);
					spec.period = (s == 0) ? 1 : period;
					status = check_spec(&spec);
					if (status == ETS_OK && !positive && e == ETS_MULTIPLICATIVE)
						status = ETS_NOT_POSITIVE;
					if (status == ETS_FORBIDDEN && (pe == -1 || pt == -1 || ps == -1))
						continue;	/* R skips these silently */
					tried = true;
					if (status == ETS_OK)
					{
						dl_check_interrupts();
						status = fit_checked(y, n, &spec, &fit);
					}
					if (status == ETS_OK && !(fit.aicc < INFINITY))
						status = ETS_TOO_SHORT;
					if (status != ETS_OK)
					{
						last = (last == ETS_OK) ? status : worse_status(last, status);
						continue;
					}
					if (!found || fit.aicc < best->aicc)
					{
						*best = fit;
						found = true;
					}
				}
	if (found)
		return ETS_OK;
	if (!tried)
		return ETS_FORBIDDEN;
	return last == ETS_OK ? ETS_NO_FIT : last;
}

/* ---------------------------------------------------------------------
 * Forecasting
 * --------------------------------------------------------------------- */

/*
 * A fit the forecasting code can index safely: what our fits produce (a
 * zeroed EtsFit, as left by a failed fit, is not).
 */
static bool
fit_usable(const EtsFit *fit)
{
	const EtsSpec *spec = &fit->spec;

	if (spec->error != ETS_ADDITIVE && spec->error != ETS_MULTIPLICATIVE)
		return false;
	if (spec->trend != ETS_NONE && spec->trend != ETS_ADDITIVE &&
		spec->trend != ETS_MULTIPLICATIVE)
		return false;
	if (spec->season == ETS_NONE)
		return true;
	if (spec->season != ETS_ADDITIVE && spec->season != ETS_MULTIPLICATIVE)
		return false;
	return spec->period >= 2 && spec->period <= ETS_MAX_PERIOD;
}

/* the seasonal figure used at forecast step i (0-based) */
static inline double
season_at(const EtsFit *fit, int i)
{
	int			m = fit->spec.period;

	return fit->final_state[2 + (m - 1 - i % m)];
}

/* point forecasts: the state carried forward with zero errors */
static void
point_forecasts(const EtsFit *fit, int h, double *mean)
{
	const EtsSpec *spec = &fit->spec;
	double		l = fit->final_state[0];
	double		b = fit->final_state[1];
	double		phi = spec->damped ? fit->phi : 1.0;
	double		phistar = phi,
				phipow = phi;
	int			i;

	for (i = 0; i < h; i++)
	{
		double		f;

		if (spec->trend == ETS_NONE)
			f = l;
		else if (spec->trend == ETS_ADDITIVE)
			f = l + phistar * b;
		else
			f = (b > 0.0) ? l * pow(b, phistar) : 0.0;
		if (spec->season == ETS_ADDITIVE)
			f += season_at(fit, i);
		else if (spec->season == ETS_MULTIPLICATIVE)
			f *= season_at(fit, i);
		mean[i] = clamp_finite(f);
		/* phistar = phi + phi^2 + ... + phi^(i+2) */
		if (fabs(phi - 1.0) < ETS_TOL)
			phistar += 1.0;
		else
		{
			phipow *= phi;
			phistar += phipow;
		}
	}
}

/* variance capped so that mean +- z sd stays finite */
static inline double
sane_variance(double v)
{
	if (isnan(v) || v > 1e300)
		return 1e300;
	return v > 0.0 ? v : 0.0;
}

/*
 * Classes 1 and 2 (linear, additive or multiplicative error): the effect of
 * an error j steps back on the forecast is c_j = alpha + beta (phi + ... +
 * phi^j) + gamma [j % m == 0] (Hyndman et al. 2008, table 6.1).  Class 1:
 * v_h = sigma2 (1 + sum_{j<h} c_j^2); class 2: theta_h = mu_h^2 + sigma2
 * sum_{j<h} c_j^2 theta_{h-j}, v_h = (1 + sigma2) theta_h - mu_h^2 (R's
 * class1() and class2(), except that R 8.20 puts gamma on the second
 * seasonal state when there is no trend, which moves the seasonal term of
 * c_j to j % m == m - 1).
 *
 * The class 2 convolution is evaluated in O(h), not O(h^2): c_j^2 expands
 * into kernels (constant, r^j, r^2j, j, j^2, and the same on multiples of
 * m) whose convolutions with theta each follow a one-term recursion.
 */
static void
linear_variances(const EtsFit *fit, int h, const double *mean, double *var)
{
	const EtsSpec *spec = &fit->spec;
	int			m = spec->season != ETS_NONE ? spec->period : 0;
	double		alpha = fit->alpha;
	double		beta = spec->trend != ETS_NONE ? fit->beta : 0.0;
	double		gamma = spec->season != ETS_NONE ? fit->gamma : 0.0;
	double		phi = spec->damped ? fit->phi : 1.0;
	double		sigma2 = fit->sigma2;
	int			i;

	if (spec->error == ETS_ADDITIVE)
	{
		double		acc = 0.0,
					phi_sum = 0.0,
					phi_pow = 1.0;

		var[0] = sane_variance(sigma2);
		for (i = 1; i < h; i++)
		{
			double		c;

			phi_pow *= phi;
			phi_sum += phi_pow;
			c = alpha + beta * phi_sum + ((m > 1 && i % m == 0) ? gamma : 0.0);
			acc += c * c;
			var[i] = sane_variance(sigma2 * (1.0 + acc));
		}
		return;
	}
	else
	{
		/*
		 * c_j = a - b r^j + gamma [m | j] (no trend: b = 0; damped: r = phi,
		 * a = alpha + beta phi / (1 - phi), b = beta phi / (1 - phi)) or
		 * c_j = alpha + beta j + gamma [m | j] (undamped trend).  With
		 * conv_i = sum_{j=1..i} c_j^2 theta_{i-j}:
		 *	 s_i  = sum theta_{i-j}			e1_i = sum r^j theta_{i-j}
		 *	 e2_i = sum r^2j theta_{i-j}	t1_i = sum j theta_{i-j}
		 *	 t2_i = sum j^2 theta_{i-j}		and over j = m, 2m, ...:
		 *	 p_i = sum theta_{i-j}, q_i = sum r^j theta_{i-j},
		 *	 u_i = sum j theta_{i-j}.
		 */
		bool		linear_trend = spec->trend != ETS_NONE && !spec->damped;
		double		a,
					b,
					r;
		double	   *theta = dl_alloc(sizeof(double) * (size_t) h);
		double	   *pk = m > 1 ? dl_alloc(sizeof(double) * (size_t) h) : NULL;
		double	   *qk = m > 1 ? dl_alloc(sizeof(double) * (size_t) h) : NULL;
		double		s = 0.0,
					e1 = 0.0,
					e2 = 0.0,
					t1 = 0.0,
					t2 = 0.0,
					rm = 1.0;
		bool		overflow = false;

		if (spec->trend == ETS_NONE)
		{
			a = alpha;
			b = 0.0;
			r = 0.0;
		}
		else if (spec->damped)
		{
			a = alpha + beta * phi / (1.0 - phi);
			b = beta * phi / (1.0 - phi);
			r = phi;
		}
		else
		{
			a = alpha;
			b = beta;
			r = 0.0;
		}
		for (i = 0; i < m; i++)
			rm *= r;

		for (i = 0; i < h; i++)
		{
			double		conv,
						p = 0.0,
						q = 0.0;

			if (overflow)
			{
				var[i] = 1e300;
				continue;
			}
			if (i > 0)
			{
				/* advance the kernels from i - 1 to i */
				double		prev = theta[i - 1];

				if (linear_trend)
				{
					t2 = t2 + 2.0 * t1 + (s + prev);
					t1 = t1 + (s + prev);
				}
				s += prev;
				e1 = r * (e1 + prev);
				e2 = r * r * (e2 + prev);
			}
			if (m > 1 && i >= m)
			{
				pk[i] = theta[i - m] + pk[i - m];
				/* undamped trend: qk holds u; otherwise the r^j version */
				if (linear_trend)
					qk[i] = m * theta[i - m] + qk[i - m] + m * pk[i - m];
				else
					qk[i] = rm * (theta[i - m] + qk[i - m]);
				p = pk[i];
				q = qk[i];
			}
			else if (m > 1)
				pk[i] = qk[i] = 0.0;

			if (linear_trend)
				conv = a * a * s + 2.0 * a * b * t1 + b * b * t2 +
					(gamma * gamma + 2.0 * gamma * a) * p + 2.0 * gamma * b * q;
			else
				conv = a * a * s - 2.0 * a * b * e1 + b * b * e2 +
					(gamma * gamma + 2.0 * gamma * a) * p - 2.0 * gamma * b * q;
			theta[i] = mean[i] * mean[i] + sigma2 * fmax(conv, 0.0);
			if (!(theta[i] < 1e300))
			{
				overflow = true;
				var[i] = 1e300;
				continue;
			}
			var[i] = sane_variance((1.0 + sigma2) * theta[i] - mean[i] * mean[i]);
		}
		dl_free(theta);
		if (pk)
		{
			dl_free(pk);
			dl_free(qk);
		}
	}
}

/*
 * Class 3 (multiplicative error and season, additive or no trend): R's
 * class3().  With x1 = (level[, slope]) (k values) and x2 = the m seasonal
 * states (most recent first), X = x1 x2' evolves as
 *		X_t = (F1 + G1 e) X_{t-1} (F2 + G2 e)'
 * where F2 rotates the seasons, G2 = gamma at (1, m); the mean M = E[X] and
 * the covariance V of vec(X) follow exactly.  The Kronecker products of R's
 * version are applied here as operators on k x m matrices (vec order
 * i + k j), so a step costs O(k (km)^2) instead of O((km)^3).
 *
 * For the damped trend we use F1 = [1 phi; 0 phi], G1 = [alpha alpha*phi;
 * beta beta*phi] and H1 = (1, phi); R uses (1, 1) in all three (right only
 * without damping), so its class 3 forecasts differ slightly when damped.
 */
typedef struct Class3
{
	int			k,
				m,
				d;				/* d = k m */
	double		f1[2][2],
				g1[2][2],
				h1[2];
	double		gamma;
} Class3;

/* the season that F2 moves into position j (X F2': column j <- j - 1) */
static inline int
rotated(const Class3 *c, int j)
{
	return (j == 0) ? c->m - 1 : j - 1;
}

/*
 * out = F21 V (F21 = F2 x F1) for row-major d x d V: row (i, j) of the
 * result combines rows (i2, rotated(j)) of V with weights f1[i][i2].
 */
static void
left_f(const Class3 *c, const double *v, double *out)
{
	int			d = c->d,
				i,
				i2,
				j,
				col;

	for (j = 0; j < c->m; j++)
		for (i = 0; i < c->k; i++)
		{
			double	   *dst = out + (size_t) (i + c->k * j) * d;

			memset(dst, 0, sizeof(double) * d);
			for (i2 = 0; i2 < c->k; i2++)
			{
				const double *src = v + (size_t) (i2 + c->k * rotated(c, j)) * d;
				double		w = c->f1[i][i2];

				if (w != 0.0)
					for (col = 0; col < d; col++)
						dst[col] += w * src[col];
			}
		}
}

/* out = K V with K = G2 x F1 + F2 x G1 (row-major, as left_f) */
static void
left_k(const Class3 *c, const double *v, double *out)
{
	int			d = c->d,
				i,
				i2,
				j,
				col;

	for (j = 0; j < c->m; j++)
		for (i = 0; i < c->k; i++)
		{
			double	   *dst = out + (size_t) (i + c->k * j) * d;

			memset(dst, 0, sizeof(double) * d);
			for (i2 = 0; i2 < c->k; i2++)
			{
				const double *src = v + (size_t) (i2 + c->k * rotated(c, j)) * d;
				double		w = c->g1[i][i2];

				if (w != 0.0)
					for (col = 0; col < d; col++)
						dst[col] += w * src[col];
				if (j == 0)
				{
					/* G2 x F1: gamma F1 applied to the oldest season */
					src = v + (size_t) (i2 + c->k * (c->m - 1)) * d;
					w = c->gamma * c->f1[i][i2];
					if (w != 0.0)
						for (col = 0; col < d; col++)
							dst[col] += w * src[col];
				}
			}
		}
}

static void
transpose(const double *a, double *out, int d)
{
	int			r,
				c;

	for (r = 0; r < d; r++)
		for (c = 0; c < d; c++)
			out[(size_t) c * d + r] = a[(size_t) r * d + c];
}

/*
 * R's class3():
 *	mu_h = H1 M H2', v_h = (1 + s2) H21 V H21' + s2 mu_h^2
 *	V <- F21 V F21' + s2 (F21 V G21' + G21 V F21' + K (V + vec M vec M') K'
 *		 + s2 G21 (3V + 2 vec M vec M') G21')
 *	M <- F1 M F2' + s2 G1 M G2'
 * with F21 = F2 x F1, G21 = G2 x G1, K = G2 x F1 + F2 x G1.  G21 maps
 * only the oldest season block to the newest one, so its terms cost
 * O(k^2 d); the others are computed as A (A V)' with row operations.
 */
static void
class3_forecast(const EtsFit *fit, int h, double *mu, double *var)
{
	const EtsSpec *spec = &fit->spec;
	Class3		c;
	double		sigma2 = fit->sigma2;
	double		phi = spec->damped ? fit->phi : 1.0;
	double	   *mh,
			   *mh2,
			   *vh,
			   *next,
			   *work,
			   *tmp,
			   *fvg;
	bool		overflow = false;
	int			d,
				i,
				i2,
				j,
				r,
				step,
				last;

	memset(&c, 0, sizeof(c));
	c.k = spec->trend != ETS_NONE ? 2 : 1;
	c.m = spec->period;
	c.d = d = c.k * c.m;
	c.gamma = fit->gamma;
	if (c.k == 1)
	{
		c.f1[0][0] = 1.0;
		c.g1[0][0] = fit->alpha;
		c.h1[0] = 1.0;
	}
	else
	{
		c.f1[0][0] = 1.0;
		c.f1[0][1] = phi;
		c.f1[1][1] = phi;
		c.g1[0][0] = fit->alpha;
		c.g1[0][1] = fit->alpha * phi;
		c.g1[1][0] = fit->beta;
		c.g1[1][1] = fit->beta * phi;
		c.h1[0] = 1.0;
		c.h1[1] = phi;
	}
	last = c.k * (c.m - 1);		/* first index of the oldest season block */

	mh = dl_alloc(sizeof(double) * d);
	mh2 = dl_alloc(sizeof(double) * d);
	fvg = dl_alloc(sizeof(double) * (size_t) d * 2);
	vh = dl_alloc0(sizeof(double) * (size_t) d * d);
	next = dl_alloc(sizeof(double) * (size_t) d * d);
	work = dl_alloc(sizeof(double) * (size_t) d * d);
	tmp = dl_alloc(sizeof(double) * (size_t) d * d);

	/* M = x1 x2' */
	for (j = 0; j < c.m; j++)
		for (i = 0; i < c.k; i++)
			mh[i + c.k * j] = fit->final_state[i] * fit->final_state[2 + j];

	for (step = 0; step < h; step++)
	{
		double		m_last = 0.0,
					v_last = 0.0,
					gvg[2][2];
		double	   *swap;

		if (overflow)
		{
			mu[step] = mu[step - 1];
			var[step] = 1e300;
			continue;
		}
		for (i = 0; i < c.k; i++)
		{
			m_last += c.h1[i] * mh[last + i];
			for (i2 = 0; i2 < c.k; i2++)
				v_last += c.h1[i] * c.h1[i2] * vh[(size_t) (last + i) * d + last + i2];
		}
		if (!isfinite(m_last) || !isfinite(v_last))
		{
			overflow = true;
			mu[step] = step > 0 ? mu[step - 1] : clamp_finite(m_last);
			var[step] = 1e300;
			continue;
		}
		mu[step] = clamp_finite(m_last);
		var[step] = sane_variance((1.0 + sigma2) * v_last + sigma2 * m_last * m_last);
		if (step == h - 1)
			break;
		if ((step & 255) == 255)
			dl_check_interrupts();

		/*
		 * G21 (3V + 2MM') G21' lives in the newest block only: gamma^2 g1 B
		 * g1' with B the oldest block of 3V + 2MM'.
		 */
		for (i = 0; i < c.k; i++)
			for (i2 = 0; i2 < c.k; i2++)
			{
				double		v = 0.0;
				int			a,
							b;

				for (a = 0; a < c.k; a++)
					for (b = 0; b < c.k; b++)
						v += c.g1[i][a] * c.g1[i2][b] *
							(3.0 * vh[(size_t) (last + a) * d + last + b] +
							 2.0 * mh[last + a] * mh[last + b]);
				gvg[i][i2] = c.gamma * c.gamma * v;
			}

		/* F21 V F21' = F21 (F21 V)', V being symmetric */
		left_f(&c, vh, work);	/* work = F21 V */

		/*
		 * (F21 V G21')[r][i] = gamma sum_i2 g1[i][i2] (F21 V)[r][oldest
		 * i2]: only the first k columns are non-zero.
		 */
		for (r = 0; r < d; r++)
			for (i = 0; i < c.k; i++)
			{
				double		v = 0.0;

				for (i2 = 0; i2 < c.k; i2++)
					v += c.g1[i][i2] * work[(size_t) r * d + last + i2];
				fvg[(size_t) r * 2 + i] = c.gamma * v;
			}
		transpose(work, tmp, d);
		left_f(&c, tmp, next);	/* next = F21 V F21' */
		for (r = 0; r < d; r++)
			for (i = 0; i < c.k; i++)
			{
				next[(size_t) r * d + i] += sigma2 * fvg[(size_t) r * 2 + i];
				next[(size_t) i * d + r] += sigma2 * fvg[(size_t) r * 2 + i];
			}

		/* K (V + MM') K' */
		for (r = 0; r < d; r++)
			for (i = 0; i < d; i++)
				tmp[(size_t) r * d + i] = vh[(size_t) r * d + i] + mh[r] * mh[i];
		left_k(&c, tmp, work);
		transpose(work, tmp, d);
		left_k(&c, tmp, work);
		for (r = 0; r < d * d; r++)
			next[r] += sigma2 * work[r];
		for (i = 0; i < c.k; i++)
			for (i2 = 0; i2 < c.k; i2++)
				next[(size_t) i * d + i2] += sigma2 * sigma2 * gvg[i][i2];
		for (r = 0; r < d * d; r++)
			if (!(fabs(next[r]) < 1e300))
			{
				overflow = true;
				break;
			}
		swap = vh;
		vh = next;
		next = swap;

		/* M <- F1 M F2' + s2 G1 M G2' */
		for (j = 0; j < c.m; j++)
			for (i = 0; i < c.k; i++)
			{
				double		v = 0.0;

				for (i2 = 0; i2 < c.k; i2++)
					v += c.f1[i][i2] * mh[i2 + c.k * rotated(&c, j)];
				if (j == 0)
					for (i2 = 0; i2 < c.k; i2++)
						v += sigma2 * c.gamma * c.g1[i][i2] * mh[last + i2];
				mh2[i + c.k * j] = v;
			}
		memcpy(mh, mh2, sizeof(double) * d);
	}

	dl_free(mh);
	dl_free(mh2);
	dl_free(fvg);
	dl_free(vh);
	dl_free(next);
	dl_free(work);
	dl_free(tmp);
}

/* in-place sort for the simulated quantiles */
static void
sort_doubles(double *a, int n)
{
	while (n > 16)
	{
		double		pivot,
					x;
		int			i = 0,
					j = n - 1,
					mid = n / 2;

		/* median of three */
		if (a[mid] < a[0])
		{
			x = a[mid];
			a[mid] = a[0];
			a[0] = x;
		}
		if (a[j] < a[0])
		{
			x = a[j];
			a[j] = a[0];
			a[0] = x;
		}
		if (a[j] < a[mid])
		{
			x = a[j];
			a[j] = a[mid];
			a[mid] = x;
		}
		pivot = a[mid];
		while (i <= j)
		{
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j)
			{
				x = a[i];
				a[i] = a[j];
				a[j] = x;
				i++;
				j--;
			}
		}
		/* recurse into the smaller part, loop on the larger */
		if (j + 1 < n - i)
		{
			sort_doubles(a, j + 1);
			a += i;
			n -= i;
		}
		else
		{
			sort_doubles(a + i, n - i);
			n = j + 1;
		}
	}
	{
		int			i,
					j;

		for (i = 1; i < n; i++)
		{
			double		x = a[i];

			for (j = i; j > 0 && a[j - 1] > x; j--)
				a[j] = a[j - 1];
			a[j] = x;
		}
	}
}

/* type 8 sample quantile of sorted x[n] (what R's pegelsfcast.C uses) */
static double
quantile_type8(const double *x, int n, double p)
{
	double		h = (n + 1.0 / 3.0) * p + 1.0 / 3.0;	/* 1-based position */
	int			lo = (int) floor(h);

	if (lo < 1)
		return x[0];
	if (lo >= n)
		return x[n - 1];
	return x[lo - 1] + (h - lo) * (x[lo] - x[lo - 1]);
}

/*
 * Sample paths for the remaining models (multiplicative trend), advanced
 * in lockstep so that memory is O(paths x states) whatever h is; errors
 * are N(0, sigma2), clamped at -1 for multiplicative errors as in R.
 */
static void
simulate_intervals(const EtsFit *fit, int h, const double *probs, int n_probs,
				   uint64_t seed, int n_paths, double *quantiles)
{
	const EtsSpec *spec = &fit->spec;
	EtsParams	p = {fit->alpha, fit->beta, fit->gamma, fit->phi};
	int			m = spec->season != ETS_NONE ? spec->period : 1;
	int			width = 2 + m;
	double	   *states = dl_alloc(sizeof(double) * (size_t) n_paths * width);
	double	   *values = dl_alloc(sizeof(double) * (size_t) n_paths);
	double		sd = sqrt(fmax(fit->sigma2, 0.0));
	double		phi = spec->damped ? fit->phi : 1.0;
	bool		phi_one = fabs(phi - 1.0) < ETS_TOL;
	ForecastRng rng;
	int			path,
				i,
				q;

	forecast_rng_seed(&rng, seed);
	for (path = 0; path < n_paths; path++)
	{
		double	   *st = states + (size_t) path * width;

		st[0] = fit->final_state[0];
		st[1] = fit->final_state[1];
		/* st[2 + k] = figure for step i with i % m == k */
		for (i = 0; i < m; i++)
			st[2 + i] = spec->season != ETS_NONE ? season_at(fit, i) : 0.0;
	}
	for (i = 0; i < h; i++)
	{
		int			k = i % m;

		if ((i & 63) == 63)
			dl_check_interrupts();
		for (path = 0; path < n_paths; path++)
		{
			double	   *st = states + (size_t) path * width;
			double		level = st[0],
						slope = st[1],
						s = st[2 + k],
						phib,
						qv,
						yhat,
						yv,
						a,
						new_level,
						e = sd * forecast_rng_normal(&rng);

			if (spec->trend == ETS_NONE)
			{
				phib = 0.0;
				qv = level;
			}
			else if (spec->trend == ETS_ADDITIVE)
			{
				phib = phi * slope;
				qv = level + phib;
			}
			else
			{
				phib = (slope > 0.0) ? (phi_one ? slope : pow(slope, phi)) : 0.0;
				qv = level * phib;
			}
			if (spec->season == ETS_NONE)
				yhat = qv;
			else
				yhat = (spec->season == ETS_ADDITIVE) ? qv + s : qv * s;
			if (spec->error == ETS_ADDITIVE)
				yv = yhat + e;
			else
				yv = yhat * (1.0 + fmax(e, -1.0));
			yv = clamp_finite(yv);
			values[path] = yv;

			if (spec->season == ETS_NONE)
				a = yv;
			else if (spec->season == ETS_ADDITIVE)
				a = yv - s;
			else
				a = (fabs(s) < ETS_TOL) ? ETS_HUGE : yv / s;
			new_level = qv + p.alpha * (a - qv);
			if (spec->trend == ETS_ADDITIVE)
				slope = phib + (p.beta / p.alpha) * (new_level - level - phib);
			else if (spec->trend == ETS_MULTIPLICATIVE)
				slope = phib + (p.beta / p.alpha) *
					(((fabs(level) < ETS_TOL) ? ETS_HUGE : new_level / level) - phib);
			if (spec->season != ETS_NONE)
			{
				double		target = (spec->season == ETS_ADDITIVE) ? yv - qv
					: ((fabs(qv) < ETS_TOL) ? ETS_HUGE : yv / qv);

				st[2 + k] = clamp_finite(s + p.gamma * (target - s));
			}
			st[0] = clamp_finite(new_level);
			st[1] = clamp_finite(slope);
		}
		sort_doubles(values, n_paths);
		for (q = 0; q < n_probs; q++)
			quantiles[(size_t) q * h + i] = quantile_type8(values, n_paths, probs[q]);
	}
	dl_free(states);
	dl_free(values);
}

/* normal quantile for a level in percent, levels outside (0, 100) clamped */
static double
level_z(double level)
{
	if (!(level > 0.0))
		return 0.0;
	if (level > 99.9999)
		level = 99.9999;
	return forecast_normal_quantile(0.5 + level / 200.0);
}

void
ets_forecast(const EtsFit *fit, int h, const double *levels, int n_levels,
			 uint64_t seed, int n_paths, double *mean, double *lower,
			 double *upper)
{
	const EtsSpec *spec = &fit->spec;
	bool		linear_trend = spec->trend != ETS_MULTIPLICATIVE;
	bool		class12 = linear_trend && spec->season != ETS_MULTIPLICATIVE;
	bool		class3 = linear_trend && spec->error == ETS_MULTIPLICATIVE &&
		spec->season == ETS_MULTIPLICATIVE;
	int			i,
				l;

	if (h <= 0 || mean == NULL)
		return;
	if (!fit_usable(fit))
	{
		/* nothing to forecast from: the level, with zero-width intervals */
		for (i = 0; i < h; i++)
			mean[i] = clamp_finite(fit->final_state[0]);
		if (n_levels > 0 && lower != NULL && upper != NULL)
			for (l = 0; l < n_levels; l++)
				for (i = 0; i < h; i++)
					lower[(size_t) l * h + i] = upper[(size_t) l * h + i] = mean[i];
		return;
	}
	point_forecasts(fit, h, mean);
	if (n_levels <= 0 || levels == NULL || lower == NULL || upper == NULL)
	{
		if (class3)
		{
			/* the mean is class 3's expectation even without intervals */
			double	   *var = dl_alloc(sizeof(double) * (size_t) h);

			class3_forecast(fit, h, mean, var);
			dl_free(var);
		}
		return;
	}

	if (class12 || class3)
	{
		double	   *var = dl_alloc(sizeof(double) * (size_t) h);

		if (class3)
			class3_forecast(fit, h, mean, var);
		else
			linear_variances(fit, h, mean, var);
		for (l = 0; l < n_levels; l++)
		{
			double		z = level_z(levels[l]);

			for (i = 0; i < h; i++)
			{
				double		sd = sqrt(var[i]);

				lower[(size_t) l * h + i] = clamp_finite(mean[i] - z * sd);
				upper[(size_t) l * h + i] = clamp_finite(mean[i] + z * sd);
			}
		}
		dl_free(var);
	}
	else
	{
		double	   *probs = dl_alloc(sizeof(double) * 2 * n_levels);
		double	   *quantiles = dl_alloc(sizeof(double) * 2 * (size_t) n_levels * h);

		for (l = 0; l < n_levels; l++)
		{
			double		level = levels[l];

			if (!(level > 0.0))
				level = 0.0;
			if (level > 99.9999)
				level = 99.9999;
			probs[2 * l] = 0.5 - level / 200.0;
			probs[2 * l + 1] = 0.5 + level / 200.0;
		}
		if (n_paths < 1)
			n_paths = ETS_DEFAULT_PATHS;
		/* long horizons: fewer paths, so that the work stays bounded */
		if ((double) n_paths * h > ETS_MAX_PATH_STEPS)
			n_paths = (int) fmax(ETS_MIN_PATHS, floor(ETS_MAX_PATH_STEPS / h));
		simulate_intervals(fit, h, probs, 2 * n_levels, seed, n_paths, quantiles);
		for (l = 0; l < n_levels; l++)
			for (i = 0; i < h; i++)
			{
				lower[(size_t) l * h + i] = quantiles[(size_t) (2 * l) * h + i];
				upper[(size_t) l * h + i] = quantiles[(size_t) (2 * l + 1) * h + i];
			}
		dl_free(probs);
		dl_free(quantiles);
	}
}

void
ets_fitted_values(const EtsFit *fit, const double *y, int n, double *fitted)
{
	EtsParams	p = {fit->alpha, fit->beta, fit->gamma, fit->phi};
	double		state[ETS_STATE_SIZE];
	int			t;

	if (n <= 0 || y == NULL || fitted == NULL)
		return;
	if (!fit_usable(fit))
	{
		for (t = 0; t < n; t++)
			fitted[t] = clamp_finite(fit->initial_state[0]);
		return;
	}
	memcpy(state, fit->initial_state, sizeof(state));
	ets_run(&fit->spec, &p, y, n, state, fitted, NULL);
	for (t = 0; t < n; t++)
		fitted[t] = clamp_finite(fitted[t]);
}
