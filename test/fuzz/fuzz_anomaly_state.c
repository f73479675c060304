/* fuzz-deps: src/analytics/anomaly.c src/analytics/anomaly_auto.c src/analytics/anomaly_changepoint.c src/analytics/anomaly_ewma.c src/analytics/anomaly_holt_winters.c src/analytics/anomaly_robust_z.c src/analytics/anomaly_seasonal.c src/analytics/anomaly_seasonal_esd.c src/analytics/anomaly_stats.c src/analytics/anomaly_stream.c src/analytics/anomaly_likelihood.c */
/*
 * fuzz_anomaly_state.c
 *		libFuzzer harness for anomaly_stream_deserialize(), the loader of the
 *		streaming anomaly detector state that monitors persist.
 *
 * Build and run: test/fuzz/run.sh [seconds]   (clang -fsanitize=fuzzer,address,undefined)
 * Seeds in test/fuzz/seeds/anomaly_state/ are small valid states, one per
 * causal method (robust z window 16, EWMA, Holt-Winters period 12, change
 * points max_run_length 20, each after 40 points with a gap and a spike),
 * plus the robust z one behind the 0xA5 prefix.  Most mutations break the
 * checksum; to get past it too, when the
 * first byte of the input is 0xA5 the rest is taken as a blob whose last
 * four bytes are replaced by its correct checksum, so the field validation
 * behind it is fuzzed as well.
 * Checks: no crash, leak, out-of-bounds access or undefined behaviour; the
 * only statuses are OK, STATE_CORRUPT and STATE_VERSION; whatever loads
 * re-serializes to exactly the input bytes, scores new points (finite,
 * missing and extreme ones) without NaN scores or misordered bands, and the
 * advanced state serializes and loads again.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "analytics/anomaly.h"
#include "analytics/anomaly_stream.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) \
	do { if (!(cond)) { fprintf(stderr, "check failed: %s (line %d)\n", #cond, __LINE__); abort(); } } while (0)

static const double probe[] = {
	0.0, 1.0, -1.0, 1e6, -1e6, NAN, INFINITY, -INFINITY, 1e150, -1e150, 1e200,
	3.5, 3.5, 3.5, 1e-300, 42.0
};

#define N_PROBE (sizeof(probe) / sizeof(probe[0]))

static void
exercise(AnomalyStream *s, const uint8_t *blob, size_t length)
{
	size_t		need = anomaly_stream_serialized_size(s);
	uint8_t    *out = dl_alloc(need);
	size_t		written = 0;
	AnomalyResult r;
	AnomalyStream *again = NULL;
	size_t		i;

	/* a loaded state re-serializes to the very bytes it came from */
	FUZZ_CHECK(need == length);
	FUZZ_CHECK(anomaly_stream_serialize(s, out, need, &written) == ANOMALY_OK);
	FUZZ_CHECK(written == length && memcmp(out, blob, length) == 0);
	dl_free(out);

	anomaly_result_init(&r, N_PROBE);
	if (anomaly_stream_points(s) > (INT64_C(1) << 62) - (int64_t) N_PROBE)
	{
		/* a stream at its point limit refuses more, untouched */
		FUZZ_CHECK(anomaly_stream_update(s, probe, N_PROBE, &r) == ANOMALY_ERR_ARGUMENT);
		anomaly_result_free(&r);
		return;
	}
	FUZZ_CHECK(anomaly_stream_update(s, probe, N_PROBE, &r) == ANOMALY_OK);
	for (i = 0; i < N_PROBE; i++)
	{
		FUZZ_CHECK(!isnan(r.score[i]) && r.score[i] >= 0.0);
		if (!isnan(r.lower[i]) && !isnan(r.expected[i]))
			FUZZ_CHECK(r.lower[i] <= r.expected[i]);
		if (!isnan(r.upper[i]) && !isnan(r.expected[i]))
			FUZZ_CHECK(r.expected[i] <= r.upper[i]);
		FUZZ_CHECK(!r.is_onset[i] || r.is_anomaly[i]);
		if (!anomaly_value_usable(probe[i]))
			FUZZ_CHECK(!r.is_anomaly[i] && r.score[i] == 0.0);
	}
	anomaly_result_free(&r);

	/* the advanced state is still a valid state */
	need = anomaly_stream_serialized_size(s);
	out = dl_alloc(need);
	FUZZ_CHECK(anomaly_stream_serialize(s, out, need, &written) == ANOMALY_OK && written == need);
	FUZZ_CHECK(anomaly_stream_deserialize(out, written, &again) == ANOMALY_OK);
	anomaly_stream_free(again);
	dl_free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	AnomalyStream *s = NULL;
	AnomalyStatus status;
	uint8_t    *copy;

	if (size > 0 && data[0] == 0xA5)
	{
		/* re-checksummed blob: reach the field validation */
		size_t		length = size - 1;

		copy = dl_alloc(length > 0 ? length : 1);
		memcpy(copy, data + 1, length);
		if (length >= 4)
		{
			uint32_t	c = anomaly_stream_checksum(copy, length - 4);
			int			i;

			for (i = 0; i < 4; i++)
				copy[length - 4 + i] = (uint8_t) (c >> (8 * i));
		}
	}
	else
	{
		/* an exact-size copy so ASan sees any read past the end */
		copy = dl_alloc(size > 0 ? size : 1);
		if (size > 0)
			memcpy(copy, data, size);
	}
	if (data != NULL && size > 0 && data[0] == 0xA5)
		size--;

	status = anomaly_stream_deserialize(copy, size, &s);
	FUZZ_CHECK(status == ANOMALY_OK || status == ANOMALY_ERR_STATE_CORRUPT ||
			   status == ANOMALY_ERR_STATE_VERSION);
	FUZZ_CHECK((status == ANOMALY_OK) == (s != NULL));
	if (s != NULL)
	{
		exercise(s, copy, size);
		anomaly_stream_free(s);
	}
	dl_free(copy);
	return 0;
}
