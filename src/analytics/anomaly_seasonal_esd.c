/*
 * anomaly_seasonal_esd.c
 *		Seasonal-hybrid ESD: anomalies are the residuals of a robust seasonal
 *		decomposition that the generalized ESD test rejects.
 *
 * Generalized ESD (Rosner 1983) removes the most extreme residual up to
 * max_anomalies * n times, comparing each statistic R_i with the critical
 * value lambda_i from the Student t distribution; the anomalies are the
 * first i removals for the largest i with R_i > lambda_i.  As in Hochenbaum
 * et al., the mean and standard deviation are replaced by median and MAD,
 * recomputed after every removal, so a cluster of anomalies does not hide
 * itself by inflating the scale.  The decomposition is anomaly_seasonal.c.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "analytics/anomaly_seasonal.h"
#include "analytics/anomaly_seasonal_esd.h"
#include "analytics/anomaly_stats.h"

double
anomaly_esd_alpha(double sensitivity)
{
	return ESD_ALPHA_DEFAULT * pow(10.0, 2.0 * (sensitivity - 0.5));
}

AnomalyStatus
anomaly_seasonal_esd(const double *values, size_t n, const AnomalyOptions *options,
					 AnomalyResult *result)
{
	double	   *trend;
	double	   *seasonal;
	double	   *residual;		/* finite residuals, compacted */
	size_t	   *origin;			/* their index in values */
	double	   *work;
	double	   *scratch;
	bool	   *removed;
	size_t		m = 0;
	size_t		i;
	size_t		step;
	size_t		max_steps;
	size_t		accepted = 0;
	size_t	   *order;
	double		alpha = anomaly_esd_alpha(options->sensitivity);
	double		center_all;
	double		scale_all;
	double		lambda_first = NAN;
	int			trend_window;

	for (i = 0; i < n; i++)
		if (anomaly_value_usable(values[i]))
			m++;
	if (m < 3)
		return ANOMALY_ERR_TOO_SHORT;

	trend_window = options->period > 1 ? options->period : options->window;
	if (trend_window % 2 == 0)
		trend_window++;
	trend = dl_alloc(sizeof(double) * n);
	seasonal = dl_alloc(sizeof(double) * n);
	residual = dl_alloc(sizeof(double) * m);
	origin = dl_alloc(sizeof(size_t) * m);
	order = dl_alloc(sizeof(size_t) * m);
	work = dl_alloc(sizeof(double) * m);
	scratch = dl_alloc(sizeof(double) * m);
	removed = dl_alloc0(sizeof(bool) * m);
	anomaly_decompose(values, n, options->period, trend_window, trend, seasonal);

	m = 0;
	for (i = 0; i < n; i++)
		if (anomaly_value_usable(values[i]))
		{
			residual[m] = values[i] - trend[i] - seasonal[i];
			origin[m] = i;
			m++;
		}

	memcpy(work, residual, sizeof(double) * m);
	center_all = anomaly_median_inplace(work, m);
	scale_all = anomaly_robust_scale(residual, m, center_all, scratch);

	max_steps = (size_t) floor(options->max_anomalies * (double) m);
	if (max_steps > m - 2)
		max_steps = m - 2;
	for (step = 0; step < max_steps; step++)
	{
		size_t		left = 0;
		size_t		worst = 0;
		double		center;
		double		scale;
		double		worst_stat = -1.0;
		double		df = (double) (m - step - 2);
		double		p = 1.0 - alpha / (2.0 * (double) (m - step));
		double		t;
		double		lambda;

		dl_check_interrupts();
		for (i = 0; i < m; i++)
			if (!removed[i])
				work[left++] = residual[i];
		center = anomaly_median_inplace(work, left);
		left = 0;
		for (i = 0; i < m; i++)
			if (!removed[i])
				work[left++] = residual[i];
		scale = anomaly_robust_scale(work, left, center, scratch);
		for (i = 0; i < m; i++)
			if (!removed[i] && fabs(residual[i] - center) / scale > worst_stat)
			{
				worst_stat = fabs(residual[i] - center) / scale;
				worst = i;
			}
		t = anomaly_t_quantile(p, df);
		lambda = (double) (m - step - 1) * t /
			sqrt((df + t * t) * (double) (m - step));
		if (step == 0)
			lambda_first = lambda;
		removed[worst] = true;
		order[step] = worst;
		if (worst_stat > lambda)
			accepted = step + 1;
	}
	if (isnan(lambda_first))
		lambda_first = 3.0;

	for (i = 0; i < n; i++)
	{
		double		expected = trend[i] + seasonal[i] + center_all;

		result->expected[i] = expected;
		result->lower[i] = expected - lambda_first * scale_all;
		result->upper[i] = expected + lambda_first * scale_all;
		result->score[i] = anomaly_value_usable(values[i]) ? fabs(values[i] - expected) / scale_all : 0.0;
		result->is_anomaly[i] = false;
	}
	for (step = 0; step < accepted; step++)
		result->is_anomaly[origin[order[step]]] = true;
	result->threshold = lambda_first;

	dl_free(trend);
	dl_free(seasonal);
	dl_free(residual);
	dl_free(origin);
	dl_free(order);
	dl_free(work);
	dl_free(scratch);
	dl_free(removed);
	return ANOMALY_OK;
}
