/* unit-deps: src/analytics/anomaly.c src/analytics/anomaly_auto.c src/analytics/anomaly_changepoint.c src/analytics/anomaly_ewma.c src/analytics/anomaly_holt_winters.c src/analytics/anomaly_robust_z.c src/analytics/anomaly_seasonal.c src/analytics/anomaly_seasonal_esd.c src/analytics/anomaly_stats.c src/analytics/anomaly_stream.c src/analytics/anomaly_likelihood.c */
/*
 * test_anomaly.c
 *		The anomaly detection core without a server: spikes injected into
 *		noisy seasonal data are flagged by every method with few false
 *		positives (counted), clean noise gives almost no alarms, a level
 *		shift is found near its index by change points, streaming in chunks
 *		through serialize / deserialize gives bit-for-bit the batch result,
 *		corrupt and truncated state blobs are rejected, options are checked,
 *		missing values (NaN, inf, huge) are skipped as documented, tiny and
 *		constant series are handled, bands are ordered, and the rolling
 *		robust z matches a straightforward sort-based computation.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "analytics/anomaly.h"
#include "analytics/anomaly_auto.h"
#include "analytics/anomaly_causal.h"
#include "analytics/anomaly_likelihood.h"
#include "analytics/anomaly_seasonal.h"
#include "analytics/anomaly_stats.h"
#include "analytics/anomaly_stream.h"

#define TAP_RNG_SEED	0x5D3A9C41E07B2F68ULL
#include "tap.h"

#define TEST_PI 3.14159265358979323846

static char msg[512];

static double
rng_unit(void)
{
	return ((double) (rng() >> 11) + 0.5) / 9007199254740992.0;
}

static double
gauss(void)
{
	return sqrt(-2.0 * log(rng_unit())) * cos(2.0 * TEST_PI * rng_unit());
}

static const AnomalyMethod causal_methods[] = {
	ANOMALY_METHOD_ROBUST_Z, ANOMALY_METHOD_EWMA,
	ANOMALY_METHOD_HOLT_WINTERS, ANOMALY_METHOD_CHANGEPOINT
};

#define N_CAUSAL 4

static const AnomalyMethod all_methods[] = {
	ANOMALY_METHOD_AUTO, ANOMALY_METHOD_ROBUST_Z, ANOMALY_METHOD_EWMA,
	ANOMALY_METHOD_HOLT_WINTERS, ANOMALY_METHOD_CHANGEPOINT, ANOMALY_METHOD_SEASONAL_ESD
};

/* lower <= expected <= upper wherever they are not NaN, no NaN score */
static bool
bands_ordered(const AnomalyResult *r)
{
	size_t		i;

	for (i = 0; i < r->n; i++)
	{
		if (isnan(r->score[i]))
			return false;
		if (!isnan(r->lower[i]) && !isnan(r->expected[i]) && r->lower[i] > r->expected[i])
			return false;
		if (!isnan(r->upper[i]) && !isnan(r->expected[i]) && r->expected[i] > r->upper[i])
			return false;
		if (isnan(r->lower[i]) != isnan(r->upper[i]))
			return false;
		if (r->is_onset[i] && !r->is_anomaly[i])
			return false;
	}
	return true;
}

static size_t
count_flags(const AnomalyResult *r, size_t from)
{
	size_t		i,
				c = 0;

	for (i = from; i < r->n; i++)
		c += r->is_anomaly[i];
	return c;
}

static AnomalyStatus
run(const double *x, size_t n, AnomalyOptions *o, AnomalyResult *r)
{
	anomaly_result_init(r, n);
	return anomaly_detect(x, n, o, r);
}

/* ---------------------------------------------------------------- options */

static void
test_options(void)
{
	AnomalyOptions o;
	AnomalyResult r;
	double		x[4] = {1, 2, 3, 4};
	AnomalyMethod m;
	int			i;
	bool		names_ok = true;
	bool		messages_ok = true;

	anomaly_options_init(&o);
	check(o.method == ANOMALY_METHOD_AUTO && o.sensitivity == 0.5 &&
		  anomaly_options_validate(&o) == ANOMALY_OK, "options_init gives valid defaults");
	check(anomaly_options_validate(NULL) == ANOMALY_ERR_ARGUMENT, "NULL options: ERR_ARGUMENT");

#define EXPECT_STATUS(field, value, status) \
	do { anomaly_options_init(&o); o.field = value; \
		 snprintf(msg, sizeof(msg), "%s = %s gives %s", #field, #value, #status); \
		 check(anomaly_options_validate(&o) == status, msg); } while (0)

	EXPECT_STATUS(sensitivity, -0.01, ANOMALY_ERR_SENSITIVITY);
	EXPECT_STATUS(sensitivity, 1.01, ANOMALY_ERR_SENSITIVITY);
	EXPECT_STATUS(sensitivity, NAN, ANOMALY_ERR_SENSITIVITY);
	EXPECT_STATUS(sensitivity, INFINITY, ANOMALY_ERR_SENSITIVITY);
	EXPECT_STATUS(sensitivity, 0.0, ANOMALY_OK);
	EXPECT_STATUS(sensitivity, 1.0, ANOMALY_OK);
	EXPECT_STATUS(method, (AnomalyMethod) 6, ANOMALY_ERR_OPTION);
	EXPECT_STATUS(method, (AnomalyMethod) -1, ANOMALY_ERR_OPTION);
	EXPECT_STATUS(window, 2, ANOMALY_ERR_OPTION);
	EXPECT_STATUS(window, ANOMALY_MAX_WINDOW + 1, ANOMALY_ERR_OPTION);
	EXPECT_STATUS(window, 3, ANOMALY_OK);
	EXPECT_STATUS(alpha, 1.0, ANOMALY_ERR_OPTION);
	EXPECT_STATUS(alpha, -0.1, ANOMALY_ERR_OPTION);
	EXPECT_STATUS(alpha, NAN, ANOMALY_ERR_OPTION);
	EXPECT_STATUS(period, -1, ANOMALY_ERR_OPTION);
	EXPECT_STATUS(period, ANOMALY_MAX_PERIOD + 1, ANOMALY_ERR_OPTION);
	EXPECT_STATUS(cooldown, -1, ANOMALY_ERR_OPTION);
	EXPECT_STATUS(warmup, -1, ANOMALY_ERR_OPTION);
	EXPECT_STATUS(hazard, 1.5, ANOMALY_ERR_OPTION);
	EXPECT_STATUS(hazard, NAN, ANOMALY_ERR_OPTION);
	EXPECT_STATUS(max_run_length, 2 * CHANGEPOINT_RECENT - 1, ANOMALY_ERR_OPTION);
	EXPECT_STATUS(max_run_length, ANOMALY_MAX_RUN_LENGTH + 1, ANOMALY_ERR_OPTION);
	EXPECT_STATUS(max_anomalies, 0.51, ANOMALY_ERR_OPTION);
	EXPECT_STATUS(max_anomalies, -0.01, ANOMALY_ERR_OPTION);

	/* anomaly_detect passes option errors through and checks its arguments */
	anomaly_options_init(&o);
	o.sensitivity = 2.0;
	check(run(x, 4, &o, &r) == ANOMALY_ERR_SENSITIVITY, "anomaly_detect: bad sensitivity");
	anomaly_result_free(&r);
	anomaly_options_init(&o);
	check(run(NULL, 4, &o, &r) == ANOMALY_ERR_ARGUMENT, "anomaly_detect: NULL values with n > 0");
	anomaly_result_free(&r);
	anomaly_result_init(&r, 3);
	check(anomaly_detect(x, 4, &o, &r) == ANOMALY_ERR_ARGUMENT, "anomaly_detect: result sized for another n");
	check(anomaly_detect(x, 3, NULL, &r) == ANOMALY_ERR_ARGUMENT, "anomaly_detect: NULL options");
	anomaly_result_free(&r);

	for (i = 0; i < ANOMALY_METHOD_COUNT; i++)
		if (!anomaly_method_from_name(anomaly_method_name((AnomalyMethod) i), &m) || m != (AnomalyMethod) i)
			names_ok = false;
	check(names_ok && !anomaly_method_from_name("bogus", &m) && !anomaly_method_from_name(NULL, &m) &&
		  strcmp(anomaly_method_name((AnomalyMethod) 42), "unknown") == 0,
		  "method names round-trip, unknown names rejected");
	for (i = 0; i <= ANOMALY_ERR_BUFFER_TOO_SMALL; i++)
		if (strcmp(anomaly_status_message((AnomalyStatus) i), "unknown status") == 0)
			messages_ok = false;
	check(messages_ok, "every status has a message");

	check(fabs(anomaly_z_threshold(4.0, 0.5) - 4.0) < 1e-15 &&
		  fabs(anomaly_z_threshold(4.0, 0.0) - 8.0) < 1e-12 &&
		  fabs(anomaly_z_threshold(4.0, 1.0) - 2.0) < 1e-12,
		  "z threshold: k at 0.5, 2k at 0, k/2 at 1");
}

/* --------------------------------------------------------- stream errors */

static void
test_stream_arguments(void)
{
	AnomalyOptions o;
	AnomalyStream *s = (AnomalyStream *) &o;	/* must be reset to NULL */
	AnomalyResult r;
	double		x[30];
	int			i;

	for (i = 0; i < 30; i++)
		x[i] = i % 5;
	anomaly_options_init(&o);
	o.method = ANOMALY_METHOD_SEASONAL_ESD;
	check(anomaly_stream_create(&o, &s) == ANOMALY_ERR_NOT_STREAMABLE && s == NULL,
		  "stream_create: seasonal ESD is not streamable");
	anomaly_result_init(&r, 30);
	check(anomaly_stream_start(x, 30, &o, &s, &r) == ANOMALY_ERR_NOT_STREAMABLE && s == NULL,
		  "stream_start: seasonal ESD is not streamable");
	o.method = ANOMALY_METHOD_AUTO;
	check(anomaly_stream_create(&o, &s) == ANOMALY_ERR_OPTION,
		  "stream_create: 'auto' needs data (use stream_start)");
	o.method = ANOMALY_METHOD_HOLT_WINTERS;
	check(anomaly_stream_create(&o, &s) == ANOMALY_ERR_OPTION,
		  "stream_create: Holt-Winters with period 0 needs data");
	o.sensitivity = -1;
	check(anomaly_stream_create(&o, &s) == ANOMALY_ERR_SENSITIVITY,
		  "stream_create: bad sensitivity");
	anomaly_options_init(&o);
	check(anomaly_stream_start(x, 30, &o, &s, &r) == ANOMALY_OK && s != NULL &&
		  anomaly_stream_method(s) == ANOMALY_METHOD_HOLT_WINTERS &&
		  r.period_used == 5 && anomaly_stream_points(s) == 30,
		  "stream_start: 'auto' on a period-5 history picks Holt-Winters, period 5");
	anomaly_result_free(&r);
	anomaly_result_init(&r, 2);
	check(anomaly_stream_update(s, x, 3, &r) == ANOMALY_ERR_ARGUMENT &&
		  anomaly_stream_update(s, NULL, 2, &r) == ANOMALY_ERR_ARGUMENT &&
		  anomaly_stream_points(s) == 30,
		  "stream_update: bad arguments rejected, state untouched");
	anomaly_result_free(&r);
	anomaly_stream_free(s);
	anomaly_stream_free(NULL);
}

/* ------------------------------------------------------- spikes and noise */

#define SPIKE_N 3000
#define SPIKE_PERIOD 96
#define N_SPIKES 12

static void
make_seasonal(double *x, size_t n, int period, double amplitude, double noise, double level)
{
	size_t		i;

	for (i = 0; i < n; i++)
		x[i] = level + amplitude * sin(2.0 * TEST_PI * (double) (i % (size_t) period) / period) +
			noise * gauss();
}

static void
set_method_options(AnomalyOptions *o, AnomalyMethod m)
{
	anomaly_options_init(o);
	o->method = m;
	/* these tests are about each method's per-point score and band */
	o->alarm = ANOMALY_ALARM_THRESHOLD;
	/* a window short against the season and a fast EWMA follow it closely */
	if (m == ANOMALY_METHOD_ROBUST_Z)
		o->window = 25;
	if (m == ANOMALY_METHOD_EWMA)
		o->alpha = 0.2;
}

static void
test_spikes(void)
{
	double	   *x = dl_alloc(sizeof(double) * SPIKE_N);
	size_t		spikes[N_SPIKES];
	const AnomalyMethod methods[] = {
		ANOMALY_METHOD_ROBUST_Z, ANOMALY_METHOD_EWMA, ANOMALY_METHOD_HOLT_WINTERS,
		ANOMALY_METHOD_SEASONAL_ESD, ANOMALY_METHOD_AUTO
	};
	size_t		k,
				i,
				j;

	make_seasonal(x, SPIKE_N, SPIKE_PERIOD, 3.0, 1.0, 50.0);
	for (k = 0; k < N_SPIKES; k++)
	{
		/* spread out after a warm-up stretch, alternating sign, 12..16 sigma */
		spikes[k] = 400 + k * 210 + (size_t) (rng() % 50);
		x[spikes[k]] += (k % 2 ? -1.0 : 1.0) * (12.0 + 4.0 * rng_unit());
	}

	for (j = 0; j < sizeof(methods) / sizeof(methods[0]); j++)
	{
		AnomalyOptions o;
		AnomalyResult r;
		AnomalyStatus st;
		size_t		hit = 0,
					false_pos = 0,
					false_onsets = 0;

		set_method_options(&o, methods[j]);
		st = run(x, SPIKE_N, &o, &r);
		for (i = 300; i < SPIKE_N; i++)
		{
			bool		is_spike = false,
						near_spike = false;

			for (k = 0; k < N_SPIKES; k++)
			{
				if (i == spikes[k])
					is_spike = true;
				if (i > spikes[k] && i <= spikes[k] + 2)
					near_spike = true;
			}
			if (is_spike && r.is_anomaly[i])
				hit++;
			if (!is_spike && r.is_anomaly[i])
				false_pos++;
			if (!is_spike && !near_spike && r.is_onset[i])
				false_onsets++;
		}
		printf("# %-12s spikes %zu/%d, false positive points %zu, false onsets %zu, period %d\n",
			   anomaly_method_name(methods[j]), hit, N_SPIKES, false_pos, false_onsets,
			   r.period_used);
		/*
		 * Robust z and EWMA model no season: they follow it with a short
		 * window / fast weight, at the price of noisier scales, so they get a
		 * little slack (across seeds they miss at most one spike).
		 */
		if (methods[j] == ANOMALY_METHOD_ROBUST_Z || methods[j] == ANOMALY_METHOD_EWMA)
		{
			snprintf(msg, sizeof(msg), "%s: at least %d of %d spikes in seasonal noise flagged (%zu)",
					 anomaly_method_name(methods[j]), N_SPIKES - 1, N_SPIKES, hit);
			check(st == ANOMALY_OK && hit >= N_SPIKES - 1, msg);
			snprintf(msg, sizeof(msg), "%s: at most 10 false positive points in 2700 (%zu)",
					 anomaly_method_name(methods[j]), false_pos);
			check(false_pos <= 10, msg);
		}
		else
		{
			snprintf(msg, sizeof(msg), "%s: all %d spikes in seasonal noise flagged (%zu)",
					 anomaly_method_name(methods[j]), N_SPIKES, hit);
			check(st == ANOMALY_OK && hit == N_SPIKES, msg);
			snprintf(msg, sizeof(msg), "%s: at most 2 false positive points in 2700 (%zu)",
					 anomaly_method_name(methods[j]), false_pos);
			check(false_pos <= 2, msg);
		}
		snprintf(msg, sizeof(msg), "%s: bands ordered, no NaN score",
				 anomaly_method_name(methods[j]));
		check(bands_ordered(&r), msg);
		if (methods[j] == ANOMALY_METHOD_HOLT_WINTERS || methods[j] == ANOMALY_METHOD_SEASONAL_ESD ||
			methods[j] == ANOMALY_METHOD_AUTO)
		{
			snprintf(msg, sizeof(msg), "%s: season of %d detected within 2 points (%d)",
					 anomaly_method_name(methods[j]), SPIKE_PERIOD, r.period_used);
			check(abs(r.period_used - SPIKE_PERIOD) <= 2, msg);
		}
		if (methods[j] == ANOMALY_METHOD_AUTO)
			check(r.method_used == ANOMALY_METHOD_HOLT_WINTERS,
				  "auto: seasonal data gets Holt-Winters");

		/* sensitivity is monotone: 1 flags at least as much as 0.5, which flags at least as much as 0 */
		{
			AnomalyResult lo,
						hi;

			o.sensitivity = 0.0;
			run(x, SPIKE_N, &o, &lo);
			o.sensitivity = 1.0;
			run(x, SPIKE_N, &o, &hi);
			snprintf(msg, sizeof(msg), "%s: flags at sensitivity 0 / 0.5 / 1: %zu <= %zu <= %zu",
					 anomaly_method_name(methods[j]), count_flags(&lo, 0), count_flags(&r, 0),
					 count_flags(&hi, 0));
			check(count_flags(&lo, 0) <= count_flags(&r, 0) &&
				  count_flags(&r, 0) <= count_flags(&hi, 0), msg);
			anomaly_result_free(&lo);
			anomaly_result_free(&hi);
		}
		anomaly_result_free(&r);
	}
	dl_free(x);
}

static void
test_clean_noise(void)
{
	size_t		n = 5000;
	double	   *x = dl_alloc(sizeof(double) * n);
	size_t		i,
				j;

	for (i = 0; i < n; i++)
		x[i] = 100.0 + 2.0 * gauss();
	for (j = 0; j < sizeof(all_methods) / sizeof(all_methods[0]); j++)
	{
		AnomalyOptions o;
		AnomalyResult r;
		size_t		flags;

		anomaly_options_init(&o);
		o.method = all_methods[j];
		/* change probabilities are not near-Gaussian: their own threshold */
		if (all_methods[j] == ANOMALY_METHOD_CHANGEPOINT)
			o.alarm = ANOMALY_ALARM_THRESHOLD;
		run(x, n, &o, &r);
		flags = count_flags(&r, 0);
		printf("# %-12s on 5000 points of clean noise: %zu flagged\n",
			   anomaly_method_name(all_methods[j]), flags);
		snprintf(msg, sizeof(msg), "%s: clean Gaussian noise, at most 3 of 5000 flagged (%zu)",
				 anomaly_method_name(all_methods[j]), flags);
		check(flags <= 3, msg);
		if (all_methods[j] == ANOMALY_METHOD_AUTO)
			check(r.method_used == ANOMALY_METHOD_HOLT_WINTERS && r.period_used == 1,
				  "auto: noise gets Holt-Winters residuals, no season");
		anomaly_result_free(&r);
	}
	/* a random walk has slowly decaying autocorrelation, not a season */
	x[0] = 0;
	for (i = 1; i < n; i++)
		x[i] = x[i - 1] + gauss();
	i = (size_t) anomaly_detect_period(x, n, ANOMALY_MAX_PERIOD, NULL);
	snprintf(msg, sizeof(msg), "random walk: no season detected (%zu)", i);
	check(i == 1, msg);
	dl_free(x);
}

/* -------------------------------------------------------------- changes */

static void
test_level_shift(void)
{
	size_t		n = 800,
				shift = 400,
				i;
	double	   *x = dl_alloc(sizeof(double) * n);
	AnomalyOptions o;
	AnomalyResult r;
	long		first = -1;
	size_t		before = 0;

	for (i = 0; i < n; i++)
		x[i] = 10.0 + (i >= shift ? 6.0 : 0.0) + gauss();
	anomaly_options_init(&o);
	o.method = ANOMALY_METHOD_CHANGEPOINT;
	o.alarm = ANOMALY_ALARM_THRESHOLD;	/* where the change probability peaks */
	check(run(x, n, &o, &r) == ANOMALY_OK, "changepoint: runs");
	for (i = 0; i < n; i++)
	{
		if (r.is_onset[i] && i < shift)
			before++;
		if (r.is_onset[i] && i >= shift && first < 0)
			first = (long) i;
	}
	snprintf(msg, sizeof(msg), "changepoint: level shift at %zu found at %ld", shift, first);
	check(first >= (long) shift && first <= (long) shift + 5, msg);
	snprintf(msg, sizeof(msg), "changepoint: at most one false onset in the 400 points before the shift (%zu)", before);
	check(before <= 1, msg);
	check(bands_ordered(&r), "changepoint: bands ordered");
	{
		double		before_mean = 0.0,
					after_mean = 0.0;

		for (i = shift - 100; i < shift; i++)
			before_mean += r.expected[i] / 100.0;
		for (i = n - 100; i < n; i++)
			after_mean += r.expected[i] / 100.0;
		snprintf(msg, sizeof(msg), "changepoint: expected follows the level: %.2f before, %.2f after",
				 before_mean, after_mean);
		check(fabs(before_mean - 10.0) < 0.5 && fabs(after_mean - 16.0) < 0.5, msg);
	}
	anomaly_result_free(&r);

	/* a variance change is a change too */
	for (i = 0; i < n; i++)
		x[i] = 10.0 + (i >= shift ? 8.0 : 1.0) * gauss();
	run(x, n, &o, &r);
	first = -1;
	for (i = shift; i < n && first < 0; i++)
		if (r.is_onset[i])
			first = (long) i;
	snprintf(msg, sizeof(msg), "changepoint: variance change at %zu found at %ld", shift, first);
	check(first >= (long) shift && first <= (long) shift + 30, msg);
	anomaly_result_free(&r);
	dl_free(x);
}

/* ------------------------------------------------- streaming versus batch */

static bool
same_result(const AnomalyResult *a, size_t offset, const AnomalyResult *b)
{
	size_t		d = sizeof(double) * b->n;

	return memcmp(a->expected + offset, b->expected, d) == 0 &&
		memcmp(a->lower + offset, b->lower, d) == 0 &&
		memcmp(a->upper + offset, b->upper, d) == 0 &&
		memcmp(a->score + offset, b->score, d) == 0 &&
		memcmp(a->is_anomaly + offset, b->is_anomaly, sizeof(bool) * b->n) == 0 &&
		memcmp(a->is_onset + offset, b->is_onset, sizeof(bool) * b->n) == 0 &&
		memcmp(a->tail_probability + offset, b->tail_probability, d) == 0;
}

static uint8_t *
serialize(const AnomalyStream *s, size_t *len)
{
	size_t		need = anomaly_stream_serialized_size(s);
	uint8_t    *buf = dl_alloc(need);

	if (anomaly_stream_serialize(s, buf, need, len) != ANOMALY_OK || *len != need)
	{
		dl_free(buf);
		return NULL;
	}
	return buf;
}

static void
make_stream_series(double *x, size_t n)
{
	size_t		i;

	make_seasonal(x, n, 24, 3.0, 1.0, 20.0);
	for (i = 0; i < n; i++)
	{
		if (i % 97 == 50)
			x[i] += 15.0;		/* spikes */
		if (i >= n / 2)
			x[i] += 8.0;		/* and a level shift */
	}
	x[5] = NAN;
	x[300] = INFINITY;
	x[301] = -INFINITY;
	x[302] = 1e200;
	x[n - 100] = -0.0;			/* signed zeros must not break bit equality */
	x[n - 99] = 0.0;
}

static void
test_stream_equals_batch(void)
{
	size_t		n = 1500;
	double	   *x = dl_alloc(sizeof(double) * n);
	int			m;

	make_stream_series(x, n);
	for (m = 0; m < N_CAUSAL; m++)
	{
		AnomalyOptions o;
		AnomalyResult batch;
		AnomalyStream *s = NULL;
		size_t		pos = 0;
		bool		same = true,
					roundtrip = true;
		int			chunks = 0;

		anomaly_options_init(&o);
		o.method = causal_methods[m];
		/* robust z streams the per-point rule, the others the likelihood */
		if (causal_methods[m] == ANOMALY_METHOD_ROBUST_Z)
			o.alarm = ANOMALY_ALARM_THRESHOLD;
		o.cooldown = 5;
		o.warmup = 30;
		run(x, n, &o, &batch);
		o.period = batch.period_used;	/* a stream takes resolved options */
		if (anomaly_stream_create(&o, &s) != ANOMALY_OK)
		{
			check(false, "stream_create failed");
			continue;
		}
		while (pos < n)
		{
			size_t		len = 1 + (size_t) (rng() % 60);
			AnomalyResult part;
			uint8_t    *blob;
			size_t		blob_len;
			AnomalyStream *back = NULL;

			if (chunks % 7 == 3)
				len = 0;		/* empty updates are fine too */
			if (len > n - pos)
				len = n - pos;
			anomaly_result_init(&part, len);
			if (anomaly_stream_update(s, x + pos, len, &part) != ANOMALY_OK ||
				!same_result(&batch, pos, &part) || part.threshold != batch.threshold ||
				part.method_used != batch.method_used || part.period_used != batch.period_used)
				same = false;
			anomaly_result_free(&part);
			pos += len;
			chunks++;
			/* persist between chunks, as a monitor does */
			blob = serialize(s, &blob_len);
			if (blob == NULL || anomaly_stream_deserialize(blob, blob_len, &back) != ANOMALY_OK ||
				anomaly_stream_points(back) != (int64_t) pos ||
				anomaly_stream_method(back) != causal_methods[m])
				roundtrip = false;
			else
			{
				size_t		len2;
				uint8_t    *again = serialize(back, &len2);

				if (again == NULL || len2 != blob_len || memcmp(again, blob, len2) != 0)
					roundtrip = false;
				if (again)
					dl_free(again);
				anomaly_stream_free(s);
				s = back;
			}
			if (blob)
				dl_free(blob);
		}
		snprintf(msg, sizeof(msg), "%s: %d chunks through serialize/deserialize equal batch bit for bit",
				 anomaly_method_name(causal_methods[m]), chunks);
		check(same, msg);
		snprintf(msg, sizeof(msg), "%s: state round-trips to identical bytes",
				 anomaly_method_name(causal_methods[m]));
		check(roundtrip, msg);
		snprintf(msg, sizeof(msg), "%s: warmup 30 respected, flags something after it (%zu)",
				 anomaly_method_name(causal_methods[m]), count_flags(&batch, 0));
		check(count_flags(&batch, 0) == count_flags(&batch, 30) && count_flags(&batch, 30) > 0, msg);

		/* stream_start on a history, then the rest, equals batch too */
		{
			AnomalyStream *s2 = NULL;
			AnomalyResult head,
						tail;

			anomaly_result_init(&head, 900);
			anomaly_result_init(&tail, n - 900);
			snprintf(msg, sizeof(msg), "%s: stream_start on 900 points then update equals batch",
					 anomaly_method_name(causal_methods[m]));
			check(anomaly_stream_start(x, 900, &o, &s2, &head) == ANOMALY_OK &&
				  anomaly_stream_update(s2, x + 900, n - 900, &tail) == ANOMALY_OK &&
				  same_result(&batch, 0, &head) && same_result(&batch, 900, &tail), msg);
			anomaly_result_free(&head);
			anomaly_result_free(&tail);
			anomaly_stream_free(s2);
		}
		anomaly_stream_free(s);
		anomaly_result_free(&batch);
	}
	dl_free(x);
}

/* ------------------------------------------------- corrupt state blobs */

static void
put_checksum(uint8_t *blob, size_t len)
{
	uint32_t	c = anomaly_stream_checksum(blob, len - 4);
	int			i;

	for (i = 0; i < 4; i++)
		blob[len - 4 + i] = (uint8_t) (c >> (8 * i));
}

static void
test_corrupt_state(void)
{
	size_t		n = 400;
	double	   *x = dl_alloc(sizeof(double) * n);
	int			m;

	make_stream_series(x, n);
	for (m = 0; m < N_CAUSAL; m++)
	{
		AnomalyOptions o;
		AnomalyStream *s = NULL;
		AnomalyStream *back;
		AnomalyResult r;
		uint8_t    *blob,
				   *copy;
		size_t		len,
					i,
					small_len = 0;
		bool		flips_ok = true,
					truncs_ok = true;
		AnomalyStatus st;
		int			bit;

		anomaly_options_init(&o);
		o.method = causal_methods[m];
		o.period = causal_methods[m] == ANOMALY_METHOD_HOLT_WINTERS ? 24 : 1;
		anomaly_stream_create(&o, &s);
		anomaly_result_init(&r, n);
		anomaly_stream_update(s, x, n, &r);
		anomaly_result_free(&r);
		blob = serialize(s, &len);
		copy = dl_alloc(len + 1);

		for (i = 0; i < len; i++)
			for (bit = 0; bit < 8; bit += 7)
			{
				memcpy(copy, blob, len);
				copy[i] ^= (uint8_t) (1u << bit);
				back = (AnomalyStream *) copy;	/* must come back NULL */
				st = anomaly_stream_deserialize(copy, len, &back);
				if (st != ANOMALY_ERR_STATE_CORRUPT || back != NULL)
				{
					flips_ok = false;
					printf("# flip byte %zu bit %d: status %d\n", i, bit, (int) st);
				}
			}
		snprintf(msg, sizeof(msg), "%s: each of 2 x %zu single-bit flips rejected as corrupt",
				 anomaly_method_name(causal_methods[m]), len);
		check(flips_ok, msg);
		for (i = 0; i < len; i++)
		{
			memcpy(copy, blob, i);
			back = (AnomalyStream *) copy;
			if (anomaly_stream_deserialize(i ? copy : NULL, i, &back) != ANOMALY_ERR_STATE_CORRUPT ||
				back != NULL)
				truncs_ok = false;
		}
		memcpy(copy, blob, len);
		copy[len] = 0;
		if (anomaly_stream_deserialize(copy, len + 1, &back) != ANOMALY_ERR_STATE_CORRUPT)
			truncs_ok = false;
		snprintf(msg, sizeof(msg), "%s: truncation at each of %zu lengths and one extra byte rejected",
				 anomaly_method_name(causal_methods[m]), len);
		check(truncs_ok, msg);

		/* an intact blob of another version */
		memcpy(copy, blob, len);
		copy[4] = ANOMALY_STREAM_VERSION + 1;
		put_checksum(copy, len);
		snprintf(msg, sizeof(msg), "%s: a blob of the next version gives STATE_VERSION",
				 anomaly_method_name(causal_methods[m]));
		check(anomaly_stream_deserialize(copy, len, &back) == ANOMALY_ERR_STATE_VERSION, msg);

		/* semantically bad fields behind a valid checksum */
		{
			/* offsets: header 8, sensitivity 8, window 4 -> alpha at 20 */
			const size_t off_sens = 8, off_window = 16, off_body = 8 + 52 + 16;
			double		nan_value = NAN;
			bool		semantic_ok = true;

			memcpy(copy, blob, len);
			memcpy(copy + off_sens, &nan_value, 8);
			put_checksum(copy, len);
			semantic_ok &= anomaly_stream_deserialize(copy, len, &back) == ANOMALY_ERR_STATE_CORRUPT;
			memcpy(copy, blob, len);
			copy[off_window] = 2;
			copy[off_window + 1] = 0;
			put_checksum(copy, len);
			semantic_ok &= anomaly_stream_deserialize(copy, len, &back) == ANOMALY_ERR_STATE_CORRUPT;
			/* first array or scalar of the body made NaN / a count made huge */
			memcpy(copy, blob, len);
			if (causal_methods[m] == ANOMALY_METHOD_ROBUST_Z || causal_methods[m] == ANOMALY_METHOD_CHANGEPOINT)
				copy[off_body + 3] = 0x7f;
			else
				memcpy(copy + off_body + 8, &nan_value, 8);
			put_checksum(copy, len);
			semantic_ok &= anomaly_stream_deserialize(copy, len, &back) == ANOMALY_ERR_STATE_CORRUPT;
			if (causal_methods[m] == ANOMALY_METHOD_ROBUST_Z)
			{
				double		neg_zero = -0.0;

				memcpy(copy, blob, len);
				memcpy(copy + off_body + 8, &neg_zero, 8);
				put_checksum(copy, len);
				semantic_ok &= anomaly_stream_deserialize(copy, len, &back) == ANOMALY_ERR_STATE_CORRUPT;
				memcpy(copy, blob, len);
				memcpy(copy + off_body + 8, &nan_value, 8);
				put_checksum(copy, len);
				semantic_ok &= anomaly_stream_deserialize(copy, len, &back) == ANOMALY_ERR_STATE_CORRUPT;
			}
			snprintf(msg, sizeof(msg), "%s: bad fields behind a valid checksum rejected",
					 anomaly_method_name(causal_methods[m]));
			check(semantic_ok, msg);
		}

		st = anomaly_stream_serialize(s, copy, len - 1, &small_len);
		snprintf(msg, sizeof(msg), "%s: serialize into a short buffer: BUFFER_TOO_SMALL, needed size reported",
				 anomaly_method_name(causal_methods[m]));
		check(st == ANOMALY_ERR_BUFFER_TOO_SMALL && small_len == len, msg);
		dl_free(copy);
		dl_free(blob);
		anomaly_stream_free(s);
	}
	{
		AnomalyStream *back;
		uint8_t		junk[200];

		memset(junk, 0, sizeof(junk));
		check(anomaly_stream_deserialize(junk, sizeof(junk), &back) == ANOMALY_ERR_STATE_CORRUPT &&
			  anomaly_stream_deserialize(junk, 0, NULL) == ANOMALY_ERR_ARGUMENT,
			  "zeros rejected, NULL output pointer is ERR_ARGUMENT");
	}
	dl_free(x);
}

/* ------------------------------------------------------ missing values */

static void
test_missing_values(void)
{
	size_t		n = 600,
				i,
				c;
	double	   *x = dl_alloc(sizeof(double) * n);
	double	   *compact = dl_alloc(sizeof(double) * n);
	size_t	   *where = dl_alloc(sizeof(size_t) * n);
	int			m;

	for (i = 0; i < n; i++)
		x[i] = 5.0 + gauss() + (i % 101 == 60 ? 12.0 : 0.0);
	for (i = 3; i < n; i += 37)
		x[i] = (i % 3 == 0) ? NAN : (i % 3 == 1 ? INFINITY : -1e300);
	x[500] = -INFINITY;
	for (i = 0, c = 0; i < n; i++)
		if (isfinite(x[i]) && fabs(x[i]) <= ANOMALY_MAX_ABS_VALUE)
		{
			compact[c] = x[i];
			where[c++] = i;
		}

	for (m = 0; m < N_CAUSAL + 1; m++)
	{
		AnomalyMethod method = m < N_CAUSAL ? causal_methods[m] : ANOMALY_METHOD_SEASONAL_ESD;
		AnomalyOptions o;
		AnomalyResult r,
					rc;
		bool		skipped_ok = true,
					same_ok = true;

		anomaly_options_init(&o);
		o.method = method;
		o.period = 1;
		check(run(x, n, &o, &r) == ANOMALY_OK, "runs with missing values");
		for (i = 0; i < n; i++)
			if (!(isfinite(x[i]) && fabs(x[i]) <= ANOMALY_MAX_ABS_VALUE) &&
				(r.is_anomaly[i] || r.score[i] != 0.0))
				skipped_ok = false;
		snprintf(msg, sizeof(msg), "%s: NaN, +-inf and huge values never flagged, score 0",
				 anomaly_method_name(method));
		check(skipped_ok && bands_ordered(&r), msg);
		if (method == ANOMALY_METHOD_HOLT_WINTERS || method == ANOMALY_METHOD_SEASONAL_ESD)
		{
			/* the phase advances over gaps / the decomposition sees them: no simple identity */
			anomaly_result_free(&r);
			continue;
		}
		/* the model skips them: the other points score as if they were absent */
		run(compact, c, &o, &rc);
		for (i = 0; i < c; i++)
			if (memcmp(&r.score[where[i]], &rc.score[i], sizeof(double)) != 0 ||
				memcmp(&r.expected[where[i]], &rc.expected[i], sizeof(double)) != 0 ||
				r.is_anomaly[where[i]] != rc.is_anomaly[i])
				same_ok = false;
		snprintf(msg, sizeof(msg), "%s: scores equal those of the series with the missing values removed",
				 anomaly_method_name(method));
		check(same_ok, msg);
		/* at a missing point the prediction is carried (that of the next point) */
		snprintf(msg, sizeof(msg), "%s: a missing point carries the prediction for the next",
				 anomaly_method_name(method));
		check(memcmp(&r.expected[3 + 37 * 4], &r.expected[3 + 37 * 4 + 1], sizeof(double)) == 0 &&
			  isfinite(r.expected[3 + 37 * 4]), msg);
		anomaly_result_free(&r);
		anomaly_result_free(&rc);
	}
	{
		/* all missing */
		AnomalyOptions o;
		AnomalyResult r;
		double		all_nan[50];
		bool		ok = true;

		for (i = 0; i < 50; i++)
			all_nan[i] = NAN;
		for (m = 0; m < (int) (sizeof(all_methods) / sizeof(all_methods[0])); m++)
		{
			AnomalyStatus st;

			anomaly_options_init(&o);
			o.method = all_methods[m];
			st = run(all_nan, 50, &o, &r);
			if (all_methods[m] == ANOMALY_METHOD_SEASONAL_ESD ? st != ANOMALY_ERR_TOO_SHORT
				: (st != ANOMALY_OK || count_flags(&r, 0) != 0 || !bands_ordered(&r)))
				ok = false;
			anomaly_result_free(&r);
		}
		check(ok, "all-NaN series: nothing flagged; seasonal ESD says TOO_SHORT");
	}
	dl_free(x);
	dl_free(compact);
	dl_free(where);
}

/* --------------------------------------------------- tiny and constant */

static void
test_tiny_and_constant(void)
{
	double		tiny[3] = {1.0, 2.0, 100.0};
	size_t		n = 500,
				i,
				len;
	double	   *x = dl_alloc(sizeof(double) * n);
	int			m;
	bool		tiny_ok = true;

	for (m = 0; m < (int) (sizeof(all_methods) / sizeof(all_methods[0])); m++)
		for (len = 0; len <= 2; len++)
		{
			AnomalyOptions o;
			AnomalyResult r;
			AnomalyStatus st;

			anomaly_options_init(&o);
			o.method = all_methods[m];
			st = run(len ? tiny : NULL, len, &o, &r);
			if (all_methods[m] == ANOMALY_METHOD_SEASONAL_ESD)
			{
				if (st != ANOMALY_ERR_TOO_SHORT)
					tiny_ok = false;
			}
			else if (st != ANOMALY_OK || count_flags(&r, 0) != 0 || !bands_ordered(&r) ||
					 r.method_used == ANOMALY_METHOD_AUTO || r.period_used != 1)
				tiny_ok = false;
			anomaly_result_free(&r);
		}
	check(tiny_ok, "n = 0, 1, 2: causal methods OK with no flags, seasonal ESD TOO_SHORT");
	{
		AnomalyOptions o;
		AnomalyResult r;

		anomaly_options_init(&o);
		o.method = ANOMALY_METHOD_SEASONAL_ESD;
		check(run(tiny, 3, &o, &r) == ANOMALY_OK && bands_ordered(&r),
			  "seasonal ESD: 3 points are enough");
		anomaly_result_free(&r);
	}

	for (m = 0; m < (int) (sizeof(all_methods) / sizeof(all_methods[0])); m++)
	{
		double		levels[2] = {7.25, 0.0};
		int			l;

		for (l = 0; l < 2; l++)
		{
			AnomalyOptions o;
			AnomalyResult r;
			bool		finite = true;

			for (i = 0; i < n; i++)
				x[i] = levels[l];
			anomaly_options_init(&o);
			o.method = all_methods[m];
			run(x, n, &o, &r);
			for (i = 30; i < n; i++)
				if (!isfinite(r.expected[i]) || !isfinite(r.lower[i]) ||
					!isfinite(r.upper[i]) || !isfinite(r.score[i]))
					finite = false;
			snprintf(msg, sizeof(msg), "%s: constant %g: finite output, nothing flagged (%zu)",
					 anomaly_method_name(all_methods[m]), levels[l], count_flags(&r, 0));
			check(finite && count_flags(&r, 0) == 0 && bands_ordered(&r), msg);
			anomaly_result_free(&r);

			if (all_methods[m] == ANOMALY_METHOD_CHANGEPOINT)
				continue;
			x[400] = levels[l] + 1.0;
			run(x, n, &o, &r);
			snprintf(msg, sizeof(msg), "%s: one step off a constant %g is flagged, finite score",
					 anomaly_method_name(all_methods[m]), levels[l]);
			/* the short-term mean stays high for one score window */
			check(r.is_anomaly[400] && r.is_onset[400] && isfinite(r.score[400]) &&
				  count_flags(&r, 0) >= 1 && count_flags(&r, 0) <= ANOMALY_DEFAULT_SCORE_WINDOW &&
				  count_flags(&r, 400) == count_flags(&r, 0) && r.tail_probability[400] == 0.0,
				  msg);
			anomaly_result_free(&r);
		}
	}
	dl_free(x);
}

/* ------------------------------------------- robust z by straightforward means */

static int
cmp_double(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

static double
sorted_median(double *v, size_t n)
{
	qsort(v, n, sizeof(double), cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void
test_robust_z_reference(void)
{
	enum
	{
		N = 60, W = 7
	};
	double		x[N];
	AnomalyOptions o;
	AnomalyResult r;
	size_t		i;
	int			worst = -1;
	double		worst_err = 0.0;
	bool		flags_ok = true;

	for (i = 0; i < N; i++)
		x[i] = (double) (rng() % 10);	/* small integers: ties, zero MADs */
	x[20] = 40.0;
	x[33] = NAN;
	x[41] = -25.0;
	anomaly_options_init(&o);
	o.method = ANOMALY_METHOD_ROBUST_Z;
	o.alarm = ANOMALY_ALARM_THRESHOLD;
	o.window = W;
	run(x, N, &o, &r);
	for (i = 1; i < N; i++)
	{
		double		win[W],
					dev[W];
		size_t		k = 0,
					j;
		double		med,
					scale,
					floor_,
					z,
					err;

		/* the previous W finite values */
		for (j = i; j-- > 0 && k < W;)
			if (isfinite(x[j]))
				win[k++] = x[j];
		med = sorted_median(win, k);
		for (j = 0; j < k; j++)
			dev[j] = fabs(win[j] - med);
		scale = 1.482602218505602 * sorted_median(dev, k);
		floor_ = 1e-9 * (fabs(med) > 1.0 ? fabs(med) : 1.0);
		if (scale < floor_)
		{
			double		sum = 0.0;

			for (j = 0; j < k; j++)
				sum += fabs(win[j] - med);
			scale = sqrt(TEST_PI / 2.0) * sum / (double) k;
			if (scale < floor_)
				scale = floor_;
		}
		z = isfinite(x[i]) ? fabs(x[i] - med) / scale : 0.0;
		err = fabs(r.expected[i] - med) + fabs(r.score[i] - z) / (z > 1.0 ? z : 1.0) +
			fabs(r.upper[i] - (med + r.threshold * scale)) / (scale > 1.0 ? scale : 1.0);
		if (err > worst_err)
		{
			worst_err = err;
			worst = (int) i;
		}
		if (r.is_anomaly[i] != (isfinite(x[i]) && k >= 5 && z >= r.threshold))
			flags_ok = false;
	}
	snprintf(msg, sizeof(msg), "robust z: median, MAD scale and z match a sort-based computation (worst error %.3g at %d)",
			 worst_err, worst);
	check(worst_err < 1e-9, msg);
	check(flags_ok, "robust z: flagged exactly when z >= threshold (after 5 values)");
	check(isnan(r.expected[0]) && !r.is_anomaly[0] && r.is_anomaly[20] && r.is_anomaly[41],
		  "robust z: nothing to compare the first point with; the two outliers flagged");
	anomaly_result_free(&r);
}

/* ------------------------------------------------------ anomaly likelihood */

static void
test_likelihood(void)
{
	AnomalyLikelihoodState st;
	AnomalyOptions o;
	AnomalyResult r;
	double		tail = 0.0;
	bool		early = true;
	size_t		n = 3000,
				i,
				onsets = 0,
				where = 0;
	double	   *x;
	uint8_t    *blob;
	size_t		len;
	AnomalyStream *s = NULL;
	AnomalyStream *back = NULL;
	int			k;

	/* window 2, horizon 16: no verdict before 16 means, then a constant's is 0.5 */
	anomaly_likelihood_init(&st, 2, 16);
	check(anomaly_likelihood_min_history(&st) == 16, "likelihood: min history 8 windows, at most the horizon");
	for (k = 0; k < 16; k++)
		if (anomaly_likelihood_step(&st, 1.0) != 1.0)
			early = false;
	check(early, "likelihood: tail 1 while fewer than 16 means were absorbed");
	tail = anomaly_likelihood_step(&st, 1.0);
	check(tail == 0.5, "likelihood: a constant score against its own history: tail exactly 0.5");
	tail = anomaly_likelihood_step(&st, 3.0);
	check(tail == 0.0 && (st.ring[0] == 3.0 || st.ring[1] == 3.0), "likelihood: a rise off a zero-variance history: tail 0");

	/* window 1: mean and variance are the running (population) ones up to the horizon */
	anomaly_likelihood_init(&st, 1, 16);
	for (k = 0; k < 16; k++)
		(void) anomaly_likelihood_step(&st, (double) k);
	check(st.mean == 7.5 && fabs(st.variance - 21.25) < 1e-12,
		  "likelihood: scores 0..15 give mean 7.5 and variance 21.25");
	tail = anomaly_likelihood_step(&st, 20.0);
	snprintf(msg, sizeof(msg), "likelihood: score 20 then has tail 0.5 erfc(12.5 / sqrt(2 * 21.25)) = 0.0033477 (%.9g)", tail);
	check(fabs(tail - 0.0033476567693756) < 1e-12, msg);
	(void) anomaly_likelihood_step(&st, 1e12);
	check(st.ring[0] == ANOMALY_LIKELIHOOD_SCORE_CAP && anomaly_likelihood_valid(&st),
		  "likelihood: scores are capped at 100, state stays valid");
	check(anomaly_likelihood_threshold(0.5) == 1e-6 &&
		  fabs(anomaly_likelihood_threshold(0.0) / 1e-8 - 1.0) < 1e-12 &&
		  fabs(anomaly_likelihood_threshold(1.0) / 1e-4 - 1.0) < 1e-12,
		  "likelihood: tail threshold 1e-8 / 1e-6 / 1e-4 at sensitivity 0 / 0.5 / 1");

	/* options */
	anomaly_options_init(&o);
	o.alarm = 3;
	check(anomaly_options_invalid(&o) && strcmp(anomaly_options_invalid(&o), "alarm") == 0,
		  "options: alarm 3 is out of range");
	anomaly_options_init(&o);
	o.score_window = ANOMALY_LIKELIHOOD_MAX_WINDOW + 1;
	check(anomaly_options_invalid(&o) && strcmp(anomaly_options_invalid(&o), "score_window") == 0,
		  "options: score_window 65 is out of range");
	anomaly_options_init(&o);
	o.score_horizon = ANOMALY_LIKELIHOOD_MIN_HORIZON - 1;
	check(anomaly_options_invalid(&o) && strcmp(anomaly_options_invalid(&o), "score_horizon") == 0,
		  "options: score_horizon 15 is out of range");

	/* default 'auto': one burst in a noisy season raises exactly one alarm */
	x = dl_alloc(sizeof(double) * n);
	make_seasonal(x, n, 50, 5.0, 1.0, 20.0);
	for (i = 2000; i < 2010; i++)
		x[i] += 8.0;
	anomaly_options_init(&o);
	run(x, n, &o, &r);
	for (i = 0; i < n; i++)
		if (r.is_onset[i])
		{
			onsets++;
			where = i;
		}
	snprintf(msg, sizeof(msg), "auto: a 10-point burst of 8 sigma at 2000 in 3000 noisy seasonal points: one alarm (%zu, at %zu)",
			 onsets, where);
	check(onsets == 1 && where >= 2000 && where < 2010 && r.method_used == ANOMALY_METHOD_HOLT_WINTERS &&
		  r.period_used == 50 && r.alarm_used == ANOMALY_ALARM_LIKELIHOOD &&
		  r.tail_probability[where] <= r.tail_threshold && r.tail_threshold == 1e-6, msg);
	anomaly_result_free(&r);

	/* likelihood fields behind a valid checksum are validated */
	anomaly_options_init(&o);
	o.method = ANOMALY_METHOD_EWMA;
	anomaly_result_init(&r, 200);
	check(anomaly_stream_start(x, 200, &o, &s, &r) == ANOMALY_OK, "likelihood: ewma stream starts");
	anomaly_result_free(&r);
	blob = serialize(s, &len);
	/* offset of the likelihood's ring count: header 8, options 64, episode 16 */
	blob[88] = ANOMALY_LIKELIHOOD_MAX_WINDOW + 1;
	put_checksum(blob, len);
	check(anomaly_stream_deserialize(blob, len, &back) == ANOMALY_ERR_STATE_CORRUPT && back == NULL,
		  "likelihood: a ring count above the window is rejected");
	dl_free(blob);
	blob = serialize(s, &len);
	{
		double		minus_one = -1.0;

		memcpy(blob + 88 + 16, &minus_one, 8);	/* the long-term mean (little-endian host) */
	}
	put_checksum(blob, len);
	check(anomaly_stream_deserialize(blob, len, &back) == ANOMALY_ERR_STATE_CORRUPT && back == NULL,
		  "likelihood: a negative long-term mean is rejected");
	dl_free(blob);
	anomaly_stream_free(s);
	dl_free(x);
}

/* ---------------------------------------------------------------- misc */

static void
test_episodes_and_stats(void)
{
	bool		flags[12] = {1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1};
	bool		onset[12];
	bool		want[12] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
	double		v[7] = {5, 1, 4, 2, 3, 9, 7};
	double		w[6] = {6, 1, 5, 2, 4, 3};

	anomaly_mark_onsets(flags, 12, 3, onset);
	check(memcmp(onset, want, sizeof(onset)) == 0,
		  "episodes: flags within the cooldown (3) merge, a later one starts anew");
	check(anomaly_median_inplace(v, 7) == 4.0 && anomaly_median_inplace(w, 6) == 3.5,
		  "median by selection, odd and even n");
	check(fabs(anomaly_t_quantile(0.975, 10) - 2.228138851986274) < 1e-8 &&
		  fabs(anomaly_t_quantile(0.995, 3) - 5.840909309733351) < 1e-7 &&
		  fabs(anomaly_t_quantile(0.025, 10) + 2.228138851986274) < 1e-8,
		  "Student t quantiles match tables");
}

int
main(void)
{
	test_options();
	test_stream_arguments();
	test_episodes_and_stats();
	test_robust_z_reference();
	test_spikes();
	test_clean_noise();
	test_level_shift();
	test_stream_equals_batch();
	test_corrupt_state();
	test_missing_values();
	test_tiny_and_constant();
	test_likelihood();
	printf("1..%d\n", test_number);
	printf("# %d passed, %d failed\n", test_number - failures, failures);
	return failures ? 1 : 0;
}
