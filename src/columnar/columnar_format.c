/*
 * columnar_format.c
 *		How a column's type maps onto the codec layer, and a row group's
 *		column_meta as catalog bytes.
 *
 * The byte format is columnar_meta_format.c's (plain C, fuzzed on its
 * own); here it is filled from and turned into ColumnarRowGroup, and a
 * damaged entry is reported as data_corrupted naming table and row group.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "utils/lsyscache.h"

#include "columnar/columnar.h"
#include "columnar/columnar_meta_format.h"
#include "storage/codec.h"
#include "storage/codec_buf.h"


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

/* the checksum after the entries: PostgreSQL's hash_bytes */
static uint32_t
meta_checksum(const uint8_t *data, size_t len)
{
	return hash_bytes(data, (int) len);
}

/*
 * Every column entry has the same size, whatever it holds, so that the
 * catalog row of a writer's reservation can be overwritten in place with
 * the final one (columnar_meta.c).
 */
Size
columnar_meta_size(int natts)
{
	return VARHDRSZ + columnar_meta_format_size(natts);
}

bytea *
columnar_meta_serialize(const ColumnarRowGroup *rg)
{
	CodecBuf	buf;
	bytea	   *result;
	ColumnarMetaColumn *cols = palloc0(sizeof(ColumnarMetaColumn) * Max(rg->natts, 1));
	int			i;

	for (i = 0; i < rg->natts && rg->columns != NULL; i++)
	{
		const ColumnarChunkMeta *c = &rg->columns[i];

		cols[i].present = c->present;
		cols[i].has_minmax = c->has_minmax;
		cols[i].encoding = c->encoding;
		cols[i].offset = c->offset;
		cols[i].stored_len = c->stored_len;
		cols[i].raw_len = c->raw_len;
		cols[i].null_count = c->null_count;
		cols[i].plain_len = c->plain_len;
		cols[i].min = (uint64) c->min;
		cols[i].max = (uint64) c->max;
	}
	codec_buf_init(&buf);
	columnar_meta_encode(&buf, rg->natts, cols, meta_checksum);
	result = palloc(VARHDRSZ + buf.len);
	SET_VARSIZE(result, VARHDRSZ + buf.len);
	memcpy(VARDATA(result), buf.data, buf.len);
	Assert(VARSIZE(result) == columnar_meta_size(rg->natts));
	codec_buf_free(&buf);
	pfree(cols);
	return result;
}

void
columnar_meta_deserialize(Relation rel, ColumnarRowGroup *rg, const bytea *meta)
{
	ColumnarMetaColumn *cols;
	ColumnarMetaStatus status;
	int			natts,
				bad,
				i;

	status = columnar_meta_decode((const uint8 *) VARDATA_ANY(meta), VARSIZE_ANY_EXHDR(meta),
								  rg->data_length, rg->row_count, MaxHeapAttributeNumber,
								  meta_checksum, &natts, &cols, &bad);
	if (status != COLUMNAR_META_OK)
	{
		const char *what = columnar_meta_status_message(status);

		if (status == COLUMNAR_META_OUTSIDE_DATA)
			what = psprintf("Column %d lies outside the row group's data.", bad);
		else if (status == COLUMNAR_META_TOO_MANY_NULLS)
			what = psprintf("Column %d has more NULLs than rows.", bad);
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("columnar table \"%s\": row group at row " UINT64_FORMAT " has damaged metadata",
						RelationGetRelationName(rel), rg->first_row),
				 errdetail("%s", what),
				 errhint("Restore the table from a backup.")));
	}
	rg->natts = natts;
	rg->columns = palloc0(sizeof(ColumnarChunkMeta) * Max(natts, 1));
	for (i = 0; i < natts; i++)
	{
		ColumnarChunkMeta *c = &rg->columns[i];

		c->present = cols[i].present;
		c->has_minmax = cols[i].has_minmax;
		c->encoding = cols[i].encoding;
		c->offset = cols[i].offset;
		c->stored_len = cols[i].stored_len;
		c->raw_len = cols[i].raw_len;
		c->null_count = cols[i].null_count;
		c->plain_len = cols[i].plain_len;
		c->min = (Datum) cols[i].min;
		c->max = (Datum) cols[i].max;
	}
	pfree(cols);
}
