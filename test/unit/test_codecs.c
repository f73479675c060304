/* unit-deps: src/storage/bitpack.c src/storage/codec_buf.c src/storage/codec.c src/storage/codec_bitmap.c src/storage/codec_delta.c src/storage/codec_alp.c src/storage/codec_xor.c src/storage/codec_plain.c src/storage/codec_dict.c src/storage/codec_float_delta.c src/storage/codec_access.c */
/*
 * test_codecs.c
 *		The column encodings without a server: bit packing against a
 *		bit-by-bit reference, the exact bytes of a small buffer, bit-exact
 *		round trips of every encoding on edge cases and realistic data, the
 *		automatic choice, and decoders rejecting truncated, bit-flipped and
 *		hostile buffers.
 */
#include "util/portable.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "storage/bitpack.h"
#include "storage/codec.h"

#define TAP_RNG_SEED	0x9E3779B97F4A7C15ULL
#include "storage/codec_access.h"

#include "tap.h"

/* uniform in [0, 1) */
static double
rng_unit(void)
{
	return (double) (rng() >> 11) / 9007199254740992.0;
}

static double
from_bits(uint64_t u)
{
	double		d;

	memcpy(&d, &u, 8);
	return d;
}

/* ---------- single values (codec_access.h) must equal the whole decode ---------- */

static int	accesses_checked;
static int	accesses_declined;

/* value row of an access, as the bits of the decoded value */
static uint64_t
access_bits(CodecAccess *a, CodecType type, uint32_t row)
{
	double		d;
	uint64_t	u;

	if (type == CODEC_TYPE_INT64)
		return (uint64_t) codec_access_int64(a, row);
	d = codec_access_float8(a, row);
	memcpy(&u, &d, 8);
	return u;
}

static uint64_t
decoded_bits(const CodecColumn *c, uint32_t row)
{
	uint64_t	u;

	if (c->type == CODEC_TYPE_INT64)
		return (uint64_t) c->ints[row];
	memcpy(&u, &c->floats[row], 8);
	return u;
}

/*
 * Opens an access on a buffer that decoded to decoded: it is either
 * declined or gives every row's value, read forwards, backwards, by
 * residue class of a few periods and at random, exactly as decoded.
 */
static bool
access_agrees(const uint8_t *buf, size_t len, const CodecColumn *decoded, bool verify)
{
	CodecAccess *a;
	CodecStatus status;
	uint32_t	n = decoded->count;
	uint32_t	i,
				p;
	bool		ok = true;
	static const uint32_t periods[] = {1, 3, 100, 1000};

	status = verify ? codec_access_open(buf, len, decoded->type, n, &a)
		: codec_access_open_unverified(buf, len, decoded->type, n, &a);
	if (status == CODEC_ERR_NOT_APPLICABLE)
	{
		/* the caller decodes such a buffer whole */
		accesses_declined++;
		return true;
	}
	if (status != CODEC_OK)
		return false;
	accesses_checked++;
	if (decoded->type != CODEC_TYPE_INT64 && decoded->type != CODEC_TYPE_FLOAT8)
		ok = false;
	for (i = 0; ok && i < n; i++)
		ok = access_bits(a, decoded->type, i) == decoded_bits(decoded, i);
	for (i = n; ok && i > 0; i--)
		ok = access_bits(a, decoded->type, i - 1) == decoded_bits(decoded, i - 1);
	for (p = 0; ok && p < sizeof(periods) / sizeof(periods[0]); p++)
		for (i = 0; ok && i < n; i++)
		{
			/* all of residue 0, then of 1, ... */
			uint32_t	row = (i % ((n + periods[p] - 1) / periods[p])) * periods[p] +
				i / ((n + periods[p] - 1) / periods[p]);

			if (row < n)
				ok = access_bits(a, decoded->type, row) == decoded_bits(decoded, row);
		}
	for (i = 0; ok && i < 200 && n > 0; i++)
	{
		/* pseudo-random rows of their own, leaving rng()'s sequence alone */
		uint32_t	row = (uint32_t) (((uint64_t) i * 2654435761u + 12345) % n);

		ok = access_bits(a, decoded->type, row) == decoded_bits(decoded, row);
	}
	if (codec_access_count(a) != n)
		ok = false;
	codec_access_free(a);
	return ok;
}

/* ---------- the decoders must refuse damaged copies of a good buffer ---------- */

static int	flips_accepted;
static int	flips_tried;

/*
 * Every truncation fails; every bit flip fails the checksum; with the
 * checksum skipped, bit flips never crash (ASan/valgrind tell) and the
 * ones the decoder cannot tell from data are counted.
 */
static bool
rejects_damage(const uint8_t *buf, size_t len, CodecType type, uint32_t rows)
{
	uint8_t    *copy = dl_alloc(len ? len : 1);
	CodecColumn c;
	size_t		cut;
	size_t		bit;
	size_t		step;
	bool		ok = true;

	for (cut = 0; cut < len; cut += (len > 4096 ? 1 + len / 512 : 1))
	{
		CodecAccess *a;

		memcpy(copy, buf, cut);
		if (codec_decode(copy, cut, type, rows, &c) == CODEC_OK)
		{
			ok = false;
			codec_column_free(&c);
		}
		if (codec_access_open(copy, cut, type, rows, &a) == CODEC_OK)
		{
			ok = false;
			codec_access_free(a);
		}
	}
	step = len * 8 > 8192 ? len * 8 / 4096 : 1;
	for (bit = 0; bit < len * 8; bit += step)
	{
		memcpy(copy, buf, len);
		copy[bit / 8] ^= (uint8_t) (1 << (bit % 8));
		flips_tried++;
		if (codec_decode(copy, len, type, rows, &c) == CODEC_OK)
		{
			ok = false;
			codec_column_free(&c);
		}
		if (codec_decode_unverified(copy, len, type, rows, &c) == CODEC_OK)
		{
			flips_accepted++;
			if (!access_agrees(copy, len, &c, false))
				ok = false;
			codec_column_free(&c);
		}
		else
		{
			CodecAccess *a;

			/* what the decoder refuses, single values refuse too */
			if (codec_access_open_unverified(copy, len, type, rows, &a) == CODEC_OK)
			{
				ok = false;
				codec_access_free(a);
			}
		}
	}
	dl_free(copy);
	return ok;
}

/* ---------- round trips ---------- */

static bool
same_rows(const CodecColumn *a, const uint8_t *nulls, const CodecColumn *b)
{
	uint32_t	i;

	if (b->count != a->count)
		return false;
	for (i = 0; i < a->count; i++)
	{
		bool		is_null = nulls && nulls[i];

		if ((b->nulls && b->nulls[i]) != is_null)
			return false;
		if (is_null)
			continue;
		switch (a->type)
		{
			case CODEC_TYPE_INT64:
				if (a->ints[i] != b->ints[i])
					return false;
				break;
			case CODEC_TYPE_FLOAT8:
				if (memcmp(&a->floats[i], &b->floats[i], 8) != 0)
					return false;
				break;
			case CODEC_TYPE_BOOL:
				if ((a->bools[i] != 0) != (b->bools[i] != 0))
					return false;
				break;
			case CODEC_TYPE_BYTES:
				if (a->lengths[i] != b->lengths[i] ||
					memcmp(a->data + a->offsets[i], b->data + b->offsets[i], a->lengths[i]) != 0)
					return false;
				break;
		}
	}
	return true;
}

/*
 * Encodes the rows of col (nulls may be NULL) with the encoder API, with
 * codec_encode_column (must give the same bytes) and decodes; checks the
 * round trip, the damage checks, and returns the buffer size (0 on
 * failure).  *chosen gets the encoding in the header.
 */
static size_t
round_trip(const CodecColumn *col, const uint8_t *nulls, CodecId id, CodecId *chosen,
		   bool damage)
{
	CodecEncoder *enc = codec_encoder_create(col->type);
	CodecColumn with_nulls = *col;
	CodecColumn out;
	CodecHeader header;
	uint8_t    *buf = NULL,
			   *buf2 = NULL;
	size_t		len = 0,
				len2 = 0;
	uint32_t	i;
	size_t		result = 0;

	codec_encoder_set_period(enc, col->period);
	for (i = 0; i < col->count; i++)
	{
		if (nulls && nulls[i])
			codec_encoder_append_null(enc);
		else if (col->type == CODEC_TYPE_INT64)
			codec_encoder_append_int64(enc, col->ints[i]);
		else if (col->type == CODEC_TYPE_FLOAT8)
			codec_encoder_append_float8(enc, col->floats[i]);
		else if (col->type == CODEC_TYPE_BOOL)
			codec_encoder_append_bool(enc, col->bools[i]);
		else
			codec_encoder_append_bytes(enc, col->data + col->offsets[i], col->lengths[i]);
	}
	if (codec_encoder_finish(enc, id, &buf, &len) != CODEC_OK)
	{
		codec_encoder_free(enc);
		return 0;
	}
	codec_encoder_free(enc);

	with_nulls.nulls = (uint8_t *) nulls;
	if (codec_encode_column(&with_nulls, id, &buf2, &len2) != CODEC_OK ||
		len2 != len || memcmp(buf, buf2, len) != 0)
		goto done;
	if (codec_read_header(buf, len, &header) != CODEC_OK)
		goto done;
	*chosen = header.encoding;
	if (codec_decode(buf, len, col->type, col->count, &out) != CODEC_OK)
		goto done;
	if (same_rows(col, nulls, &out) && access_agrees(buf, len, &out, true))
		result = len;
	codec_column_free(&out);
	if (damage && !rejects_damage(buf, len, col->type, col->count))
		result = 0;
done:
	dl_free(buf);
	if (buf2)
		dl_free(buf2);
	return result;
}

/* auto and every encoding of the type; returns the auto size */
static size_t
check_all(const char *what, const CodecColumn *col, const uint8_t *nulls, CodecId expect_auto,
		  bool damage)
{
	static const CodecId ids[] = {CODEC_BITMAP, CODEC_DELTA, CODEC_ALP, CODEC_XOR, CODEC_DICT,
	CODEC_PLAIN, CODEC_FLOAT_DELTA, CODEC_ALP_FLOAT4};
	char		label[200];
	CodecId		chosen = CODEC_AUTO;
	size_t		auto_size;
	size_t		i;
	bool		ok = true;

	auto_size = round_trip(col, nulls, CODEC_AUTO, &chosen, damage);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
	{
		const CodecEncoding *e = codec_encoding(ids[i]);
		CodecId		forced;
		size_t		size;

		if (e->type != col->type)
			continue;
		if (ids[i] == CODEC_ALP_FLOAT4)
		{
			uint8_t    *probe;
			size_t		probe_len;
			CodecStatus st = codec_encode_column(col, ids[i], &probe, &probe_len);

			/* it may decline doubles that are not widened float4 values */
			if (st == CODEC_ERR_NOT_APPLICABLE)
				continue;
			if (st == CODEC_OK)
				dl_free(probe);
		}
		size = round_trip(col, nulls, ids[i], &forced, damage && col->count <= 2000);
		if (size == 0 || forced != ids[i])
		{
			snprintf(label, sizeof(label), "%s: forced %s round trip", what, e->name);
			check(false, label);
			ok = false;
		}
		else if (size < auto_size)
		{
			snprintf(label, sizeof(label), "%s: auto (%zu bytes) is larger than %s (%zu)",
					 what, auto_size, e->name, size);
			check(false, label);
			ok = false;
		}
	}
	snprintf(label, sizeof(label), "%s: round trip, %zu bytes for %u rows, chose %s", what,
			 auto_size, col->count,
			 auto_size ? codec_encoding(chosen)->name : "-");
	check(ok && auto_size > 0 && (expect_auto == CODEC_AUTO || chosen == expect_auto), label);
	return auto_size;
}

static CodecColumn
int_column(int64_t *values, uint32_t n)
{
	CodecColumn c;

	memset(&c, 0, sizeof(c));
	c.type = CODEC_TYPE_INT64;
	c.count = n;
	c.ints = values;
	return c;
}

static CodecColumn
float_column(double *values, uint32_t n)
{
	CodecColumn c;

	memset(&c, 0, sizeof(c));
	c.type = CODEC_TYPE_FLOAT8;
	c.count = n;
	c.floats = values;
	return c;
}

/* ---------- the tests ---------- */

static void
test_bitpack(void)
{
	static uint64_t values[300];
	static uint64_t back[300];
	static uint8_t packed[300 * 8 + 8];
	static uint8_t reference[300 * 8 + 8];
	int			width;
	bool		ok = true;

	check(zigzag_encode(0) == 0 && zigzag_encode(-1) == 1 && zigzag_encode(1) == 2 &&
		  zigzag_encode(-2) == 3 && zigzag_encode(INT64_MAX) == UINT64_MAX - 1 &&
		  zigzag_encode(INT64_MIN) == UINT64_MAX, "zig-zag maps 0,-1,1,-2,MAX,MIN to 0,1,2,3,2^64-2,2^64-1");
	check(zigzag_decode(UINT64_MAX) == INT64_MIN && zigzag_decode(5) == -3,
		  "zig-zag decodes back");
	for (width = 0; width <= 64; width++)
	{
		uint32_t	n;

		for (n = 0; n <= 300; n += (n < 20 ? 1 : 37))
		{
			uint32_t	i;
			size_t		size = bitpack_size(n, width);
			uint64_t	bit = 0;

			for (i = 0; i < n; i++)
				values[i] = width == 64 ? rng() : rng() & (((uint64_t) 1 << width) - 1);
			/* the reference: bit by bit, least significant first */
			memset(reference, 0, sizeof(reference));
			for (i = 0; i < n; i++)
			{
				int			b;

				for (b = 0; b < width; b++, bit++)
					if (values[i] >> b & 1)
						reference[bit / 8] |= (uint8_t) (1 << (bit % 8));
			}
			memset(packed, 0xAA, sizeof(packed));
			bitpack_pack(values, n, width, packed);
			if (memcmp(packed, reference, size) != 0 || (size < sizeof(packed) && packed[size] != 0xAA))
				ok = false;
			bitpack_unpack(packed, size, n, width, back);
			if (n > 0 && memcmp(back, values, n * sizeof(uint64_t)) != 0)
				ok = false;
		}
	}
	check(ok, "bit packing matches a bit-by-bit reference for widths 0..64 and round trips");
}

static void
test_exact_bytes(void)
{
	static const uint8_t expected[] = {
		'D', 'L', 'c', CODEC_DELTA, 1, CODEC_TYPE_INT64, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0,				/* checksum, compared separately */
		0,						/* order 0 */
		2,						/* a block of 1 value */
		0,						/* width 0 */
		10						/* minimum zigzag(5) */
	};
	int64_t		five = 5;
	CodecColumn c = int_column(&five, 1);
	uint8_t    *buf;
	size_t		len;
	uint32_t	sum;

	check(codec_encode_column(&c, CODEC_AUTO, &buf, &len) == CODEC_OK &&
		  len == sizeof(expected) && memcmp(buf, expected, 16) == 0 &&
		  memcmp(buf + 20, expected + 20, len - 20) == 0,
		  "the int64 column [5] is exactly the 24 bytes docs/codecs.md describes");
	sum = codec_checksum(buf, len);
	check(buf[16] == (sum & 0xff) && buf[17] == ((sum >> 8) & 0xff) &&
		  buf[18] == ((sum >> 16) & 0xff) && buf[19] == (sum >> 24),
		  "bytes 16..19 hold the checksum, little-endian");
	dl_free(buf);
}

static void
test_int64(void)
{
	uint32_t	n = 20000;
	int64_t    *v = dl_alloc(sizeof(int64_t) * n);
	uint8_t    *nulls = dl_alloc0(n);
	CodecColumn c;
	size_t		size;
	uint32_t	i;

	c = int_column(v, 0);
	check_all("int64 empty", &c, NULL, CODEC_DELTA, true);
	v[0] = -42;
	c = int_column(v, 1);
	check_all("int64 one value", &c, NULL, CODEC_DELTA, true);
	memset(nulls, 1, 100);
	c = int_column(v, 100);
	size = check_all("int64 all NULL", &c, nulls, CODEC_DELTA, true);
	check(size == CODEC_HEADER_SIZE, "an all-NULL column is the bare 20-byte header");
	memset(nulls, 0, n);

	for (i = 0; i < 1000; i++)
		v[i] = (i % 3 == 0) ? INT64_MIN : (i % 3 == 1 ? INT64_MAX : (int64_t) (rng() >> (i % 64)));
	c = int_column(v, 1000);
	check_all("int64 extremes with overflowing deltas", &c, NULL, CODEC_DELTA, true);

	for (i = 0; i < n; i++)
		v[i] = 123456789;
	c = int_column(v, n);
	size = check_all("int64 all equal", &c, NULL, CODEC_DELTA, true);
	check(size < 30, "20000 equal values take under 30 bytes");

	for (i = 0; i < n; i++)
		v[i] = (int64_t) rng();
	c = int_column(v, n);
	size = check_all("int64 random 64-bit", &c, NULL, CODEC_DELTA, false);
	check(size < (size_t) n * 8 + n / 8 + 64, "random 64-bit values cost at most ~8.1 bytes each");

	for (i = 0; i < n; i++)
		v[i] = (int64_t) (rng() % 1000);
	c = int_column(v, n);
	size = check_all("int64 random 0..999", &c, NULL, CODEC_DELTA, false);
	check(size < (size_t) n * 10 / 8 + n / 16 + 64, "values under 1000 cost about 10 bits each");

	/* timestamps every 10 s in microseconds with up to 1 ms of jitter */
	for (i = 0; i < n; i++)
		v[i] = 1700000000000000LL + (int64_t) i * 10000000 + (int64_t) (rng() % 1000);
	c = int_column(v, n);
	size = check_all("int64 sorted timestamps with jitter", &c, NULL, CODEC_DELTA, false);
	check(size < (size_t) n * 12 / 8, "jittered timestamps cost under 12 bits each");

	/* 3-bit values with a spike every 100: the spikes become patches */
	for (i = 0; i < n; i++)
		v[i] = i % 100 == 42 ? (i % 200 == 42 ? 1000000000000000LL : -77777777777LL) : (int64_t) (rng() % 8);
	c = int_column(v, n);
	size = check_all("int64 3-bit values with spikes", &c, NULL, CODEC_DELTA, false);
	check(size < (size_t) n * 3 / 8 + (n / 100) * 12 + (n / 128) * 4 + 64,
		  "spikes cost their own bytes only, not a wider block");
	c = int_column(v, 1000);
	check_all("int64 1000 values with spikes (damage checks)", &c, NULL, CODEC_DELTA, true);

	for (i = 0; i < n; i++)
		v[i] = 1700000000000000LL + (int64_t) (i / 1000) * 10000000;
	c = int_column(v, n);
	size = check_all("int64 time-major timestamps (1000 rows per instant)", &c, NULL, CODEC_DELTA,
					 true);
	check(size < 250, "20 instants x 1000 rows take under 250 bytes");

	/* time-major walks of 100 series: differences at the period */
	{
		int64_t		walk[100];
		size_t		without;

		for (i = 0; i < 100; i++)
			walk[i] = (int64_t) (rng() % 1000000);
		for (i = 0; i < n; i++)
		{
			walk[i % 100] += (int64_t) (rng() % 201) - 100;
			v[i] = walk[i % 100];
		}
		c = int_column(v, n);
		without = check_all("int64 time-major walks, period unknown", &c, NULL, CODEC_DELTA, false);
		c.period = 100;
		size = check_all("int64 time-major walks, period 100", &c, NULL, CODEC_DELTA, false);
		check(size < (size_t) n * 9 / 8 + 1000 && size * 2 < without,
			  "with the period a step of +-100 costs about 8 bits instead of 20");
		c = int_column(v, 1000);
		c.period = 100;
		check_all("int64 1000 time-major values, period 100 (damage checks)", &c, NULL, CODEC_DELTA,
				  true);
	}

	for (i = 0; i < n; i++)
		nulls[i] = (rng() % 10) == 0;
	for (i = 0; i < n; i++)
		v[i] = (int64_t) i * 60;
	c = int_column(v, n);
	check_all("int64 regular series with 10% NULLs", &c, nulls, CODEC_DELTA, false);
	c = int_column(v, 500);
	check_all("int64 500 rows with NULLs (damage checks)", &c, nulls, CODEC_DELTA, true);

	dl_free(v);
	dl_free(nulls);
}

static void
test_float8(void)
{
	uint32_t	n = 20000;
	double	   *v = dl_alloc(sizeof(double) * n);
	uint8_t    *nulls = dl_alloc0(n);
	CodecColumn c;
	size_t		size;
	uint32_t	i;
	double		walk;
	static const uint64_t specials[] = {
		0x7FF8000000000000ULL,	/* quiet NaN */
		0x7FF0000000000001ULL,	/* signalling NaN, payload 1 */
		0xFFF8DEADBEEF0001ULL,	/* negative NaN with a payload */
		0x7FF0000000000000ULL,	/* +inf */
		0xFFF0000000000000ULL,	/* -inf */
		0x8000000000000000ULL,	/* -0.0 */
		0x0000000000000000ULL,	/* +0.0 */
		0x0000000000000001ULL,	/* smallest denormal */
		0x800FFFFFFFFFFFFFULL,	/* largest negative denormal */
		0x0010000000000000ULL,	/* DBL_MIN */
		0x7FEFFFFFFFFFFFFFULL,	/* DBL_MAX */
		0x3FB999999999999AULL,	/* 0.1 */
		0x4415AF1D78B58C40ULL,	/* 1e20 */
		0x43E0000000000000ULL,	/* 2^63 */
	};
	size_t		nspecial = sizeof(specials) / sizeof(specials[0]);

	c = float_column(v, 0);
	check_all("float8 empty", &c, NULL, CODEC_AUTO, true);
	v[0] = 3.25;
	c = float_column(v, 1);
	check_all("float8 one value", &c, NULL, CODEC_AUTO, true);

	for (i = 0; i < 300; i++)
		v[i] = from_bits(specials[i % nspecial]);
	c = float_column(v, 300);
	check_all("float8 special values (NaN payloads, -0.0, inf, denormals)", &c, NULL, CODEC_AUTO,
			  true);

	/* 2-decimal values with a few specials mixed in: ALP with exceptions */
	for (i = 0; i < 2000; i++)
		v[i] = (i % 97 == 5) ? from_bits(specials[i % nspecial]) : (double) ((int64_t) (rng() % 100000)) / 100;
	c = float_column(v, 2000);
	check_all("float8 2-decimal values with specials as exceptions", &c, NULL, CODEC_ALP, true);

	walk = 50;
	for (i = 0; i < n; i++)
	{
		walk += rng_unit() * 2 - 1;
		walk = walk < 0 ? 0 : (walk > 100 ? 100 : walk);
		walk = round(walk * 100) / 100;
		v[i] = walk;
	}
	c = float_column(v, n);
	size = check_all("float8 2-decimal random walk", &c, NULL, CODEC_ALP, false);
	check(size < (size_t) n * 10 / 8, "a 2-decimal random walk costs under 10 bits a value");

	walk = 50;
	for (i = 0; i < n; i++)
	{
		walk += rng_unit() * 2 - 1;
		walk = walk < 0 ? 0 : (walk > 100 ? 100 : walk);
		v[i] = walk;
	}
	c = float_column(v, n);
	size = check_all("float8 full-precision random walk", &c, NULL, CODEC_FLOAT_DELTA, false);
	check(size < (size_t) n * 8, "a full-precision random walk costs under 8 bytes a value");

	for (i = 0; i < n; i++)
		v[i] = from_bits(rng());
	c = float_column(v, n);
	check_all("float8 random bit patterns", &c, NULL, CODEC_AUTO, false);
	c = float_column(v, 700);
	check_all("float8 700 random bit patterns (damage checks)", &c, NULL, CODEC_AUTO, true);

	/* float4 values widened to double: 2-decimal walk, then specials */
	walk = 50;
	for (i = 0; i < n; i++)
	{
		walk += rng_unit() * 2 - 1;
		walk = walk < 0 ? 0 : (walk > 100 ? 100 : walk);
		walk = round(walk * 100) / 100;
		v[i] = (double) (float) walk;
	}
	c = float_column(v, n);
	size = check_all("float4 2-decimal random walk widened to double", &c, NULL, CODEC_ALP_FLOAT4,
					 false);
	check(size < (size_t) n * 10 / 8, "widened float4 decimals cost under 10 bits a value");
	for (i = 0; i < 600; i++)
	{
		static const float fspecial[] = {-0.0f, 1e-45f, 3.4028235e38f, 0.1f, 1.17549435e-38f};

		if (i % 5 == 1)
			v[i] = (double) fspecial[(i / 5) % 5];
		else if (i % 50 == 7)
			v[i] = from_bits(0x7FF800000000F00DULL);
		else
			v[i] = (double) (float) ((double) (rng() % 10000) / 100);
	}
	c = float_column(v, 600);
	check_all("float4 values with float specials and a NaN payload (damage checks)", &c, NULL,
			  CODEC_ALP_FLOAT4, true);

	for (i = 0; i < n; i++)
		v[i] = 1e6 * (double) (i % 50);
	c = float_column(v, n);
	check_all("float8 multiples of a million (ALP factor)", &c, NULL, CODEC_ALP, false);

	for (i = 0; i < n; i++)
	{
		nulls[i] = (i % 7) == 3;
		v[i] = (double) i / 4;
	}
	c = float_column(v, 1500);
	check_all("float8 quarter steps with NULLs", &c, nulls, CODEC_ALP, true);

	dl_free(v);
	dl_free(nulls);
}

/* a bytes column built from an arena */
typedef struct StringSet
{
	CodecColumn c;
	CodecBuf	arena;
} StringSet;

static void
strings_init(StringSet *s, uint32_t capacity)
{
	memset(s, 0, sizeof(*s));
	s->c.type = CODEC_TYPE_BYTES;
	s->c.offsets = dl_alloc(sizeof(uint32_t) * capacity);
	s->c.lengths = dl_alloc(sizeof(uint32_t) * capacity);
	codec_buf_init(&s->arena);
}

static void
strings_add(StringSet *s, const void *p, uint32_t len)
{
	s->c.offsets[s->c.count] = (uint32_t) s->arena.len;
	s->c.lengths[s->c.count] = len;
	codec_buf_put_bytes(&s->arena, p, len);
	s->c.data = s->arena.data;
	s->c.count++;
}

static void
strings_free(StringSet *s)
{
	dl_free(s->c.offsets);
	dl_free(s->c.lengths);
	codec_buf_free(&s->arena);
}

static void
test_bytes(void)
{
	StringSet	s;
	char		text[64];
	uint8_t    *big = dl_alloc(100000);
	uint8_t    *nulls = dl_alloc0(20000);
	uint32_t	i;
	size_t		size;

	strings_init(&s, 20000);
	check_all("bytes empty column", &s.c, NULL, CODEC_AUTO, true);
	strings_add(&s, "", 0);
	check_all("bytes one empty string", &s.c, NULL, CODEC_AUTO, true);
	for (i = 0; i < 99; i++)
		strings_add(&s, "", 0);
	check_all("bytes 100 empty strings", &s.c, NULL, CODEC_AUTO, true);
	strings_free(&s);

	strings_init(&s, 20000);
	for (i = 0; i < 100000; i++)
		big[i] = (uint8_t) rng();
	strings_add(&s, big, 100000);
	strings_add(&s, "\0\x01\xff", 3);
	strings_add(&s, big + 5, 99995);
	check_all("bytes long binary strings with zero bytes", &s.c, NULL, CODEC_PLAIN, false);
	strings_free(&s);

	strings_init(&s, 20000);
	for (i = 0; i < 20000; i++)
	{
		int			len = snprintf(text, sizeof(text), "host_%u", (unsigned) (i % 1000));

		strings_add(&s, text, (uint32_t) len);
	}
	size = check_all("bytes 1000 host names, time-major", &s.c, NULL, CODEC_DICT, false);
	check(size < 20000 * 11 / 8 + 12000, "1000 host names cost about 10 bits a row plus the dictionary");
	s.c.period = 1000;
	size = check_all("bytes 1000 host names, time-major, period 1000", &s.c, NULL, CODEC_DICT, false);
	check(size < 12000, "with the period the codes cost almost nothing beyond the dictionary");
	strings_free(&s);

	strings_init(&s, 20000);
	for (i = 0; i < 20000; i++)
		strings_add(&s, (i / 5000) % 2 ? "eu-central-1" : "us-west-2", (i / 5000) % 2 ? 12 : 9);
	size = check_all("bytes 2 regions in long runs", &s.c, NULL, CODEC_DICT, true);
	check(size < 80, "2 values in 4 runs take under 80 bytes");
	strings_free(&s);

	strings_init(&s, 20000);
	for (i = 0; i < 20000; i++)
	{
		int			len = snprintf(text, sizeof(text), "%016llx-%u",
								   (unsigned long long) rng(), (unsigned) i);

		strings_add(&s, text, (uint32_t) (len - (int) (i % 10)));
	}
	check_all("bytes 20000 distinct strings", &s.c, NULL, CODEC_PLAIN, false);
	strings_free(&s);

	strings_init(&s, 20000);
	for (i = 0; i < 1000; i++)
	{
		int			len = snprintf(text, sizeof(text), "status-%u", (unsigned) (rng() % 4));

		nulls[i] = rng() % 5 == 0;
		strings_add(&s, text, (uint32_t) len);
	}
	check_all("bytes 4 statuses with NULLs (damage checks)", &s.c, nulls, CODEC_DICT, true);
	strings_free(&s);

	dl_free(big);
	dl_free(nulls);
}

static void
test_bool(void)
{
	uint32_t	n = 5000;
	uint8_t    *v = dl_alloc(n);
	uint8_t    *nulls = dl_alloc0(n);
	CodecColumn c;
	size_t		size;
	uint32_t	i;

	memset(&c, 0, sizeof(c));
	c.type = CODEC_TYPE_BOOL;
	c.bools = v;
	c.count = n;
	memset(v, 1, n);
	size = check_all("bool all true", &c, NULL, CODEC_BITMAP, true);
	check(size == CODEC_HEADER_SIZE + 1, "all true is the header and one mode byte");
	memset(v, 0, n);
	check_all("bool all false", &c, NULL, CODEC_BITMAP, true);
	for (i = 0; i < n; i++)
		v[i] = rng() & 1;
	size = check_all("bool random", &c, NULL, CODEC_BITMAP, true);
	check(size == CODEC_HEADER_SIZE + 1 + n / 8, "random booleans are a plain bitmap");
	for (i = 0; i < n; i++)
		v[i] = i % 1000 == 0;
	size = check_all("bool sparse", &c, NULL, CODEC_BITMAP, true);
	check(size < 40, "5 true values in 5000 take run lengths, under 40 bytes");
	for (i = 0; i < n; i++)
		nulls[i] = i % 3 == 0;
	check_all("bool with NULLs", &c, nulls, CODEC_BITMAP, true);
	dl_free(v);
	dl_free(nulls);
}

static void
test_hostile(void)
{
	int64_t		values[64];
	CodecColumn c = int_column(values, 64);
	CodecColumn out;
	uint8_t    *buf;
	size_t		len;
	uint32_t	i;
	uint8_t		hostile[64];

	for (i = 0; i < 64; i++)
		values[i] = i * 3;
	codec_encode_column(&c, CODEC_AUTO, &buf, &len);
	check(codec_decode(buf, len, CODEC_TYPE_INT64, 63, &out) == CODEC_ERR_TOO_MANY_ROWS,
		  "more rows than the caller allows is refused");
	check(codec_decode(buf, len, CODEC_TYPE_FLOAT8, 64, &out) == CODEC_ERR_WRONG_TYPE,
		  "an int64 buffer read as float8 is refused");
	buf[4] = 2;
	check(codec_decode(buf, len, CODEC_TYPE_INT64, 64, &out) == CODEC_ERR_BAD_HEADER,
		  "an unknown format version is refused");
	buf[4] = 1;
	buf[3] = 99;
	check(codec_decode(buf, len, CODEC_TYPE_INT64, 64, &out) == CODEC_ERR_BAD_HEADER,
		  "an unknown encoding id is refused");
	buf[3] = CODEC_ALP;
	check(codec_decode(buf, len, CODEC_TYPE_INT64, 64, &out) == CODEC_ERR_BAD_HEADER,
		  "an encoding of another type than the header's is refused");
	dl_free(buf);

	{
		CodecEncoder *enc = codec_encoder_create(CODEC_TYPE_INT64);

		codec_encoder_append_int64(enc, 1);
		codec_encoder_append_float8(enc, 2.0);
		check(codec_encoder_finish(enc, CODEC_AUTO, &buf, &len) == CODEC_ERR_WRONG_TYPE,
			  "appending a float to an int64 encoder fails finish");
		codec_encoder_free(enc);
		check(codec_encode_column(&c, CODEC_XOR, &buf, &len) == CODEC_ERR_WRONG_TYPE,
			  "forcing a float encoding on an int64 column fails");
	}

	/* 4 billion rows declared: refused before any allocation */
	memset(hostile, 0, sizeof(hostile));
	memcpy(hostile, "DLc", 3);
	hostile[3] = CODEC_DELTA;
	hostile[4] = 1;
	hostile[5] = CODEC_TYPE_INT64;
	hostile[8] = hostile[9] = hostile[10] = hostile[11] = 0xff;
	check(codec_decode(hostile, 24, CODEC_TYPE_INT64, 100000, &out) == CODEC_ERR_TOO_MANY_ROWS,
		  "a header declaring 2^32-1 rows is refused against max_rows");

	/* a run item longer than the rows declared */
	hostile[8] = 10;
	hostile[9] = hostile[10] = hostile[11] = 0;
	hostile[20] = 0;			/* order */
	hostile[21] = (11 << 1) | 1;	/* a run of 11 */
	hostile[22] = 0;
	check(codec_decode_unverified(hostile, 23, CODEC_TYPE_INT64, 100, &out) == CODEC_ERR_CORRUPT,
		  "a run past the row count is corrupt");
	hostile[21] = (10 << 1) | 1;
	check(codec_decode_unverified(hostile, 23, CODEC_TYPE_INT64, 100, &out) == CODEC_OK && out.ints[9] == 0,
		  "the same run of exactly 10 zeros decodes");
	codec_column_free(&out);
	check(codec_decode_unverified(hostile, 24, CODEC_TYPE_INT64, 100, &out) == CODEC_ERR_CORRUPT,
		  "a trailing byte after the payload is corrupt");
	check(codec_decode(hostile, 23, CODEC_TYPE_INT64, 100, &out) == CODEC_ERR_CHECKSUM,
		  "a well-formed buffer with a wrong checksum is refused by codec_decode");
	hostile[20] = 3;			/* order 3, period 10 = n */
	hostile[21] = 10;
	hostile[22] = (10 << 1) | 1;
	hostile[23] = 0;
	check(codec_decode_unverified(hostile, 24, CODEC_TYPE_INT64, 100, &out) == CODEC_ERR_CORRUPT,
		  "a period not below the value count is corrupt");
	hostile[20] = 0;
	hostile[21] = 10 << 1;		/* block of 10 */
	hostile[22] = 65;			/* width 65 */
	hostile[23] = 0;
	check(codec_decode_unverified(hostile, 24, CODEC_TYPE_INT64, 100, &out) == CODEC_ERR_CORRUPT,
		  "a bit width of 65 is corrupt");

	/* a dictionary of 2^32 entries for 10 rows */
	hostile[3] = CODEC_DICT;
	hostile[5] = CODEC_TYPE_BYTES;
	hostile[20] = 0x80;
	hostile[21] = 0x80;
	hostile[22] = 0x80;
	hostile[23] = 0x80;
	hostile[24] = 0x10;
	check(codec_decode_unverified(hostile, 25, CODEC_TYPE_BYTES, 100, &out) == CODEC_ERR_CORRUPT,
		  "a dictionary larger than the row count is corrupt");

	/* ALP declaring 10 exceptions with 3 bytes left */
	hostile[3] = CODEC_ALP;
	hostile[5] = CODEC_TYPE_FLOAT8;
	hostile[20] = 2;
	hostile[21] = 0;
	hostile[22] = 10;
	hostile[23] = 0;
	hostile[24] = (10 << 1) | 1;
	hostile[25] = 0;
	check(codec_decode_unverified(hostile, 26, CODEC_TYPE_FLOAT8, 100, &out) == CODEC_ERR_TRUNCATED,
		  "ALP exceptions past the end of the buffer are refused");

	/* a gorilla window wider than 64 bits */
	{
		uint8_t		x[40];

		memset(x, 0, sizeof(x));
		memcpy(x, "DLc", 3);
		x[3] = CODEC_XOR;
		x[4] = 1;
		x[5] = CODEC_TYPE_FLOAT8;
		x[8] = 2;
		/* first value 0, then bits 1,1, lead 31, meaningful-1 = 63 */
		x[28] = 0x03 | (31 << 2) | (1 << 7);
		x[29] = 0x1f;
		check(codec_decode_unverified(x, 40, CODEC_TYPE_FLOAT8, 100, &out) == CODEC_ERR_CORRUPT,
			  "an XOR window of 31 leading and 64 meaningful bits is corrupt");
	}
	printf("# %d bit flips tried: all failed the checksum; %d of them decoded to other values with the checksum skipped\n",
		   flips_tried, flips_accepted);
}


/*
 * Single values: which buffers an access opens, that it agrees with the
 * decoder, and that one series of a time-major column costs one pass over
 * that series' differences.
 */
/* *buf, which *a points into, is the caller's to free */
static CodecStatus
open_encoded(const CodecColumn *col, CodecId id, CodecColumn *decoded, CodecAccess **a,
			 uint8_t **buf)
{
	size_t		len;

	*a = NULL;
	*buf = NULL;
	memset(decoded, 0, sizeof(*decoded));
	if (codec_encode_column(col, id, buf, &len) != CODEC_OK)
		return CODEC_ERR_CORRUPT;
	if (codec_decode(*buf, len, col->type, col->count, decoded) != CODEC_OK ||
		!access_agrees(*buf, len, decoded, true))
		return CODEC_ERR_CORRUPT;
	return codec_access_open(*buf, len, col->type, col->count, a);
}

/* what open_encoded left */
static void
close_encoded(CodecColumn *decoded, CodecAccess *a, uint8_t *buf)
{
	codec_access_free(a);
	codec_column_free(decoded);
	dl_free(buf);
}

static void
test_access(void)
{
	uint32_t	n = 50000,
				i;
	double	   *v = dl_alloc(sizeof(double) * n);
	int64_t    *w = dl_alloc(sizeof(int64_t) * n);
	uint8_t    *nulls = dl_alloc0(n);
	double		walk[1000];
	CodecColumn c,
				d;
	CodecAccess *a;
	uint8_t    *buf;
	bool		ok;

	/* 1000 series of 2-decimal walks, time-major, as TSBS's cpu table */
	for (i = 0; i < 1000; i++)
		walk[i] = (double) (rng() % 10000) / 100;
	for (i = 0; i < n; i++)
	{
		double	   *x = &walk[i % 1000];

		*x = round((*x + rng_unit() * 2 - 1) * 100) / 100;
		v[i] = *x;
	}
	c = float_column(v, n);
	c.period = 1000;
	check(open_encoded(&c, CODEC_ALP, &d, &a, &buf) == CODEC_OK, "access opens ALP at period 1000");
	if (a != NULL)
	{
		uint64_t	before = codec_access_work(a);

		ok = true;
		for (i = 17; i < n; i += 1000)
			ok = ok && memcmp(&(double) {codec_access_float8(a, i)}, &v[i], 8) == 0;
		check(ok, "one series read alone equals the values written");
		check(codec_access_work(a) - before == n / 1000,
			  "one series of 50 rows costs 50 stored values, not 50000");
	}
	close_encoded(&d, a, buf);

	/* exceptions among them, and float4 widened */
	v[5017] = from_bits(0x7FF8000000000001ULL);
	v[17] = 1.0 / 3.0;
	v[49017] = -0.0;
	check(open_encoded(&c, CODEC_ALP, &d, &a, &buf) == CODEC_OK && d.floats != NULL &&
		  memcmp(&(double) {codec_access_float8(a, 5017)}, &v[5017], 8) == 0 &&
		  memcmp(&(double) {codec_access_float8(a, 17)}, &v[17], 8) == 0 &&
		  memcmp(&(double) {codec_access_float8(a, 49017)}, &v[49017], 8) == 0 &&
		  codec_access_float8(a, 1017) == v[1017],
		  "exceptions (a NaN payload, 1/3, -0.0) read back bit for bit");
	close_encoded(&d, a, buf);
	for (i = 0; i < n; i++)
		v[i] = (double) (float) v[i];
	check(open_encoded(&c, CODEC_ALP_FLOAT4, &d, &a, &buf) == CODEC_OK,
		  "access opens alp_float4 at period 1000");
	close_encoded(&d, a, buf);

	/* integers: random values (order 0) open, regular timestamps (order 2) do not */
	for (i = 0; i < n; i++)
		w[i] = (int64_t) rng();
	c = int_column(w, n);
	check(open_encoded(&c, CODEC_DELTA, &d, &a, &buf) == CODEC_OK, "access opens random integers");
	close_encoded(&d, a, buf);
	for (i = 0; i < n; i++)
		w[i] = 1700000000000000LL + (int64_t) i * 10000000 + (int64_t) (rng() % 3);
	c = int_column(w, n);
	check(open_encoded(&c, CODEC_DELTA, &d, &a, &buf) == CODEC_ERR_NOT_APPLICABLE && a == NULL,
		  "running sums (order 2) are declined: the caller decodes them whole");
	close_encoded(&d, a, buf);

	/* NULLs and other encodings are declined */
	for (i = 0; i < n; i++)
		nulls[i] = i % 7 == 0;
	c = int_column(w, n);
	c.nulls = nulls;
	c.null_count = (n + 6) / 7;
	check(open_encoded(&c, CODEC_DELTA, &d, &a, &buf) == CODEC_ERR_NOT_APPLICABLE,
		  "a column with NULLs is declined");
	close_encoded(&d, a, buf);
	c = float_column(v, n);
	check(open_encoded(&c, CODEC_XOR, &d, &a, &buf) == CODEC_ERR_NOT_APPLICABLE,
		  "xor is declined");
	close_encoded(&d, a, buf);

	printf("# %d buffers read by single values and checked against the decoder, %d declined\n",
		   accesses_checked, accesses_declined);
	check(accesses_checked > 100, "the round trips above read over 100 buffers by single values");
	dl_free(v);
	dl_free(w);
	dl_free(nulls);
}

int
main(void)
{
	test_bitpack();
	test_exact_bytes();
	test_int64();
	test_float8();
	test_bytes();
	test_bool();
	test_hostile();
	test_access();
	printf("1..%d\n", test_number);
	return failures ? 1 : 0;
}
