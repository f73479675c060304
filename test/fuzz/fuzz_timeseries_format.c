/* fuzz-deps: src/analytics/timeseries_format.c src/storage/codec_buf.c */
/*
 * fuzz_timeseries_format.c
 *		libFuzzer harness for the datalayer.timeseries binary layer.
 *
 * Build and run: test/fuzz/run.sh [seconds]   (clang -fsanitize=fuzzer,address,undefined)
 * Seeds (test/fuzz/seeds/timeseries_format/) are plain encoded buffers,
 * written by test/unit/test_timeseries_format.c with TS_WRITE_SEEDS=DIR.
 *
 * Every input is used four ways:
 *	1. the whole input is an encoded buffer for ts_decode;
 *	2. if it is longer than PARAM_BYTES, the first PARAM_BYTES bytes are
 *	   parameters (resampling grid and fill, builder policy and scale) and
 *	   the rest is another encoded buffer for ts_decode;
 *	3. the same rest, read as time-stream tokens, is wrapped in a header
 *	   and raw values made to agree with it (count, last time), so that
 *	   mutations reach the token checks rather than the header checks;
 *	4. the same rest, read as 4-byte records (time, value choice, NULL
 *	   flag), is fed to the builder.
 * Whatever decodes must be a valid series (strictly increasing finite
 * times, NULL points with value 0) matching its header; it re-encodes to a
 * buffer with the same header fields, bitmap and time stream (the time
 * stream has one canonical form), which decodes to the same points bit for
 * bit.  It is then resampled and checked against an independent
 * binary-search reference.  A failed decode must leave nothing allocated.
 * The builder's output is checked against a brute-force reading of the
 * duplicate policy and round-tripped through the encoder.
 */
#include "util/portable.h"

#include <string.h>

#include "analytics/timeseries_format.h"

#define PARAM_BYTES			24
#define FUZZ_MAX_GRID		4096
#define FUZZ_MAX_RECORDS	512

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct FuzzParams
{
	uint64_t	offset;			/* grid start, relative to the first point or absolute */
	uint64_t	step;
	uint32_t	span;			/* grid steps from start to end */
	uint8_t		fill;
	uint16_t	max_points;
	uint8_t		mode;			/* bit 0: absolute start; bits 1-2: policy; bits 3-7: time scale */
} FuzzParams;

static uint64_t
load_le(const uint8_t *p, int n)
{
	uint64_t	v = 0;
	int			i;

	for (i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t
dbits(double d)
{
	uint64_t	u;

	memcpy(&u, &d, 8);
	return u;
}

static double
from_bits(uint64_t u)
{
	double		d;

	memcpy(&d, &u, 8);
	return d;
}

static void
require(bool ok)
{
	if (!ok)
		__builtin_trap();
}

static bool
same_points(const TsPoints *a, const TsPoints *b)
{
	uint32_t	i;

	if (a->count != b->count)
		return false;
	for (i = 0; i < a->count; i++)
	{
		if (a->times[i] != b->times[i] || a->isnull[i] != b->isnull[i])
			return false;
		if (dbits(a->values[i]) != dbits(b->values[i]))
			return false;
	}
	return true;
}

static void
check_valid(const TsPoints *p)
{
	uint32_t	i;

	require(p->count <= TS_MAX_POINTS);
	require(p->count == 0 ? (p->times == NULL && p->values == NULL && p->isnull == NULL)
			: (p->times != NULL && p->values != NULL && p->isnull != NULL));
	for (i = 0; i < p->count; i++)
	{
		require(p->times[i] != INT64_MIN && p->times[i] != INT64_MAX);
		require(i == 0 || p->times[i] > p->times[i - 1]);
		require(!p->isnull[i] || dbits(p->values[i]) == 0);
	}
}

static bool
zeroed(const TsPoints *p)
{
	return p->count == 0 && p->times == NULL && p->values == NULL && p->isnull == NULL;
}

/* ---------- resampling against a binary-search reference ---------- */

/* first index with times[i] >= g */
static uint32_t
lower_bound(const TsPoints *p, int64_t g)
{
	uint32_t	lo = 0;
	uint32_t	hi = p->count;

	while (lo < hi)
	{
		uint32_t	mid = lo + (hi - lo) / 2;

		if (p->times[mid] < g)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
check_resample(const TsPoints *p, const FuzzParams *fp)
{
	int64_t		start;
	int64_t		end;
	int64_t		step = (int64_t) fp->step;
	TsFill		fill = (TsFill) (fp->fill % 4);
	TsPoints	out;
	TsStatus	st;
	bool		bad;
	uint64_t	ngrid = 0;
	uint32_t	k;
	int64_t    *prev_nn;		/* prev_nn[i]: last non-NULL index < i, or -1 */
	int64_t    *next_nn;		/* next_nn[i]: first non-NULL index >= i, or -1 */
	uint32_t	i;

	if ((fp->mode & 1) || p->count == 0)
		start = (int64_t) fp->offset;
	else
	{
		/* near the series: offset as a signed 32-bit number of steps' worth */
		start = (int64_t) ((uint64_t) p->times[0] + (uint64_t) (int64_t) (int32_t) fp->offset);
	}
	end = (int64_t) ((uint64_t) start + (uint64_t) fp->span * fp->step);

	st = ts_resample(p, start, end, step, fill, fp->max_points, &out);
	bad = step <= 0 || start > end || start == INT64_MIN || start == INT64_MAX ||
		end == INT64_MIN || end == INT64_MAX || fp->fill % 4 == 3;
	if (!bad)
		ngrid = ((uint64_t) end - (uint64_t) start) / (uint64_t) step + 1;
	if (bad)
	{
		require(st == TS_ERR_BAD_ARGUMENT && zeroed(&out));
		return;
	}
	if (ngrid > fp->max_points)
	{
		require(st == TS_ERR_TOO_MANY_POINTS && zeroed(&out));
		return;
	}
	require(st == TS_OK && out.count == ngrid);

	prev_nn = dl_alloc(((size_t) p->count + 1) * sizeof(int64_t));
	next_nn = dl_alloc(((size_t) p->count + 1) * sizeof(int64_t));
	prev_nn[0] = -1;
	for (i = 0; i < p->count; i++)
		prev_nn[i + 1] = p->isnull[i] ? prev_nn[i] : (int64_t) i;
	next_nn[p->count] = -1;
	for (i = p->count; i > 0; i--)
		next_nn[i - 1] = p->isnull[i - 1] ? next_nn[i] : (int64_t) (i - 1);

	for (k = 0; k < out.count; k++)
	{
		int64_t		g = (int64_t) ((uint64_t) start + (uint64_t) k * (uint64_t) step);
		uint32_t	j = lower_bound(p, g);
		bool		exact = j < p->count && p->times[j] == g;
		int64_t		before = prev_nn[j];
		int64_t		after = next_nn[exact ? j + 1 : j];
		bool		isnull = true;
		double		value = 0.0;

		require(g <= end && out.times[k] == g);
		if (exact && !p->isnull[j])
		{
			isnull = false;
			value = p->values[j];
		}
		else if (fill == TS_FILL_LOCF && before >= 0)
		{
			isnull = false;
			value = p->values[before];
		}
		else if (fill == TS_FILL_LINEAR && before >= 0 && after >= 0)
		{
			int64_t		t0 = p->times[before];
			int64_t		t1 = p->times[after];
			double		v0 = p->values[before];
			double		v1 = p->values[after];

			isnull = false;
			value = v0 + (v1 - v0) * ((double) ((uint64_t) g - (uint64_t) t0) /
									  (double) ((uint64_t) t1 - (uint64_t) t0));
		}
		require(out.isnull[k] == isnull);
		require(dbits(out.values[k]) == dbits(value));
	}
	dl_free(prev_nn);
	dl_free(next_nn);
	ts_points_free(&out);
}

/* ---------- decoding ---------- */

static void
decode_and_check(const uint8_t *buf, size_t len, const FuzzParams *fp)
{
	TsPoints	p;
	TsPoints	again;
	TsHeader	h;
	TsHeader	h2;
	uint8_t    *enc;
	size_t		enc_len;
	size_t		bitmap_bytes;
	TsStatus	st = ts_decode(buf, len, &p);

	if (st != TS_OK)
	{
		require(zeroed(&p));
		return;
	}
	check_valid(&p);
	require(ts_read_header(buf, len, &h) == TS_OK);
	require(h.count == p.count);
	require(p.count == 0 || (h.first_time == p.times[0] && h.last_time == p.times[p.count - 1]));

	/* re-encode: same header fields, bitmap and time stream; same points */
	require(ts_encode(&p, 3, &enc, &enc_len) == TS_OK);
	require(ts_read_header(enc + 3, enc_len - 3, &h2) == TS_OK);
	require(h2.count == h.count && h2.first_time == h.first_time && h2.last_time == h.last_time &&
			h2.time_bytes == h.time_bytes &&
			(h2.flags & TS_FLAG_HAS_NULLS) == (h.flags & TS_FLAG_HAS_NULLS));
	bitmap_bytes = (h.flags & TS_FLAG_HAS_NULLS) ? ((size_t) h.count + 7) / 8 : 0;
	require(memcmp(enc + 3 + TS_HEADER_SIZE, buf + TS_HEADER_SIZE, bitmap_bytes + h.time_bytes) == 0);
	require(ts_decode(enc + 3, enc_len - 3, &again) == TS_OK);
	require(same_points(&p, &again));
	ts_points_free(&again);
	dl_free(enc);

	if (fp != NULL)
		check_resample(&p, fp);
	ts_points_free(&p);
}

/* ---------- a time stream with a header made to fit ---------- */

/*
 * Reads the bytes as LEB128 tokens, permissively (up to ten bytes, 65
 * bits), works out the count and last time they describe, and wraps them
 * in a header that agrees plus raw values, so that mutations of the token
 * stream itself reach the decoder's checks instead of failing on the
 * header's last time.  Whatever the strict decoder accepts is then held to
 * the usual invariants, including the canonical re-encoding.
 */
static void
put_le(uint8_t *p, uint64_t v, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

static void
tokens_and_check(const uint8_t *tok, size_t len, const FuzzParams *fp)
{
	size_t		pos = 0;
	uint64_t	count = 1;
	uint64_t	first = (fp->mode & 1) ? fp->offset : (uint64_t) (int64_t) (int32_t) fp->offset;
	uint64_t	t = first;
	uint64_t	delta = 0;
	uint8_t    *buf;
	size_t		buf_len;
	uint64_t	i;

	if (len == 0 || len > 2048)
		return;
	while (pos < len)
	{
		uint64_t	lo = 0;
		uint64_t	hi = 0;
		int			k;

		for (k = 0; k < 10 && pos < len; k++)
		{
			uint8_t		byte = tok[pos++];

			if (k < 9)
				lo |= (uint64_t) (byte & 0x7f) << (7 * k);
			else
			{
				lo |= (uint64_t) (byte & 1) << 63;
				hi = (byte >> 1) & 1;
			}
			if ((byte & 0x80) == 0)
				break;
		}
		if (lo & 1)
		{
			uint64_t	z = (lo >> 1) | (hi << 63);

			delta += (z >> 1) ^ (0 - (z & 1));	/* zigzag^-1, wrapping */
			t += delta;
			count++;
		}
		else
		{
			uint64_t	run = lo >> 1;

			if (run > FUZZ_MAX_GRID)
				return;
			t += run * delta;
			count += run;
		}
		if (count > FUZZ_MAX_GRID)
			return;
	}
	buf_len = TS_HEADER_SIZE + len + (size_t) count * 8;
	buf = dl_alloc(buf_len);
	memset(buf, 0, TS_HEADER_SIZE);
	buf[0] = TS_FORMAT_VERSION;
	put_le(buf + 4, count, 4);
	put_le(buf + 8, first, 8);
	put_le(buf + 16, t, 8);
	put_le(buf + 24, len, 4);
	memcpy(buf + TS_HEADER_SIZE, tok, len);
	for (i = 0; i < count; i++)
		put_le(buf + TS_HEADER_SIZE + len + 8 * i, dbits((double) i), 8);
	decode_and_check(buf, buf_len, fp);
	dl_free(buf);
}

/* ---------- the builder ---------- */

static void
build_and_check(const uint8_t *rec, size_t len, const FuzzParams *fp)
{
	static const uint64_t specials[] = {
		UINT64_C(0x7ff8000000000123), UINT64_C(0x8000000000000000), UINT64_C(0x7ff0000000000000),
		UINT64_C(0xfff0000000000000), UINT64_C(0x0000000000000001), UINT64_C(0x3ff0000000000000),
	};
	TsDuplicatePolicy policy = (TsDuplicatePolicy) ((fp->mode >> 1) % 3);
	int			shift = (fp->mode >> 3) * 2;	/* 0..62 */
	uint64_t	base = fp->offset;
	size_t		n = len / 4;
	int64_t    *times;
	double	   *values;
	bool	   *nulls;
	bool	   *appended;
	bool	   *first;			/* appended, and the first append of its time */
	TsBuilder  *b;
	TsPoints	p;
	TsStatus	st;
	size_t		i;
	uint32_t	expect = 0;
	bool		dup = false;

	if (n > FUZZ_MAX_RECORDS)
		n = FUZZ_MAX_RECORDS;
	times = dl_alloc((n + 1) * sizeof(int64_t));
	values = dl_alloc((n + 1) * sizeof(double));
	nulls = dl_alloc((n + 1) * sizeof(bool));
	appended = dl_alloc((n + 1) * sizeof(bool));
	first = dl_alloc((n + 1) * sizeof(bool));
	b = ts_builder_create(policy);
	for (i = 0; i < n; i++)
	{
		const uint8_t *r = rec + 4 * i;
		int16_t		t = (int16_t) (uint16_t) load_le(r, 2);

		times[i] = (int64_t) (base + ((uint64_t) (int64_t) t << shift));
		nulls[i] = (r[2] & 0x80) != 0;
		values[i] = (r[2] & 0x40) ? from_bits(specials[r[3] % 6]) : (double) (int8_t) r[3] / 4.0;
		st = ts_builder_append(b, times[i], values[i], nulls[i]);
		appended[i] = times[i] != INT64_MIN && times[i] != INT64_MAX;
		require(st == (appended[i] ? TS_OK : TS_ERR_INFINITE_TIME));
	}
	st = ts_builder_finish(b, &p);

	/* brute force: one point per distinct time, which one by policy */
	for (i = 0; i < n; i++)
	{
		size_t		j;

		first[i] = appended[i];
		for (j = 0; j < i && first[i]; j++)
			if (appended[j] && times[j] == times[i])
				first[i] = false;
		if (appended[i] && !first[i])
			dup = true;
	}
	for (i = 0; i < n; i++)
	{
		size_t		j;
		size_t		keep = i;
		uint32_t	idx = 0;

		if (!first[i])
			continue;
		expect++;
		if (st != TS_OK)
			continue;
		for (j = 0; j < n; j++)
		{
			if (policy == TS_DUP_KEEP_LAST && j > i && appended[j] && times[j] == times[i])
				keep = j;
			/* its index in the output: how many distinct times are smaller */
			if (first[j] && times[j] < times[i])
				idx++;
		}
		require(idx < p.count && p.times[idx] == times[i] && p.isnull[idx] == nulls[keep]);
		require(nulls[keep] ? dbits(p.values[idx]) == 0 : dbits(p.values[idx]) == dbits(values[keep]));
	}
	if (policy == TS_DUP_ERROR && dup)
		require(st == TS_ERR_DUPLICATE_TIME && zeroed(&p));
	else
	{
		uint8_t    *enc;
		size_t		enc_len;
		TsPoints	back;

		require(st == TS_OK && p.count == expect);
		check_valid(&p);
		require(ts_encode(&p, 0, &enc, &enc_len) == TS_OK);
		require(ts_decode(enc, enc_len, &back) == TS_OK);
		require(same_points(&p, &back));
		ts_points_free(&back);
		dl_free(enc);
		ts_points_free(&p);
	}
	ts_builder_free(b);
	dl_free(times);
	dl_free(values);
	dl_free(nulls);
	dl_free(appended);
	dl_free(first);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FuzzParams	fp;

	/* whole input: decode, resample on a grid around the series */
	memset(&fp, 0, sizeof(fp));
	fp.step = size > 0 ? 1 + data[size - 1] * UINT64_C(1000) : 1;
	fp.span = 64;
	fp.fill = size > 1 ? data[size - 2] : 0;
	fp.max_points = FUZZ_MAX_GRID;
	fp.offset = (uint64_t) (int64_t) -5000;
	decode_and_check(data, size, &fp);

	if (size <= PARAM_BYTES)
		return 0;
	fp.offset = load_le(data, 8);
	fp.step = load_le(data + 8, 8);
	fp.span = (uint32_t) load_le(data + 16, 4);
	fp.fill = data[20];
	fp.max_points = (uint16_t) (load_le(data + 21, 2) % (FUZZ_MAX_GRID + 1));
	fp.mode = data[23];
	decode_and_check(data + PARAM_BYTES, size - PARAM_BYTES, &fp);
	tokens_and_check(data + PARAM_BYTES, size - PARAM_BYTES, &fp);
	build_and_check(data + PARAM_BYTES, size - PARAM_BYTES, &fp);
	return 0;
}
