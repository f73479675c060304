/*
 * codec_access.c
 *		Single values of an encoded column (see codec_access.h).
 *
 * Opening walks the integer stream's items once, checking each as the
 * decoder does, and keeps where each item starts.  A value is then found
 * by the item holding its row (the item after the last one used is tried
 * first, as rows of one series come in order) and read from its run value,
 * patch list or bit-packed word.
 */
#include "util/portable.h"

#include <string.h>

#include "storage/codec_access.h"
#include "storage/codec_alp.h"
#include "storage/codec_delta.h"

/* a stream with more items than one in this many values is decoded whole */
#define ACCESS_MIN_VALUES_PER_ITEM 4

struct CodecAccess
{
	CodecId		encoding;
	uint32_t	count;
	uint8_t		order;			/* DELTA_ORDER_VALUES or DELTA_ORDER_PERIOD */
	uint32_t	period;
	uint32_t	nitems;
	uint32_t   *starts;			/* first row of each item, increasing */
	DeltaItem  *items;
	uint32_t	cursor;			/* the item used last */
	uint64_t	work;			/* stored values read */

	/* order 3: the values of the last residue class computed */
	int64_t    *chain;			/* value of row residue + k * period at k */
	uint32_t	chain_residue;
	bool		chain_valid;

	/* ALP */
	uint8_t		e;
	uint8_t		f;
	bool		narrow;
	uint32_t	nexceptions;
	int64_t    *positions;		/* increasing */
	const uint8_t *raw;			/* their IEEE-754 words */
};

static CodecStatus
index_items(CodecAccess *a, CodecReader *r)
{
	uint32_t	filled = 0;
	uint32_t	cap = 0;
	uint32_t	max_items = a->count / ACCESS_MIN_VALUES_PER_ITEM + 1;
	CodecStatus status;

	status = codec_delta_read_order(r, a->count, &a->order, &a->period);
	if (status != CODEC_OK)
		return status;
	if (a->order != DELTA_ORDER_VALUES && a->order != DELTA_ORDER_PERIOD)
		return CODEC_ERR_NOT_APPLICABLE;
	while (filled < a->count)
	{
		if (a->nitems == max_items)
			return CODEC_ERR_NOT_APPLICABLE;
		if (a->nitems == cap)
		{
			cap = cap ? cap * 2 : 64;
			if (cap > max_items)
				cap = max_items;
			a->starts = dl_realloc(a->starts, sizeof(uint32_t) * cap);
			a->items = dl_realloc(a->items, sizeof(DeltaItem) * cap);
		}
		status = codec_delta_read_item(r, a->count - filled, &a->items[a->nitems]);
		if (status != CODEC_OK)
			return status;
		a->starts[a->nitems] = filled;
		filled += a->items[a->nitems].len;
		a->nitems++;
		dl_check_interrupts();
	}
	return CODEC_OK;
}

static CodecStatus
access_open(const uint8_t *buf, size_t len, CodecType expected_type, uint32_t max_rows,
			bool verify, CodecAccess **access)
{
	CodecHeader header;
	CodecReader r;
	CodecStatus status;
	CodecAccess *a;

	*access = NULL;
	status = codec_verify(buf, len, expected_type, max_rows, verify, &header);
	if (status != CODEC_OK)
		return status;
	if (header.null_count != 0 || header.count == 0 ||
		(header.encoding != CODEC_DELTA && header.encoding != CODEC_ALP &&
		 header.encoding != CODEC_ALP_FLOAT4))
		return CODEC_ERR_NOT_APPLICABLE;

	a = dl_alloc0(sizeof(CodecAccess));
	a->encoding = header.encoding;
	a->count = header.count;
	a->narrow = header.encoding == CODEC_ALP_FLOAT4;
	codec_reader_init(&r, buf + CODEC_HEADER_SIZE, len - CODEC_HEADER_SIZE);
	if (a->encoding != CODEC_DELTA)
	{
		uint64_t	exceptions;

		status = codec_alp_read_head(&r, a->count, &a->e, &a->f, &exceptions);
		if (status != CODEC_OK)
			goto fail;
		a->nexceptions = (uint32_t) exceptions;
	}
	status = index_items(a, &r);
	if (status != CODEC_OK)
		goto fail;
	if (a->nexceptions > 0)
	{
		a->positions = dl_alloc(sizeof(int64_t) * a->nexceptions);
		status = codec_alp_read_exceptions(&r, a->count, a->nexceptions, a->positions, &a->raw);
		if (status != CODEC_OK)
			goto fail;
	}
	if (r.pos != r.len)
	{
		status = CODEC_ERR_CORRUPT;
		goto fail;
	}
	if (a->order == DELTA_ORDER_PERIOD)
		a->chain = dl_alloc(sizeof(int64_t) * ((a->count - 1) / a->period + 1));
	*access = a;
	return CODEC_OK;

fail:
	codec_access_free(a);
	return status;
}

CodecStatus
codec_access_open(const uint8_t *buf, size_t len, CodecType expected_type, uint32_t max_rows,
				  CodecAccess **access)
{
	return access_open(buf, len, expected_type, max_rows, true, access);
}

CodecStatus
codec_access_open_unverified(const uint8_t *buf, size_t len, CodecType expected_type,
							 uint32_t max_rows, CodecAccess **access)
{
	return access_open(buf, len, expected_type, max_rows, false, access);
}

/* the stored (transformed) value of row */
static inline uint64_t
stored_at(CodecAccess *a, uint32_t row)
{
	uint32_t	k = a->cursor;

	if (!(a->starts[k] <= row && row - a->starts[k] < a->items[k].len))
	{
		if (k + 1 < a->nitems && a->starts[k + 1] <= row &&
			row - a->starts[k + 1] < a->items[k + 1].len)
			k++;
		else
		{
			/* the last item starting at or before row */
			uint32_t	lo = 0,
						hi = a->nitems - 1;

			while (lo < hi)
			{
				uint32_t	mid = lo + (hi - lo + 1) / 2;

				if (a->starts[mid] <= row)
					lo = mid;
				else
					hi = mid - 1;
			}
			k = lo;
		}
		a->cursor = k;
	}
	a->work++;
	return codec_delta_item_value(&a->items[k], row - a->starts[k]);
}

/* the integer stream's value of row (< count), its deltas undone */
static int64_t
stream_value(CodecAccess *a, uint32_t row)
{
	uint32_t	residue;
	uint32_t	k,
				steps;
	uint64_t	sum = 0;

	if (a->order == DELTA_ORDER_VALUES)
		return (int64_t) stored_at(a, row);
	residue = row % a->period;
	if (!a->chain_valid || a->chain_residue != residue)
	{
		/* value residue + k * p is the sum of the differences up to it */
		steps = (a->count - 1 - residue) / a->period + 1;
		for (k = 0; k < steps; k++)
		{
			sum += stored_at(a, residue + k * a->period);
			a->chain[k] = (int64_t) sum;
		}
		a->chain_residue = residue;
		a->chain_valid = true;
	}
	return a->chain[row / a->period];
}

int64_t
codec_access_int64(CodecAccess *access, uint32_t row)
{
	return stream_value(access, row);
}

double
codec_access_float8(CodecAccess *access, uint32_t row)
{
	int64_t		s = stream_value(access, row);

	if (access->nexceptions > 0)
	{
		uint32_t	lo = 0,
					hi = access->nexceptions;

		while (lo < hi)
		{
			uint32_t	mid = lo + (hi - lo) / 2;

			if (access->positions[mid] < (int64_t) row)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < access->nexceptions && access->positions[lo] == (int64_t) row)
		{
			double		d;
			uint64_t	bits = codec_load_u64(access->raw + (size_t) lo * 8);

			memcpy(&d, &bits, 8);
			return d;
		}
	}
	return codec_alp_value(s, access->e, access->f, access->narrow);
}

uint64_t
codec_access_work(const CodecAccess *access)
{
	return access->work;
}

uint32_t
codec_access_count(const CodecAccess *access)
{
	return access->count;
}

void
codec_access_free(CodecAccess *access)
{
	if (access == NULL)
		return;
	dl_free(access->starts);
	dl_free(access->items);
	dl_free(access->chain);
	dl_free(access->positions);
	dl_free(access);
}
