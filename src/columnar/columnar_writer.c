/*
 * columnar_writer.c
 *		Buffered inserts into columnar tables: rows are collected per
 *		relation in memory and written as whole row groups.
 *
 * A write buffer belongs to one relation file, one subtransaction and one
 * command.  It is flushed into a row group when it is full, when the
 * statement that filled it ends (ExecutorEnd, or finish_bulk_insert for
 * COPY and table rewrites), before anything reads the relation (scans,
 * index fetches, DELETE and UPDATE), when its subtransaction commits and
 * before the transaction commits or prepares.  It is thrown away when its
 * (sub)transaction aborts and when the relation gets a new file (TRUNCATE).
 * A buffer of an outer subtransaction is never flushed from inside an inner
 * one: its catalog row would carry the inner transaction id and vanish if
 * only the inner one rolled back.
 *
 * Row numbers (TIDs) are handed out at insert time, because index entries
 * are made right after each insert.  A buffer reserves them from the
 * metapage in a range that starts small and doubles while nobody else has
 * reserved after it, so a one-row statement uses a few numbers, a bulk load
 * reserves whole row groups, and two loaders into one table each keep
 * contiguous ranges.
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/relation.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "columnar/columnar.h"
#include "storage/codec.h"
#include "storage/codec_zstd.h"

#define FIRST_RESERVATION 128

typedef struct WriteBuffer
{
	Oid			relid;
	RelFileNode node;
	SubTransactionId subxid;
	CommandId	cid;
	int			natts;
	ColumnarOptions opts;
	uint64		storage_id;
	uint64		first_row;		/* of the reservation */
	uint32		reserved;		/* row numbers reserved */
	uint32		count;			/* rows buffered */
	uint32		next_reservation;
	ItemPointerData catalog_tid;	/* of the reservation's catalog row */
	bool		rewrite;		/* VACUUM: the rows replace a committed group's */
	uint32		dropped_rows;	/* rewrite: deleted rows written as NULLs */
	uint8	   *chosen;			/* per column: the encoding the last full group chose */
	bool	   *raw_chosen;		/* per column: the last full group kept it without zstd */
	/* scratch arrays for encoding, reused by every flush (no page faults per group) */
	uint8	   *scratch_nulls;
	int64	   *scratch_ints;
	double	   *scratch_floats;
	uint32		groups_written;
	Datum	  **values;			/* per column, opts.row_group_size entries */
	bool	  **nulls;
	MemoryContext ctx;			/* the buffer's arrays */
	MemoryContext rows_ctx;		/* copies of by-reference values */
} WriteBuffer;

static MemoryContext writer_context = NULL;
static List *buffers = NIL;
static ExecutorEnd_hook_type prev_executor_end = NULL;

static void flush_buffer(WriteBuffer *wb);

/* forgets the buffered rows; their reserved row numbers stay unused */
static void
empty_buffer(WriteBuffer *wb)
{
	wb->count = 0;
	wb->reserved = 0;
	MemoryContextReset(wb->rows_ctx);
}

static WriteBuffer *
find_buffer(Relation rel, SubTransactionId subxid)
{
	ListCell   *lc;

	foreach(lc, buffers)
	{
		WriteBuffer *wb = lfirst(lc);

		if (wb->relid == RelationGetRelid(rel) && RelFileNodeEquals(wb->node, rel->rd_node) &&
			wb->subxid == subxid)
			return wb;
	}
	return NULL;
}

/* a buffer of at least capacity rows (0: the table's row group size) */
static WriteBuffer *
new_buffer(Relation rel, SubTransactionId subxid, uint32 capacity)
{
	MemoryContext old;
	WriteBuffer *wb;
	int			i;

	if (writer_context == NULL)
		writer_context = AllocSetContextCreate(TopTransactionContext, "columnar writes",
											   ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(writer_context);
	wb = palloc0(sizeof(WriteBuffer));
	wb->relid = RelationGetRelid(rel);
	wb->node = rel->rd_node;
	wb->subxid = subxid;
	wb->natts = RelationGetDescr(rel)->natts;
	wb->opts = columnar_get_options(RelationGetRelid(rel));
	if (capacity > (uint32) wb->opts.row_group_size)
		wb->opts.row_group_size = (int) capacity;
	wb->storage_id = columnar_read_metapage(rel).storage_id;
	wb->next_reservation = FIRST_RESERVATION;
	wb->ctx = AllocSetContextCreate(writer_context, "columnar write buffer", ALLOCSET_DEFAULT_SIZES);
	wb->rows_ctx = AllocSetContextCreate(writer_context, "columnar buffered values",
										 ALLOCSET_DEFAULT_SIZES);
	wb->chosen = MemoryContextAllocZero(wb->ctx, Max(wb->natts, 1));
	wb->raw_chosen = MemoryContextAllocZero(wb->ctx, sizeof(bool) * Max(wb->natts, 1));
	wb->scratch_nulls = MemoryContextAllocHuge(wb->ctx, wb->opts.row_group_size);
	wb->scratch_ints = MemoryContextAllocHuge(wb->ctx, sizeof(int64) * wb->opts.row_group_size);
	wb->scratch_floats = MemoryContextAllocHuge(wb->ctx, sizeof(double) * wb->opts.row_group_size);
	wb->values = MemoryContextAllocZero(wb->ctx, sizeof(Datum *) * Max(wb->natts, 1));
	wb->nulls = MemoryContextAllocZero(wb->ctx, sizeof(bool *) * Max(wb->natts, 1));
	for (i = 0; i < wb->natts; i++)
	{
		wb->values[i] = MemoryContextAllocHuge(wb->ctx, sizeof(Datum) * wb->opts.row_group_size);
		wb->nulls[i] = MemoryContextAllocHuge(wb->ctx, sizeof(bool) * wb->opts.row_group_size);
	}
	buffers = lappend(buffers, wb);
	MemoryContextSwitchTo(old);
	return wb;
}

static void
start_buffer(Relation rel, WriteBuffer *wb, uint32 n, CommandId cid)
{
	wb->first_row = columnar_reserve_rows(rel, n);
	wb->reserved = n;
	wb->cid = cid;
	wb->catalog_tid = columnar_insert_reservation(wb->storage_id, wb->first_row, n, wb->natts, cid);
}

/* grows the buffer's reservation in place; false if someone reserved after it */
static bool
extend_reservation(Relation rel, WriteBuffer *wb, uint32 extra)
{
	ColumnarRowGroup rg = {0};

	if (!columnar_extend_reservation(rel, wb->first_row + wb->reserved, extra))
		return false;
	wb->reserved += extra;
	rg.first_row = wb->first_row;
	rg.row_count = wb->reserved;
	rg.natts = wb->natts;
	columnar_update_row_group(wb->storage_id, &wb->catalog_tid, &rg, wb->cid);
	return true;
}

static void
copy_row(WriteBuffer *wb, TupleTableSlot *slot, TupleDesc desc)
{
	MemoryContext old = MemoryContextSwitchTo(wb->rows_ctx);
	uint32		r = wb->count;
	int			i;

	for (i = 0; i < wb->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		bool		isnull = slot->tts_isnull[i] || att->attisdropped;
		Datum		v = slot->tts_values[i];

		wb->nulls[i][r] = isnull;
		if (isnull)
			wb->values[i][r] = (Datum) 0;
		else if (att->attbyval)
			wb->values[i][r] = v;
		else if (att->attlen == -1)
		{
			struct varlena *p = (struct varlena *) DatumGetPointer(v);

			if (VARATT_IS_EXTENDED(p))
				p = detoast_attr(p);
			else
				p = (struct varlena *) DatumGetPointer(datumCopy(v, false, -1));
			wb->values[i][r] = PointerGetDatum(p);
		}
		else
			wb->values[i][r] = datumCopy(v, false, att->attlen);
	}
	MemoryContextSwitchTo(old);
}

void
columnar_writer_insert(Relation rel, TupleTableSlot *slot, CommandId cid)
{
	SubTransactionId subxid = GetCurrentSubTransactionId();
	WriteBuffer *wb = find_buffer(rel, subxid);
	uint64		row;

	if (rel->rd_rel->relpersistence == RELPERSISTENCE_UNLOGGED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("unlogged columnar tables are not supported")));
	/* columns added since the table was created count too */
	if (RelationGetDescr(rel)->natts > COLUMNAR_MAX_COLUMNS)
		ereport(ERROR,
				(errcode(ERRCODE_TOO_MANY_COLUMNS),
				 errmsg("columnar tables can have at most %d columns", COLUMNAR_MAX_COLUMNS),
				 errdetail("Table \"%s\" has %d, dropped ones included.", RelationGetRelationName(rel),
						   RelationGetDescr(rel)->natts)));
	slot_getallattrs(slot);
	if (wb == NULL)
		wb = new_buffer(rel, subxid, 0);
	if (wb->count > 0 && wb->cid != cid)
		flush_buffer(wb);
	if (wb->count == (uint32) wb->opts.row_group_size)
	{
		flush_buffer(wb);
		wb->next_reservation = (uint32) wb->opts.row_group_size;	/* a bulk load */
	}
	if (wb->count == 0)
		start_buffer(rel, wb, Min(wb->next_reservation, (uint32) wb->opts.row_group_size), cid);
	else if (wb->count == wb->reserved)
	{
		uint32		extra = Min(wb->reserved, (uint32) wb->opts.row_group_size - wb->reserved);

		if (!extend_reservation(rel, wb, extra))
		{
			flush_buffer(wb);
			wb->next_reservation = Min(extra * 2, (uint32) wb->opts.row_group_size);
			start_buffer(rel, wb, Min(extra * 2, (uint32) wb->opts.row_group_size), cid);
		}
	}
	copy_row(wb, slot, RelationGetDescr(rel));
	row = wb->first_row + wb->count;
	wb->count++;

	slot->tts_tableOid = RelationGetRelid(rel);
	columnar_row_to_tid(row, &slot->tts_tid);
}

/* ---- encoding ---- */

/* a period p such that every row's key equals the key p rows later: time-major data */
static uint32
detect_period(WriteBuffer *wb, TupleDesc desc)
{
	int			a;

	for (a = 0; a < wb->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);
		uint32		n = wb->count,
					p,
					i;

		if (att->attisdropped || columnar_kind_of(att) != COLUMNAR_KIND_VARLENA ||
			getBaseType(att->atttypid) != TEXTOID || n < 16 || wb->nulls[a][0])
			continue;
		for (p = 1; p <= n / 2; p++)
		{
			if (wb->nulls[a][p])
				continue;
			if (datumIsEqual(wb->values[a][0], wb->values[a][p], false, -1))
				break;
		}
		if (p < 2 || p > n / 2)
			continue;
		for (i = 0; i + p < n; i++)
		{
			if (wb->nulls[a][i] != wb->nulls[a][i + p])
				break;
			if (!wb->nulls[a][i] && !datumIsEqual(wb->values[a][i], wb->values[a][i + p], false, -1))
				break;
		}
		if (i + p >= n)
			return p;
	}
	return 0;
}

static bool
signed_int_type(Oid type)
{
	switch (getBaseType(type))
	{
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case DATEOID:
		case TIMEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
		case CASHOID:
			return true;
		default:
			return false;
	}
}

static int64
int_of(Datum d, int16 len)
{
	switch (len)
	{
		case 1:
			return (int64) DatumGetChar(d);
		case 2:
			return (int64) DatumGetInt16(d);
		case 4:
			return (int64) DatumGetInt32(d);
		default:
			return DatumGetInt64(d);
	}
}

/* the codec buffer of column a, and its min/max into meta */
/*
 * The size of a column's values as PostgreSQL keeps them, before any
 * encoding: the type's length for fixed-size values, a string's bytes with
 * its one- or four-byte header (cstrings with their terminator); NULLs take
 * none.  columnar_stats() reports it as uncompressed_bytes.
 */
static uint64
plain_size(Form_pg_attribute att, ColumnarKind kind, const uint32_t *lengths, const bool *nulls,
		   uint32 n)
{
	uint64		total = 0;
	uint32		i;

	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			continue;
		if (kind == COLUMNAR_KIND_VARLENA)
			total += lengths[i] + (lengths[i] + 1 <= VARATT_SHORT_MAX ? 1 : VARHDRSZ);
		else if (kind == COLUMNAR_KIND_CSTRING)
			total += lengths[i];
		else
			total += att->attlen;
	}
	return total;
}

static void
encode_column(WriteBuffer *wb, Form_pg_attribute att, int a, uint32 period, CodecId encoding,
			  ColumnarChunkMeta *meta, uint8 **out, size_t *out_len)
{
	ColumnarKind kind = columnar_kind_of(att);
	CodecColumn col = {0};
	uint32		n = wb->count,
				i;
	CodecStatus status;
	bool		minmax_ok = false;

	col.count = n;
	col.period = period;
	col.nulls = wb->scratch_nulls;
	for (i = 0; i < n; i++)
	{
		col.nulls[i] = wb->nulls[a][i] ? 1 : 0;
		col.null_count += col.nulls[i];
	}
	if (col.null_count == 0)
		col.nulls = NULL;
	meta->null_count = col.null_count;

	switch (kind)
	{
		case COLUMNAR_KIND_INT:
			{
				int64		lo = PG_INT64_MAX,
							hi = PG_INT64_MIN;

				col.type = CODEC_TYPE_INT64;
				col.ints = (int64_t *) wb->scratch_ints;
				for (i = 0; i < n; i++)
				{
					int64		v = wb->nulls[a][i] ? 0 : int_of(wb->values[a][i], att->attlen);

					col.ints[i] = v;
					if (!wb->nulls[a][i])
					{
						lo = Min(lo, v);
						hi = Max(hi, v);
					}
				}
				if (signed_int_type(att->atttypid) && col.null_count < n)
				{
					minmax_ok = true;
					meta->min = att->attlen == 8 ? Int64GetDatum(lo) : att->attlen == 4 ? Int32GetDatum((int32) lo) : Int16GetDatum((int16) lo);
					meta->max = att->attlen == 8 ? Int64GetDatum(hi) : att->attlen == 4 ? Int32GetDatum((int32) hi) : Int16GetDatum((int16) hi);
				}
				break;
			}
		case COLUMNAR_KIND_FLOAT8:
		case COLUMNAR_KIND_FLOAT4:
			{
				double		lo = get_float8_infinity(),
							hi = -get_float8_infinity();
				bool		nan = false;

				col.type = CODEC_TYPE_FLOAT8;
				col.floats = wb->scratch_floats;
				for (i = 0; i < n; i++)
				{
					double		v = wb->nulls[a][i] ? 0.0 : kind == COLUMNAR_KIND_FLOAT8
						? DatumGetFloat8(wb->values[a][i]) : (double) DatumGetFloat4(wb->values[a][i]);

					col.floats[i] = v;
					if (!wb->nulls[a][i])
					{
						if (isnan(v))
							nan = true;
						else
						{
							lo = Min(lo, v);
							hi = Max(hi, v);
						}
					}
				}
				if (col.null_count < n && (lo <= hi || nan))
				{
					/* PostgreSQL sorts NaN above everything */
					if (lo > hi)
						lo = hi = get_float8_nan();
					else if (nan)
						hi = get_float8_nan();
					minmax_ok = true;
					meta->min = kind == COLUMNAR_KIND_FLOAT8 ? Float8GetDatum(lo) : Float4GetDatum((float4) lo);
					meta->max = kind == COLUMNAR_KIND_FLOAT8 ? Float8GetDatum(hi) : Float4GetDatum((float4) hi);
				}
				break;
			}
		case COLUMNAR_KIND_BOOL:
			col.type = CODEC_TYPE_BOOL;
			col.bools = palloc(n);
			for (i = 0; i < n; i++)
				col.bools[i] = wb->nulls[a][i] ? 0 : DatumGetBool(wb->values[a][i]) ? 1 : 0;
			break;
		default:
			{
				size_t		total = 0,
							pos = 0;

				col.type = CODEC_TYPE_BYTES;
				col.offsets = palloc(sizeof(uint32_t) * n);
				col.lengths = palloc(sizeof(uint32_t) * n);
				for (i = 0; i < n; i++)
				{
					Pointer		p = DatumGetPointer(wb->values[a][i]);
					size_t		len = 0;

					if (wb->nulls[a][i])
						len = 0;
					else if (kind == COLUMNAR_KIND_VARLENA)
						len = VARSIZE_ANY_EXHDR(p);
					else if (kind == COLUMNAR_KIND_CSTRING)
						len = strlen(p) + 1;
					else
						len = att->attlen;
					col.lengths[i] = (uint32) len;
					total += len;
				}
				if (total > (size_t) 0xFFFFFFFF)
					ereport(ERROR,
							(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
							 errmsg("column \"%s\" holds more than 4 GB in one row group",
									NameStr(att->attname)),
							 errhint("Lower the table's row_group_size with datalayer.columnar_set().")));
				col.data = palloc_extended(Max(total, 1), MCXT_ALLOC_HUGE);
				col.data_size = total;
				for (i = 0; i < n; i++)
				{
					Pointer		p = DatumGetPointer(wb->values[a][i]);

					col.offsets[i] = (uint32) pos;
					if (col.lengths[i] > 0)
						memcpy(col.data + pos, kind == COLUMNAR_KIND_VARLENA ? VARDATA_ANY(p) : p,
							   col.lengths[i]);
					pos += col.lengths[i];
				}
				break;
			}
	}
	meta->has_minmax = minmax_ok;
	meta->plain_len = plain_size(att, kind, col.lengths, wb->nulls[a], n);
	status = codec_encode_column(&col, encoding, out, out_len);
	if (status == CODEC_ERR_NOT_APPLICABLE && encoding != CODEC_AUTO)
		status = codec_encode_column(&col, CODEC_AUTO, out, out_len);
	if (status != CODEC_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not encode column \"%s\": %s", NameStr(att->attname),
						codec_status_message(status))));
	{
		CodecHeader header;

		if (codec_read_header(*out, *out_len, &header) == CODEC_OK)
			meta->encoding = (uint8) header.encoding;
	}
}

static void
flush_buffer(WriteBuffer *wb)
{
	Relation	rel;
	TupleDesc	desc;
	MemoryContext flush_ctx,
				old;
	ColumnarRowGroup rg = {0};
	uint8	  **parts;
	size_t	   *lens;
	uint64		total = 0,
				pos = 0;
	char	   *data;
	uint32		period;
	int			a;

	if (wb->count == 0)
		return;
	rel = relation_open(wb->relid, NoLock);
	if (!RelFileNodeEquals(rel->rd_node, wb->node))
		elog(ERROR, "columnar write buffer of \"%s\" outlived its relation file",
			 RelationGetRelationName(rel));
	desc = RelationGetDescr(rel);
	columnar_tune_malloc();
	flush_ctx = AllocSetContextCreate(CurrentMemoryContext, "columnar flush", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(flush_ctx);

	rg.first_row = wb->first_row;
	rg.row_count = wb->count;
	rg.natts = wb->natts;
	rg.columns = palloc0(sizeof(ColumnarChunkMeta) * Max(wb->natts, 1));
	parts = palloc0(sizeof(uint8 *) * Max(wb->natts, 1));
	lens = palloc0(sizeof(size_t) * Max(wb->natts, 1));
	period = detect_period(wb, desc);

	for (a = 0; a < wb->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);
		ColumnarChunkMeta *meta = &rg.columns[a];
		uint8	   *raw;
		size_t		raw_len;
		uint8	   *packed;
		size_t		packed_len;
		bool		full = wb->count == (uint32) wb->opts.row_group_size;
		bool		reuse = full && wb->groups_written % 8 != 0;

		CHECK_FOR_INTERRUPTS();
		if (att->attisdropped)
			continue;
		/*
		 * A bulk load keeps the encodings its first full row group chose
		 * (and whether zstd paid), trying them all again every eighth
		 * group: trying every float encoding costs more than the rest of
		 * the load.
		 */
		encode_column(wb, att, a, period, reuse ? (CodecId) wb->chosen[a] : CODEC_AUTO,
					  meta, &raw, &raw_len);
		if (full)
			wb->chosen[a] = meta->encoding;
		if (raw_len > PG_UINT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("column \"%s\" encodes to more than 4 GB in one row group",
							NameStr(att->attname))));
		meta->present = true;
		meta->raw_len = (uint32) raw_len;

		/*
		 * zstd stays only where it saves at least a sixteenth: below that,
		 * decompressing costs more time than the bytes are worth (bit-packed
		 * floats gain about 4%), and a column kept as encoded can be read a
		 * value at a time by index fetches (codec_access.h).
		 */
		if (!(reuse && wb->raw_chosen[a]) &&
			codec_compress_zstd(raw, raw_len, wb->opts.zstd_level, &packed, &packed_len) == CODEC_OK &&
			packed_len <= raw_len - raw_len / 16 && packed_len < raw_len)
		{
			parts[a] = packed;
			lens[a] = packed_len;
		}
		else
		{
			parts[a] = raw;
			lens[a] = raw_len;
		}
		if (full)
			wb->raw_chosen[a] = parts[a] == raw;
		meta->stored_len = (uint32) lens[a];
		meta->offset = total;
		total += lens[a];
	}
	data = palloc_extended(Max(total, 1), MCXT_ALLOC_HUGE);
	for (a = 0; a < wb->natts; a++)
	{
		if (lens[a] > 0)
			memcpy(data + pos, parts[a], lens[a]);
		pos += lens[a];
	}
	rg.data_length = total;
	rg.first_block = columnar_write_data(rel, data, Max(total, 1));
	rg.dropped_rows = wb->dropped_rows;
	if (wb->rewrite)
		columnar_replace_row_group(wb->storage_id, &rg);
	else
		columnar_update_row_group(wb->storage_id, &wb->catalog_tid, &rg, wb->cid);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(flush_ctx);
	relation_close(rel, NoLock);

	if (wb->count == (uint32) wb->opts.row_group_size)
		wb->groups_written++;
	empty_buffer(wb);
}

/*
 * VACUUM: writes the rows of rg again, those in dead (deleted for every
 * snapshot) as NULLs in every column, and points rg's catalog row at the
 * new data.  Row numbers stay, so TIDs and markers still hold; the dead
 * rows' values are gone from the new data.  The old pages are the
 * caller's to free.
 */
void
columnar_rewrite_row_group(Relation rel, const ColumnarRowGroup *rg, const ColumnarDeletedSet *dead)
{
	TupleDesc	desc = RelationGetDescr(rel);
	MemoryContext ctx = AllocSetContextCreate(CurrentMemoryContext, "columnar rewrite",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(ctx);
	ColumnarDecoded dec = {0};
	BlockNumber nblocks = 0;
	TupleTableSlot *slot = MakeSingleTupleTableSlot(desc, &TTSOpsVirtual);
	WriteBuffer *wb = new_buffer(rel, GetCurrentSubTransactionId(), rg->row_count);
	uint32		i;

	/* a private buffer: not one the transaction's inserts would find */
	buffers = list_delete_ptr(buffers, wb);
	wb->rewrite = true;
	wb->first_row = rg->first_row;
	wb->reserved = rg->row_count;
	wb->cid = GetCurrentCommandId(true);

	columnar_decoded_reset(&dec, ctx, desc->natts);
	columnar_decode_columns(rel, rg, NULL, &dec, &nblocks);
	for (i = 0; i < rg->row_count; i++)
	{
		bool		dropped = columnar_deleted_contains(dead, rg->first_row + i);

		CHECK_FOR_INTERRUPTS();
		ExecClearTuple(slot);
		for (int a = 0; a < desc->natts; a++)
		{
			slot->tts_values[a] = dropped ? (Datum) 0 : dec.values[a][i];
			slot->tts_isnull[a] = dropped || (dec.nulls[a] != NULL && dec.nulls[a][i]);
		}
		ExecStoreVirtualTuple(slot);
		copy_row(wb, slot, desc);
		wb->count++;
		if (dropped)
			wb->dropped_rows++;
	}
	flush_buffer(wb);
	ExecDropSingleTupleTableSlot(slot);
	MemoryContextDelete(wb->ctx);
	MemoryContextDelete(wb->rows_ctx);
	pfree(wb);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(ctx);
}

/* flushes the buffers of rel that this subtransaction may flush */
void
columnar_flush_pending(Relation rel)
{
	WriteBuffer *wb = find_buffer(rel, GetCurrentSubTransactionId());

	if (wb != NULL)
		flush_buffer(wb);
}

/*
 * Writes out the rows this (sub)transaction holds in memory for rel if row
 * is one of them, so that it can be found, deleted or locked.  Rows already on disk
 * (the usual case for UPDATE and DELETE) leave the buffers filling, so an
 * UPDATE of many rows writes full row groups of new versions.
 */
void
columnar_flush_pending_row(Relation rel, uint64 row)
{
	ListCell   *lc;

	foreach(lc, buffers)
	{
		WriteBuffer *wb = lfirst(lc);

		if (wb->relid == RelationGetRelid(rel) && RelFileNodeEquals(wb->node, rel->rd_node) &&
			wb->subxid == GetCurrentSubTransactionId() && wb->reserved > 0 &&
			row >= wb->first_row && row - wb->first_row < wb->reserved)
		{
			flush_buffer(wb);
			return;
		}
	}
}

void
columnar_discard_pending(Relation rel)
{
	ListCell   *lc;

	foreach(lc, buffers)
	{
		WriteBuffer *wb = lfirst(lc);

		if (wb->relid == RelationGetRelid(rel))
			empty_buffer(wb);
	}
}

static void
flush_subxact(SubTransactionId subxid)
{
	ListCell   *lc;

	foreach(lc, buffers)
	{
		WriteBuffer *wb = lfirst(lc);

		if (wb->subxid == subxid)
			flush_buffer(wb);
	}
}

static void
forget_all(void)
{
	buffers = NIL;
	writer_context = NULL;		/* freed with TopTransactionContext */
}

static void
columnar_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PARALLEL_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			flush_subxact(GetCurrentSubTransactionId());
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			forget_all();
			break;
	}
}

static void
columnar_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						  SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	switch (event)
	{
		case SUBXACT_EVENT_PRE_COMMIT_SUB:
			flush_subxact(mySubid);
			break;
		case SUBXACT_EVENT_ABORT_SUB:
			foreach(lc, buffers)
			{
				WriteBuffer *wb = lfirst(lc);

				if (wb->subxid == mySubid)
					empty_buffer(wb);
			}
			break;
		default:
			break;
	}
}

static void
columnar_executor_end(QueryDesc *queryDesc)
{
	if (prev_executor_end)
		prev_executor_end(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
	if (buffers != NIL && IsTransactionState())
		flush_subxact(GetCurrentSubTransactionId());
}

void
columnar_writer_install(void)
{
	RegisterXactCallback(columnar_xact_callback, NULL);
	RegisterSubXactCallback(columnar_subxact_callback, NULL);
	prev_executor_end = ExecutorEnd_hook;
	ExecutorEnd_hook = columnar_executor_end;
}
