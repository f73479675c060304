/*
 * columnar_reader.c
 *		Decoding the columns of a row group into arrays of Datums.
 *
 * Only the columns asked for are read from disk and decoded (projection).
 * Each column is decompressed, decoded by the codec layer in bulk, and then
 * turned into Datums in one loop per column: integers and floats are
 * converted in place, strings are laid out in one arena as ready-made
 * varlenas (one-byte headers when short), so the per-row work of a scan is
 * copying a Datum and a flag per column.  Every length is checked against
 * the catalog entry and the codec header; anything inconsistent is
 * reported as data_corrupted naming the table and the row group.
 */
#include "postgres.h"

#include <malloc.h>

#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "columnar/columnar.h"
#include "storage/codec.h"
#include "storage/codec_access.h"
#include "storage/codec_zstd.h"

/*
 * Decoding (and encoding) a row group allocates a few arrays of row-group
 * size per column (hundreds of kilobytes each) and frees them when the next
 * row group starts.  With glibc's defaults such blocks are returned to the kernel
 * (trimmed or unmapped) as soon as they are freed, so every row group pays
 * again for faulting in fresh zeroed pages: on a virtual machine that was a
 * third of a scan's time.  A backend that reads or writes columnar data
 * asks malloc to serve blocks up to half of datalayer.columnar_malloc_retain
 * from its heap and to keep up to that much free memory mapped.  The setting
 * is per process; 0 restores glibc's defaults.
 */
static int	malloc_retain_kb = 65536;
static int	malloc_retain_applied = -1;

void
columnar_tune_malloc(void)
{
	if (malloc_retain_applied == malloc_retain_kb)
		return;
	if (malloc_retain_kb > 0)
	{
		long		retain = (long) malloc_retain_kb * 1024L;

		mallopt(M_MMAP_THRESHOLD, (int) Min(retain / 2, 32L * 1024 * 1024));
		mallopt(M_TRIM_THRESHOLD, (int) Min(retain, (long) INT_MAX));
	}
	else if (malloc_retain_applied > 0)
	{
		mallopt(M_MMAP_THRESHOLD, 128 * 1024);
		mallopt(M_TRIM_THRESHOLD, 128 * 1024);
	}
	malloc_retain_applied = malloc_retain_kb;
}

void
columnar_reader_install(void)
{
	DefineCustomIntVariable("datalayer.columnar_malloc_retain",
							"Free memory a backend that decodes columnar data keeps mapped for reuse.",
							"Blocks up to half this size come from malloc's heap; 0 leaves glibc's defaults.",
							&malloc_retain_kb, 65536, 0, 1048576, PGC_USERSET, GUC_UNIT_KB,
							NULL, NULL, NULL);
}

void
columnar_decoded_reset(ColumnarDecoded *dec, MemoryContext parent, int natts)
{
	columnar_tune_malloc();
	if (dec->ctx == NULL)
		dec->ctx = AllocSetContextCreate(parent, "columnar row group", ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(dec->ctx);
	dec->natts = natts;
	dec->count = 0;
	dec->first_row = 0;
	dec->loaded = MemoryContextAllocZero(dec->ctx, sizeof(bool) * Max(natts, 1));
	dec->values = MemoryContextAllocZero(dec->ctx, sizeof(Datum *) * Max(natts, 1));
	dec->nulls = MemoryContextAllocZero(dec->ctx, sizeof(bool *) * Max(natts, 1));
	dec->access = MemoryContextAllocZero(dec->ctx, sizeof(CodecAccess *) * Max(natts, 1));
}

static void
column_corrupt(Relation rel, const ColumnarRowGroup *rg, int attnum, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("columnar table \"%s\": row group at row " UINT64_FORMAT ", column %d is damaged",
					RelationGetRelationName(rel), rg->first_row, attnum),
			 errdetail("%s", what),
			 errhint("Restore the table from a backup.")));
}

static void
to_datums(Relation rel, const ColumnarRowGroup *rg, Form_pg_attribute att, int a,
		  const CodecColumn *col, Datum *values)
{
	ColumnarKind kind = columnar_kind_of(att);
	uint32		n = col->count,
				i;

	switch (kind)
	{
		case COLUMNAR_KIND_INT:
			if (att->attlen == 8)
				for (i = 0; i < n; i++)
					values[i] = Int64GetDatum(col->ints[i]);
			else if (att->attlen == 4)
				for (i = 0; i < n; i++)
					values[i] = Int32GetDatum((int32) col->ints[i]);
			else if (att->attlen == 2)
				for (i = 0; i < n; i++)
					values[i] = Int16GetDatum((int16) col->ints[i]);
			else
				for (i = 0; i < n; i++)
					values[i] = CharGetDatum((char) col->ints[i]);
			break;
		case COLUMNAR_KIND_FLOAT8:
			for (i = 0; i < n; i++)
				values[i] = Float8GetDatum(col->floats[i]);
			break;
		case COLUMNAR_KIND_FLOAT4:
			for (i = 0; i < n; i++)
				values[i] = Float4GetDatum((float4) col->floats[i]);
			break;
		case COLUMNAR_KIND_BOOL:
			for (i = 0; i < n; i++)
				values[i] = BoolGetDatum(col->bools[i] != 0);
			break;
		case COLUMNAR_KIND_VARLENA:
			{
				Size		total = 0;
				char	   *arena,
						   *p;

				for (i = 0; i < n; i++)
				{
					uint32		len = col->lengths[i];

					total += len + 1 <= VARATT_SHORT_MAX ? len + 1 : INTALIGN(len + VARHDRSZ) + 3;
				}
				arena = p = palloc_extended(Max(total, 1), MCXT_ALLOC_HUGE);
				for (i = 0; i < n; i++)
				{
					uint32		len = col->lengths[i];

					if (col->nulls && col->nulls[i])
					{
						values[i] = (Datum) 0;
						continue;
					}
					if (len + 1 <= VARATT_SHORT_MAX)
					{
						SET_VARSIZE_SHORT(p, len + 1);
						memcpy(p + 1, col->data + col->offsets[i], len);
						values[i] = PointerGetDatum(p);
						p += len + 1;
					}
					else
					{
						p = (char *) INTALIGN(p);
						SET_VARSIZE(p, len + VARHDRSZ);
						memcpy(p + VARHDRSZ, col->data + col->offsets[i], len);
						values[i] = PointerGetDatum(p);
						p += len + VARHDRSZ;
					}
				}
				if (p > arena + total)
					elog(ERROR, "columnar string arena overrun");
				break;
			}
		case COLUMNAR_KIND_CSTRING:
			for (i = 0; i < n; i++)
			{
				if (col->nulls && col->nulls[i])
				{
					values[i] = (Datum) 0;
					continue;
				}
				if (col->lengths[i] == 0 || col->data[col->offsets[i] + col->lengths[i] - 1] != '\0')
					column_corrupt(rel, rg, a + 1, "A string value is not terminated.");
				values[i] = PointerGetDatum(col->data + col->offsets[i]);
			}
			break;
		case COLUMNAR_KIND_FIXED:
			{
				Size		width = MAXALIGN(att->attlen);
				char	   *arena = palloc_extended(Max(width * n, 1), MCXT_ALLOC_HUGE);

				for (i = 0; i < n; i++)
				{
					if (col->nulls && col->nulls[i])
					{
						values[i] = (Datum) 0;
						continue;
					}
					if (col->lengths[i] != (uint32) att->attlen)
						column_corrupt(rel, rg, a + 1, "A fixed-length value has the wrong length.");
					memcpy(arena + width * i, col->data + col->offsets[i], att->attlen);
					values[i] = PointerGetDatum(arena + width * i);
				}
				break;
			}
	}
}

static CodecType
codec_type_of(ColumnarKind kind)
{
	switch (kind)
	{
		case COLUMNAR_KIND_INT:
			return CODEC_TYPE_INT64;
		case COLUMNAR_KIND_FLOAT8:
		case COLUMNAR_KIND_FLOAT4:
			return CODEC_TYPE_FLOAT8;
		case COLUMNAR_KIND_BOOL:
			return CODEC_TYPE_BOOL;
		default:
			return CODEC_TYPE_BYTES;
	}
}

/* column a of rg is stored: neither dropped nor added after rg was written */
static inline bool
column_stored(Relation rel, const ColumnarRowGroup *rg, int a)
{
	return a < rg->natts && rg->columns[a].present &&
		!TupleDescAttr(RelationGetDescr(rel), a)->attisdropped;
}

/* the encoded buffer of stored column a of rg, read and decompressed into ctx */
static uint8 *
load_raw(Relation rel, const ColumnarRowGroup *rg, int a, MemoryContext ctx,
		 BlockNumber *nblocks_cache, size_t *raw_len)
{
	const ColumnarChunkMeta *meta = &rg->columns[a];
	char	   *stored;
	uint8	   *raw;
	CodecStatus status;

	stored = MemoryContextAllocHuge(ctx, Max(meta->stored_len, 1));
	columnar_read_data(rel, rg, meta->offset, meta->stored_len, stored, nblocks_cache);
	if (meta->stored_len < meta->raw_len)
	{
		MemoryContext old = MemoryContextSwitchTo(ctx);

		status = codec_decompress_zstd((const uint8 *) stored, meta->stored_len, meta->raw_len,
									   &raw, raw_len);
		MemoryContextSwitchTo(old);
		if (status != CODEC_OK || *raw_len != meta->raw_len)
			column_corrupt(rel, rg, a + 1, "Its zstd frame does not decompress to the recorded size.");
		pfree(stored);
		return raw;
	}
	if (meta->stored_len != meta->raw_len)
		column_corrupt(rel, rg, a + 1, "Its stored size exceeds its raw size.");
	*raw_len = meta->raw_len;
	return (uint8 *) stored;
}

/* column a of rg as NULLs, or the default of a column added after rg */
static void
absent_column(Relation rel, const ColumnarRowGroup *rg, int a, ColumnarDecoded *out)
{
	Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), a);
	uint32		n = rg->row_count;
	uint32		i;

	out->values[a] = MemoryContextAllocHuge(out->ctx, sizeof(Datum) * Max(n, 1));
	out->nulls[a] = MemoryContextAllocHuge(out->ctx, Max(n, 1));
	memset(out->nulls[a], true, n);
	memset(out->values[a], 0, sizeof(Datum) * n);
	/* a column added with a default: rows written before carry it */
	if (!att->attisdropped && att->atthasmissing)
	{
		bool		isnull;
		Datum		d = getmissingattr(RelationGetDescr(rel), a + 1, &isnull);

		if (!isnull)
		{
			MemoryContext old = MemoryContextSwitchTo(out->ctx);

			d = datumCopy(d, att->attbyval, att->attlen);
			MemoryContextSwitchTo(old);
			for (i = 0; i < n; i++)
			{
				out->values[a][i] = d;
				out->nulls[a][i] = false;
			}
		}
	}
	out->loaded[a] = true;
}

/* decodes the encoded buffer raw of stored column a of rg into out, whole */
static void
decode_raw(Relation rel, const ColumnarRowGroup *rg, int a, const uint8 *raw, size_t raw_len,
		   ColumnarDecoded *out)
{
	Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), a);
	const ColumnarChunkMeta *meta = &rg->columns[a];
	uint32		n = rg->row_count;
	CodecColumn col = {0};
	CodecStatus status;
	uint32		i;

	out->values[a] = MemoryContextAllocHuge(out->ctx, sizeof(Datum) * Max(n, 1));
	{
		MemoryContext old = MemoryContextSwitchTo(out->ctx);

		status = codec_decode(raw, raw_len, codec_type_of(columnar_kind_of(att)), n, &col);
		MemoryContextSwitchTo(old);
	}
	if (status != CODEC_OK)
		column_corrupt(rel, rg, a + 1, codec_status_message(status));
	if (col.count != n || col.null_count != meta->null_count)
		column_corrupt(rel, rg, a + 1, "Its row or NULL count differs from the row group's.");

	{
		MemoryContext old = MemoryContextSwitchTo(out->ctx);

		to_datums(rel, rg, att, a, &col, out->values[a]);
		MemoryContextSwitchTo(old);
	}
	if (col.null_count > 0)
	{
		out->nulls[a] = MemoryContextAllocHuge(out->ctx, Max(n, 1));
		for (i = 0; i < n; i++)
			out->nulls[a][i] = col.nulls[i] != 0;
	}
	else
		out->nulls[a] = NULL;
	out->loaded[a] = true;
}

static void
decode_column(Relation rel, const ColumnarRowGroup *rg, int a, ColumnarDecoded *out,
			  BlockNumber *nblocks_cache)
{
	uint8	   *raw;
	size_t		raw_len;

	if (!column_stored(rel, rg, a))
	{
		absent_column(rel, rg, a, out);
		return;
	}
	raw = load_raw(rel, rg, a, out->ctx, nblocks_cache, &raw_len);
	decode_raw(rel, rg, a, raw, raw_len, out);
}

/*
 * Decodes the columns in attrs (attribute numbers minus
 * FirstLowInvalidHeapAttributeNumber, as the planner's bitmaps; NULL for
 * all) of rg into out, which must have been reset for this row group.
 */
static void
start_group(Relation rel, const ColumnarRowGroup *rg, ColumnarDecoded *out)
{
	out->first_row = rg->first_row;
	out->count = rg->row_count;
	if (rg->natts > RelationGetDescr(rel)->natts)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("columnar table \"%s\": row group at row " UINT64_FORMAT " has more columns than the table",
						RelationGetRelationName(rel), rg->first_row)));
}

void
columnar_decode_columns(Relation rel, const ColumnarRowGroup *rg, const Bitmapset *attrs,
						ColumnarDecoded *out, BlockNumber *nblocks_cache)
{
	int			natts = RelationGetDescr(rel)->natts;
	int			a;

	start_group(rel, rg, out);
	for (a = 0; a < natts; a++)
	{
		if (out->loaded[a])
			continue;
		if (attrs != NULL && !bms_is_member(a + 1 - FirstLowInvalidHeapAttributeNumber, attrs))
			continue;
		CHECK_FOR_INTERRUPTS();
		decode_column(rel, rg, a, out, nblocks_cache);
	}
}

/*
 * Single values for single-row readers (index fetches, row versions).  An
 * index range of one series in a time-major table wants one row in every
 * few hundred of each row group it visits; decoding the group's columns
 * whole for them costs as much as scanning the group.  Integer and float
 * columns without NULLs whose encoding allows it (codec_access.h) are
 * opened for single values instead: the item headers are read once, and
 * each row costs the stored differences of its series.  Once the values
 * read that way add up to the column's row count, the column is decoded
 * whole after all, so reading most of a group never costs more than about
 * twice a whole decode.  Opens column a for single values, or decodes it
 * whole when it cannot be read that way but its bytes are already read.
 */
static void
open_access(Relation rel, const ColumnarRowGroup *rg, int a, ColumnarDecoded *dec,
			BlockNumber *nblocks_cache)
{
	Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), a);
	ColumnarKind kind = columnar_kind_of(att);
	CodecAccess *access;
	CodecStatus status;
	MemoryContext old;
	uint8	   *raw;
	size_t		raw_len;

	if (!column_stored(rel, rg, a) || rg->columns[a].null_count != 0 ||
		(kind != COLUMNAR_KIND_INT && kind != COLUMNAR_KIND_FLOAT8 && kind != COLUMNAR_KIND_FLOAT4))
		return;					/* the caller decodes it whole */
	raw = load_raw(rel, rg, a, dec->ctx, nblocks_cache, &raw_len);
	old = MemoryContextSwitchTo(dec->ctx);
	status = codec_access_open(raw, raw_len, codec_type_of(kind), rg->row_count, &access);
	MemoryContextSwitchTo(old);
	if (status == CODEC_ERR_NOT_APPLICABLE)
	{
		/* the bytes are here: decode them whole right away */
		decode_raw(rel, rg, a, raw, raw_len, dec);
		return;
	}
	if (status != CODEC_OK)
		column_corrupt(rel, rg, a + 1, codec_status_message(status));
	if (codec_access_count(access) != rg->row_count)
		column_corrupt(rel, rg, a + 1, "Its row or NULL count differs from the row group's.");
	dec->access[a] = access;
}

void
columnar_read_value(Relation rel, const ColumnarRowGroup *rg, int a, uint32 pos,
					ColumnarDecoded *dec, BlockNumber *nblocks_cache, Datum *value, bool *isnull)
{
	CodecAccess *access;

	start_group(rel, rg, dec);
	if (a < 0 || a >= dec->natts || pos >= rg->row_count)
		elog(ERROR, "columnar value %d of row %u out of range", a + 1, pos);
	/* neither decoded nor open: the first value asked for (each call leaves one or the other) */
	if (!dec->loaded[a] && dec->access[a] == NULL)
		open_access(rel, rg, a, dec, nblocks_cache);
	access = dec->access[a];
	if (access != NULL && codec_access_work(access) > codec_access_count(access))
	{
		/* single values have cost a whole decode already */
		codec_access_free(access);
		dec->access[a] = access = NULL;
	}
	if (access != NULL)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(rel), a);

		*isnull = false;
		switch (columnar_kind_of(att))
		{
			case COLUMNAR_KIND_INT:
				{
					int64		v = codec_access_int64(access, pos);

					*value = att->attlen == 8 ? Int64GetDatum(v) :
						att->attlen == 4 ? Int32GetDatum((int32) v) :
						att->attlen == 2 ? Int16GetDatum((int16) v) : CharGetDatum((char) v);
					return;
				}
			case COLUMNAR_KIND_FLOAT8:
				*value = Float8GetDatum(codec_access_float8(access, pos));
				return;
			case COLUMNAR_KIND_FLOAT4:
				*value = Float4GetDatum((float4) codec_access_float8(access, pos));
				return;
			default:
				elog(ERROR, "columnar column %d has no single values", a + 1);
		}
	}
	if (!dec->loaded[a])
		decode_column(rel, rg, a, dec, nblocks_cache);
	*value = dec->values[a][pos];
	*isnull = dec->nulls[a] ? dec->nulls[a][pos] : false;
}
