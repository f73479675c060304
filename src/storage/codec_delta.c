/*
 * codec_delta.c
 *		The integer stream: one byte giving the delta order (0 = values,
 *		1 = deltas, 2 = deltas of deltas, 3 = differences with the value p
 *		rows before, p following as a varint), then items until n values
 *		are covered.  An item starts with a varint h: h & 1 = 1 is a run of
 *		h >> 1 copies of one zig-zagged varint value; h & 1 = 0 is a block of
 *		h >> 1 (at most 128) values: a byte holding the bit width w (low 7
 *		bits) and a patch flag (0x80), the frame base zig-zagged as a varint,
 *		each value minus the base bit-packed at width w (0 for a patched
 *		value), then if flagged a patch count byte and per patch its index
 *		in the block (byte) and its offset from the base (zig-zag varint).
 *
 * Differences wrap modulo 2^64, so INT64_MIN next to INT64_MAX is fine and
 * decoding is exact.  The writer keeps the smallest order (estimated in
 * one pass each, over a quarter of the values of long columns, the close
 * ones encoded to decide): regular timestamps become runs of zero at order 2 (or of one
 * interval at order 1), time-major rows become long runs of zero at order
 * 1, random values stay at order 0, and order 3 is tried only when the
 * writer was told the period p of the rows (time-major row groups of p
 * series: each metric then differs from the same series' previous value).
 */
#include "util/portable.h"

#include <string.h>

#include "storage/bitpack.h"
#include "storage/codec_delta.h"

/* a run shorter than this stays inside a bit-packed block */
#define DELTA_MIN_RUN 16


/* at most this many of the smallest and of the largest values of a block are patched */
#define DELTA_MAX_PATCHES 4

static uint32_t
run_length(const uint64_t *x, uint32_t start, uint32_t n)
{
	uint32_t	i = start + 1;

	while (i < n && x[i] == x[start])
		i++;
	return i - start;
}

/* bytes of v as a zig-zag varint */
static inline uint64_t
patch_bytes(int64_t v)
{
	int			w = bit_width(zigzag_encode(v));

	return w == 0 ? 1 : (uint64_t) (w + 6) / 7;
}

/* keeps the DELTA_MAX_PATCHES + 1 smallest values of a block, ascending */
static inline void
keep_lowest(int64_t *low, int *nlow, int64_t v)
{
	int			i;

	if (*nlow == DELTA_MAX_PATCHES + 1 && v >= low[DELTA_MAX_PATCHES])
		return;
	if (*nlow < DELTA_MAX_PATCHES + 1)
		(*nlow)++;
	for (i = *nlow - 1; i > 0 && low[i - 1] > v; i--)
		low[i] = low[i - 1];
	low[i] = v;
}

static inline void
keep_highest(int64_t *high, int *nhigh, int64_t v)
{
	int			i;

	if (*nhigh == DELTA_MAX_PATCHES + 1 && v <= high[DELTA_MAX_PATCHES])
		return;
	if (*nhigh < DELTA_MAX_PATCHES + 1)
		(*nhigh)++;
	for (i = *nhigh - 1; i > 0 && high[i - 1] < v; i--)
		high[i] = high[i - 1];
	high[i] = v;
}

/*
 * One bit-packed block, patched: the frame [base, base + 2^width) may
 * leave out up to DELTA_MAX_PATCHES of the smallest and of the largest
 * values, which are then stored after the packed bits as patches (index,
 * zig-zagged offset from base).  That keeps one jump in a block (the seam
 * between two series, a counter reset) from widening the other 127
 * values.  The cut is the one with the fewest bits in total.
 */
static void
put_block(const uint64_t *x, uint32_t len, CodecBuf *out)
{
	uint64_t	shifted[DELTA_BLOCK_SIZE];
	int64_t		low[DELTA_MAX_PATCHES + 1];
	int64_t		high[DELTA_MAX_PATCHES + 1];
	int			nlow = 0,
				nhigh = 0;
	uint64_t	best_bits;
	int64_t		base;
	int			width;
	int			i,
				j,
				k;
	uint32_t	v;
	int			patches = 0;
	size_t		size;

	/*
	 * Plain frame first (a loop the compiler vectorises).  Patching can
	 * only narrow the frame if at most DELTA_MAX_PATCHES values lie in the
	 * outer quarter of the range on a side; count them, and track the
	 * extremes only on such a side, so blocks without outliers (most of
	 * them) cost two passes and no search.  The search itself is bounded:
	 * (DELTA_MAX_PATCHES + 1)^2 cuts.
	 */
	{
		int64_t		min = (int64_t) x[0],
					max = (int64_t) x[0];
		uint64_t	quarter;
		uint32_t	near_min = 0,
					near_max = 0;

		for (v = 1; v < len; v++)
		{
			int64_t		xv = (int64_t) x[v];

			min = xv < min ? xv : min;
			max = xv > max ? xv : max;
		}
		base = min;
		width = bit_width((uint64_t) max - (uint64_t) min);
		best_bits = (uint64_t) len * (uint64_t) width;
		low[0] = min;
		high[0] = max;
		nlow = nhigh = 1;
		quarter = ((uint64_t) max - (uint64_t) min) / 4;
		if (best_bits > 24 && quarter > 0)
		{
			for (v = 0; v < len; v++)
			{
				near_min += x[v] - (uint64_t) min < quarter;
				near_max += (uint64_t) max - x[v] < quarter;
			}
			if (near_min <= DELTA_MAX_PATCHES || near_max <= DELTA_MAX_PATCHES)
			{
				/* both sides: with one outlier gone the other side may have one too */
				nlow = nhigh = 0;
				for (v = 0; v < len; v++)
				{
					keep_lowest(low, &nlow, (int64_t) x[v]);
					keep_highest(high, &nhigh, (int64_t) x[v]);
				}
			}
		}
	}
	/* a patch costs at least 24 bits (count, index, offset) */
	for (i = 0; i < nlow && best_bits > 24; i++)
	{
		uint64_t	low_cost = 0;
		uint64_t	high_cost = 0;

		for (k = 0; k < i; k++)
			low_cost += 8 + 8 * patch_bytes((int64_t) ((uint64_t) low[k] - (uint64_t) low[i]));
		for (j = 0; j < nhigh && (uint32_t) (i + j) < len; j++)
		{
			uint64_t	bits;
			int			w;

			if (high[j] < low[i])
				break;
			if (j > 0)
				high_cost += 8 + 8 * patch_bytes((int64_t) ((uint64_t) high[j - 1] - (uint64_t) low[i]));
			w = bit_width((uint64_t) high[j] - (uint64_t) low[i]);
			bits = low_cost + high_cost + (i + j > 0 ? 8 : 0) + (uint64_t) len * (uint64_t) w;
			if (bits < best_bits)
			{
				best_bits = bits;
				base = low[i];
				width = w;
			}
		}
	}

	for (v = 0; v < len; v++)
	{
		shifted[v] = x[v] - (uint64_t) base;
		if (width < 64 && shifted[v] >> width != 0)
		{
			shifted[v] = 0;
			patches++;
		}
	}
	codec_buf_put_varint(out, (uint64_t) len << 1);
	codec_buf_put_u8(out, (uint8_t) (width | (patches ? 0x80 : 0)));
	codec_buf_put_varint(out, zigzag_encode(base));
	size = bitpack_size(len, width);
	codec_buf_reserve(out, size);
	bitpack_pack(shifted, len, width, out->data + out->len);
	out->len += size;
	if (patches)
	{
		codec_buf_put_u8(out, (uint8_t) patches);
		for (v = 0; v < len; v++)
		{
			uint64_t	offset = x[v] - (uint64_t) base;

			if (offset >> width != 0)
			{
				codec_buf_put_u8(out, (uint8_t) v);
				codec_buf_put_varint(out, zigzag_encode((int64_t) offset));
			}
		}
	}
}

/*
 * Where the block that starts at i ends (exclusive): before the next run of
 * DELTA_MIN_RUN equal values, after at most DELTA_BLOCK_SIZE values.  run is
 * the length of the run at i, which is shorter than DELTA_MIN_RUN.
 */
static uint32_t
block_end(const uint64_t *x, uint32_t i, uint32_t n, uint32_t run)
{
	uint32_t	end = i + run;

	while (end < n && end - i < DELTA_BLOCK_SIZE)
	{
		run = run_length(x, end, n);
		if (run >= DELTA_MIN_RUN)
			break;
		end += run;
	}
	return end - i > DELTA_BLOCK_SIZE ? i + DELTA_BLOCK_SIZE : end;
}

/* items for x[0..n) */
static void
put_items(const uint64_t *x, uint32_t n, CodecBuf *out)
{
	uint32_t	i = 0;

	while (i < n)
	{
		uint32_t	run = run_length(x, i, n);
		uint32_t	end;

		if (run >= DELTA_MIN_RUN)
		{
			codec_buf_put_varint(out, ((uint64_t) run << 1) | 1);
			codec_buf_put_varint(out, zigzag_encode((int64_t) x[i]));
			i += run;
			continue;
		}
		end = block_end(x, i, n, run);
		put_block(x + i, end - i, out);
		i = end;
	}
}

/* the bytes of a varint */
static size_t
varint_size(uint64_t v)
{
	size_t		n = 1;

	while (v >= 0x80)
	{
		v >>= 7;
		n++;
	}
	return n;
}

/*
 * What put_items would write for x, to within the patching put_block may
 * add: the same runs and blocks, each block at its plain frame's width.
 * One pass over the values, no output.
 */
static size_t
estimate_items(const uint64_t *x, uint32_t n)
{
	size_t		size = 0;
	uint32_t	i = 0;

	while (i < n)
	{
		uint32_t	run = run_length(x, i, n);
		uint32_t	end;
		int64_t		min,
					max;

		if (run >= DELTA_MIN_RUN)
		{
			size += varint_size(((uint64_t) run << 1) | 1) + varint_size(zigzag_encode((int64_t) x[i]));
			i += run;
			continue;
		}
		end = block_end(x, i, n, run);
		min = max = (int64_t) x[i];
		for (uint32_t v = i + 1; v < end; v++)
		{
			int64_t		xv = (int64_t) x[v];

			min = xv < min ? xv : min;
			max = xv > max ? xv : max;
		}
		size += 3 + varint_size(zigzag_encode(min)) +
			((size_t) (end - i) * (size_t) bit_width((uint64_t) max - (uint64_t) min) + 7) / 8;
		i = end;
	}
	return size;
}

/* x = values transformed by order (see the file header) */
static void
transform(const int64_t *values, uint32_t n, int order, uint32_t period, uint64_t *x)
{
	uint64_t	prev = 0,
				prev_delta = 0;
	uint32_t	i;

	switch (order)
	{
		case 0:
			for (i = 0; i < n; i++)
				x[i] = (uint64_t) values[i];
			break;
		case 1:
			for (i = 0; i < n; i++)
			{
				x[i] = (uint64_t) values[i] - prev;
				prev = (uint64_t) values[i];
			}
			break;
		case 2:
			for (i = 0; i < n; i++)
			{
				uint64_t	delta = (uint64_t) values[i] - prev;

				x[i] = delta - prev_delta;
				prev = (uint64_t) values[i];
				prev_delta = delta;
			}
			break;
		case DELTA_ORDER_PERIOD:
			for (i = 0; i < n; i++)
				x[i] = (uint64_t) values[i] - (i >= period ? (uint64_t) values[i - period] : 0);
			break;
	}
}

static void
encode_order(const int64_t *values, uint32_t n, int order, uint32_t period, uint64_t *x,
			 CodecBuf *out)
{
	transform(values, n, order, period, x);
	codec_buf_put_u8(out, (uint8_t) order);
	if (order == DELTA_ORDER_PERIOD)
		codec_buf_put_varint(out, period);
	put_items(x, n, out);
}

/* the value of values[i] at a delta order, as transform computes it */
static inline uint64_t
delta_at(const int64_t *values, uint32_t i)
{
	return (uint64_t) values[i] - (i > 0 ? (uint64_t) values[i - 1] : 0);
}

static inline uint64_t
transformed_at(const int64_t *values, uint32_t i, int order, uint32_t period)
{
	switch (order)
	{
		case 1:
			return delta_at(values, i);
		case 2:
			return delta_at(values, i) - (i > 0 ? delta_at(values, i - 1) : 0);
		case DELTA_ORDER_PERIOD:
			return (uint64_t) values[i] - (i >= period ? (uint64_t) values[i - period] : 0);
		default:
			return (uint64_t) values[i];
	}
}

/*
 * estimate_items for order over a sample of long columns: one window of
 * DELTA_SAMPLE_WINDOW values in every DELTA_SAMPLE_EVERY, transformed in
 * place, the total scaled up to n.  Runs longer than a window are counted
 * once per window, which still ranks an order of long runs first.
 */
#define DELTA_SAMPLE_WINDOW 512
#define DELTA_SAMPLE_EVERY 4
#define DELTA_SAMPLE_MIN (16 * DELTA_SAMPLE_WINDOW * DELTA_SAMPLE_EVERY)

static size_t
estimate_order(const int64_t *values, uint32_t n, int order, uint32_t period, uint64_t *x)
{
	uint64_t	window[DELTA_SAMPLE_WINDOW];
	uint64_t	sampled = 0;
	double		size = 0;
	uint32_t	start;

	if (n < DELTA_SAMPLE_MIN)
	{
		transform(values, n, order, period, x);
		return estimate_items(x, n);
	}
	for (start = 0; start < n; start += DELTA_SAMPLE_WINDOW * DELTA_SAMPLE_EVERY)
	{
		uint32_t	len = n - start < DELTA_SAMPLE_WINDOW ? n - start : DELTA_SAMPLE_WINDOW;
		uint32_t	i;

		for (i = 0; i < len; i++)
			window[i] = transformed_at(values, start + i, order, period);
		size += estimate_items(window, len);
		sampled += len;
	}
	return (size_t) (size * n / sampled);
}

/*
 * Every order is estimated in one cheap pass (over a sample, for long
 * columns); the smallest estimate is encoded, and when the runner-up is
 * within 5% of it, that one too, the smaller output winning.  (Encoding
 * every order fully took a quarter of a bulk load.)
 */
void
codec_delta_put_ints(const int64_t *values, uint32_t n, uint32_t period, CodecBuf *out)
{
	uint64_t   *x = dl_alloc(sizeof(uint64_t) * (n ? n : 1));
	size_t		estimate[DELTA_ORDER_PERIOD + 1] = {0};
	int			best = 0,
				second = -1;
	int			order;
	int			orders = (period >= 2 && period < n) ? DELTA_ORDER_PERIOD + 1 : DELTA_ORDER_PERIOD;

	for (order = 0; order < orders; order++)
		estimate[order] = estimate_order(values, n, order, period, x) +
			(order == DELTA_ORDER_PERIOD ? varint_size(period) : 0);
	for (order = 1; order < orders; order++)
		if (estimate[order] < estimate[best])
			best = order;
	for (order = 0; order < orders; order++)
		if (order != best && (second < 0 || estimate[order] < estimate[second]))
			second = order;
	if (second >= 0 && (double) estimate[second] > (double) estimate[best] * 1.05)
		second = -1;

	if (second < 0)
		encode_order(values, n, best, period, x, out);
	else
	{
		CodecBuf	a,
					b;

		codec_buf_init(&a);
		codec_buf_init(&b);
		encode_order(values, n, best, period, x, &a);
		encode_order(values, n, second, period, x, &b);
		if (b.len < a.len)
			codec_buf_put_bytes(out, b.data, b.len);
		else
			codec_buf_put_bytes(out, a.data, a.len);
		codec_buf_free(&a);
		codec_buf_free(&b);
	}
	dl_free(x);
}

CodecStatus
codec_delta_read_order(CodecReader *reader, uint32_t n, uint8_t *order, uint32_t *period)
{
	uint64_t	p = 0;

	if (!codec_read_u8(reader, order))
		return CODEC_ERR_TRUNCATED;
	if (*order > DELTA_ORDER_PERIOD)
		return CODEC_ERR_CORRUPT;
	if (*order == DELTA_ORDER_PERIOD)
	{
		if (!codec_read_varint(reader, &p))
			return CODEC_ERR_TRUNCATED;
		if (p < 2 || p >= n)
			return CODEC_ERR_CORRUPT;
	}
	*period = (uint32_t) p;
	return CODEC_OK;
}

CodecStatus
codec_delta_read_item(CodecReader *reader, uint32_t remaining, DeltaItem *item)
{
	uint64_t	h,
				word;

	memset(item, 0, sizeof(DeltaItem));
	if (!codec_read_varint(reader, &h))
		return CODEC_ERR_TRUNCATED;
	if ((h >> 1) == 0 || (h >> 1) > remaining)
		return CODEC_ERR_CORRUPT;
	item->len = (uint32_t) (h >> 1);
	item->is_run = (h & 1) != 0;
	if (item->is_run)
	{
		if (!codec_read_varint(reader, &word))
			return CODEC_ERR_TRUNCATED;
		item->base = (uint64_t) zigzag_decode(word);
		return CODEC_OK;
	}
	if (item->len > DELTA_BLOCK_SIZE)
		return CODEC_ERR_CORRUPT;
	{
		uint8_t		flags;

		if (!codec_read_u8(reader, &flags) || !codec_read_varint(reader, &word))
			return CODEC_ERR_TRUNCATED;
		item->width = flags & 0x7f;
		if (item->width > 64)
			return CODEC_ERR_CORRUPT;
		item->base = (uint64_t) zigzag_decode(word);
		item->packed_size = bitpack_size(item->len, item->width);
		item->packed = codec_read_bytes(reader, item->packed_size);
		if (item->packed == NULL)
			return CODEC_ERR_TRUNCATED;
		if (flags & 0x80)
		{
			size_t		first;
			int			last = -1;
			uint8_t		p;

			if (!codec_read_u8(reader, &item->npatches))
				return CODEC_ERR_TRUNCATED;
			if (item->npatches == 0 || item->npatches > item->len)
				return CODEC_ERR_CORRUPT;
			first = reader->pos;
			for (p = 0; p < item->npatches; p++)
			{
				uint8_t		index;
				uint64_t	offset;

				if (!codec_read_u8(reader, &index) || !codec_read_varint(reader, &offset))
					return CODEC_ERR_TRUNCATED;
				if ((int) index <= last || index >= item->len)
					return CODEC_ERR_CORRUPT;
				last = index;
			}
			item->patches = reader->data + first;
			item->patches_size = reader->pos - first;
		}
	}
	return CODEC_OK;
}

/* the patches of a checked block, in order; false after the last */
static inline bool
next_patch(CodecReader *patches, uint8_t *index, uint64_t *offset)
{
	return codec_read_u8(patches, index) && codec_read_varint(patches, offset);
}

uint64_t
codec_delta_item_value(const DeltaItem *item, uint32_t j)
{
	CodecReader patches;
	uint8_t		index;
	uint64_t	offset;
	if (item->is_run)
		return item->base;
	codec_reader_init(&patches, item->patches, item->patches_size);
	while (next_patch(&patches, &index, &offset))
		if (index == j)
			return item->base + (uint64_t) zigzag_decode(offset);
	return item->base + bitpack_get(item->packed, item->packed_size, j, item->width);
}

CodecStatus
codec_delta_get_ints(CodecReader *reader, uint32_t n, int64_t *values)
{
	uint64_t   *x = (uint64_t *) values;	/* same object, unsigned view */
	uint8_t		order;
	uint32_t	period;
	uint32_t	filled = 0;
	uint32_t	i;
	CodecStatus status;

	status = codec_delta_read_order(reader, n, &order, &period);
	if (status != CODEC_OK)
		return status;
	while (filled < n)
	{
		DeltaItem	item;

		status = codec_delta_read_item(reader, n - filled, &item);
		if (status != CODEC_OK)
			return status;
		if (item.is_run)
			for (i = 0; i < item.len; i++)
				x[filled + i] = item.base;
		else
		{
			CodecReader patches;
			uint8_t		index;
			uint64_t	offset;

			bitpack_unpack(item.packed, item.packed_size, item.len, item.width, x + filled);
			for (i = 0; i < item.len; i++)
				x[filled + i] += item.base;
			codec_reader_init(&patches, item.patches, item.patches_size);
			while (next_patch(&patches, &index, &offset))
				x[filled + index] = item.base + (uint64_t) zigzag_decode(offset);
		}
		filled += item.len;
	}

	/* undo the deltas: prefix sums, wrapping like the writer */
	if (order == DELTA_ORDER_PERIOD)
		for (i = period; i < n; i++)
			x[i] += x[i - period];
	else
	{
		if (order >= 2)
			for (i = 1; i < n; i++)
				x[i] += x[i - 1];
		if (order >= 1)
			for (i = 1; i < n; i++)
				x[i] += x[i - 1];
	}
	return CODEC_OK;
}

CodecStatus
codec_delta_encode(const CodecColumn *dense, CodecBuf *out)
{
	codec_delta_put_ints(dense->ints, dense->count, dense->period, out);
	return CODEC_OK;
}

CodecStatus
codec_delta_decode(const uint8_t *payload, size_t len, CodecColumn *dense)
{
	CodecReader r;
	CodecStatus status;

	codec_reader_init(&r, payload, len);
	status = codec_delta_get_ints(&r, dense->count, dense->ints);
	if (status == CODEC_OK && r.pos != len)
		status = CODEC_ERR_CORRUPT;
	return status;
}
