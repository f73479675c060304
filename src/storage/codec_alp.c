/*
 * codec_alp.c
 *		Decimal floats, after ALP (Afroozeh, Kuffo, Boncz, SIGMOD 2024).
 *
 * Metrics are mostly short decimals (12.34) stored in doubles.  For an
 * exponent e and a factor f (f <= e), such a value v gives the integer
 * n = round(v * 10^e / 10^f), and (double) n * 10^f / 10^e gives v back,
 * bit for bit, because dividing by an exact power of ten rounds to the
 * double nearest the decimal, which is v.  The writer picks (e, f) on a
 * sample, encodes every value, and checks each one by decoding it with
 * the very function the reader uses: whatever does not come back bit for
 * bit (more digits than e, NaN, infinities, -0.0, denormals, magnitudes
 * past 2^51) is an exception, stored raw with its position.
 *
 * float4 columns widened to double are not short decimals as doubles
 * (12.34f is 12.340000152587890625), but they are after rounding to float:
 * the alp_float4 variant decodes (double) (float) (n * 10^f / 10^e) and is
 * otherwise the same format.
 *
 * Payload: e (byte), f (byte), the number of exceptions x (varint), the
 * integer stream (codec_delta.h) of the n scaled integers, where an
 * exception's slot repeats the previous integer so it costs no delta,
 * then the integer stream of the x exception positions (increasing), then
 * x raw doubles as 8-byte little-endian words.
 */
#include "util/portable.h"

#include <string.h>

#include "storage/bitpack.h"
#include "storage/codec_alp.h"
#include "storage/codec_delta.h"

/* powers of ten up to 10^18 are exact doubles */
static const double alp_pow10[ALP_MAX_EXPONENT + 1] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18
};

/* adding and subtracting 1.5 * 2^52 rounds to an integer (to even) */
#define ALP_ROUND_MAGIC 6755399441055744.0
#define ALP_LIMIT 2251799813685248.0	/* 2^51: where the trick stops working */

#define ALP_SAMPLE_WINDOWS 8
#define ALP_SAMPLE_WINDOW 32

/* narrow: the column holds float4 values widened to double */
static inline double
alp_decode_value(int64_t n, int e, int f, bool narrow)
{
	double		d = (double) n * alp_pow10[f] / alp_pow10[e];

	return narrow ? (double) (float) d : d;
}

static inline uint64_t
double_bits(double d)
{
	uint64_t	u;

	memcpy(&u, &d, 8);
	return u;
}

/* the scaled integer for v, or false if v is an exception */
static inline bool
alp_encode_value(double v, int e, int f, bool narrow, int64_t *n)
{
	double		t = v * alp_pow10[e] / alp_pow10[f];
	double		decoded;

	if (!(t > -ALP_LIMIT && t < ALP_LIMIT))
		return false;			/* also NaN and infinities */
	t = (t + ALP_ROUND_MAGIC) - ALP_ROUND_MAGIC;
	*n = (int64_t) t;
	decoded = alp_decode_value(*n, e, f, narrow);
	return double_bits(decoded) == double_bits(v);
}

/*
 * The (e, f) with the smallest estimated size on a sample of a few short
 * windows: per window the bit width of the scaled integers, or of their
 * deltas if smaller, plus about 80 bits per exception.  Ties keep the
 * smaller e, then the smaller f.
 */
static void
alp_choose_exponent(const double *values, uint32_t n, bool narrow, int *best_e, int *best_f)
{
	uint64_t	best_bits = UINT64_MAX;
	uint32_t	windows = n < ALP_SAMPLE_WINDOW * ALP_SAMPLE_WINDOWS ? 1 : ALP_SAMPLE_WINDOWS;
	uint32_t	window_len = windows == 1 ? (n < 256 ? n : 256) : ALP_SAMPLE_WINDOW;
	int			e,
				f;

	*best_e = 0;
	*best_f = 0;
	for (e = 0; e <= ALP_MAX_EXPONENT; e++)
	{
		for (f = 0; f <= e; f++)
		{
			uint64_t	bits = 0;
			uint32_t	w;

			for (w = 0; w < windows && bits < best_bits; w++)
			{
				uint32_t	start = (uint32_t) ((uint64_t) n * w / windows);
				uint32_t	i;
				int64_t		min = INT64_MAX,
							max = INT64_MIN,
							dmin = INT64_MAX,
							dmax = INT64_MIN,
							prev = 0;
				uint32_t	good = 0,
							bad = 0;
				int			width;

				for (i = start; i < start + window_len && i < n; i++)
				{
					int64_t		s;

					if (!alp_encode_value(values[i], e, f, narrow, &s))
					{
						bad++;
						continue;
					}
					if (s < min)
						min = s;
					if (s > max)
						max = s;
					if (good > 0)
					{
						int64_t		d = (int64_t) ((uint64_t) s - (uint64_t) prev);

						if (d < dmin)
							dmin = d;
						if (d > dmax)
							dmax = d;
					}
					prev = s;
					good++;
				}
				width = 0;
				if (good > 0)
				{
					width = bit_width((uint64_t) max - (uint64_t) min);
					if (good > 1 && bit_width((uint64_t) dmax - (uint64_t) dmin) < width)
						width = bit_width((uint64_t) dmax - (uint64_t) dmin);
				}
				bits += (uint64_t) good * (uint64_t) width + (uint64_t) bad * 80;
			}
			if (bits < best_bits)
			{
				best_bits = bits;
				*best_e = e;
				*best_f = f;
			}
		}
	}
}

static CodecStatus
alp_encode(const CodecColumn *dense, bool narrow, CodecBuf *out)
{
	uint32_t	n = dense->count;
	const double *values = dense->floats;
	int64_t    *scaled = dl_alloc(sizeof(int64_t) * (n ? n : 1));
	int64_t    *positions = dl_alloc(sizeof(int64_t) * (n ? n : 1));
	uint32_t	exceptions = 0;
	int64_t		prev = 0;
	uint32_t	i;
	int			e,
				f;

	alp_choose_exponent(values, n, narrow, &e, &f);
	for (i = 0; i < n; i++)
	{
		int64_t		s;

		if (alp_encode_value(values[i], e, f, narrow, &s))
			prev = s;
		else
		{
			positions[exceptions++] = i;
			s = prev;
		}
		scaled[i] = s;
	}
	codec_buf_put_u8(out, (uint8_t) e);
	codec_buf_put_u8(out, (uint8_t) f);
	codec_buf_put_varint(out, exceptions);
	codec_delta_put_ints(scaled, n, dense->period, out);
	if (exceptions > 0)
	{
		codec_delta_put_ints(positions, exceptions, 0, out);
		codec_buf_reserve(out, (size_t) exceptions * 8);
		for (i = 0; i < exceptions; i++)
			codec_buf_put_u64(out, double_bits(values[positions[i]]));
	}
	dl_free(scaled);
	dl_free(positions);
	return CODEC_OK;
}

CodecStatus
codec_alp_encode(const CodecColumn *dense, CodecBuf *out)
{
	return alp_encode(dense, false, out);
}

/*
 * Only for columns of widened float4 values: a sample of them must all be
 * exact floats, otherwise the double variant is the one to try.
 */
CodecStatus
codec_alp_float4_encode(const CodecColumn *dense, CodecBuf *out)
{
	uint32_t	step = dense->count / 64 + 1;
	uint32_t	i;

	for (i = 0; i < dense->count; i += step)
	{
		double		v = dense->floats[i];

		if (v == v && (double) (float) v != v)
			return CODEC_ERR_NOT_APPLICABLE;
	}
	return alp_encode(dense, true, out);
}

CodecStatus
codec_alp_read_head(CodecReader *r, uint32_t n, uint8_t *e, uint8_t *f, uint64_t *exceptions)
{
	if (!codec_read_u8(r, e) || !codec_read_u8(r, f) || !codec_read_varint(r, exceptions))
		return CODEC_ERR_TRUNCATED;
	if (*e > ALP_MAX_EXPONENT || *f > *e || *exceptions > n)
		return CODEC_ERR_CORRUPT;
	/* each exception needs 8 bytes: reject before allocating for them */
	if (*exceptions * 8 > codec_reader_remaining(r))
		return CODEC_ERR_TRUNCATED;
	return CODEC_OK;
}

CodecStatus
codec_alp_read_exceptions(CodecReader *r, uint32_t n, uint32_t exceptions, int64_t *positions,
						  const uint8_t **raw)
{
	CodecStatus status;
	int64_t		last = -1;
	uint32_t	i;

	status = codec_delta_get_ints(r, exceptions, positions);
	if (status != CODEC_OK)
		return status;
	*raw = codec_read_bytes(r, (size_t) exceptions * 8);
	if (*raw == NULL)
		return CODEC_ERR_TRUNCATED;
	for (i = 0; i < exceptions; i++)
	{
		if (positions[i] <= last || positions[i] >= (int64_t) n)
			return CODEC_ERR_CORRUPT;
		last = positions[i];
	}
	return CODEC_OK;
}

double
codec_alp_value(int64_t s, int e, int f, bool narrow)
{
	return alp_decode_value(s, e, f, narrow);
}

static CodecStatus
alp_decode(const uint8_t *payload, size_t len, CodecColumn *dense, bool narrow)
{
	uint32_t	n = dense->count;
	double	   *values = dense->floats;
	int64_t    *ints;
	CodecReader r;
	CodecStatus status;
	uint8_t		e,
				f;
	uint64_t	exceptions;
	uint32_t	i;
	double		factor,
				divisor;

	codec_reader_init(&r, payload, len);
	status = codec_alp_read_head(&r, n, &e, &f, &exceptions);
	if (status != CODEC_OK)
		return status;

	ints = dl_alloc(sizeof(int64_t) * n);
	status = codec_delta_get_ints(&r, n, ints);
	if (status != CODEC_OK)
		goto done;
	factor = alp_pow10[f];
	divisor = alp_pow10[e];
	if (narrow)
		for (i = 0; i < n; i++)
			values[i] = (double) (float) ((double) ints[i] * factor / divisor);
	else
		for (i = 0; i < n; i++)
			values[i] = (double) ints[i] * factor / divisor;

	if (exceptions > 0)
	{
		const uint8_t *raw;

		status = codec_alp_read_exceptions(&r, n, (uint32_t) exceptions, ints, &raw);
		if (status != CODEC_OK)
			goto done;
		for (i = 0; i < exceptions; i++)
		{
			uint64_t	bits = codec_load_u64(raw + (size_t) i * 8);

			memcpy(&values[ints[i]], &bits, 8);
		}
	}
	if (r.pos != len)
		status = CODEC_ERR_CORRUPT;
done:
	dl_free(ints);
	return status;
}

CodecStatus
codec_alp_decode(const uint8_t *payload, size_t len, CodecColumn *dense)
{
	return alp_decode(payload, len, dense, false);
}

CodecStatus
codec_alp_float4_decode(const uint8_t *payload, size_t len, CodecColumn *dense)
{
	return alp_decode(payload, len, dense, true);
}
