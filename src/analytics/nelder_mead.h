/*
 * nelder_mead.h
 *		Derivative-free minimiser used to fit the forecasting models.
 *
 * ETS likelihoods are cheap to evaluate but non-smooth at the admissibility
 * boundary (the objective returns +Inf outside it), so a simplex search is
 * the robust choice, as in R's forecast package.  The algorithm is R's
 * optim(method = "Nelder-Mead") (Nash's nmmin) step for step, so that fits
 * land where R's do; its stopping rule is relative to |f(x0)|.
 */
#ifndef DATALAYER_NELDER_MEAD_H
#define DATALAYER_NELDER_MEAD_H

typedef double (*NelderMeadObjective) (const double *x, void *context);

typedef struct NelderMeadOptions
{
	int			max_evaluations;	/* budget of objective calls (R: maxit) */
	double		relative_tolerance; /* stop when the simplex's spread is below
									 * this fraction of |f| (R: reltol) */
	double		initial_step_fraction;	/* simplex edge relative to max |x| */
} NelderMeadOptions;

/* R's defaults: 2000 evaluations, reltol sqrt(DBL_EPSILON), step 10% */
extern void nelder_mead_default_options(NelderMeadOptions *options);

/*
 * Minimises f over R^dim starting at x (overwritten with the best point).
 * Returns the best objective value; *evaluations receives the number of
 * calls made (may be NULL).  Works with objectives that return +Inf (or
 * NaN) for infeasible points as long as the start point is feasible; if it
 * is not, x is left alone and f(x) returned.  Stops when the simplex's
 * values are within relative_tolerance * (|f(x0)| + relative_tolerance) or
 * once more than max_evaluations calls were made.
 */
extern double nelder_mead_minimize(NelderMeadObjective f, void *context,
								   double *x, int dim,
								   const NelderMeadOptions *options,
								   int *evaluations);

#endif							/* DATALAYER_NELDER_MEAD_H */
