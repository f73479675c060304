/*
 * bench_forecast_residuals.c
 *		Seconds per series of fc_residual_band with 'auto' (periods detected,
 *		99% band) on NAB files given as arguments (timestamp,value CSV; the
 *		values are taken in file order, without regridding), and the ratio to
 *		the engine's own 'auto' with fitted values on the same series, which
 *		fits ARIMA whatever the length.  Also how many points score above 5.
 *		Run through run.sh.
 */
#define _POSIX_C_SOURCE 199309L
#include "util/portable.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "analytics/forecast_engine.h"
#include "analytics/forecast_residuals.h"

static double
seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int
read_values(const char *path, double **values)
{
	FILE	   *f = fopen(path, "r");
	char		line[512];
	int			n = 0,
				cap = 1024;

	*values = NULL;
	if (f == NULL)
		return -1;
	*values = dl_alloc(sizeof(double) * cap);
	while (fgets(line, sizeof(line), f))
	{
		char	   *comma = strchr(line, ',');
		char	   *end;
		double		v;

		if (comma == NULL)
			continue;
		v = strtod(comma + 1, &end);
		if (end == comma + 1)
			continue;			/* the header */
		if (n == cap)
		{
			cap *= 2;
			*values = dl_realloc(*values, sizeof(double) * cap);
		}
		(*values)[n++] = v;
	}
	fclose(f);
	return n;
}

int
main(int argc, char **argv)
{
	int			i;
	double		total_band = 0,
				total_auto = 0,
				worst = 0;

	printf("%-58s %6s %8s %8s %6s %5s  %s\n", "series", "n", "band s", "auto s", "ratio", ">5", "model");
	for (i = 1; i < argc; i++)
	{
		double	   *y,
				   *expected,
				   *lower,
				   *upper,
				   *score;
		int			n = read_values(argv[i], &y),
					t,
					above = 0;
		char		model[FC_MODEL_LEN];
		double		t0,
					t_band,
					t_auto;
		FcRequest	req;
		FcResult	res;
		FcStatus	st;
		const char *name = strstr(argv[i], "nab/") ? strstr(argv[i], "nab/") + 4 : argv[i];

		if (n < FC_MIN_POINTS)
		{
			dl_free(y);
			continue;
		}
		expected = dl_alloc(sizeof(double) * n);
		lower = dl_alloc(sizeof(double) * n);
		upper = dl_alloc(sizeof(double) * n);
		score = dl_alloc(sizeof(double) * n);
		t0 = seconds();
		st = fc_residual_band(y, n, FC_AUTO, 0, 99.0, expected, lower, upper, score, model);
		t_band = seconds() - t0;
		for (t = 0; st == FC_OK && t < n; t++)
			above += score[t] > 5;

		fc_request_init(&req);
		req.y = y;
		req.n = n;
		req.horizon = 1;
		req.want_fitted = true;
		t0 = seconds();
		fc_forecast(&req, &res);
		t_auto = seconds() - t0;
		fc_result_free(&res);

		total_band += t_band;
		total_auto += t_auto;
		worst = fmax(worst, t_band);
		printf("%-58s %6d %8.3f %8.3f %6.2f %5d  %s\n", name, n, t_band, t_auto, t_band / t_auto,
			   above, st == FC_OK ? model : "(error)");
		dl_free(y);
		dl_free(expected);
		dl_free(lower);
		dl_free(upper);
		dl_free(score);
	}
	printf("total: band %.2f s, engine auto %.2f s, ratio %.2f; slowest band %.3f s\n",
		   total_band, total_auto, total_auto > 0 ? total_band / total_auto : NAN, worst);
	return 0;
}
