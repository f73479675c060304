/*
 * columnar_logical.c
 *		Logical decoding (and so logical replication) of columnar tables.
 *
 * Logical decoding understands only heap WAL records: it rebuilds each
 * change from the tuple an XLOG_HEAP_INSERT, _UPDATE or _DELETE record
 * carries and finds the table by the relation file of the record's first
 * block.  Row groups are written with records of their own, which decoding
 * skips, so with wal_level = logical every change to a columnar table is
 * also written as the heap record decoding expects: the new row as block
 * data, the old row's replica identity as main data, exactly as heapam
 * lays them out.
 *
 * The record's block is the table's metapage, registered with a forced
 * full-page image of the page as it is.  Redo (crash recovery, physical
 * standbys) restores that image, which changes nothing, and never applies
 * the heap change to a columnar page; decoding reads only the tuple.  The
 * metapage image is small (the page is almost all hole), so the cost is
 * about that of the row itself.  The tuple must fit in one block's data
 * (64 kB): larger rows of a logically logged columnar table are refused.
 *
 * An UPDATE is logged as an update (old key and new row), a DELETE with the
 * old key, an INSERT when the row is inserted (an ON CONFLICT insert once
 * its speculative insertion succeeds); TRUNCATE is logged by PostgreSQL
 * itself.  Changes of aborted (sub)transactions are discarded by decoding.
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/heapam_xlog.h"
#include "access/htup_details.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "access/xloginsert.h"
#include "catalog/catalog.h"
#include "catalog/pg_class.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"
#include "utils/relcache.h"

#include "columnar/columnar.h"

/* the largest tuple one block reference can carry */
#define MAX_LOGGED_TUPLE (PG_UINT16_MAX - SizeOfHeapHeader - 64)

bool
columnar_logically_logged(Relation rel)
{
	return RelationIsLogicallyLogged(rel);
}

static HeapTuple
row_tuple(Relation rel, TupleTableSlot *slot, const Bitmapset *only)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Datum	   *values = palloc(sizeof(Datum) * Max(desc->natts, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(desc->natts, 1));
	HeapTuple	tuple;

	slot_getallattrs(slot);
	for (int a = 0; a < desc->natts; a++)
	{
		bool		keep = only == NULL ||
			bms_is_member(a + 1 - FirstLowInvalidHeapAttributeNumber, only);

		values[a] = slot->tts_values[a];
		nulls[a] = slot->tts_isnull[a] || !keep || TupleDescAttr(desc, a)->attisdropped;
		/* a value still in another table's TOAST (INSERT ... SELECT): decoding needs it inline */
		if (!nulls[a] && TupleDescAttr(desc, a)->attlen == -1 &&
			VARATT_IS_EXTERNAL(DatumGetPointer(values[a])))
			values[a] = PointerGetDatum(detoast_external_attr((struct varlena *) DatumGetPointer(values[a])));
	}
	tuple = heap_form_tuple(desc, values, nulls);
	if (tuple->t_len - SizeofHeapTupleHeader > MAX_LOGGED_TUPLE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("row of columnar table \"%s\" is too large for logical decoding",
						RelationGetRelationName(rel)),
				 errdetail("The row takes %u bytes; with wal_level = logical a columnar row may take at most %u.",
						   (unsigned) (tuple->t_len - SizeofHeapTupleHeader),
						   (unsigned) MAX_LOGGED_TUPLE),
				 errhint("Store such rows in a heap table, or set wal_level to replica.")));
	return tuple;
}

/*
 * The old row's replica identity as heap logs it, or NULL (REPLICA
 * IDENTITY NOTHING, or DEFAULT without a primary key); *full tells whether
 * it is the whole row.
 */
static HeapTuple
old_identity(Relation rel, ItemPointer otid, bool *full)
{
	char		ident = rel->rd_rel->relreplident;
	Bitmapset  *key = NULL;
	TupleTableSlot *slot;
	HeapTuple	tuple;

	*full = (ident == REPLICA_IDENTITY_FULL);
	if (ident == REPLICA_IDENTITY_NOTHING)
		return NULL;
	if (!*full)
	{
		key = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_IDENTITY_KEY);
		if (key == NULL)
			return NULL;
	}
	slot = MakeSingleTupleTableSlot(RelationGetDescr(rel), columnar_slot_ops());
	if (!table_tuple_fetch_row_version(rel, otid, SnapshotAny, slot))
		elog(ERROR, "could not find the old version of a row of columnar table \"%s\"",
			 RelationGetRelationName(rel));
	tuple = row_tuple(rel, slot, key);
	ExecDropSingleTupleTableSlot(slot);
	return tuple;
}

static void
fill_header(xl_heap_header *hdr, HeapTuple tuple)
{
	hdr->t_infomask2 = tuple->t_data->t_infomask2;
	hdr->t_infomask = tuple->t_data->t_infomask;
	hdr->t_hoff = tuple->t_data->t_hoff;
}

/*
 * Inserts the record assembled so far (main data registered by the caller)
 * with the metapage as block 0, carrying block data when given.
 */
static void
insert_record(Relation rel, uint8 info, xl_heap_header *hdr, HeapTuple tuple)
{
	Buffer		buf = ReadBuffer(rel, 0);
	Page		page;
	XLogRecPtr	recptr;

	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	page = BufferGetPage(buf);
	START_CRIT_SECTION();
	MarkBufferDirty(buf);
	XLogRegisterBuffer(0, buf, REGBUF_STANDARD | REGBUF_FORCE_IMAGE | REGBUF_KEEP_DATA);
	if (tuple != NULL)
	{
		XLogRegisterBufData(0, (char *) hdr, SizeOfHeapHeader);
		XLogRegisterBufData(0, (char *) tuple->t_data + SizeofHeapTupleHeader,
							tuple->t_len - SizeofHeapTupleHeader);
	}
	XLogSetRecordFlags(XLOG_INCLUDE_ORIGIN);
	recptr = XLogInsert(RM_HEAP_ID, info);
	PageSetLSN(page, recptr);
	END_CRIT_SECTION();
	UnlockReleaseBuffer(buf);
}

void
columnar_log_insert(Relation rel, TupleTableSlot *slot, uint64 row)
{
	HeapTuple	tuple = row_tuple(rel, slot, NULL);
	xl_heap_insert xlrec;
	xl_heap_header hdr;

	(void) GetCurrentTransactionId();
	xlrec.offnum = (OffsetNumber) (row % COLUMNAR_ROWS_PER_BLOCK + 1);
	xlrec.flags = XLH_INSERT_CONTAINS_NEW_TUPLE;
	fill_header(&hdr, tuple);
	XLogBeginInsert();
	XLogRegisterData((char *) &xlrec, SizeOfHeapInsert);
	insert_record(rel, XLOG_HEAP_INSERT, &hdr, tuple);
	heap_freetuple(tuple);
}

/* the old row's header and data, after the record's main data (its header in hdr) */
static void
register_old_tuple(xl_heap_header *hdr, HeapTuple old)
{
	fill_header(hdr, old);
	XLogRegisterData((char *) hdr, SizeOfHeapHeader);
	XLogRegisterData((char *) old->t_data + SizeofHeapTupleHeader,
					 old->t_len - SizeofHeapTupleHeader);
}

void
columnar_log_delete(Relation rel, ItemPointer otid)
{
	bool		full;
	HeapTuple	old = old_identity(rel, otid, &full);
	xl_heap_delete xlrec;
	xl_heap_header hdr;

	xlrec.xmax = GetCurrentTransactionId();
	xlrec.offnum = ItemPointerGetOffsetNumber(otid);
	xlrec.infobits_set = 0;
	xlrec.flags = old == NULL ? 0 :
		full ? XLH_DELETE_CONTAINS_OLD_TUPLE : XLH_DELETE_CONTAINS_OLD_KEY;
	XLogBeginInsert();
	XLogRegisterData((char *) &xlrec, SizeOfHeapDelete);
	if (old != NULL)
		register_old_tuple(&hdr, old);
	insert_record(rel, XLOG_HEAP_DELETE, NULL, NULL);
	if (old != NULL)
		heap_freetuple(old);
}

void
columnar_log_update(Relation rel, ItemPointer otid, TupleTableSlot *slot, uint64 new_row)
{
	bool		full;
	HeapTuple	old = old_identity(rel, otid, &full);
	HeapTuple	tuple = row_tuple(rel, slot, NULL);
	xl_heap_update xlrec;
	xl_heap_header oldhdr;
	xl_heap_header hdr;

	xlrec.old_xmax = GetCurrentTransactionId();
	xlrec.old_offnum = ItemPointerGetOffsetNumber(otid);
	xlrec.old_infobits_set = 0;
	xlrec.new_xmax = InvalidTransactionId;
	xlrec.new_offnum = (OffsetNumber) (new_row % COLUMNAR_ROWS_PER_BLOCK + 1);
	xlrec.flags = XLH_UPDATE_CONTAINS_NEW_TUPLE;
	if (old != NULL)
		xlrec.flags |= full ? XLH_UPDATE_CONTAINS_OLD_TUPLE : XLH_UPDATE_CONTAINS_OLD_KEY;
	fill_header(&hdr, tuple);
	XLogBeginInsert();
	XLogRegisterData((char *) &xlrec, SizeOfHeapUpdate);
	if (old != NULL)
		register_old_tuple(&oldhdr, old);
	insert_record(rel, XLOG_HEAP_UPDATE, &hdr, tuple);
	heap_freetuple(tuple);
	if (old != NULL)
		heap_freetuple(old);
}
