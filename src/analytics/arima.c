/*
 * arima.c
 *		Fitting and forecasting of seasonal ARIMA models (see arima.h).
 *
 * The differenced series w (length nobs) is modelled as a stationary ARMA
 * process around c * (differenced regressor).  Its exact likelihood is
 * computed by a Kalman filter on the state space form
 *		w_t = Z a_t,  a_{t+1} = T a_t + R e_{t+1},
 * with r = max(np, nq + 1) states, Z = (1, 0, ...), T the companion matrix
 * with the expanded AR coefficients in its first column and R = (1,
 * theta_1, ..., theta_{r-1})' (Harvey 1989; Durbin & Koopman 2012, 3.4).
 * Because the differencing is applied to the data, this equals the diffuse
 * likelihood R's arima() computes for the undifferenced series.
 *
 * The initial state covariance is the stationary one.  Writing it as P, the
 * Lyapunov equation P = T P T' + R R' for a companion T reads, entry by
 * entry, P[i][j] = P[i+1][j+1] + phi_i phi_j P[0][0] + phi_i P[0][j+1] +
 * phi_j P[0][i+1] + R_i R_j; the first row follows from the process's
 * autocovariances gamma(k) and its psi weights (Cov(w_t, e_{t-l}) = psi_l),
 * so P costs one (np + 1)-dimensional linear solve plus O(r^2) work.
 *
 * Time varying filter steps cost O(r^2) thanks to the companion structure;
 * once the one-step variance F_t is within 1e-10 of its limit 1 and P is
 * within 1e-9 of R R', the filter continues with the steady-state
 * (innovations) recursions at O(r) a step.
 */
#include "util/portable.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analytics/arima.h"
#include "analytics/forecast_stats.h"

#define BFGS_MAXIT			100
#define BFGS_RELTOL			1.490116119384765625e-8 /* sqrt(DBL_EPSILON) */
#define GRAD_STEP			1e-3	/* R optim()'s ndeps */
#define ADMISSIBLE_RADIUS	1.01
#define LOG_2PI				1.8378770664093454836

/* ---------------------------------------------------------------------
 * small helpers
 * --------------------------------------------------------------------- */

bool
arima_is_constant(const double *x, int n)
{
	double		sum_abs = 0.0,
				sum_diff = 0.0;
	int			i;

	if (n <= 1)
		return true;
	for (i = 0; i < n; i++)
	{
		sum_abs += fabs(x[i]);
		sum_diff += fabs(x[i] - x[0]);
	}
	sum_abs /= n;
	sum_diff /= n;
	/* all.equal(): relative difference unless the target is ~0 */
	if (sum_abs > 1.5e-8)
		return sum_diff / sum_abs < 1.5e-8;
	return sum_diff < 1.5e-8;
}

/*
 * AR coefficients phi[0..p) (polynomial 1 - sum phi_i z^i) have all roots
 * outside |z| = radius?  Reverse Levinson-Durbin on the scaled coefficients
 * phi_i radius^i: stationary iff every partial autocorrelation is in (-1,1).
 */
static bool
ar_roots_outside(const double *phi, int p, double radius)
{
	double		a[ARIMA_MAX_NONSEASONAL + 1],
				b[ARIMA_MAX_NONSEASONAL + 1];
	double		scale = 1.0;
	int			i,
				j;

	while (p > 0 && fabs(phi[p - 1]) <= 1e-8)
		p--;					/* R trims negligible trailing coefficients */
	if (p == 0)
		return true;
	for (i = 0; i < p; i++)
	{
		scale *= radius;
		a[i] = phi[i] * scale;
		if (!isfinite(a[i]))
			return false;
	}
	for (j = p; j >= 1; j--)
	{
		double		k = a[j - 1];
		double		den = 1.0 - k * k;

		if (!(fabs(k) < 1.0) || den <= 0.0)
			return false;
		for (i = 0; i < j - 1; i++)
			b[i] = (a[i] + k * a[j - 2 - i]) / den;
		for (i = 0; i < j - 1; i++)
			a[i] = b[i];
	}
	return true;
}

/* same for an MA polynomial 1 + sum theta_i z^i */
static bool
ma_roots_outside(const double *theta, int q, double radius)
{
	double		neg[ARIMA_MAX_NONSEASONAL] = {0};
	int			i;

	for (i = 0; i < q; i++)
		neg[i] = -theta[i];
	return ar_roots_outside(neg, q, radius);
}

/* partial autocorrelations pacf[0..p) -> AR coefficients (Levinson) */
static void
pacf_to_ar(const double *pacf, int p, double *phi)
{
	double		work[ARIMA_MAX_NONSEASONAL];
	int			j,
				k;

	for (j = 0; j < p; j++)
	{
		double		a = pacf[j];

		for (k = 0; k < j; k++)
			work[k] = phi[k] - a * phi[j - 1 - k];
		for (k = 0; k < j; k++)
			phi[k] = work[k];
		phi[j] = a;
	}
}

/* inverse; false if not stationary */
static bool
ar_to_pacf(const double *phi, int p, double *pacf)
{
	double		a[ARIMA_MAX_NONSEASONAL],
				b[ARIMA_MAX_NONSEASONAL];
	int			i,
				j;

	for (i = 0; i < p; i++)
		a[i] = phi[i];
	for (j = p; j >= 1; j--)
	{
		double		k = a[j - 1];
		double		den = 1.0 - k * k;

		if (!(fabs(k) < 1.0) || den <= 0.0)
			return false;
		pacf[j - 1] = k;
		for (i = 0; i < j - 1; i++)
			b[i] = (a[i] + k * a[j - 2 - i]) / den;
		for (i = 0; i < j - 1; i++)
			a[i] = b[i];
	}
	return true;
}

/*
 * Roots of 1 + c_1 z + ... + c_q z^q (c_q != 0) by the Durand-Kerner
 * iteration on the monic reversed form; re/im receive q roots.
 */
static void
poly_roots(const double *c, int q, double *re, double *im)
{
	/* monic polynomial z^q + b_{q-1} z^{q-1} + ... + b_0, b = coeffs / c_q */
	double		b[ARIMA_MAX_NONSEASONAL + 1];
	int			i,
				j,
				iter;

	for (i = 0; i < q; i++)		/* coefficient of z^i: 1 for i = 0, else c_i */
		b[i] = (i == 0 ? 1.0 : c[i - 1]) / c[q - 1];
	for (i = 0; i < q; i++)
	{
		/* (0.4 + 0.9i)^i scaled by a root bound */
		double		rr = 1.0,
					ri = 0.0;

		for (j = 0; j < i; j++)
		{
			double		t = rr * 0.4 - ri * 0.9;

			ri = rr * 0.9 + ri * 0.4;
			rr = t;
		}
		re[i] = rr;
		im[i] = ri;
	}
	{
		double		bound = 1.0;

		for (i = 0; i < q; i++)
			if (1.0 + fabs(b[i]) > bound)
				bound = 1.0 + fabs(b[i]);
		for (i = 0; i < q; i++)
		{
			re[i] *= bound;
			im[i] *= bound;
		}
	}
	for (iter = 0; iter < 1000; iter++)
	{
		double		change = 0.0;

		for (i = 0; i < q; i++)
		{
			/* p(z_i) by Horner */
			double		pr = 1.0,
						pi = 0.0,
						dr = 1.0,
						di = 0.0,
						nr,
						ni,
						den;

			for (j = q - 1; j >= 0; j--)
			{
				double		t = pr * re[i] - pi * im[i] + b[j];

				pi = pr * im[i] + pi * re[i];
				pr = t;
			}
			for (j = 0; j < q; j++)
			{
				double		xr,
							xi,
							t;

				if (j == i)
					continue;
				xr = re[i] - re[j];
				xi = im[i] - im[j];
				t = dr * xr - di * xi;
				di = dr * xi + di * xr;
				dr = t;
			}
			den = dr * dr + di * di;
			if (den == 0.0)
				den = DBL_MIN;
			nr = (pr * dr + pi * di) / den;
			ni = (pi * dr - pr * di) / den;
			re[i] -= nr;
			im[i] -= ni;
			change += fabs(nr) + fabs(ni);
		}
		if (change < 1e-14)
			break;
	}
}

/*
 * Replace the roots of the MA polynomial 1 + theta_1 z + ... inside the
 * unit circle by their reciprocals (same autocovariances up to sigma2).
 */
static void
ma_invert(double *theta, int q)
{
	double		re[ARIMA_MAX_NONSEASONAL],
				im[ARIMA_MAX_NONSEASONAL];
	double		cr[ARIMA_MAX_NONSEASONAL + 1],
				ci[ARIMA_MAX_NONSEASONAL + 1];
	bool		any = false;
	int			i,
				j;

	while (q > 0 && theta[q - 1] == 0.0)
		q--;
	if (q == 0 || ma_roots_outside(theta, q, 1.0))
		return;
	if (q == 1)
	{
		theta[0] = 1.0 / theta[0];
		return;
	}
	poly_roots(theta, q, re, im);
	for (i = 0; i < q; i++)
	{
		double		mod2 = re[i] * re[i] + im[i] * im[i];

		if (mod2 < 1.0 && mod2 > 0.0)
		{
			re[i] = re[i] / mod2;
			im[i] = -im[i] / mod2;
			any = true;
		}
	}
	if (!any)
		return;
	/* rebuild prod (1 - z / root) */
	cr[0] = 1.0;
	ci[0] = 0.0;
	for (i = 0; i < q; i++)
	{
		double		mod2 = re[i] * re[i] + im[i] * im[i];
		double		ir = re[i] / mod2,
					ii = -im[i] / mod2;	/* 1 / root */

		cr[i + 1] = 0.0;
		ci[i + 1] = 0.0;
		for (j = i + 1; j >= 1; j--)
		{
			/* c_j -= c_{j-1} / root */
			cr[j] -= cr[j - 1] * ir - ci[j - 1] * ii;
			ci[j] -= cr[j - 1] * ii + ci[j - 1] * ir;
		}
	}
	for (i = 0; i < q; i++)
		theta[i] = cr[i + 1];
}

/* ---------------------------------------------------------------------
 * BFGS with numerical gradients (variable metric, Nash 1990 alg. 21)
 * --------------------------------------------------------------------- */

typedef double (*ArimaObjective) (const double *x, void *ctx);
struct ArimaWork;
static void work_for_fit(const ArimaFit *fit, struct ArimaWork *w);

static void
numeric_gradient(ArimaObjective f, void *ctx, double *x, int k, double f0,
				 double *g)
{
	int			i;

	for (i = 0; i < k; i++)
	{
		double		xi = x[i],
					fp,
					fm;

		x[i] = xi + GRAD_STEP;
		fp = f(x, ctx);
		x[i] = xi - GRAD_STEP;
		fm = f(x, ctx);
		x[i] = xi;
		if (isfinite(fp) && isfinite(fm))
			g[i] = (fp - fm) / (2.0 * GRAD_STEP);
		else if (isfinite(fp))
			g[i] = (fp - f0) / GRAD_STEP;
		else if (isfinite(fm))
			g[i] = (f0 - fm) / GRAD_STEP;
		else
			g[i] = 0.0;
	}
}

/*
 * Minimises f from x (overwritten).  Returns the minimum (+Inf if f(x0) is
 * not finite); *gradients counts gradient evaluations.
 */
static double
bfgs_minimize(ArimaObjective f, void *ctx, double *x, int k, int maxit,
			  int *gradients)
{
	double	   *B,
			   *g,
			   *gn,
			   *xn,
			   *d,
			   *s,
			   *yv,
			   *By;
	double		fx;
	int			count = 1;
	bool		reset_needed = true,
				just_reset = false;
	int			i,
				j;

	*gradients = 0;
	fx = f(x, ctx);
	if (!isfinite(fx) || k == 0)
		return fx;
	B = dl_alloc(sizeof(double) * (size_t) (k * k + 7 * k));
	g = B + k * k;
	gn = g + k;
	xn = gn + k;
	d = xn + k;
	s = d + k;
	yv = s + k;
	By = yv + k;
	numeric_gradient(f, ctx, x, k, fx, g);
	for (;;)
	{
		double		gd = 0.0,
					step = 1.0,
					fn = fx,
					sy = 0.0,
					yBy = 0.0;
		bool		accepted = false,
					converged;

		dl_check_interrupts();
		if (reset_needed)
		{
			/* (re)start from steepest descent */
			for (i = 0; i < k * k; i++)
				B[i] = 0.0;
			for (i = 0; i < k; i++)
				B[i * k + i] = 1.0;
			reset_needed = false;
			just_reset = true;
		}
		for (i = 0; i < k; i++)
		{
			double		acc = 0.0;

			for (j = 0; j < k; j++)
				acc -= B[i * k + j] * g[j];
			d[i] = acc;
			gd += acc * g[i];
		}
		if (gd < 0.0)
		{
			/* backtracking line search with an Armijo condition */
			for (;;)
			{
				int			changed = 0;

				for (i = 0; i < k; i++)
				{
					xn[i] = x[i] + step * d[i];
					if (10.0 + xn[i] != 10.0 + x[i])
						changed++;
				}
				if (changed == 0)
					break;
				fn = f(xn, ctx);
				if (isfinite(fn) && fn <= fx + 1e-4 * step * gd)
				{
					accepted = true;
					break;
				}
				step *= 0.2;
			}
		}
		if (!accepted)
		{
			if (just_reset)
				break;			/* not even steepest descent helps: done */
			reset_needed = true;
			continue;
		}
		just_reset = false;
		converged = fabs(fn - fx) <= BFGS_RELTOL * (fabs(fx) + BFGS_RELTOL);
		numeric_gradient(f, ctx, xn, k, fn, gn);
		count++;
		for (i = 0; i < k; i++)
		{
			s[i] = xn[i] - x[i];
			yv[i] = gn[i] - g[i];
			sy += s[i] * yv[i];
		}
		for (i = 0; i < k; i++)
		{
			double		acc = 0.0;

			for (j = 0; j < k; j++)
				acc += B[i * k + j] * yv[j];
			By[i] = acc;
			yBy += acc * yv[i];
		}
		if (sy > 0.0)
		{
			double		c1 = (1.0 + yBy / sy) / sy;

			for (i = 0; i < k; i++)
				for (j = 0; j < k; j++)
					B[i * k + j] += c1 * s[i] * s[j] - (By[i] * s[j] + s[i] * By[j]) / sy;
		}
		else
			reset_needed = true;
		memcpy(x, xn, sizeof(double) * k);
		memcpy(g, gn, sizeof(double) * k);
		fx = fn;
		if (converged || count >= maxit)
			break;
	}
	*gradients = count;
	dl_free(B);
	return fx;
}

/* ---------------------------------------------------------------------
 * the model and its likelihoods
 * --------------------------------------------------------------------- */

typedef struct ArimaWork
{
	int			p,
				q,
				P,
				Q,
				m;
	int			narma;
	int			nreg;			/* 0 or 1 */
	int			nw;				/* differenced length */
	const double *dy;			/* differenced series */
	const double *dx;			/* differenced regressor (nreg = 1) */
	double		reg_scale;		/* optimiser units of the constant */
	bool		transform;		/* AR via partial autocorrelations */
	int			np,
				nq,
				r;
	double	   *phi;			/* expanded AR, np */
	double	   *theta;			/* expanded MA, nq */
	double	   *x;				/* nw: dy - c dx */
	double	   *e;				/* nw: CSS residuals */
	double	   *a,
			   *anew,
			   *Pm,
			   *Pn,
			   *Rv,
			   *phir,
			   *gam,
			   *psi,
			   *A;				/* Kalman / stationary covariance work */
	int		   *nz_r;			/* indices of the non-zero entries of R */
	int			nnz_r;
	double		coef[ARIMA_MAX_COEF];
} ArimaWork;

/* expand phi(B) Phi(B^m) and theta(B) Theta(B^m) from coef[] */
static void
expand_polynomials(ArimaWork *w, const double *coef)
{
	const double *ar = coef,
			   *ma = coef + w->p,
			   *sar = coef + w->p + w->q,
			   *sma = coef + w->p + w->q + w->P;
	int			i,
				j;

	for (i = 0; i < w->np; i++)
		w->phi[i] = 0.0;
	for (i = 0; i < w->nq; i++)
		w->theta[i] = 0.0;
	/* (1 - a(B))(1 - A(B^m)) = 1 - a - A + a A */
	for (i = 0; i < w->p; i++)
		w->phi[i] += ar[i];
	for (j = 0; j < w->P; j++)
	{
		w->phi[(j + 1) * w->m - 1] += sar[j];
		for (i = 0; i < w->p; i++)
			w->phi[(j + 1) * w->m + i] -= ar[i] * sar[j];
	}
	/* (1 + t(B))(1 + T(B^m)) = 1 + t + T + t T */
	for (i = 0; i < w->q; i++)
		w->theta[i] += ma[i];
	for (j = 0; j < w->Q; j++)
	{
		w->theta[(j + 1) * w->m - 1] += sma[j];
		for (i = 0; i < w->q; i++)
			w->theta[(j + 1) * w->m + i] += ma[i] * sma[j];
	}
}

/* solves A x = b (n x n, row major) in place into b; false if singular */
static bool
solve_linear(double *A, double *b, int n)
{
	int			i,
				j,
				k;

	for (k = 0; k < n; k++)
	{
		int			piv = k;
		double		best = fabs(A[k * n + k]);

		for (i = k + 1; i < n; i++)
			if (fabs(A[i * n + k]) > best)
			{
				best = fabs(A[i * n + k]);
				piv = i;
			}
		if (!(best > 1e-300))
			return false;
		if (piv != k)
		{
			for (j = 0; j < n; j++)
			{
				double		t = A[k * n + j];

				A[k * n + j] = A[piv * n + j];
				A[piv * n + j] = t;
			}
			{
				double		t = b[k];

				b[k] = b[piv];
				b[piv] = t;
			}
		}
		for (i = k + 1; i < n; i++)
		{
			double		f = A[i * n + k] / A[k * n + k];

			if (f == 0.0)
				continue;
			for (j = k; j < n; j++)
				A[i * n + j] -= f * A[k * n + j];
			b[i] -= f * b[k];
		}
	}
	for (k = n - 1; k >= 0; k--)
	{
		double		acc = b[k];

		for (j = k + 1; j < n; j++)
			acc -= A[k * n + j] * b[j];
		b[k] = acc / A[k * n + k];
	}
	return true;
}

/* stationary covariance of the state (unit innovation variance) into w->Pm */
static bool
stationary_covariance(ArimaWork *w)
{
	int			np = w->np,
				nq = w->nq,
				r = w->r;
	double	   *phir = w->phir,
			   *R = w->Rv,
			   *gam = w->gam,
			   *psi = w->psi,
			   *P = w->Pm;
	int			i,
				j,
				k,
				l;

	w->nnz_r = 0;
	for (i = 0; i < r; i++)
	{
		phir[i] = i < np ? w->phi[i] : 0.0;
		R[i] = i == 0 ? 1.0 : (i <= nq ? w->theta[i - 1] : 0.0);
		if (R[i] != 0.0)
			w->nz_r[w->nnz_r++] = i;
	}
	/* psi weights 0..r */
	for (j = 0; j <= r; j++)
	{
		double		acc = j == 0 ? 1.0 : (j <= nq ? w->theta[j - 1] : 0.0);

		for (i = 1; i <= j && i <= np; i++)
			acc += w->phi[i - 1] * psi[j - i];
		psi[j] = acc;
	}
	/* autocovariances 0..r */
	if (np == 0)
	{
		for (k = 0; k <= r; k++)
		{
			double		acc = 0.0;

			for (j = 0; j + k <= nq; j++)
				acc += (j == 0 ? 1.0 : w->theta[j - 1]) * (j + k == 0 ? 1.0 : w->theta[j + k - 1]);
			gam[k] = acc;
		}
	}
	else
	{
		int			dim = np + 1;
		double	   *A = w->A;

		for (i = 0; i < dim * dim; i++)
			A[i] = 0.0;
		for (k = 0; k <= np; k++)
		{
			double		rhs = 0.0;

			A[k * dim + k] += 1.0;
			for (i = 1; i <= np; i++)
				A[k * dim + abs(k - i)] -= w->phi[i - 1];
			for (j = k; j <= nq; j++)
				rhs += (j == 0 ? 1.0 : w->theta[j - 1]) * psi[j - k];
			gam[k] = rhs;
		}
		if (!solve_linear(A, gam, dim))
			return false;
		for (k = np + 1; k <= r; k++)
		{
			double		acc = 0.0;

			for (i = 1; i <= np; i++)
				acc += w->phi[i - 1] * gam[k - i];
			for (j = k; j <= nq; j++)
				acc += (j == 0 ? 1.0 : w->theta[j - 1]) * psi[j - k];
			gam[k] = acc;
		}
	}
	if (!(gam[0] > 0.0) || !isfinite(gam[0]))
		return false;
	/* first row: Cov(w_t, a_{j,t}) */
	P[0] = gam[0];
	for (j = 1; j < r; j++)
	{
		double		acc = 0.0;

		for (l = 1; l <= r - j; l++)
			acc += phir[l + j - 1] * gam[l];
		for (l = 0; l <= r - j - 1; l++)
			acc += R[l + j] * psi[l];
		P[j] = acc;
		P[j * r] = acc;
	}
	/* the rest from the Lyapunov recursion, bottom right upwards */
	for (i = r - 1; i >= 1; i--)
		for (j = i; j < r; j++)
		{
			double		v = phir[i] * phir[j] * gam[0] + R[i] * R[j];

			if (j + 1 < r)
				v += P[(i + 1) * r + j + 1] + phir[i] * P[j + 1];
			if (i + 1 < r)
				v += phir[j] * P[i + 1];
			P[i * r + j] = v;
			P[j * r + i] = v;
		}
	return true;
}

/*
 * Kalman filter over x[0..nx) with unit innovation variance.  Returns false
 * on numerical failure.  resid (nullable) gets e_t / sqrt(F_t); afinal
 * (nullable, r values) the predicted state a_{n+1|n}.
 */
static bool
kalman_filter(ArimaWork *w, const double *x, int nx, double *ssq,
			  double *sumlog, double *resid, double *afinal)
{
	int			r = w->r;
	double	   *a = w->a,
			   *an = w->anew,
			   *P = w->Pm,
			   *c = w->Pn,
			   *phir = w->phir,
			   *R = w->Rv;
	double		s = 0.0,
				sl = 0.0;
	bool		fast = false;
	int			t,
				i,
				j;

	if (!stationary_covariance(w))
		return false;
	for (i = 0; i < r; i++)
		a[i] = 0.0;
	for (t = 0; t < nx; t++)
	{
		double		e = x[t] - a[0];

		if (!fast)
		{
			double		F = P[0];

			if (!(F > 0.0) || !isfinite(F))
				return false;
			s += e * e / F;
			sl += log(F);
			if (resid)
				resid[t] = e / sqrt(F);
			/* update: a += P[:,0] e / F */
			for (i = 0; i < r; i++)
			{
				c[i] = P[i];	/* row 0 of the upper triangle = column 0 */
				a[i] += c[i] * e / F;
			}

			/*
			 * Predict.  The updated covariance M = P - c c' / F has a zero
			 * first row and column (w_t is observed without noise), so
			 * T M T' reduces to a shift: Pn[i][j] = M[i+1][j+1], plus R R'.
			 * In place, ascending, on the upper triangle.
			 */
			for (i = 0; i + 1 < r; i++)
			{
				double		ci = c[i + 1] / F;
				double	   *dst = P + i * r;
				const double *src = P + (i + 1) * r + 1;
				const double *cc = c + 1;

				for (j = i; j + 1 < r; j++)
					dst[j] = src[j] - ci * cc[j];
				dst[r - 1] = 0.0;
			}
			P[r * r - 1] = 0.0;
			for (i = 0; i < w->nnz_r; i++)
				for (j = i; j < w->nnz_r; j++)
				{
					int			ii = w->nz_r[i],
								jj = w->nz_r[j];

					P[ii * r + jj] += R[ii] * R[jj];
				}
			/* converged to the steady state? */
			if (P[0] - 1.0 < 1e-10)
			{
				double		dev = 0.0;

				for (i = 0; i < r && dev < 1e-9; i++)
					for (j = i; j < r; j++)
					{
						double		dd = fabs(P[i * r + j] - R[i] * R[j]);

						if (dd > dev)
							dev = dd;
					}
				if (dev < 1e-9)
					fast = true;
			}
		}
		else
		{
			s += e * e;
			if (resid)
				resid[t] = e;
			for (i = 0; i < r; i++)
				a[i] += R[i] * e;
		}
		/* a_{t+1} = T a_{t|t} */
		for (i = 0; i < r; i++)
			an[i] = phir[i] * a[0] + (i + 1 < r ? a[i + 1] : 0.0);
		memcpy(a, an, sizeof(double) * r);
	}
	if (afinal)
		memcpy(afinal, a, sizeof(double) * r);
	*ssq = s;
	*sumlog = sl;
	return isfinite(s) && isfinite(sl);
}

/* coefficient vector (natural scale) from the optimiser's parameters */
static bool
params_to_coef(ArimaWork *w, const double *par, double *coef)
{
	int			i;

	for (i = 0; i < w->narma; i++)
		coef[i] = par[i];
	if (w->transform)
	{
		double		pacf[ARIMA_MAX_NONSEASONAL];

		for (i = 0; i < w->p; i++)
			pacf[i] = tanh(par[i]);
		pacf_to_ar(pacf, w->p, coef);
		for (i = 0; i < w->P; i++)
			pacf[i] = tanh(par[w->p + w->q + i]);
		pacf_to_ar(pacf, w->P, coef + w->p + w->q);
	}
	if (w->nreg)
		coef[w->narma] = par[w->narma] * w->reg_scale;
	for (i = 0; i < w->narma + w->nreg; i++)
		if (!isfinite(coef[i]))
			return false;
	return true;
}

static void
demean(ArimaWork *w, const double *coef)
{
	int			t;

	if (w->nreg)
		for (t = 0; t < w->nw; t++)
			w->x[t] = w->dy[t] - coef[w->narma] * w->dx[t];
	else
		memcpy(w->x, w->dy, sizeof(double) * w->nw);
}

/* conditional sum of squares; *count = number of residuals */
static double
css_ssq(ArimaWork *w, int *count)
{
	int			np = w->np,
				nq = w->nq,
				t,
				i;
	double		ssq = 0.0;

	for (t = 0; t < w->nw; t++)
	{
		double		v;

		if (t < np)
		{
			w->e[t] = 0.0;
			continue;
		}
		v = w->x[t];
		for (i = 0; i < np; i++)
			v -= w->phi[i] * w->x[t - 1 - i];
		for (i = 0; i < nq && i < t - np; i++)
			v -= w->theta[i] * w->e[t - 1 - i];
		w->e[t] = v;
		ssq += v * v;
	}
	*count = w->nw - np;
	return ssq;
}

static double
css_objective(const double *par, void *ctx)
{
	ArimaWork  *w = ctx;
	double		ssq;
	int			count;

	if (!params_to_coef(w, par, w->coef))
		return INFINITY;
	expand_polynomials(w, w->coef);
	demean(w, w->coef);
	ssq = css_ssq(w, &count);
	if (count <= 0 || !isfinite(ssq) || !(ssq > 0.0))
		return INFINITY;
	return 0.5 * log(ssq / count);
}

static double
ml_objective(const double *par, void *ctx)
{
	ArimaWork  *w = ctx;
	double		ssq,
				sumlog;

	if (!params_to_coef(w, par, w->coef))
		return INFINITY;
	expand_polynomials(w, w->coef);
	demean(w, w->coef);
	if (!kalman_filter(w, w->x, w->nw, &ssq, &sumlog, NULL, NULL))
		return INFINITY;
	if (!(ssq > 0.0))
		return INFINITY;
	return 0.5 * log(ssq / w->nw) + 0.5 * sumlog / w->nw;
}

/* ---------------------------------------------------------------------
 * fitting
 * --------------------------------------------------------------------- */

/* y differenced by (1-B)^d (1-B^m)^D into out (length n - d - D m) */
static void
difference(const double *y, int n, int d, int D, int m, double *out)
{
	double	   *buf = dl_alloc(sizeof(double) * (size_t) (n > 0 ? n : 1));
	int			len = n,
				k,
				t;

	memcpy(buf, y, sizeof(double) * n);
	for (k = 0; k < D; k++)
	{
		for (t = 0; t + m < len; t++)
			buf[t] = buf[t + m] - buf[t];
		len -= m;
	}
	for (k = 0; k < d; k++)
	{
		for (t = 0; t + 1 < len; t++)
			buf[t] = buf[t + 1] - buf[t];
		len -= 1;
	}
	if (len > 0)
		memcpy(out, buf, sizeof(double) * len);
	dl_free(buf);
}

static void
work_alloc(ArimaWork *w)
{
	int			r = w->r,
				dim = w->np + 1;

	w->phi = dl_alloc0(sizeof(double) * (size_t) (w->np + w->nq + 2));
	w->theta = w->phi + w->np + 1;
	w->x = dl_alloc(sizeof(double) * (size_t) (2 * w->nw + 1));
	w->e = w->x + w->nw;
	w->a = dl_alloc(sizeof(double) * (size_t) (6 * r + 2 * r * r + 2 * (r + 1) + dim * dim));
	w->anew = w->a + r;
	w->Rv = w->anew + r;
	w->phir = w->Rv + r;
	w->Pm = w->phir + r;
	w->Pn = w->Pm + r * r;
	w->gam = w->Pn + r * r;
	w->psi = w->gam + r + 1;
	w->A = w->psi + r + 1;
	w->nz_r = dl_alloc(sizeof(int) * (size_t) r);
}

static void
work_free(ArimaWork *w)
{
	dl_free(w->phi);
	dl_free(w->x);
	dl_free(w->a);
	dl_free(w->nz_r);
}

void
arima_free(ArimaFit *fit)
{
	if (fit == NULL)
		return;
	dl_free(fit->y);
	fit->y = NULL;
}

static bool
ar_block_stationary(const ArimaWork *w, const double *coef)
{
	return ar_roots_outside(coef, w->p, 1.0) &&
		ar_roots_outside(coef + w->p + w->q, w->P, 1.0);
}

/* auto.arima's admissibility: all roots of the expanded polynomials outside
 * |z| = 1.01, i.e. seasonal factor roots outside 1.01^m */
static bool
fit_admissible(const ArimaFit *fit)
{
	const ArimaOrder *o = &fit->order;
	const double *c = fit->coef;
	double		rs = pow(ADMISSIBLE_RADIUS, (double) o->period);

	return ar_roots_outside(c, o->p, ADMISSIBLE_RADIUS) &&
		ma_roots_outside(c + o->p, o->q, ADMISSIBLE_RADIUS) &&
		ar_roots_outside(c + o->p + o->q, o->P, rs) &&
		ma_roots_outside(c + o->p + o->q + o->P, o->Q, rs);
}

static void
fill_criteria(ArimaFit *fit)
{
	double		npar = fit->ncoef + 1;
	double		nstar = fit->nobs;

	fit->aic = -2.0 * fit->loglik + 2.0 * npar;
	fit->aicc = nstar - npar - 1 > 0 ? fit->aic + 2.0 * npar * (npar + 1) / (nstar - npar - 1)
		: INFINITY;
	fit->bic = fit->aic + npar * (log(nstar) - 2.0);
}

ArimaStatus
arima_fit(const double *y, int n, const ArimaOrder *order,
		  bool include_constant, ArimaFit *fit)
{
	return arima_fit_method(y, n, order, include_constant,
							ARIMA_METHOD_CSS_ML, fit);
}

ArimaStatus
arima_fit_method(const double *y, int n, const ArimaOrder *order,
				 bool include_constant, ArimaMethod method, ArimaFit *fit)
{
	ArimaWork	w;
	ArimaOrder	o = *order;
	int			ndiff,
				nw,
				ncoef,
				k,
				t,
				grads = 0;
	double	   *dy = NULL,
			   *dx = NULL,
			   *reg = NULL;
	double		par[ARIMA_MAX_COEF];
	double		ssq,
				sumlog;
	ArimaStatus status = ARIMA_OK;

	memset(fit, 0, sizeof(*fit));
	memset(&w, 0, sizeof(w));
	if (o.p < 0 || o.q < 0 || o.d < 0 || o.P < 0 || o.Q < 0 || o.D < 0 ||
		o.p > ARIMA_MAX_NONSEASONAL || o.q > ARIMA_MAX_NONSEASONAL ||
		o.P > ARIMA_MAX_SEASONAL || o.Q > ARIMA_MAX_SEASONAL ||
		o.d > 3 || o.D > 2)
		return ARIMA_BAD_ORDER;
	if (o.P + o.D + o.Q == 0)
		o.period = 1;
	if (o.period < 1 || (o.period == 1 && o.P + o.D + o.Q > 0))
		return ARIMA_BAD_ORDER;
	if (o.period > 1 && (o.P + o.Q > 0) && o.period > 1000)
		return ARIMA_BAD_ORDER;
	if (y == NULL || n < 1)
		return ARIMA_TOO_SHORT;
	for (t = 0; t < n; t++)
		if (!isfinite(y[t]))
			return ARIMA_NONFINITE;
	if (o.d + o.D >= 2)
		include_constant = false;
	ndiff = o.d + o.D * o.period;
	nw = n - ndiff;
	ncoef = o.p + o.q + o.P + o.Q + (include_constant ? 1 : 0);

	fit->order = o;
	fit->has_constant = include_constant;
	fit->is_drift = include_constant && o.d + o.D == 1;
	fit->method = method;
	fit->n = n;
	fit->nobs = nw;
	fit->ncoef = ncoef;
	if (nw < 1)
		return ARIMA_TOO_SHORT;

	fit->y = dl_alloc(sizeof(double) * n);
	memcpy(fit->y, y, sizeof(double) * n);

	dy = dl_alloc(sizeof(double) * (size_t) nw);
	difference(y, n, o.d, o.D, o.period, dy);
	if (include_constant)
	{
		reg = dl_alloc(sizeof(double) * n);
		dx = dl_alloc(sizeof(double) * (size_t) nw);
		for (t = 0; t < n; t++)
			reg[t] = fit->is_drift ? (double) (t + 1) : 1.0;
		difference(reg, n, o.d, o.D, o.period, dx);
	}

	w.p = o.p;
	w.q = o.q;
	w.P = o.P;
	w.Q = o.Q;
	w.m = o.period;
	w.narma = o.p + o.q + o.P + o.Q;
	w.nreg = include_constant ? 1 : 0;
	w.nw = nw;
	w.dy = dy;
	w.dx = dx;
	w.np = o.p + o.period * o.P;
	w.nq = o.q + o.period * o.Q;
	w.r = w.np > w.nq + 1 ? w.np : w.nq + 1;
	work_alloc(&w);

	for (k = 0; k < ARIMA_MAX_COEF; k++)
		par[k] = 0.0;
	w.reg_scale = 1.0;
	if (include_constant)
	{
		/* least squares on the differenced data, R's start and parscale */
		double		sxx = 0.0,
					sxy = 0.0,
					beta,
					rss = 0.0,
					ses;

		for (t = 0; t < nw; t++)
		{
			sxx += dx[t] * dx[t];
			sxy += dx[t] * dy[t];
		}
		beta = sxy / sxx;
		for (t = 0; t < nw; t++)
			rss += (dy[t] - beta * dx[t]) * (dy[t] - beta * dx[t]);
		ses = nw > 1 ? sqrt(rss / (nw - 1) / sxx) : 0.0;
		w.reg_scale = 10.0 * ses;
		if (!(w.reg_scale > 1e-10 * (fabs(beta) + 1e-300)))
			w.reg_scale = fabs(beta) > 0 ? fabs(beta) * 1e-3 : 1.0;
		par[w.narma] = beta / w.reg_scale;
		fit->coef[w.narma] = beta;
	}

	/* (differenced) data fitted exactly by the constant (or zero) */
	if (arima_is_constant(dy, nw) &&
		(include_constant || fabs(dy[0]) <= 1.5e-8 * (1.0 + fabs(y[0]))))
	{
		if (include_constant)
			fit->coef[w.narma] = dy[0] / dx[0];
		fit->degenerate = true;
		fit->admissible = true;
		fit->sigma2 = 0.0;
		fit->sigma2_mle = 0.0;
		fit->loglik = fit->aic = fit->aicc = fit->bic = NAN;
		goto done;
	}

	if (nw < ncoef + 3)
	{
		status = ARIMA_TOO_SHORT;
		goto done;
	}

	/* stage 1: conditional sum of squares */
	if (method != ARIMA_METHOD_ML)
	{
		int			count;

		if (nw - w.np <= ncoef)
		{
			status = ARIMA_TOO_SHORT;
			goto done;
		}
		w.transform = false;
		if (!isfinite(bfgs_minimize(css_objective, &w, par, ncoef, BFGS_MAXIT, &grads)))
		{
			status = ARIMA_NO_FIT;
			goto done;
		}
		fit->iterations += grads;
		if (!params_to_coef(&w, par, fit->coef))
		{
			status = ARIMA_NO_FIT;
			goto done;
		}
		if (method == ARIMA_METHOD_CSS)
		{
			expand_polynomials(&w, fit->coef);
			demean(&w, fit->coef);
			ssq = css_ssq(&w, &count);
			fit->sigma2_mle = ssq / count;
			fit->sigma2 = ssq / (nw - ncoef);
			/* R: -0.5 * (n.used log(2 pi s2) + n.used) with s2 = CSS/ncond'd */
			fit->loglik = -0.5 * (nw * (LOG_2PI + log(fit->sigma2_mle)) + nw);
			fill_criteria(fit);
			fit->admissible = fit_admissible(fit);
			if (!isfinite(fit->sigma2_mle) || !(fit->sigma2_mle > 0))
				status = ARIMA_NO_FIT;
			else if (!fit->admissible)
				status = ARIMA_NOT_ADMISSIBLE;
			goto done;
		}
		/* R refuses to start the likelihood from a non-stationary CSS fit */
		if (!ar_block_stationary(&w, fit->coef))
		{
			status = ARIMA_NO_FIT;
			goto done;
		}
	}

	/* stage 2: exact likelihood, AR through partial autocorrelations */
	{
		double		pacf[ARIMA_MAX_NONSEASONAL];
		double		fval;

		for (k = 0; k < w.narma; k++)
			par[k] = fit->coef[k];
		if (method == ARIMA_METHOD_ML)
			for (k = 0; k < w.narma; k++)
				par[k] = 0.0;
		else
		{
			ar_to_pacf(fit->coef, o.p, pacf);
			for (k = 0; k < o.p; k++)
				par[k] = atanh(pacf[k]);
			ar_to_pacf(fit->coef + o.p + o.q, o.P, pacf);
			for (k = 0; k < o.P; k++)
				par[o.p + o.q + k] = atanh(pacf[k]);
			ma_invert(par + o.p, o.q);
			ma_invert(par + o.p + o.q + o.P, o.Q);
		}
		w.transform = true;
		fval = bfgs_minimize(ml_objective, &w, par, ncoef, BFGS_MAXIT, &grads);
		fit->iterations += grads;
		if (!isfinite(fval) || !params_to_coef(&w, par, fit->coef))
		{
			status = ARIMA_NO_FIT;
			goto done;
		}
		ma_invert(fit->coef + o.p, o.q);
		ma_invert(fit->coef + o.p + o.q + o.P, o.Q);
		expand_polynomials(&w, fit->coef);
		demean(&w, fit->coef);
		if (!kalman_filter(&w, w.x, nw, &ssq, &sumlog, NULL, NULL) || !(ssq > 0.0))
		{
			status = ARIMA_NO_FIT;
			goto done;
		}
		fit->sigma2_mle = ssq / nw;
		fit->sigma2 = ssq / (nw - ncoef);
		fit->loglik = -0.5 * (nw * (LOG_2PI + log(fit->sigma2_mle)) + sumlog + nw);
		fill_criteria(fit);
		fit->admissible = fit_admissible(fit);
		if (!fit->admissible)
			status = ARIMA_NOT_ADMISSIBLE;
	}

done:
	work_free(&w);
	dl_free(dy);
	dl_free(dx);
	dl_free(reg);
	return status;
}

double
arima_loglik_at(const double *y, int n, const ArimaOrder *order,
				bool include_constant, const double *coef)
{
	ArimaFit	tmp;
	ArimaWork	w;
	double		ssq,
				sumlog,
				ll = NAN;
	int			i;

	memset(&tmp, 0, sizeof(tmp));
	tmp.order = *order;
	if (tmp.order.P + tmp.order.D + tmp.order.Q == 0)
		tmp.order.period = 1;
	if (tmp.order.d + tmp.order.D >= 2)
		include_constant = false;
	tmp.has_constant = include_constant;
	tmp.is_drift = include_constant && tmp.order.d + tmp.order.D == 1;
	tmp.n = n;
	tmp.nobs = n - tmp.order.d - tmp.order.D * tmp.order.period;
	tmp.ncoef = tmp.order.p + tmp.order.q + tmp.order.P + tmp.order.Q + (include_constant ? 1 : 0);
	if (tmp.nobs < 2 || tmp.ncoef > ARIMA_MAX_COEF)
		return NAN;
	for (i = 0; i < tmp.ncoef; i++)
		tmp.coef[i] = coef[i];
	tmp.y = (double *) y;
	work_for_fit(&tmp, &w);
	if (kalman_filter(&w, w.x, w.nw, &ssq, &sumlog, NULL, NULL) && ssq > 0.0)
		ll = -0.5 * (w.nw * (LOG_2PI + log(ssq / w.nw)) + sumlog + w.nw);
	work_free(&w);
	dl_free((void *) w.dy);
	return ll;
}

/* ---------------------------------------------------------------------
 * forecasting
 * --------------------------------------------------------------------- */

/* sets up w for fit's coefficients; dy/x hold the differenced, de-trended
 * series.  Caller frees with work_free() and dl_free(w->dy). */
static void
work_for_fit(const ArimaFit *fit, ArimaWork *w)
{
	const ArimaOrder *o = &fit->order;
	int			n = fit->n,
				t;
	double	   *u = dl_alloc(sizeof(double) * n);
	double	   *dy = dl_alloc(sizeof(double) * (size_t) (fit->nobs > 0 ? fit->nobs : 1));
	double		c = fit->has_constant ? fit->coef[fit->ncoef - 1] : 0.0;

	memset(w, 0, sizeof(*w));
	for (t = 0; t < n; t++)
		u[t] = fit->y[t] - (fit->has_constant ? c * (fit->is_drift ? (double) (t + 1) : 1.0) : 0.0);
	difference(u, n, o->d, o->D, o->period, dy);
	dl_free(u);
	w->p = o->p;
	w->q = o->q;
	w->P = o->P;
	w->Q = o->Q;
	w->m = o->period;
	w->narma = o->p + o->q + o->P + o->Q;
	w->nw = fit->nobs;
	w->dy = dy;
	w->np = o->p + o->period * o->P;
	w->nq = o->q + o->period * o->Q;
	w->r = w->np > w->nq + 1 ? w->np : w->nq + 1;
	work_alloc(w);
	expand_polynomials(w, fit->coef);
	memcpy(w->x, dy, sizeof(double) * w->nw);
}

bool
arima_residuals(const ArimaFit *fit, double *resid)
{
	ArimaWork	w;
	double		ssq,
				sumlog;
	bool		ok;

	if (fit->y == NULL || fit->nobs < 1)
		return false;
	if (fit->degenerate)
	{
		memset(resid, 0, sizeof(double) * fit->nobs);
		return true;
	}
	work_for_fit(fit, &w);
	ok = kalman_filter(&w, w.x, w.nw, &ssq, &sumlog, resid, NULL);
	work_free(&w);
	dl_free((void *) w.dy);
	return ok;
}

void
arima_forecast(const ArimaFit *fit, int h, const double *levels, int n_levels,
			   double *mean, double *lower, double *upper)
{
	const ArimaOrder *o = &fit->order;
	int			n = fit->n,
				ndiff = o->d + o->D * o->period,
				t,
				k,
				i,
				j;
	double	   *wf,
			   *u,
			   *delta,
			   *psi,
			   *car;
	double		c = fit->has_constant ? fit->coef[fit->ncoef - 1] : 0.0;
	int			ncar;
	ArimaWork	w;

	if (h <= 0)
		return;
	if (fit->y == NULL)
	{
		for (k = 0; k < h; k++)
			mean[k] = NAN;
		for (i = 0; i < n_levels * h; i++)
			lower[i] = upper[i] = NAN;
		return;
	}
	wf = dl_alloc0(sizeof(double) * h);
	/* forecasts of the differenced, de-trended series */
	if (fit->degenerate)
	{
		double		level = 0.0;

		/* the differenced u is exactly zero (the constant absorbed it) */
		for (k = 0; k < h; k++)
			wf[k] = level;
		memset(&w, 0, sizeof(w));
	}
	else
	{
		double		ssq,
					sumlog;
		double	   *af;

		work_for_fit(fit, &w);
		af = dl_alloc(sizeof(double) * w.r);
		if (!kalman_filter(&w, w.x, w.nw, &ssq, &sumlog, NULL, af))
			for (i = 0; i < w.r; i++)
				af[i] = 0.0;	/* cannot happen for an accepted fit */
		for (k = 0; k < h; k++)
		{
			double		a0 = af[0];

			wf[k] = a0;
			for (i = 0; i < w.r; i++)
				af[i] = w.phir[i] * a0 + (i + 1 < w.r ? af[i + 1] : 0.0);
		}
		dl_free(af);
	}

	/* differencing polynomial 1 - sum delta_i B^i */
	delta = dl_alloc0(sizeof(double) * (size_t) (ndiff + 1));
	{
		double	   *poly = dl_alloc0(sizeof(double) * (size_t) (ndiff + 1));
		int			deg = 0;

		poly[0] = 1.0;
		for (k = 0; k < o->d; k++)
		{
			for (i = deg + 1; i >= 1; i--)
				poly[i] -= poly[i - 1];
			deg++;
		}
		for (k = 0; k < o->D; k++)
		{
			for (i = deg + o->period; i >= o->period; i--)
				poly[i] -= poly[i - o->period];
			deg += o->period;
		}
		for (i = 1; i <= ndiff; i++)
			delta[i] = -poly[i];
		dl_free(poly);
	}
	/* undo the differencing on u = y - constant term */
	u = dl_alloc(sizeof(double) * (size_t) (n + h));
	for (t = 0; t < n; t++)
		u[t] = fit->y[t] - (fit->has_constant ? c * (fit->is_drift ? (double) (t + 1) : 1.0) : 0.0);
	for (k = 0; k < h; k++)
	{
		double		v = wf[k];

		for (i = 1; i <= ndiff; i++)
			v += delta[i] * u[n + k - i];
		u[n + k] = v;
		mean[k] = v + (fit->has_constant ? c * (fit->is_drift ? (double) (n + k + 1) : 1.0) : 0.0);
	}

	/* psi weights of theta(B) / (phi(B) delta(B)) */
	{
		int			np = fit->degenerate ? 0 : w.np;
		int			nq = fit->degenerate ? 0 : w.nq;

		ncar = np + ndiff;
		car = dl_alloc0(sizeof(double) * (size_t) (ncar + 1));
		/* (1 - sum phi B^i)(1 - sum delta B^j) = 1 - car(B) */
		for (i = 1; i <= np; i++)
			car[i] += w.phi[i - 1];
		for (j = 1; j <= ndiff; j++)
		{
			car[j] += delta[j];
			for (i = 1; i <= np; i++)
				car[i + j] -= w.phi[i - 1] * delta[j];
		}
		psi = dl_alloc(sizeof(double) * h);
		for (k = 0; k < h; k++)
		{
			double		v = k == 0 ? 1.0 : (k <= nq ? w.theta[k - 1] : 0.0);

			for (i = 1; i <= k && i <= ncar; i++)
				v += car[i] * psi[k - i];
			psi[k] = v;
		}
	}
	if (n_levels > 0)
	{
		double		cum = 0.0;

		for (k = 0; k < h; k++)
		{
			double		se;

			cum += psi[k] * psi[k];
			se = sqrt(fit->sigma2 * cum);
			for (i = 0; i < n_levels; i++)
			{
				double		lv = levels[i];

				if (!(lv > 0.0 && lv < 100.0))
				{
					lower[i * h + k] = upper[i * h + k] = NAN;
					continue;
				}
				{
					double		z = forecast_normal_quantile(0.5 + lv / 200.0);

					lower[i * h + k] = mean[k] - z * se;
					upper[i * h + k] = mean[k] + z * se;
				}
			}
		}
	}
	dl_free(psi);
	dl_free(car);
	dl_free(u);
	dl_free(delta);
	dl_free(wf);
	if (!fit->degenerate)
	{
		work_free(&w);
		dl_free((void *) w.dy);
	}
}

void
arima_model_name(const ArimaFit *fit, char *buf, int buflen)
{
	const ArimaOrder *o = &fit->order;
	int			len;

	if (buflen <= 0)
		return;
	len = snprintf(buf, buflen, "ARIMA(%d,%d,%d)", o->p, o->d, o->q);
	if (len < buflen && o->P + o->D + o->Q > 0)
		len += snprintf(buf + len, buflen - len, "(%d,%d,%d)[%d]", o->P, o->D, o->Q, o->period);
	if (len < buflen)
	{
		const char *suffix = "";

		if (fit->has_constant)
			suffix = fit->is_drift ? " with drift" : " with non-zero mean";
		else if (o->d + o->D == 0)
			suffix = " with zero mean";
		snprintf(buf + len, buflen - len, "%s", suffix);
	}
}
