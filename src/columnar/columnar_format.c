/*
 * columnar_format.c
 *		How a column's type maps onto the codec layer, and the byte format
 *		of a row group's column_meta.
 *
 * column_meta: "DLRG", a version byte, the number of columns (u16), then
 * per column a flag byte (1 = present, 2 = has min/max), the encoding id,
 * offset (u64), stored and raw length and NULL count (u32 each), min and
 * max (8 bytes each, only with flag 2), and a trailing checksum (u32) of
 * everything before it.  Integers are little-endian (codec_buf.h).  A
 * damaged entry is reported as data_corrupted naming table and row group;
 * the reader also checks every offset against the row group's length.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "utils/lsyscache.h"

#include "columnar/columnar.h"
#include "storage/codec.h"
#include "storage/codec_buf.h"

#define META_MAGIC		0x47524C44	/* "DLRG" */
#define META_VERSION	1
#define META_PRESENT	1
#define META_MINMAX		2

ColumnarKind
columnar_kind_of(Form_pg_attribute att)
{
	Oid			base = getBaseType(att->atttypid);

	if (base == FLOAT8OID)
		return COLUMNAR_KIND_FLOAT8;
	if (base == FLOAT4OID)
		return COLUMNAR_KIND_FLOAT4;
	if (base == BOOLOID)
		return COLUMNAR_KIND_BOOL;
	if (att->attbyval && (att->attlen == 1 || att->attlen == 2 || att->attlen == 4 || att->attlen == 8))
		return COLUMNAR_KIND_INT;
	if (att->attlen == -1)
		return COLUMNAR_KIND_VARLENA;
	if (att->attlen == -2)
		return COLUMNAR_KIND_CSTRING;
	return COLUMNAR_KIND_FIXED;
}

bool
columnar_kind_has_minmax(ColumnarKind kind)
{
	return kind == COLUMNAR_KIND_INT || kind == COLUMNAR_KIND_FLOAT8 || kind == COLUMNAR_KIND_FLOAT4;
}

/*
 * Every column entry has the same size, whatever it holds, so that the
 * catalog row of a writer's reservation can be overwritten in place with
 * the final one (columnar_meta.c).
 */
Size
columnar_meta_size(int natts)
{
	return VARHDRSZ + 7 + (Size) natts * 38 + 4;
}

bytea *
columnar_meta_serialize(const ColumnarRowGroup *rg)
{
	CodecBuf	buf;
	bytea	   *result;
	int			i;

	codec_buf_init(&buf);
	codec_buf_put_u32(&buf, META_MAGIC);
	codec_buf_put_u8(&buf, META_VERSION);
	codec_buf_put_u8(&buf, (uint8) (rg->natts & 0xFF));
	codec_buf_put_u8(&buf, (uint8) (rg->natts >> 8));
	for (i = 0; i < rg->natts; i++)
	{
		const ColumnarChunkMeta *c = rg->columns ? &rg->columns[i] : NULL;
		bool		present = c && c->present;
		uint8		flags = (present ? META_PRESENT : 0) | (present && c->has_minmax ? META_MINMAX : 0);

		codec_buf_put_u8(&buf, flags);
		codec_buf_put_u8(&buf, present ? c->encoding : 0);
		codec_buf_put_u64(&buf, present ? c->offset : 0);
		codec_buf_put_u32(&buf, present ? c->stored_len : 0);
		codec_buf_put_u32(&buf, present ? c->raw_len : 0);
		codec_buf_put_u32(&buf, present ? c->null_count : 0);
		codec_buf_put_u64(&buf, present && c->has_minmax ? (uint64) c->min : 0);
		codec_buf_put_u64(&buf, present && c->has_minmax ? (uint64) c->max : 0);
	}
	codec_buf_put_u32(&buf, hash_bytes(buf.data, (int) buf.len));

	result = palloc(VARHDRSZ + buf.len);
	SET_VARSIZE(result, VARHDRSZ + buf.len);
	memcpy(VARDATA(result), buf.data, buf.len);
	Assert(VARSIZE(result) == columnar_meta_size(rg->natts));
	codec_buf_free(&buf);
	return result;
}

static void
meta_corrupt(Relation rel, const ColumnarRowGroup *rg, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("columnar table \"%s\": row group at row " UINT64_FORMAT " has damaged metadata",
					RelationGetRelationName(rel), rg->first_row),
			 errdetail("%s", what),
			 errhint("Restore the table from a backup.")));
}

void
columnar_meta_deserialize(Relation rel, ColumnarRowGroup *rg, const bytea *meta)
{
	const uint8 *data = (const uint8 *) VARDATA_ANY(meta);
	size_t		len = VARSIZE_ANY_EXHDR(meta);
	CodecReader reader;
	uint32		magic,
				checksum;
	uint8		version,
				lo,
				hi;
	int			natts,
				i;

	if (len < 11)
		meta_corrupt(rel, rg, "The entry is truncated.");
	codec_reader_init(&reader, data + len - 4, 4);
	if (!codec_read_u32(&reader, &checksum) || checksum != hash_bytes(data, (int) (len - 4)))
		meta_corrupt(rel, rg, "The entry's checksum does not match.");
	codec_reader_init(&reader, data, len - 4);
	if (!codec_read_u32(&reader, &magic) || magic != META_MAGIC ||
		!codec_read_u8(&reader, &version) || version != META_VERSION ||
		!codec_read_u8(&reader, &lo) || !codec_read_u8(&reader, &hi))
		meta_corrupt(rel, rg, "The entry does not start with a known header.");
	natts = lo | (hi << 8);
	if (natts > MaxHeapAttributeNumber)
		meta_corrupt(rel, rg, "The entry lists more columns than a table can have.");
	rg->natts = natts;
	rg->columns = palloc0(sizeof(ColumnarChunkMeta) * Max(natts, 1));
	for (i = 0; i < natts; i++)
	{
		ColumnarChunkMeta *c = &rg->columns[i];
		uint8		flags;
		uint64		v;

		if (!codec_read_u8(&reader, &flags) || (flags & ~(META_PRESENT | META_MINMAX)) != 0)
			meta_corrupt(rel, rg, "A column entry has unknown flags.");
		c->present = (flags & META_PRESENT) != 0;
		c->has_minmax = (flags & META_MINMAX) != 0;
		if (!codec_read_u8(&reader, &c->encoding) ||
			!codec_read_u64(&reader, &c->offset) ||
			!codec_read_u32(&reader, &c->stored_len) ||
			!codec_read_u32(&reader, &c->raw_len) ||
			!codec_read_u32(&reader, &c->null_count))
			meta_corrupt(rel, rg, "A column entry is truncated.");
		if (!c->present)
		{
			if (!codec_read_u64(&reader, &v) || !codec_read_u64(&reader, &v))
				meta_corrupt(rel, rg, "A column entry is truncated.");
			continue;
		}
		if (c->offset > rg->data_length || c->stored_len > rg->data_length - c->offset)
			meta_corrupt(rel, rg, psprintf("Column %d lies outside the row group's data.", i + 1));
		if (c->null_count > rg->row_count)
			meta_corrupt(rel, rg, psprintf("Column %d has more NULLs than rows.", i + 1));
		if (!codec_read_u64(&reader, &v))
			meta_corrupt(rel, rg, "A column's min/max is truncated.");
		c->min = (Datum) v;
		if (!codec_read_u64(&reader, &v))
			meta_corrupt(rel, rg, "A column's min/max is truncated.");
		c->max = (Datum) v;
	}
	if (codec_reader_remaining(&reader) != 0)
		meta_corrupt(rel, rg, "The entry has trailing bytes.");
}
