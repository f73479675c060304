/*
 * stl.c
 *		Seasonal-trend decomposition by loess (STL), its multi-seasonal
 *		extension MSTL, and Friedman's super smoother (MSTL's trend when no
 *		seasonal period is usable).
 *
 * STL follows Cleveland, Cleveland, McRae & Terpenning (1990) as R's
 * stats::stl runs it (the netlib Fortran), step for step, so that results
 * match R's to rounding:
 *
 *	inner loop:  detrend; smooth every cycle-subseries with loess, extended
 *				 by one point at both ends; low-pass filter that (moving
 *				 averages of length period, period, 3, then loess) and
 *				 subtract it to get the seasonal; loess of the
 *				 deseasonalised series for the trend.
 *	outer loop:  bisquare robustness weights from |remainder| / (6 MAD).
 *
 * Loess is evaluated at every jump-th point (and the last) and linearly
 * interpolated in between, with R's default jumps ceiling(window / 10);
 * this is what makes STL cost O(n) independently of the window lengths.
 * Like the Fortran, a loess window wider than the data keeps its nominal
 * half-width (max distance + (len - n) / 2, integer division), the
 * tricube cut-offs are 0.001 and 0.999 of the half-width, and a local line
 * is only fitted where the weighted spread of the abscissae exceeds 0.001
 * of the data's range.
 *
 * One deliberate difference: the robustness weights use the true median of
 * |remainder|.  R's Fortran asks its partial sort (psort) for the order
 * statistics n/2 + 1 and n/2 in that (descending) order, which psort does
 * not support, and for even n it then sometimes averages the (n/2+1)-th
 * order statistic with an element that is not the (n/2)-th; robust fits
 * therefore differ from R's by a few parts in 10^5 of the data's range
 * (bit-identical when R's psort is reproduced, which we checked).
 *
 * Inputs with huge or tiny magnitudes are scaled by a power of two
 * (exactly) so that no intermediate sum overflows; all other inputs are
 * processed unscaled.
 */
#include "util/portable.h"

#include <limits.h>
#include <math.h>
#include <string.h>

#include "analytics/stl.h"

/* the Fortran's tricube / bisquare cut-offs */
#define STL_C999	0.999
#define STL_C001	0.001

/* windows are clamped to this, far beyond any series length that matters */
#define STL_MAX_WINDOW	(INT_MAX / 4)

void
stl_default_options(StlOptions *options)
{
	options->seasonal_window = 13;
	options->periodic = false;
	options->trend_window = 0;
	options->lowpass_window = 0;
	options->seasonal_degree = 0;
	options->seasonal_jump = 0;
	options->trend_jump = 0;
	options->lowpass_jump = 0;
	options->inner_iterations = 2;
	options->outer_iterations = 0;
}

/* R's nextodd(): round, then bump even values; clamped to [1, max] */
static int
next_odd(double x)
{
	double		v = nearbyint(x);

	if (!(v >= 1.0))
		return 1;
	if (v > STL_MAX_WINDOW)
		v = STL_MAX_WINDOW;
	if (fmod(v, 2.0) == 0.0)
		v += 1.0;
	return (int) v;
}

/* the Fortran's window clean-up: at least 3, odd */
static int
odd_window(int w)
{
	if (w < 3)
		w = 3;
	if (w > STL_MAX_WINDOW)
		w = STL_MAX_WINDOW;
	if (w % 2 == 0)
		w++;
	return w;
}

/* R's ceiling(window / 10) */
static int
default_jump(double window)
{
	double		j = ceil(window / 10.0);

	if (!(j >= 1.0))
		return 1;
	if (j > STL_MAX_WINDOW)
		return STL_MAX_WINDOW;
	return (int) j;
}

/*
 * Loess estimate at abscissa xs (1-based, as in the Fortran) from the points
 * nleft..nright (1-based) of y[0..n).  len is the nominal window length,
 * degree 0 or 1, rw optional robustness weights, w scratch of n.  Returns
 * false if every weight is zero.
 */
static bool
loess_estimate(const double *y, int n, int len, int degree, double xs,
			   int nleft, int nright, double *w, const double *rw,
			   double *ys)
{
	double		range = (double) n - 1.0;
	double		h = fmax(xs - (double) nleft, (double) nright - xs);
	double		h9,
				h1,
				a = 0.0,
				sum;
	int			j;

	if (len > n)
		h += (double) ((len - n) / 2);
	h9 = STL_C999 * h;
	h1 = STL_C001 * h;
	for (j = nleft; j <= nright; j++)
	{
		double		r = fabs((double) j - xs);

		w[j - 1] = 0.0;
		if (r <= h9)
		{
			if (r <= h1)
				w[j - 1] = 1.0;
			else
			{
				double		q = r / h;

				q = 1.0 - q * q * q;
				w[j - 1] = q * q * q;
			}
			if (rw)
				w[j - 1] = rw[j - 1] * w[j - 1];
			a += w[j - 1];
		}
	}
	if (!(a > 0.0))
		return false;
	for (j = nleft; j <= nright; j++)
		w[j - 1] /= a;
	if (h > 0.0 && degree > 0)
	{
		double		b,
					c = 0.0;

		a = 0.0;
		for (j = nleft; j <= nright; j++)
			a += w[j - 1] * (double) j;
		b = xs - a;
		for (j = nleft; j <= nright; j++)
		{
			double		d = (double) j - a;

			c += w[j - 1] * d * d;
		}
		if (sqrt(c) > STL_C001 * range)
		{
			b /= c;
			for (j = nleft; j <= nright; j++)
				w[j - 1] = w[j - 1] * (b * ((double) j - a) + 1.0);
		}
	}
	sum = 0.0;
	for (j = nleft; j <= nright; j++)
		sum += w[j - 1] * y[j - 1];
	*ys = sum;
	return true;
}

/*
 * Loess smooth of y[0..n) into ys[0..n): window len, evaluated at every
 * jump-th point, linear interpolation in between (the Fortran's stless).
 */
static void
loess_smooth(const double *y, int n, int len, int degree, int jump,
			 const double *rw, double *ys, double *w)
{
	int			newnj,
				nleft = 1,
				nright = n,
				i,
				j;

	if (n <= 0)
		return;
	if (n < 2)
	{
		ys[0] = y[0];
		return;
	}
	newnj = jump < n - 1 ? jump : n - 1;
	if (newnj < 1)
		newnj = 1;
	if (len >= n)
	{
		nleft = 1;
		nright = n;
		for (i = 1; i <= n; i += newnj)
			if (!loess_estimate(y, n, len, degree, (double) i, nleft, nright,
								w, rw, &ys[i - 1]))
				ys[i - 1] = y[i - 1];
	}
	else if (newnj == 1)
	{
		int			nsh = (len + 1) / 2;

		nleft = 1;
		nright = len;
		for (i = 1; i <= n; i++)
		{
			if (i > nsh && nright != n)
			{
				nleft++;
				nright++;
			}
			if (!loess_estimate(y, n, len, degree, (double) i, nleft, nright,
								w, rw, &ys[i - 1]))
				ys[i - 1] = y[i - 1];
		}
	}
	else
	{
		int			nsh = (len + 1) / 2;

		for (i = 1; i <= n; i += newnj)
		{
			if (i < nsh)
			{
				nleft = 1;
				nright = len;
			}
			else if (i >= n - nsh + 1)
			{
				nleft = n - len + 1;
				nright = n;
			}
			else
			{
				nleft = i - nsh + 1;
				nright = len + i - nsh;
			}
			if (!loess_estimate(y, n, len, degree, (double) i, nleft, nright,
								w, rw, &ys[i - 1]))
				ys[i - 1] = y[i - 1];
		}
	}
	if (newnj != 1)
	{
		int			k;

		for (i = 1; i <= n - newnj; i += newnj)
		{
			double		delta = (ys[i + newnj - 1] - ys[i - 1]) / (double) newnj;

			for (j = i + 1; j <= i + newnj - 1; j++)
				ys[j - 1] = ys[i - 1] + delta * (double) (j - i);
		}
		k = ((n - 1) / newnj) * newnj + 1;
		if (k != n)
		{
			/* the last point, with the window of the last one evaluated */
			if (!loess_estimate(y, n, len, degree, (double) n, nleft, nright,
								w, rw, &ys[n - 1]))
				ys[n - 1] = y[n - 1];
			if (k != n - 1)
			{
				double		delta = (ys[n - 1] - ys[k - 1]) / (double) (n - k);

				for (j = k + 1; j <= n - 1; j++)
					ys[j - 1] = ys[k - 1] + delta * (double) (j - k);
			}
		}
	}
}

/* ave[0 .. n-len] = moving averages of length len of x[0..n) (stlma) */
static void
moving_average(const double *x, int n, int len, double *ave)
{
	int			newn = n - len + 1,
				i;
	double		flen = (double) len,
				v = 0.0;

	for (i = 0; i < len; i++)
		v += x[i];
	ave[0] = v / flen;
	for (i = 1; i < newn; i++)
	{
		v = v - x[i - 1] + x[i + len - 1];
		ave[i] = v / flen;
	}
}

static inline void
swap_double(double *a, double *b)
{
	double		t = *a;

	*a = *b;
	*b = t;
}

static void
sift_down(double *x, int start, int end)
{
	int			root = start;

	while (2 * root + 1 <= end)
	{
		int			child = 2 * root + 1;

		if (child + 1 <= end && x[child] < x[child + 1])
			child++;
		if (x[root] < x[child])
		{
			swap_double(&x[root], &x[child]);
			root = child;
		}
		else
			return;
	}
}

/*
 * Puts the k-th smallest (0-based) of x[0..n) at x[k], smaller ones before
 * and larger ones after (introselect: quickselect with a median-of-three
 * pivot, falling back to heapsort on the remaining range).  x must not hold
 * NaN.
 */
static void
select_kth(double *x, int n, int k)
{
	int			lo = 0,
				hi = n - 1,
				budget = 64;

	while (hi > lo)
	{
		int			mid = lo + (hi - lo) / 2,
					i,
					j;
		double		pivot;

		if (budget-- == 0)
		{
			int			len = hi - lo + 1,
						s;

			for (s = len / 2 - 1; s >= 0; s--)
				sift_down(x + lo, s, len - 1);
			for (s = len - 1; s > 0; s--)
			{
				swap_double(&x[lo], &x[lo + s]);
				sift_down(x + lo, 0, s - 1);
			}
			return;
		}
		if (x[mid] < x[lo])
			swap_double(&x[mid], &x[lo]);
		if (x[hi] < x[lo])
			swap_double(&x[hi], &x[lo]);
		if (x[hi] < x[mid])
			swap_double(&x[hi], &x[mid]);
		pivot = x[mid];
		i = lo;
		j = hi;
		while (i <= j)
		{
			while (x[i] < pivot)
				i++;
			while (pivot < x[j])
				j--;
			if (i <= j)
			{
				swap_double(&x[i], &x[j]);
				i++;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;
	}
}

/*
 * Bisquare robustness weights (stlrwt): r = |y - fit|, h = 6 * median(r),
 * weight 1 below 0.001 h, (1 - (r/h)^2)^2 up to 0.999 h, 0 beyond.
 */
static void
robustness_weights(const double *y, const double *seasonal,
				   const double *trend, int n, double *rw, double *work)
{
	int			mid1 = n / 2 + 1,
				mid2 = n - mid1 + 1,
				i;
	double		cmad,
				c9,
				c1;

	for (i = 0; i < n; i++)
	{
		double		r = fabs(y[i] - (trend[i] + seasonal[i]));

		work[i] = isnan(r) ? HUGE_VAL : r;
	}
	/* the mid1-th and mid2-th smallest (1-based), mid2 <= mid1 */
	select_kth(work, n, mid1 - 1);
	cmad = work[mid1 - 1];
	if (mid2 != mid1)
	{
		double		m = work[0];

		for (i = 1; i < mid1 - 1; i++)
			if (work[i] > m)
				m = work[i];
		cmad += m;
	}
	else
		cmad += cmad;
	cmad *= 3.0;
	c9 = STL_C999 * cmad;
	c1 = STL_C001 * cmad;
	for (i = 0; i < n; i++)
	{
		double		r = fabs(y[i] - (trend[i] + seasonal[i]));

		if (r <= c1)
			rw[i] = 1.0;
		else if (r <= c9)
		{
			double		q = r / cmad;

			q = 1.0 - q * q;
			rw[i] = q * q;
		}
		else
			rw[i] = 0.0;
	}
}

/* R's mean(): long double sum, then a correction pass */
static double
r_mean(const double *x, int n, int stride)
{
	long double s = 0.0L,
				t = 0.0L;
	int			i;

	for (i = 0; i < n; i++)
		s += x[(size_t) i * stride];
	s /= n;
	if (isfinite((double) s))
	{
		for (i = 0; i < n; i++)
			t += x[(size_t) i * stride] - s;
		s += t / n;
	}
	return (double) s;
}

/*
 * Power of two by which to multiply y so that its largest magnitude is
 * moderate, or 1 when it already is (the usual case: then nothing changes).
 */
static double
magnitude_scale(const double *y, int n)
{
	double		big = 0.0;
	int			i,
				e;

	for (i = 0; i < n; i++)
	{
		double		a = fabs(y[i]);

		if (a > big && isfinite(a))
			big = a;
	}
	if (big == 0.0 || (big < 0x1p+500 && big > 0x1p-500))
		return 1.0;
	(void) frexp(big, &e);
	return ldexp(1.0, -e);
}

bool
stl_decompose(const double *y, int n, int period, const StlOptions *options,
			  double *seasonal, double *trend, double *remainder)
{
	double		s_window;
	int			ns,
				nt,
				nl,
				sjump,
				tjump,
				ljump,
				inner_iterations,
				outer_iterations;
	int			np = period;
	int			next;
	double	   *block,
			   *x,
			   *season_ext,
			   *work1,
			   *work2,
			   *work3,
			   *sub,
			   *subrw,
			   *subfit,
			   *w,
			   *rw;
	double		scale;
	bool		userw = false;
	int			pass,
				inner,
				i,
				j;

	if (options == NULL || y == NULL || period < 2 || n < 2 * period ||
		period > INT_MAX / 4 || n > INT_MAX - 2 * period - 2)
		return false;

	/* R's stl(): windows, degrees and jumps */
	if (options->periodic)
		s_window = 10.0 * (double) n + 1.0;
	else
		s_window = (double) options->seasonal_window;
	ns = s_window > STL_MAX_WINDOW ? STL_MAX_WINDOW : (int) s_window;
	if (options->trend_window > 0)
		nt = options->trend_window;
	else
	{
		double		denom = 1.0 - 1.5 / s_window;

		/* s.window < 1.5 gives R a negative window, which Fortran makes 3 */
		nt = (s_window > 1.5 && denom > 0.0)
			? next_odd(ceil(1.5 * (double) period / denom)) : 3;
	}
	nl = options->lowpass_window > 0 ? options->lowpass_window
		: next_odd((double) period);
	sjump = options->seasonal_jump > 0 ? options->seasonal_jump
		: default_jump(s_window);
	tjump = options->trend_jump > 0 ? options->trend_jump
		: default_jump((double) nt);
	ljump = options->lowpass_jump > 0 ? options->lowpass_jump
		: default_jump((double) nl);
	ns = odd_window(ns);
	nt = odd_window(nt);
	nl = odd_window(nl);
	inner_iterations = options->inner_iterations < 1 ? 1 : options->inner_iterations;
	outer_iterations = options->outer_iterations < 0 ? 0 : options->outer_iterations;

	next = n + 2 * np;
	block = dl_alloc(sizeof(double) * ((size_t) 4 * next + 3 * (size_t) n + 4 * ((size_t) n / np + 3)));
	x = block;
	season_ext = x + n;
	work1 = season_ext + next;
	work2 = work1 + next;
	work3 = work2 + next;
	w = work3 + next;
	rw = w + n;
	sub = rw + n;
	subrw = sub + (n / np + 3);
	subfit = subrw + (n / np + 3);
	/* the fourth (n / np + 3)-sized slot is loess scratch for subseries */

	scale = magnitude_scale(y, n);
	for (i = 0; i < n; i++)
	{
		x[i] = y[i] * scale;
		trend[i] = 0.0;
		rw[i] = 1.0;
	}

	for (pass = 0;; pass++)
	{
		for (inner = 0; inner < inner_iterations; inner++)
		{
			/* cycle-subseries smoothing of the detrended series (stlss) */
			for (i = 0; i < n; i++)
				work1[i] = x[i] - trend[i];
			for (j = 0; j < np; j++)
			{
				int			k = (n - 1 - j) / np + 1;
				int			m;
				double	   *subw = subfit + (n / np + 3);
				int			nright,
							nleft;

				for (m = 0; m < k; m++)
				{
					sub[m] = work1[(size_t) m * np + j];
					if (userw)
						subrw[m] = rw[(size_t) m * np + j];
				}
				loess_smooth(sub, k, ns, options->seasonal_degree, sjump,
							 userw ? subrw : NULL, subfit + 1, subw);
				nright = ns < k ? ns : k;
				if (!loess_estimate(sub, k, ns, options->seasonal_degree, 0.0,
									1, nright, subw, userw ? subrw : NULL,
									&subfit[0]))
					subfit[0] = subfit[1];
				nleft = k - ns + 1 > 1 ? k - ns + 1 : 1;
				if (!loess_estimate(sub, k, ns, options->seasonal_degree,
									(double) (k + 1), nleft, k, subw,
									userw ? subrw : NULL, &subfit[k + 1]))
					subfit[k + 1] = subfit[k];
				for (m = 0; m < k + 2; m++)
					season_ext[(size_t) m * np + j] = subfit[m];
			}

			/* low-pass filter of the cycle series (stlfts, stless) */
			moving_average(season_ext, next, np, work3);
			moving_average(work3, next - np + 1, np, work2);
			moving_average(work2, next - 2 * np + 2, 3, work3);
			loess_smooth(work3, n, nl, 1, ljump, NULL, work1, w);
			for (i = 0; i < n; i++)
				seasonal[i] = season_ext[np + i] - work1[i];

			/* trend of the deseasonalised series */
			for (i = 0; i < n; i++)
				work1[i] = x[i] - seasonal[i];
			loess_smooth(work1, n, nt, 1, tjump, userw ? rw : NULL, trend, w);
		}
		if (pass >= outer_iterations)
			break;
		robustness_weights(x, seasonal, trend, n, rw, work1);
		userw = true;
	}

	if (options->periodic)
	{
		/* the cycle-position means of the seasonal, as R's stl() */
		for (j = 0; j < np; j++)
		{
			int			k = (n - 1 - j) / np + 1;
			double		mean = r_mean(seasonal + j, k, np);
			int			m;

			for (m = 0; m < k; m++)
				seasonal[(size_t) m * np + j] = mean;
		}
	}
	for (i = 0; i < n; i++)
	{
		remainder[i] = x[i] - seasonal[i] - trend[i];
		if (scale != 1.0)
		{
			seasonal[i] /= scale;
			trend[i] /= scale;
			remainder[i] /= scale;
		}
	}
	dl_free(block);
	return true;
}

/*
 * Friedman's running-lines smoother with span `span` over x (strictly
 * increasing here), as the Fortran `smooth`: a window of 2 ibw + 1 points
 * with running means, variance and covariance; with iper > 0 also the
 * cross-validated absolute residuals in acvr.
 */
static void
supsmu_running_lines(int n, const double *x, const double *y, double span,
					 bool want_cv, double vsmlsq, double *smo, double *acvr)
{
	double		xm = 0.0,
				ym = 0.0,
				var = 0.0,
				cvar = 0.0,
				fbw = 0.0,
				fbo,
				tmp,
				a,
				h;
	int			ibw = (int) (0.5 * span * n + 0.5),
				it,
				i,
				j;

	if (ibw < 2)
		ibw = 2;
	it = 2 * ibw + 1;
	if (it > n)
		it = n;					/* (the Fortran reads past the end here) */
	for (i = 1; i <= it; i++)
	{
		double		xti = x[i - 1];

		fbo = fbw;
		fbw = fbw + 1.0;
		xm = (fbo * xm + xti) / fbw;
		ym = (fbo * ym + y[i - 1]) / fbw;
		tmp = 0.0;
		if (fbo > 0.0)
			tmp = fbw * (xti - xm) / fbo;
		var = var + tmp * (xti - xm);
		cvar = cvar + tmp * (y[i - 1] - ym);
	}
	for (j = 1; j <= n; j++)
	{
		int			out = j - ibw - 1,
					in = j + ibw;

		if (out >= 1 && in <= n)
		{
			double		xto = x[out - 1],
						xti = x[in - 1];

			fbo = fbw;
			fbw = fbw - 1.0;
			tmp = 0.0;
			if (fbw > 0.0)
				tmp = fbo * (xto - xm) / fbw;
			var = var - tmp * (xto - xm);
			cvar = cvar - tmp * (y[out - 1] - ym);
			if (fbw > 0.0)
			{
				xm = (fbo * xm - xto) / fbw;
				ym = (fbo * ym - y[out - 1]) / fbw;
			}
			fbo = fbw;
			fbw = fbw + 1.0;
			xm = (fbo * xm + xti) / fbw;
			ym = (fbo * ym + y[in - 1]) / fbw;
			tmp = 0.0;
			if (fbo > 0.0)
				tmp = fbw * (xti - xm) / fbo;
			var = var + tmp * (xti - xm);
			cvar = cvar + tmp * (y[in - 1] - ym);
		}
		a = 0.0;
		if (var > vsmlsq)
			a = cvar / var;
		smo[j - 1] = a * (x[j - 1] - xm) + ym;
		if (!want_cv)
			continue;
		h = 0.0;
		if (fbw > 0.0)
			h = 1.0 / fbw;
		if (var > vsmlsq)
		{
			double		d = x[j - 1] - xm;

			h = h + d * d / var;
		}
		acvr[j - 1] = 0.0;
		a = 1.0 - h;
		if (a > 0.0)
			acvr[j - 1] = fabs(y[j - 1] - smo[j - 1]) / a;
		else if (j > 1)
			acvr[j - 1] = acvr[j - 2];
	}
}

void
stl_supsmu(const double *y, int n, double *smooth)
{
	/* the Fortran's REAL data: tweeter, midrange and woofer spans */
	const double spans[3] = {(double) 0.05f, (double) 0.2f, (double) 0.5f};
	const double big = (double) 1.0e20f;
	const double eps = (double) 1.0e-3f;
	double	   *block,
			   *x,
			   *ys,
			   *h,
			   *sc[7];
	double		scale,
				vsmlsq,
				big_y = 0.0,
				mag = 1.0;
	int			i,
				j,
				k;

	if (n <= 0)
		return;
	if (n == 1)
	{
		smooth[0] = y[0];
		return;
	}

	/*
	 * The smoother is exactly equivariant under scaling by a power of two,
	 * except for the Fortran's "big" sentinel for the cross-validation
	 * residuals: bring y to unit magnitude so the sentinel never matters.
	 */
	for (i = 0; i < n; i++)
		if (fabs(y[i]) > big_y && isfinite(y[i]))
			big_y = fabs(y[i]);
	if (big_y > 0.0)
	{
		(void) frexp(big_y, &k);
		mag = ldexp(1.0, -k);
	}

	block = dl_alloc(sizeof(double) * (size_t) n * 10);
	x = block;
	ys = x + n;
	h = ys + n;
	for (k = 0; k < 7; k++)
		sc[k] = h + (size_t) (k + 1) * n;
	for (i = 0; i < n; i++)
	{
		x[i] = (double) (i + 1);
		ys[i] = y[i] * mag;
	}

	i = n / 4;
	j = 3 * i;
	if (i < 1)
		i = 1;
	if (j < 1)
		j = 1;
	scale = x[j - 1] - x[i - 1];
	while (!(scale > 0.0))
	{
		if (j < n)
			j++;
		if (i > 1)
			i--;
		scale = x[j - 1] - x[i - 1];
	}
	vsmlsq = (eps * scale) * (eps * scale);

	/* span = "cv": the three spans and their smoothed CV residuals */
	for (k = 0; k < 3; k++)
	{
		supsmu_running_lines(n, x, ys, spans[k], true, vsmlsq,
							 sc[2 * k], sc[6]);
		supsmu_running_lines(n, x, sc[6], spans[1], false, vsmlsq,
							 sc[2 * k + 1], h);
	}
	for (j = 0; j < n; j++)
	{
		double		resmin = big;

		sc[6][j] = spans[2];
		for (k = 0; k < 3; k++)
			if (sc[2 * k + 1][j] < resmin)
			{
				resmin = sc[2 * k + 1][j];
				sc[6][j] = spans[k];
			}
		/* (bass = 0: no penalty on small spans) */
	}
	supsmu_running_lines(n, x, sc[6], spans[1], false, vsmlsq, sc[1], h);
	for (j = 0; j < n; j++)
	{
		double		f;

		if (sc[1][j] <= spans[0])
			sc[1][j] = spans[0];
		if (sc[1][j] >= spans[2])
			sc[1][j] = spans[2];
		f = sc[1][j] - spans[1];
		if (f >= 0.0)
		{
			f = f / (spans[2] - spans[1]);
			sc[3][j] = (1.0 - f) * sc[2][j] + f * sc[4][j];
		}
		else
		{
			f = -f / (spans[1] - spans[0]);
			sc[3][j] = (1.0 - f) * sc[2][j] + f * sc[0][j];
		}
	}
	supsmu_running_lines(n, x, sc[3], spans[0], false, vsmlsq, smooth, h);
	if (mag != 1.0)
		for (i = 0; i < n; i++)
			smooth[i] /= mag;
	dl_free(block);
}

void
mstl_decompose(const double *y, int n, const int *periods, int n_periods,
			   const int *seasonal_windows, int iterations, MstlResult *result)
{
	int			kept[STL_MAX_PERIODS] = {0};
	int			windows[STL_MAX_PERIODS] = {0};
	int			count = 0;
	double	   *deseason;
	double	   *scratch;
	double		scale;
	int			i,
				j,
				it;

	memset(result, 0, sizeof(*result));
	if (n < 0 || y == NULL)
		n = 0;
	result->n = n;
	/* ascending, distinct, fitting more than twice in the data */
	for (i = 0; periods != NULL && i < n_periods; i++)
	{
		int			p = periods[i];
		int			pos;
		bool		duplicate = false;

		if (p < 2 || p > (n - 1) / 2)	/* R keeps p < n / 2 */
			continue;
		for (j = 0; j < count; j++)
			if (kept[j] == p)
				duplicate = true;
		if (duplicate || count == STL_MAX_PERIODS)
			continue;
		pos = count;
		while (pos > 0 && kept[pos - 1] > p)
		{
			kept[pos] = kept[pos - 1];
			windows[pos] = windows[pos - 1];
			pos--;
		}
		kept[pos] = p;
		windows[pos] = seasonal_windows ? seasonal_windows[i] : 0;
		count++;
	}
	for (i = 0; i < count; i++)
		if (windows[i] == 0 || (windows[i] < 0 && windows[i] != STL_WINDOW_PERIODIC))
			windows[i] = 7 + 4 * (i + 1);

	result->n_periods = count;
	memcpy(result->periods, kept, sizeof(int) * count);
	result->trend = dl_alloc(sizeof(double) * (size_t) (n > 0 ? n : 1));
	result->remainder = dl_alloc(sizeof(double) * (size_t) (n > 0 ? n : 1));
	if (n == 0)
		return;

	if (count == 0)
	{
		/* no usable season: mstl()'s trend is supsmu(seq_len(n), x) */
		stl_supsmu(y, n, result->trend);
		for (i = 0; i < n; i++)
			result->remainder[i] = y[i] - result->trend[i];
		return;
	}

	/* huge or tiny magnitudes: work on a copy scaled by a power of two */
	scale = magnitude_scale(y, n);
	deseason = dl_alloc(sizeof(double) * (size_t) n);
	scratch = result->remainder;	/* stl's remainder, not needed */
	for (j = 0; j < n; j++)
		deseason[j] = y[j] * scale;
	for (i = 0; i < count; i++)
		result->seasonal[i] = dl_alloc0(sizeof(double) * (size_t) n);
	if (iterations < 1)
		iterations = 1;
	for (it = 0; it < iterations; it++)
	{
		for (i = 0; i < count; i++)
		{
			StlOptions	options;

			stl_default_options(&options);
			if (windows[i] == STL_WINDOW_PERIODIC)
				options.periodic = true;
			else
				options.seasonal_window = windows[i];
			for (j = 0; j < n; j++)
				deseason[j] += result->seasonal[i][j];
			(void) stl_decompose(deseason, n, kept[i], &options,
								 result->seasonal[i], result->trend, scratch);
			for (j = 0; j < n; j++)
				deseason[j] -= result->seasonal[i][j];
		}
	}
	for (j = 0; j < n; j++)
		result->remainder[j] = deseason[j] - result->trend[j];
	if (scale != 1.0)
	{
		for (j = 0; j < n; j++)
		{
			result->trend[j] /= scale;
			result->remainder[j] /= scale;
			for (i = 0; i < count; i++)
				result->seasonal[i][j] /= scale;
		}
	}
	dl_free(deseason);
}

void
mstl_free(MstlResult *result)
{
	int			i;

	if (result->trend)
		dl_free(result->trend);
	if (result->remainder)
		dl_free(result->remainder);
	for (i = 0; i < result->n_periods && i < STL_MAX_PERIODS; i++)
		if (result->seasonal[i])
			dl_free(result->seasonal[i]);
	memset(result, 0, sizeof(*result));
}
