/*
 * nelder_mead.c
 *		Simplex minimiser (Nelder & Mead 1965) for model fitting.
 *
 * This follows the variant in R's optim(method = "Nelder-Mead") (Nash's
 * nmmin, which forecast::ets() calls through etsNelderMead) step for step,
 * so that a model fitted here lands where R's fit lands:
 *
 *	- the initial simplex steps along each axis by step_fraction * max |x|
 *	  (step_fraction when x is 0), growing the step tenfold if adding it
 *	  does not change a coordinate;
 *	- reflection through the centroid of all points but the worst (factor
 *	  1); if it beats the best point, an expansion (factor 2) is tried;
 *	  otherwise the worst point is replaced by the reflection if that is
 *	  better and a contraction halfway to the centroid is tried; if the
 *	  contraction fails and the reflection was no better than the worst,
 *	  the simplex shrinks halfway toward the best point (and the search
 *	  stops if a shrink no longer reduces its size);
 *	- the search stops when worst - best <= reltol * (|f(x0)| + reltol) or
 *	  after max_evaluations objective calls.
 *
 * Objective values that are not finite count as 1e35, as in R.
 */
#include "util/portable.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "analytics/nelder_mead.h"

#define NM_BIG 1.0e35

void
nelder_mead_default_options(NelderMeadOptions *options)
{
	options->max_evaluations = 2000;
	options->relative_tolerance = sqrt(DBL_EPSILON);
	options->initial_step_fraction = 0.1;
}

static inline double
evaluate(NelderMeadObjective f, void *context, const double *x, int *count)
{
	double		v = f(x, context);

	(*count)++;
	if (!isfinite(v))
		v = NM_BIG;
	return v;
}

double
nelder_mead_minimize(NelderMeadObjective f, void *context, double *x, int dim,
					 const NelderMeadOptions *options, int *evaluations)
{
	int			npoints = dim + 1;
	double	   *simplex;		/* npoints rows of dim coordinates */
	double	   *values;
	double	   *centroid;
	double	   *trial;
	double		step = 0.0;
	double		size = 0.0,
				oldsize;
	double		tolerance;
	double		f0;
	double		best;
	int			count = 0;
	int			lo = 0;
	bool		recompute = true;
	int			i,
				j;

	f0 = f(x, context);
	count = 1;
	if (dim <= 0 || !isfinite(f0) || options->max_evaluations <= 0)
	{
		if (evaluations)
			*evaluations = count;
		return f0;
	}

	simplex = dl_alloc(sizeof(double) * (size_t) npoints * dim);
	values = dl_alloc(sizeof(double) * npoints);
	centroid = dl_alloc(sizeof(double) * dim);
	trial = dl_alloc(sizeof(double) * dim);

	tolerance = options->relative_tolerance * (fabs(f0) + options->relative_tolerance);

	for (j = 0; j < dim; j++)
		if (options->initial_step_fraction * fabs(x[j]) > step)
			step = options->initial_step_fraction * fabs(x[j]);
	if (step == 0.0)
		step = options->initial_step_fraction > 0.0 ? options->initial_step_fraction : 0.1;

	memcpy(simplex, x, sizeof(double) * dim);
	values[0] = f0;
	for (i = 1; i < npoints; i++)
	{
		double	   *p = simplex + (size_t) i * dim;
		double		trystep = step;

		memcpy(p, x, sizeof(double) * dim);
		/* a step too small to change the coordinate grows tenfold */
		while (p[i - 1] == x[i - 1] && isfinite(trystep))
		{
			p[i - 1] = x[i - 1] + trystep;
			trystep *= 10.0;
		}
		size += trystep;
	}
	oldsize = size;

	for (;;)
	{
		int			hi;
		double		vlo,
					vhi,
					vr,
					fv;
		double	   *worst;

		dl_check_interrupts();
		if (recompute)
		{
			for (i = 0; i < npoints; i++)
				if (i != lo)
					values[i] = evaluate(f, context, simplex + (size_t) i * dim, &count);
			recompute = false;
		}

		/* best and worst; ties keep the earlier best, as in R */
		vlo = values[lo];
		vhi = vlo;
		hi = lo;
		for (i = 0; i < npoints; i++)
		{
			if (i == lo)
				continue;
			if (values[i] < vlo)
			{
				lo = i;
				vlo = values[i];
			}
			if (values[i] > vhi)
			{
				hi = i;
				vhi = values[i];
			}
		}
		if (vhi <= vlo + tolerance)
			break;
		dl_check_interrupts();

		worst = simplex + (size_t) hi * dim;
		for (j = 0; j < dim; j++)
		{
			double		s = -worst[j];

			for (i = 0; i < npoints; i++)
				s += simplex[(size_t) i * dim + j];
			centroid[j] = s / dim;
		}

		/* reflection */
		for (j = 0; j < dim; j++)
			trial[j] = 2.0 * centroid[j] - worst[j];
		vr = evaluate(f, context, trial, &count);

		if (vr < vlo)
		{
			/* expansion: 2 * reflection - centroid */
			double	   *expansion = centroid;	/* reused in place */

			for (j = 0; j < dim; j++)
				expansion[j] = 2.0 * trial[j] - centroid[j];
			fv = evaluate(f, context, expansion, &count);
			if (fv < vr)
			{
				memcpy(worst, expansion, sizeof(double) * dim);
				values[hi] = fv;
			}
			else
			{
				memcpy(worst, trial, sizeof(double) * dim);
				values[hi] = vr;
			}
		}
		else
		{
			if (vr < vhi)
			{
				memcpy(worst, trial, sizeof(double) * dim);
				values[hi] = vr;
			}
			/* contraction halfway between the (new) worst and the centroid */
			for (j = 0; j < dim; j++)
				trial[j] = 0.5 * worst[j] + 0.5 * centroid[j];
			fv = evaluate(f, context, trial, &count);
			if (fv < values[hi])
			{
				memcpy(worst, trial, sizeof(double) * dim);
				values[hi] = fv;
			}
			else if (vr >= vhi)
			{
				/* shrink toward the best point */
				const double *b = simplex + (size_t) lo * dim;

				size = 0.0;
				for (i = 0; i < npoints; i++)
				{
					double	   *p = simplex + (size_t) i * dim;

					if (i == lo)
						continue;
					for (j = 0; j < dim; j++)
					{
						p[j] = 0.5 * (p[j] - b[j]) + b[j];
						size += fabs(p[j] - b[j]);
					}
				}
				recompute = true;
				if (size < oldsize)
					oldsize = size;
				else
					break;		/* the simplex no longer shrinks */
			}
		}

		if (count > options->max_evaluations)
		{
			/* out of budget: the best point, counting this iteration's */
			if (!recompute)
				for (i = 0; i < npoints; i++)
					if (values[i] < values[lo])
						lo = i;
			break;
		}
	}

	/* after a shrink only the best vertex's value is current */
	memcpy(x, simplex + (size_t) lo * dim, sizeof(double) * dim);
	best = values[lo];

	dl_free(simplex);
	dl_free(values);
	dl_free(centroid);
	dl_free(trial);
	if (evaluations)
		*evaluations = count;
	return best;
}
