/*
 * tsbs_generate.c
 *		A deterministic generator of the TSBS "cpu-only" workload, as COPY text.
 *
 * One row per host every 10 seconds, in time-major order (all hosts at t0,
 * then t1, ...), the order in which metrics arrive.  Each of the ten usage_*
 * values of each host is its own random walk: steps uniform in [-1, 1],
 * clamped to [0, 100].  The 2-decimal variant prints the walk rounded to two
 * decimals (sensor-like data); the full variant prints every double exactly
 * (%.17g).  The same arguments always give the same bytes.
 *
 * Build:  cc -O2 -o tsbs_generate tsbs_generate.c
 * Usage:  tsbs_generate [--hosts 1000] [--hours 24] [--precision 2|full] [--seed 1]
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define METRICS 10

static uint64_t rng_state;

/* splitmix64: small, fast, and good enough for a benchmark's noise */
static uint64_t
next_random(void)
{
	uint64_t	z = (rng_state += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static double
uniform(double lo, double hi)
{
	return lo + (hi - lo) * ((double) (next_random() >> 11) / (double) (UINT64_C(1) << 53));
}

int
main(int argc, char **argv)
{
	long		hosts = 1000;
	double		hours = 24;
	int			full_precision = 0;
	uint64_t	seed = 1;
	const char *regions[] = {"us-east-1", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1",
	"ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"};
	double	   *walk;
	long		steps;
	long		s;
	long		h;
	time_t		start = 1451606400;	/* 2016-01-01 00:00:00 UTC, as TSBS */
	char		stamp[32];

	for (int i = 1; i < argc; i++)
	{
		if (strcmp(argv[i], "--hosts") == 0 && i + 1 < argc)
			hosts = atol(argv[++i]);
		else if (strcmp(argv[i], "--hours") == 0 && i + 1 < argc)
			hours = atof(argv[++i]);
		else if (strcmp(argv[i], "--precision") == 0 && i + 1 < argc)
			full_precision = strcmp(argv[++i], "full") == 0;
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else
		{
			fprintf(stderr, "usage: %s [--hosts N] [--hours H] [--precision 2|full] [--seed S]\n", argv[0]);
			return 2;
		}
	}
	if (hosts <= 0 || hours <= 0)
	{
		fprintf(stderr, "hosts and hours must be positive\n");
		return 2;
	}
	rng_state = seed;
	walk = malloc(sizeof(double) * METRICS * hosts);
	if (walk == NULL)
		return 1;
	for (h = 0; h < hosts * METRICS; h++)
		walk[h] = uniform(0, 100);

	steps = (long) (hours * 360);
	for (s = 0; s < steps; s++)
	{
		time_t		t = start + s * 10;
		struct tm	tm;

		gmtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S+00", &tm);
		for (h = 0; h < hosts; h++)
		{
			double	   *v = walk + h * METRICS;

			printf("%s\thost_%ld\t%s\t%s%c\t", stamp, h, regions[h % 9], regions[h % 9], (char) ('a' + h % 3));
			for (int m = 0; m < METRICS; m++)
			{
				double		x = v[m] + uniform(-1, 1);

				x = x < 0 ? 0 : (x > 100 ? 100 : x);
				v[m] = x;
				if (full_precision)
					printf("%.17g%c", x, m == METRICS - 1 ? '\n' : '\t');
				else
					printf("%.2f%c", x, m == METRICS - 1 ? '\n' : '\t');
			}
		}
	}
	free(walk);
	return 0;
}
