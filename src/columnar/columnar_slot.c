/*
 * columnar_slot.c
 *		A tuple slot whose columns are decoded when a query first asks for
 *		them.
 *
 * A single-row read (an index fetch, the old version of an UPDATE) would
 * otherwise decode every column of the row's row group to return one row,
 * most of which the query never looks at.  This slot is a virtual slot that
 * remembers where its row lies (a ColumnarRowSource and a position) and
 * decodes a column of the row group only when the executor's getsomeattrs
 * reaches it; the decoded column then serves every later row of that row
 * group.  Values point into the source's memory, as they do for any virtual
 * slot filled by a scan, so the row is valid until the source moves to
 * another row group: materialising the slot copies it out.  A slot whose
 * source has moved on reports an error instead of reading another group's
 * values.
 */
#include "postgres.h"

#include "access/sysattr.h"
#include "executor/tuptable.h"
#include "nodes/bitmapset.h"

#include "columnar/columnar.h"

typedef struct ColumnarSlot
{
	VirtualTupleTableSlot base;
	ColumnarRowSource *source;	/* NULL: all values present */
	uint64		generation;		/* source->generation when stored */
	uint32		pos;			/* row within source's row group */
	TransactionId xmin;			/* the writer, when a row lock reported it */
} ColumnarSlot;

static TupleTableSlotOps slot_ops;
static bool slot_ops_ready = false;

static void
columnar_slot_clear(TupleTableSlot *slot)
{
	((ColumnarSlot *) slot)->source = NULL;
	((ColumnarSlot *) slot)->xmin = InvalidTransactionId;
	TTSOpsVirtual.clear(slot);
}

/*
 * Rows have no tuple headers; only the inserting transaction of a row that
 * a lock found written by the locking command is known (ON CONFLICT DO
 * UPDATE reads it to report a row affected twice).
 */
static Datum
columnar_slot_getsysattr(TupleTableSlot *slot, int attnum, bool *isnull)
{
	ColumnarSlot *cs = (ColumnarSlot *) slot;

	if (attnum == MinTransactionIdAttributeNumber && TransactionIdIsValid(cs->xmin))
	{
		*isnull = false;
		return TransactionIdGetDatum(cs->xmin);
	}
	return TTSOpsVirtual.getsysattr(slot, attnum, isnull);
}

void
columnar_slot_set_xmin(TupleTableSlot *slot, TransactionId xmin)
{
	if (slot->tts_ops == columnar_slot_ops())
		((ColumnarSlot *) slot)->xmin = xmin;
}

/* column a of row pos of src's row group into slot, decoding the column first if need be */
static inline void
read_column(ColumnarRowSource *src, int a, uint32 pos, TupleTableSlot *slot)
{
	columnar_read_value(src->rel, src->group, a, pos, src->decoded, src->nblocks,
						&slot->tts_values[a], &slot->tts_isnull[a]);
}

static void
columnar_slot_getsomeattrs(TupleTableSlot *slot, int natts)
{
	ColumnarSlot *cs = (ColumnarSlot *) slot;
	ColumnarRowSource *src = cs->source;
	int			a;

	if (src == NULL)
		elog(ERROR, "columnar slot has no values to fetch");
	if (src->generation != cs->generation)
		elog(ERROR, "columnar row is no longer available: its row group was released");
	for (a = slot->tts_nvalid; a < natts; a++)
	{
		if (src->columns != NULL &&
			!bms_is_member(a + 1 - FirstLowInvalidHeapAttributeNumber, src->columns))
		{
			/* not read by the plan node this row goes to */
			slot->tts_values[a] = (Datum) 0;
			slot->tts_isnull[a] = true;
			continue;
		}
		read_column(src, a, cs->pos, slot);
	}
	slot->tts_nvalid = natts;
}

/* every column present: what the virtual slot's callbacks expect */
static void
fetch_all(TupleTableSlot *slot)
{
	if (((ColumnarSlot *) slot)->source != NULL &&
		slot->tts_nvalid < slot->tts_tupleDescriptor->natts)
		columnar_slot_getsomeattrs(slot, slot->tts_tupleDescriptor->natts);
}

static void
columnar_slot_materialize(TupleTableSlot *slot)
{
	fetch_all(slot);
	TTSOpsVirtual.materialize(slot);
	((ColumnarSlot *) slot)->source = NULL;
}

/* a heap tuple of the row, carrying its TID (ANALYZE orders its sample by it) */
static HeapTuple
columnar_slot_copy_heap_tuple(TupleTableSlot *slot)
{
	HeapTuple	tuple;

	fetch_all(slot);
	tuple = TTSOpsVirtual.copy_heap_tuple(slot);
	tuple->t_self = slot->tts_tid;
	tuple->t_tableOid = slot->tts_tableOid;
	return tuple;
}

static MinimalTuple
columnar_slot_copy_minimal_tuple(TupleTableSlot *slot)
{
	fetch_all(slot);
	return TTSOpsVirtual.copy_minimal_tuple(slot);
}

/* a copy keeps the row's TID, as a heap tuple's copy does (logical replication locks by it) */
static void
columnar_slot_copyslot(TupleTableSlot *dstslot, TupleTableSlot *srcslot)
{
	((ColumnarSlot *) dstslot)->source = NULL;
	TTSOpsVirtual.copyslot(dstslot, srcslot);
	dstslot->tts_tid = srcslot->tts_tid;
	dstslot->tts_tableOid = srcslot->tts_tableOid;
}

const TupleTableSlotOps *
columnar_slot_ops(void)
{
	if (!slot_ops_ready)
	{
		slot_ops = TTSOpsVirtual;
		slot_ops.base_slot_size = sizeof(ColumnarSlot);
		slot_ops.clear = columnar_slot_clear;
		slot_ops.getsomeattrs = columnar_slot_getsomeattrs;
		slot_ops.getsysattr = columnar_slot_getsysattr;
		slot_ops.materialize = columnar_slot_materialize;
		slot_ops.copyslot = columnar_slot_copyslot;
		slot_ops.copy_heap_tuple = columnar_slot_copy_heap_tuple;
		slot_ops.copy_minimal_tuple = columnar_slot_copy_minimal_tuple;
		slot_ops_ready = true;
	}
	return &slot_ops;
}

/*
 * Stores row pos of src's row group in slot, decoding columns only as they
 * are asked for when slot is a columnar slot, and all of them otherwise.
 */
void
columnar_slot_store_row(TupleTableSlot *slot, ColumnarRowSource *src, uint32 pos)
{
	int			natts = slot->tts_tupleDescriptor->natts;

	ExecClearTuple(slot);
	if (slot->tts_ops == columnar_slot_ops())
	{
		ColumnarSlot *cs = (ColumnarSlot *) slot;

		cs->source = src;
		cs->generation = src->generation;
		cs->pos = pos;
		slot->tts_flags &= ~TTS_FLAG_EMPTY;
		slot->tts_nvalid = 0;
		return;
	}
	for (int a = 0; a < natts; a++)
		read_column(src, a, pos, slot);
	ExecStoreVirtualTuple(slot);
}
