/*
 * arima_auto.c
 *		Automatic ARIMA order selection (Hyndman & Khandakar 2008), following
 *		the behaviour of R's forecast::auto.arima() with its defaults:
 *		KPSS tests for d, a seasonal strength test for D, the stepwise search
 *		by AICc with CSS approximations for long or high-frequency series,
 *		and maximum likelihood refits of the best models.  See arima.h.
 *
 * Known differences from R (documented in arima.h): the seasonal strength
 * comes from a classical rather than an STL decomposition; auto.arima's
 * check that the optimiser's Hessian is invertible (checkarima) is not
 * made; periods above 52 are treated as non-seasonal.
 */
#include "util/portable.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "analytics/arima.h"

#define KPSS_CRITICAL_5PCT	0.463	/* level stationarity, Kwiatkowski et al. */
#define SEASONAL_STRENGTH_THRESHOLD 0.64
#define LOG_2PI				1.8378770664093454836

/* ---------------------------------------------------------------------
 * differencing tests
 * --------------------------------------------------------------------- */

double
arima_kpss_statistic(const double *x, int n, int lags)
{
	double		mean = 0.0,
				cum = 0.0,
				eta = 0.0,
				s2 = 0.0;
	double	   *e;
	int			t,
				s;

	if (n < 2)
		return NAN;
	if (lags > n - 1)
		lags = n - 1;
	e = dl_alloc(sizeof(double) * n);
	for (t = 0; t < n; t++)
		mean += x[t];
	mean /= n;
	for (t = 0; t < n; t++)
	{
		e[t] = x[t] - mean;
		cum += e[t];
		eta += cum * cum;
		s2 += e[t] * e[t];
	}
	for (s = 1; s <= lags; s++)
	{
		double		acc = 0.0;

		for (t = s; t < n; t++)
			acc += e[t] * e[t - s];
		s2 += 2.0 * (1.0 - (double) s / (lags + 1)) * acc;
	}
	dl_free(e);
	s2 /= n;
	if (!(s2 > 0.0))
		return NAN;
	return eta / ((double) n * n) / s2;
}

/* does the KPSS test reject level stationarity at 5 %? */
static bool
kpss_rejects(const double *x, int n)
{
	double		stat;

	if (n < 3)
		return false;			/* R: the test errors, no difference taken */
	stat = arima_kpss_statistic(x, n, (int) trunc(3.0 * sqrt((double) n) / 13.0));
	/* p-value interpolated in urca's table is < 0.05 iff stat > 0.463 */
	return isfinite(stat) && stat > KPSS_CRITICAL_5PCT;
}

int
arima_ndiffs(const double *x, int n, int max_d)
{
	double	   *buf;
	int			d = 0,
				len = n,
				t;
	bool		dodiff;

	if (n < 1 || arima_is_constant(x, n))
		return 0;
	buf = dl_alloc(sizeof(double) * n);
	memcpy(buf, x, sizeof(double) * n);
	dodiff = kpss_rejects(buf, len);
	while (dodiff && d < max_d)
	{
		d++;
		for (t = 0; t + 1 < len; t++)
			buf[t] = buf[t + 1] - buf[t];
		len--;
		if (arima_is_constant(buf, len))
			break;
		dodiff = kpss_rejects(buf, len);
	}
	dl_free(buf);
	return d;
}

double
arima_seasonal_strength(const double *x, int n, int m)
{
	int			half = m / 2,
				first,
				last,
				t,
				k;
	double	   *trend,
			   *seas,
			   *count;
	double		smean = 0.0,
				mr = 0.0,
				md = 0.0,
				vr = 0.0,
				vd = 0.0,
				strength;
	int			nn;

	if (m < 2 || n < 2 * m)
		return NAN;
	trend = dl_alloc(sizeof(double) * n);
	seas = dl_alloc0(sizeof(double) * m);
	count = dl_alloc0(sizeof(double) * m);
	/* centred moving average: m terms (odd m) or 2 x m (even m) */
	first = half;
	last = n - 1 - half;
	for (t = first; t <= last; t++)
	{
		double		acc = 0.0;

		if (m % 2 == 1)
		{
			for (k = -half; k <= half; k++)
				acc += x[t + k];
			trend[t] = acc / m;
		}
		else
		{
			for (k = -half + 1; k <= half - 1; k++)
				acc += x[t + k];
			acc += 0.5 * (x[t - half] + x[t + half]);
			trend[t] = acc / m;
		}
	}
	for (t = first; t <= last; t++)
	{
		seas[t % m] += x[t] - trend[t];
		count[t % m] += 1.0;
	}
	for (k = 0; k < m; k++)
	{
		seas[k] = count[k] > 0 ? seas[k] / count[k] : 0.0;
		smean += seas[k];
	}
	smean /= m;
	for (k = 0; k < m; k++)
		seas[k] -= smean;
	/* var(remainder) / var(remainder + seasonal) = var(R) / var(detrended) */
	nn = last - first + 1;
	for (t = first; t <= last; t++)
	{
		double		dt = x[t] - trend[t];

		md += dt;
		mr += dt - seas[t % m];
	}
	md /= nn;
	mr /= nn;
	for (t = first; t <= last; t++)
	{
		double		dt = x[t] - trend[t];
		double		rt = dt - seas[t % m];

		vd += (dt - md) * (dt - md);
		vr += (rt - mr) * (rt - mr);
	}
	dl_free(trend);
	dl_free(seas);
	dl_free(count);
	if (!(vd > 0.0))
		return 0.0;
	strength = 1.0 - vr / vd;
	if (strength < 0.0)
		strength = 0.0;
	if (strength > 1.0)
		strength = 1.0;
	return strength;
}

int
arima_nsdiffs(const double *x, int n, int m, int max_D)
{
	double	   *buf;
	int			D = 0,
				len = n,
				t;
	bool		dodiff;

	if (m < 2 || n < 1 || arima_is_constant(x, n) || m >= n)
		return 0;
	buf = dl_alloc(sizeof(double) * n);
	memcpy(buf, x, sizeof(double) * n);
	{
		double		s = arima_seasonal_strength(buf, len, m);

		dodiff = isfinite(s) && s > SEASONAL_STRENGTH_THRESHOLD;
	}
	while (dodiff && D < max_D)
	{
		D++;
		for (t = 0; t + m < len; t++)
			buf[t] = buf[t + m] - buf[t];
		len -= m;
		if (arima_is_constant(buf, len))
			break;
		if (len >= 2 * m && D < max_D)
		{
			double		s = arima_seasonal_strength(buf, len, m);

			dodiff = isfinite(s) && s > SEASONAL_STRENGTH_THRESHOLD;
		}
		else
			dodiff = false;
	}
	dl_free(buf);
	return D;
}

/* ---------------------------------------------------------------------
 * stepwise search
 * --------------------------------------------------------------------- */

void
arima_auto_default_options(ArimaAutoOptions *options)
{
	options->max_p = 5;
	options->max_q = 5;
	options->max_P = 2;
	options->max_Q = 2;
	options->max_d = 2;
	options->max_D = 1;
	options->d = -1;
	options->D = -1;
	options->max_models = 94;
	options->approximation = -1;
	options->allow_constant = true;
}

typedef struct SearchResult
{
	int			p,
				q,
				P,
				Q;
	bool		constant;
	double		ic;
} SearchResult;

typedef struct Search
{
	const double *y;
	int			n;
	int			m;
	int			d,
				D;
	bool		approximation;
	bool		use_aic;
	double		offset;
	SearchResult *results;
	int			k;				/* models tried */
	int			fitted;
	ArimaFit	best;
	double		best_ic;
	bool		have_best;
} Search;

/* auto.arima's myarima(): fit, information criterion, admissibility */
static double
search_fit(Search *s, int p, int q, int P, int Q, bool constant,
		   bool approximation, ArimaFit *fit)
{
	ArimaOrder	o;
	ArimaStatus st;
	double		npar,
				nstar,
				aic,
				ic;

	o.p = p;
	o.d = s->d;
	o.q = q;
	o.P = P;
	o.D = s->D;
	o.Q = Q;
	o.period = s->m;
	s->fitted++;
	st = arima_fit_method(s->y, s->n, &o, constant,
						  approximation ? ARIMA_METHOD_CSS : ARIMA_METHOD_CSS_ML,
						  fit);
	if (st != ARIMA_OK && st != ARIMA_NOT_ADMISSIBLE)
		return INFINITY;
	npar = fit->ncoef + 1;
	nstar = fit->nobs;
	if (approximation && !fit->degenerate)
	{
		aic = s->offset + nstar * log(fit->sigma2_mle) + 2.0 * npar;
		fit->aic = aic;
		fit->bic = aic + npar * (log(nstar) - 2.0);
		fit->aicc = nstar - npar - 1 > 0 ? aic + 2.0 * npar * (npar + 1) / (nstar - npar - 1) : INFINITY;
	}
	ic = s->use_aic ? fit->aic : fit->aicc;
	if (!isfinite(ic) || !fit->admissible)
		return INFINITY;
	return ic;
}

static bool
is_new_model(const Search *s, int p, int q, int P, int Q, bool constant)
{
	int			i;

	for (i = 0; i < s->k; i++)
		if (s->results[i].p == p && s->results[i].q == q &&
			s->results[i].P == P && s->results[i].Q == Q &&
			s->results[i].constant == constant)
			return false;
	return true;
}

/* fits a candidate, records it; true if it became the best */
static bool
try_model(Search *s, int p, int q, int P, int Q, bool constant)
{
	ArimaFit	fit;
	double		ic;
	SearchResult *r = &s->results[s->k++];

	dl_check_interrupts();
	ic = search_fit(s, p, q, P, Q, constant, s->approximation, &fit);

	r->p = p;
	r->q = q;
	r->P = P;
	r->Q = Q;
	r->constant = constant;
	r->ic = ic;
	if (ic < s->best_ic || (!s->have_best && fit.y != NULL))
	{
		bool		improved = ic < s->best_ic;

		if (s->have_best)
			arima_free(&s->best);
		s->best = fit;
		s->have_best = true;
		if (improved)
			s->best_ic = ic;
		return improved;
	}
	arima_free(&fit);
	return false;
}

static int
min_int(int a, int b)
{
	return a < b ? a : b;
}

ArimaStatus
arima_auto(const double *y, int n, int period, ArimaFit *best)
{
	ArimaAutoOptions options;

	arima_auto_default_options(&options);
	return arima_auto_ex(y, n, period, &options, best, NULL);
}

ArimaStatus
arima_auto_ex(const double *y, int n, int period,
			  const ArimaAutoOptions *options, ArimaFit *best,
			  ArimaAutoInfo *info)
{
	ArimaAutoInfo local_info;
	Search		s;
	int			m = period,
				max_p = options->max_p,
				max_q = options->max_q,
				max_P = options->max_P,
				max_Q = options->max_Q,
				d,
				D,
				t,
				len;
	int			p,
				q,
				P,
				Q,
				startk,
				nmodels = options->max_models > 4 ? options->max_models : 4;
	bool		constant,
				allow_constant;
	double	   *dx;
	ArimaStatus status = ARIMA_OK;

	memset(best, 0, sizeof(*best));
	if (info == NULL)
		info = &local_info;
	memset(info, 0, sizeof(*info));
	info->seasonal_strength = NAN;
	if (period < 1)
		return ARIMA_BAD_ORDER;
	if (y == NULL || n < 1)
		return ARIMA_TOO_SHORT;
	for (t = 0; t < n; t++)
		if (!isfinite(y[t]))
			return ARIMA_NONFINITE;

	if (arima_is_constant(y, n))
	{
		ArimaOrder	o = {0, 0, 0, 0, 0, 0, 1};

		info->constant_series = true;
		info->period_used = 1;
		status = arima_fit(y, n, &o, true, best);
		info->models_fitted = 1;
		return status;
	}
	if (n < 3)
		return ARIMA_TOO_SHORT;

	if (m > ARIMA_MAX_SEASONAL_PERIOD)
		m = 1;
	max_p = min_int(max_p, n / 3);
	max_q = min_int(max_q, n / 3);
	max_P = min_int(max_P, n / 3 / m);
	max_Q = min_int(max_Q, n / 3 / m);
	max_p = min_int(max_p, ARIMA_MAX_NONSEASONAL);
	max_q = min_int(max_q, ARIMA_MAX_NONSEASONAL);
	max_P = min_int(max_P, ARIMA_MAX_SEASONAL);
	max_Q = min_int(max_Q, ARIMA_MAX_SEASONAL);

	/* seasonal differencing */
	if (m == 1)
	{
		D = 0;
		max_P = max_Q = 0;
	}
	else if (options->D >= 0)
		D = options->D;
	else if (n <= 2 * m)
		D = 0;
	else
	{
		info->seasonal_strength = arima_seasonal_strength(y, n, m);
		D = arima_nsdiffs(y, n, m, options->max_D);
	}
	if (n - D * m < 3)
		D = 0;
	dx = dl_alloc(sizeof(double) * n);
	memcpy(dx, y, sizeof(double) * n);
	len = n;
	for (t = 0; t < D; t++)
	{
		int			i;

		for (i = 0; i + m < len; i++)
			dx[i] = dx[i + m] - dx[i];
		len -= m;
	}
	/* non-seasonal differencing */
	d = options->d >= 0 ? options->d : arima_ndiffs(dx, len, options->max_d);
	if (len - d < 1)
		d = len > 1 ? len - 1 : 0;
	for (t = 0; t < d; t++)
	{
		int			i;

		for (i = 0; i + 1 < len; i++)
			dx[i] = dx[i + 1] - dx[i];
		len--;
	}
	info->d = d;
	info->D = D;
	info->period_used = m;
	allow_constant = options->allow_constant && d + D <= 1;

	if (arima_is_constant(dx, len))
	{
		/* a polynomial or exactly periodic series: fit it exactly */
		ArimaOrder	o = {0, d, 0, 0, D, 0, m};

		dl_free(dx);
		info->models_fitted = 1;
		return arima_fit(y, n, &o, d + D <= 1, best);
	}

	memset(&s, 0, sizeof(s));
	s.y = y;
	s.n = n;
	s.m = m;
	s.d = d;
	s.D = D;
	s.use_aic = n <= 3;
	s.best_ic = INFINITY;
	s.results = dl_alloc(sizeof(SearchResult) * (size_t) (nmodels + 8));
	if (options->approximation >= 0)
		s.approximation = options->approximation > 0;
	else
		s.approximation = n > 150 || m > 12;
	info->approximation = s.approximation;

	if (m > 1)
	{
		if (max_P > 0)
			max_p = min_int(max_p, m - 1);
		if (max_Q > 0)
			max_q = min_int(max_q, m - 1);
	}

	if (s.approximation)
	{
		/*
		 * auto.arima's offset: -2 loglik - n log sigma2 of the ML fit of
		 * ARIMA(0,d,0)(0,D,0) (with mean when d + D = 0, as arima()'s
		 * default), available in closed form: white noise.
		 */
		int			nw = len;
		double		mean = 0.0,
					ss = 0.0;

		if (d + D == 0)
		{
			for (t = 0; t < nw; t++)
				mean += dx[t];
			mean /= nw;
		}
		for (t = 0; t < nw; t++)
			ss += (dx[t] - mean) * (dx[t] - mean);
		ss /= nw;
		if (ss > 0.0)
		{
			double		loglik = -0.5 * (nw * (LOG_2PI + log(ss)) + nw);

			s.offset = -2.0 * loglik - n * log(ss);
		}
	}
	dl_free(dx);

	constant = allow_constant;
	if (n < 10)
	{
		p = 1;
		q = 1;
		P = Q = 0;
	}
	else
	{
		p = 2;
		q = 2;
		P = 1;
		Q = 1;
	}
	p = min_int(p, max_p);
	q = min_int(q, max_q);
	P = min_int(P, max_P);
	Q = min_int(Q, max_Q);

	/* the starting models */
	try_model(&s, p, q, P, Q, constant);
	if (try_model(&s, 0, 0, 0, 0, constant))
		p = q = P = Q = 0;
	if (max_p > 0 || max_P > 0)
	{
		int			np = max_p > 0,
					nP = (m > 1) && max_P > 0;

		if (try_model(&s, np, 0, nP, 0, constant))
		{
			p = np;
			P = nP;
			q = Q = 0;
		}
	}
	if (max_q > 0 || max_Q > 0)
	{
		int			nq = max_q > 0,
					nQ = (m > 1) && max_Q > 0;

		if (try_model(&s, 0, nq, 0, nQ, constant))
		{
			p = P = 0;
			q = nq;
			Q = nQ;
		}
	}
	if (constant)
	{
		if (try_model(&s, 0, 0, 0, 0, false))
			p = q = P = Q = 0;
	}

	/*
	 * Neighbourhood moves, in auto.arima's order: the first improvement is
	 * taken and the neighbourhood of the new model explored again.
	 */
	startk = 0;
	while (startk < s.k && s.k < nmodels)
	{
		static const int moves[16][4] = {
			/* {dp, dq, dP, dQ}: seasonal moves first, as auto.arima */
			{0, 0, -1, 0}, {0, 0, 0, -1}, {0, 0, 1, 0}, {0, 0, 0, 1},
			{0, 0, -1, -1}, {0, 0, -1, 1}, {0, 0, 1, -1}, {0, 0, 1, 1},
			{-1, 0, 0, 0}, {0, -1, 0, 0}, {1, 0, 0, 0}, {0, 1, 0, 0},
			{-1, -1, 0, 0}, {-1, 1, 0, 0}, {1, -1, 0, 0}, {1, 1, 0, 0}
		};
		int			i;
		bool		moved = false;

		startk = s.k;
		for (i = 0; i < 16 && !moved; i++)
		{
			int			np = p + moves[i][0],
						nq = q + moves[i][1],
						nP = P + moves[i][2],
						nQ = Q + moves[i][3];

			if (np < 0 || nq < 0 || nP < 0 || nQ < 0 ||
				np > max_p || nq > max_q || nP > max_P || nQ > max_Q)
				continue;
			if (!is_new_model(&s, np, nq, nP, nQ, constant))
				continue;
			if (s.k >= nmodels)
				break;
			if (try_model(&s, np, nq, nP, nQ, constant))
			{
				p = np;
				q = nq;
				P = nP;
				Q = nQ;
				moved = true;
			}
		}
		if (!moved && allow_constant && s.k < nmodels &&
			is_new_model(&s, p, q, P, Q, !constant))
		{
			if (try_model(&s, p, q, P, Q, !constant))
				constant = !constant;
		}
	}

	/* approximate search: refit the best candidates by maximum likelihood */
	if (s.approximation && s.have_best)
	{
		int		   *idx = dl_alloc(sizeof(int) * (size_t) (s.k > 0 ? s.k : 1));
		int			i,
					j;

		for (i = 0; i < s.k; i++)
			idx[i] = i;
		for (i = 1; i < s.k; i++)	/* stable insertion sort by ic */
		{
			int			v = idx[i];

			for (j = i; j > 0 && s.results[idx[j - 1]].ic > s.results[v].ic; j--)
				idx[j] = idx[j - 1];
			idx[j] = v;
		}
		for (i = 0; i < s.k; i++)
		{
			const SearchResult *r = &s.results[idx[i]];
			ArimaFit	fit;
			double		ic = search_fit(&s, r->p, r->q, r->P, r->Q, r->constant,
										false, &fit);

			if (ic < INFINITY)
			{
				arima_free(&s.best);
				s.best = fit;
				s.best_ic = ic;
				break;
			}
			arima_free(&fit);
		}
		dl_free(idx);
	}

	info->models_fitted = s.fitted;
	dl_free(s.results);
	if (!s.have_best || !(s.best_ic < INFINITY))
	{
		if (s.have_best)
			arima_free(&s.best);
		return ARIMA_NO_FIT;
	}
	*best = s.best;
	return ARIMA_OK;
}
