/*
 * stl.h
 *		STL (Cleveland, Cleveland, McRae & Terpenning 1990) and MSTL
 *		(Bandara, Hyndman & Bergmeir 2021) decompositions: series = trend +
 *		seasonal components + remainder.  Used by the stlf-style forecaster
 *		and exposed for datalayer.decompose().
 *
 * Both follow R exactly (stats::stl, which runs the netlib Fortran of
 * Cleveland et al., and forecast::mstl): the same windows, degrees, "jumps"
 * (loess evaluated every jump-th point and linearly interpolated between),
 * robustness weights and defaults, so results agree with R's to rounding.
 */
#ifndef DATALAYER_STL_H
#define DATALAYER_STL_H

#include <stdbool.h>

#define STL_MAX_PERIODS 4

/* seasonal_windows[i] value asking mstl_decompose for s.window = "periodic" */
#define STL_WINDOW_PERIODIC (-1)

typedef struct StlOptions
{
	int			seasonal_window;	/* R stl's s.window; values < 3 count as 3,
									 * even ones are made odd */
	bool		periodic;		/* s.window = "periodic": seasonal_window is
								 * ignored and the seasonal component is made
								 * exactly periodic (cycle-position means) */
	int			trend_window;	/* t.window; <= 0: R's default,
								 * nextodd(ceiling(1.5 period / (1 - 1.5 /
								 * s.window))) */
	int			lowpass_window; /* l.window; <= 0: next odd >= period */
	int			seasonal_degree;	/* s.degree, 0 or 1 (trend and low-pass
									 * degrees are R's default, 1) */
	int			seasonal_jump;	/* s.jump; <= 0: ceiling(s.window / 10) */
	int			trend_jump;		/* t.jump; <= 0: ceiling(t.window / 10) */
	int			lowpass_jump;	/* l.jump; <= 0: ceiling(l.window / 10) */
	int			inner_iterations;	/* R: 2, or 1 when robust (values < 1
									 * count as 1) */
	int			outer_iterations;	/* robustness passes: R 0, or 15 when
									 * robust */
} StlOptions;

/*
 * R stl(x, s.window = 13) defaults: s.degree 0, t/l windows and all jumps
 * from R's formulas, inner 2, outer 0.  For stl(x, "periodic") set
 * periodic = true; for robust = TRUE set inner 1, outer 15.
 */
extern void stl_default_options(StlOptions *options);

/*
 * One-period STL.  seasonal, trend and remainder have n elements.
 * Returns false (and leaves the outputs untouched) if period < 2,
 * n < 2 * period or options is NULL.  (R refuses n == 2 * period; the
 * algorithm is well defined there and we allow it.)
 */
extern bool stl_decompose(const double *y, int n, int period,
						  const StlOptions *options,
						  double *seasonal, double *trend, double *remainder);

typedef struct MstlResult
{
	int			n;
	int			n_periods;		/* periods kept (those with 2 * p < n) */
	int			periods[STL_MAX_PERIODS];
	double	   *trend;
	double	   *seasonal[STL_MAX_PERIODS];
	double	   *remainder;
} MstlResult;

/*
 * MSTL, as R's forecast::mstl(msts(y, seasonal.periods = periods),
 * iterate = iterations, s.window = ...): STL applied iteratively to each
 * period in ascending order.  Periods < 2, duplicates and those with
 * 2 * p >= n are dropped; of the rest, the first STL_MAX_PERIODS given are
 * kept.  seasonal_windows (may be NULL) gives the s.window of each entry of
 * periods (same index): STL_WINDOW_PERIODIC means "periodic", other values
 * <= 0 R's default 7 + 4 k for the k-th kept period in ascending order (11,
 * 15, 19, 23).  iterations < 1 counts as 1 (R's default is 2).  Values of
 * huge or tiny magnitude are decomposed scaled by a power of two.
 *
 * With no period left the trend is Friedman's super smoother, as mstl()'s
 * (stats::supsmu with its defaults), and there is no seasonal component.
 * n <= 0 yields an empty result.  Release with mstl_free().
 */
extern void mstl_decompose(const double *y, int n, const int *periods,
						   int n_periods, const int *seasonal_windows,
						   int iterations, MstlResult *result);
extern void mstl_free(MstlResult *result);

/*
 * Friedman's (1984) super smoother of the points (t, y[t]), t = 1..n, with
 * span = "cv", bass = 0, as R's stats::supsmu(seq_len(n), y)$y.
 */
extern void stl_supsmu(const double *y, int n, double *smooth);

#endif							/* DATALAYER_STL_H */
