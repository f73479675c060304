/*
 * codec_dict.c
 *		Byte strings with few distinct values (host names, regions, status
 *		words): the number of distinct strings d (varint), the strings in
 *		order of first appearance in the plain layout (codec_plain.h), then
 *		the integer stream (codec_delta.h) of the n codes, each an index
 *		into the dictionary.  The integer stream bit-packs the codes at the
 *		width of the largest code in each block and turns runs of one value
 *		into single items.
 *
 * The decoder does not expand the strings: every row points into the one
 * copy of the dictionary, so a hostile buffer cannot make it allocate more
 * than its own size plus the row arrays the caller allowed.
 */
#include "util/portable.h"

#include <string.h>

#include "storage/codec_delta.h"
#include "storage/codec_dict.h"
#include "storage/codec_plain.h"

static uint64_t
hash_bytes(const uint8_t *p, uint32_t len)
{
	uint64_t	h = 0xcbf29ce484222325ULL;	/* FNV-1a */
	uint32_t	i;

	for (i = 0; i < len; i++)
	{
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h ^ (h >> 29);
}

CodecStatus
codec_dict_encode(const CodecColumn *dense, CodecBuf *out)
{
	uint32_t	n = dense->count;
	size_t		slots = 16;
	uint32_t   *table;			/* entry index + 1, 0 = empty */
	uint64_t   *hashes;			/* per entry */
	uint32_t   *entry_row;		/* the first row holding each entry */
	uint32_t   *entry_offsets;
	uint32_t   *entry_lengths;
	int64_t    *codes;
	uint32_t	entries = 0;
	uint32_t	i;

	while (slots < (size_t) n * 2)
		slots *= 2;
	table = dl_alloc0(sizeof(uint32_t) * slots);
	hashes = dl_alloc(sizeof(uint64_t) * (n ? n : 1));
	entry_row = dl_alloc(sizeof(uint32_t) * (n ? n : 1));
	codes = dl_alloc(sizeof(int64_t) * (n ? n : 1));

	for (i = 0; i < n; i++)
	{
		const uint8_t *s = dense->data + dense->offsets[i];
		uint32_t	len = dense->lengths[i];
		uint64_t	h = hash_bytes(s, len);
		size_t		slot = (size_t) h & (slots - 1);

		for (;;)
		{
			uint32_t	e = table[slot];

			if (e == 0)
			{
				table[slot] = ++entries;
				hashes[entries - 1] = h;
				entry_row[entries - 1] = i;
				codes[i] = entries - 1;
				break;
			}
			e--;
			if (hashes[e] == h && dense->lengths[entry_row[e]] == len &&
				memcmp(dense->data + dense->offsets[entry_row[e]], s, len) == 0)
			{
				codes[i] = e;
				break;
			}
			slot = (slot + 1) & (slots - 1);
		}
	}

	entry_offsets = dl_alloc(sizeof(uint32_t) * (entries ? entries : 1));
	entry_lengths = dl_alloc(sizeof(uint32_t) * (entries ? entries : 1));
	for (i = 0; i < entries; i++)
	{
		entry_offsets[i] = dense->offsets[entry_row[i]];
		entry_lengths[i] = dense->lengths[entry_row[i]];
	}
	codec_buf_put_varint(out, entries);
	codec_plain_put_strings(dense->data, entry_offsets, entry_lengths, entries, out);
	codec_delta_put_ints(codes, n, dense->period, out);

	dl_free(table);
	dl_free(hashes);
	dl_free(entry_row);
	dl_free(entry_offsets);
	dl_free(entry_lengths);
	dl_free(codes);
	return CODEC_OK;
}

CodecStatus
codec_dict_decode(const uint8_t *payload, size_t len, CodecColumn *dense)
{
	uint32_t	n = dense->count;
	CodecReader r;
	CodecStatus status;
	uint64_t	entries;
	uint32_t   *entry_offsets = NULL;
	uint32_t   *entry_lengths = NULL;
	int64_t    *codes = NULL;
	const uint8_t *bytes;
	size_t		total;
	uint32_t	i;

	codec_reader_init(&r, payload, len);
	if (!codec_read_varint(&r, &entries))
		return CODEC_ERR_TRUNCATED;
	if (entries == 0 || entries > n)
		return CODEC_ERR_CORRUPT;
	entry_offsets = dl_alloc(sizeof(uint32_t) * entries);
	entry_lengths = dl_alloc(sizeof(uint32_t) * entries);
	status = codec_plain_get_strings(&r, (uint32_t) entries, &bytes, &total, entry_offsets,
									 entry_lengths);
	if (status != CODEC_OK)
		goto done;
	codes = dl_alloc(sizeof(int64_t) * n);
	status = codec_delta_get_ints(&r, n, codes);
	if (status != CODEC_OK)
		goto done;
	if (r.pos != len)
	{
		status = CODEC_ERR_CORRUPT;
		goto done;
	}
	for (i = 0; i < n; i++)
	{
		uint64_t	code = (uint64_t) codes[i];

		if (code >= entries)
		{
			status = CODEC_ERR_CORRUPT;
			goto done;
		}
		dense->offsets[i] = entry_offsets[code];
		dense->lengths[i] = entry_lengths[code];
	}
	dense->data = dl_alloc(total ? total : 1);
	memcpy(dense->data, bytes, total);
	dense->data_size = total;
done:
	dl_free(entry_offsets);
	dl_free(entry_lengths);
	if (codes)
		dl_free(codes);
	return status;
}
