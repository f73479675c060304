/*
 * columnar_freespace.c
 *		The pages of row groups whose rows are all deleted: VACUUM frees
 *		them, new row groups use them again.
 *
 * Row groups are immutable and a row's TID is its row number, so plain
 * VACUUM cannot move live rows out of a row group.  What it can do is give
 * back a row group none of whose rows any snapshot can see any more: after
 * it has removed those rows' index entries, it deletes the group's catalog
 * row and deleted-row markers and records the group's pages in
 * datalayer.columnar_free_extent, all in its own transaction.
 *
 * The pages are not free at once.  A snapshot taken before that VACUUM
 * committed still sees the group's catalog row (though none of its rows),
 * so a scan under it may still read the pages.  Each free extent therefore
 * carries the freeing transaction's full xid, and a writer takes it only
 * once that xid is older than every snapshot of the database: the rule
 * nbtree applies before it recycles a deleted page.  Hot standbys learn of the
 * reuse from the same WAL record nbtree writes then (XLOG_BTREE_REUSE_PAGE):
 * its redo changes no page and only cancels the standby queries whose
 * snapshots predate that xid, which is exactly the conflict needed here.
 *
 * VACUUM also writes row groups again without the values of their dead
 * rows (columnar_drop_dead_rows) and frees their old pages the same way.
 *
 * Writers choose an extent with a dirty snapshot and claim it by deleting
 * its row without waiting: an extent another writer is claiming is skipped,
 * and an aborted writer's claim rolls back with the rest of its work, the
 * pages it wrote unreferenced.  Row numbers are never reused: a row group
 * written into old pages gets new ones, so a stale TID finds no group.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/nbtxlog.h"
#include "access/table.h"
#include "access/transam.h"
#include "access/xact.h"
#include "access/xloginsert.h"
#include "catalog/index.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "columnar/columnar.h"

#define Natts_free_extent 4

typedef struct FreeExtent
{
	uint64		first;
	uint64		count;
	FullTransactionId freed;
	ItemPointerData tid;		/* its catalog row */
	bool		takeable;		/* by a writer, now */
	bool		ours;			/* its row was written by this transaction */
} FreeExtent;

static int
compare_first(const void *a, const void *b)
{
	uint64		x = ((const FreeExtent *) a)->first;
	uint64		y = ((const FreeExtent *) b)->first;

	return (x > y) - (x < y);
}

static int
compare_count(const void *a, const void *b)
{
	uint64		x = ((const FreeExtent *) a)->count;
	uint64		y = ((const FreeExtent *) b)->count;

	if (x != y)
		return (x > y) - (x < y);
	return compare_first(a, b);
}

/* the pages a row group's data occupies (a group of no bytes still has one) */
static uint64
group_blocks(const ColumnarRowGroup *rg)
{
	return (Max(rg->data_length, 1) + COLUMNAR_PAGE_CAPACITY - 1) / COLUMNAR_PAGE_CAPACITY;
}

/* a catalog row of datalayer.columnar_free_extent */
static HeapTuple
extent_tuple(Relation crel, uint64 storage_id, uint64 first, uint64 count,
			 FullTransactionId freed, Datum *values, bool *nulls)
{
	values[0] = Int64GetDatum((int64) storage_id);
	values[1] = Int64GetDatum((int64) first);
	values[2] = Int32GetDatum((int32) count);
	values[3] = Int64GetDatum((int64) U64FromFullTransactionId(freed));
	memset(nulls, 0, sizeof(bool) * Natts_free_extent);
	return heap_form_tuple(RelationGetDescr(crel), values, nulls);
}

static void
insert_extent(Relation crel, Relation irel, uint64 storage_id, uint64 first, uint64 count,
			  FullTransactionId freed)
{
	Datum		values[Natts_free_extent];
	bool		nulls[Natts_free_extent];
	HeapTuple	tup = extent_tuple(crel, storage_id, first, count, freed, values, nulls);

	heap_insert(crel, tup, GetCurrentCommandId(true), 0, NULL);
	index_insert(irel, values, nulls, &tup->t_self, crel, UNIQUE_CHECK_YES, false,
				 BuildIndexInfo(irel));
	heap_freetuple(tup);
}

/*
 * Plain VACUUM runs with PROC_IN_VACUUM set, which tells every other
 * backend to leave its transaction out of their snapshots and horizons.
 * That is only sound while it writes nothing transactional: a catalog row
 * it inserted would look aborted to a concurrent reader (which may even
 * set the hint bit that says so) and then suddenly committed.  Before it
 * takes a transaction id to free row groups, VACUUM therefore becomes an
 * ordinary transaction, as VACUUM FULL always is.  Its xmin then holds
 * back other vacuums until it commits, which is a moment later.
 */
static void
leave_lazy_vacuum_state(void)
{
	Assert(!TransactionIdIsValid(GetTopTransactionIdIfAny()));
	LWLockAcquire(ProcArrayLock, LW_EXCLUSIVE);
	MyProc->statusFlags &= ~PROC_IN_VACUUM;
	ProcGlobal->statusFlags[MyProc->pgxactoff] = MyProc->statusFlags;
	LWLockRelease(ProcArrayLock);
}

/* the row groups of a file as the latest snapshot sees them */
static List *
latest_groups(Relation rel, uint64 storage_id)
{
	Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());
	List	   *groups = columnar_load_row_groups(rel, storage_id, snapshot);

	UnregisterSnapshot(snapshot);
	return groups;
}

/* VACUUM's transaction id, taken as an ordinary transaction's */
static FullTransactionId
vacuum_xid(void)
{
	if (MyProc->statusFlags & PROC_IN_VACUUM)
		leave_lazy_vacuum_state();
	return GetTopFullTransactionId();
}

/*
 * Records the n extents of pages that transaction me freed (neighbouring
 * ones become one); returns the pages.
 */
static uint64
record_freed(uint64 storage_id, FreeExtent *extents, int n, FullTransactionId me)
{
	Oid			catalog = columnar_catalog_relid("columnar_free_extent");
	Relation	crel = table_open(catalog, RowExclusiveLock);
	Relation	irel = index_open(columnar_catalog_index(catalog), RowExclusiveLock);
	uint64		blocks = 0;
	int			start = 0;
	int			i;

	qsort(extents, n, sizeof(FreeExtent), compare_first);
	for (i = 1; i <= n; i++)
	{
		if (i < n && extents[i].first == extents[i - 1].first + extents[i - 1].count)
			continue;
		insert_extent(crel, irel, storage_id, extents[start].first,
					  extents[i - 1].first + extents[i - 1].count - extents[start].first, me);
		start = i;
	}
	for (i = 0; i < n; i++)
		blocks += extents[i].count;
	index_close(irel, RowExclusiveLock);
	table_close(crel, RowExclusiveLock);
	CommandCounterIncrement();
	return blocks;
}

/*
 * VACUUM, after removing the index entries of the rows in dead: frees every
 * row group all of whose rows are in dead.  Returns how many it freed.
 */
uint32
columnar_free_dead_groups(Relation rel, const ColumnarDeletedSet *dead, uint64 *rows_freed,
						  uint64 *blocks_freed)
{
	uint64		storage_id = columnar_storage_id(rel);
	List	   *groups;
	FreeExtent *extents;
	ColumnarRowGroup **freeing;
	int			nextents = 0;
	int			i;
	ListCell   *lc;

	*rows_freed = 0;
	*blocks_freed = 0;
	if (dead->count == 0)
		return 0;
	groups = latest_groups(rel, storage_id);
	extents = palloc(sizeof(FreeExtent) * Max(list_length(groups), 1));
	freeing = palloc(sizeof(ColumnarRowGroup *) * Max(list_length(groups), 1));
	foreach(lc, groups)
	{
		ColumnarRowGroup *rg = lfirst(lc);

		if (rg->row_count == 0 ||
			columnar_deleted_in_range(dead, rg->first_row, rg->row_count) != (int) rg->row_count)
			continue;
		freeing[nextents] = rg;
		extents[nextents].first = rg->first_block;
		extents[nextents].count = group_blocks(rg);
		nextents++;
		*rows_freed += rg->row_count;
	}
	if (nextents > 0)
	{
		FullTransactionId me = vacuum_xid();

		for (i = 0; i < nextents; i++)
		{
			uint64		first = freeing[i]->first_row;

			CHECK_FOR_INTERRUPTS();
			columnar_delete_catalog_rows("columnar_row_group", storage_id, first, first + 1);
			columnar_delete_catalog_rows("columnar_deleted", storage_id, first,
										 first + freeing[i]->row_count);
		}

		*blocks_freed = record_freed(storage_id, extents, nextents, me);
	}
	pfree(extents);
	pfree(freeing);
	return (uint32) nextents;
}

/*
 * VACUUM, after columnar_free_dead_groups: the values of deleted rows in
 * row groups that keep live rows.  Rows cannot move (a TID is a position),
 * but a group can be written again with its dead rows as NULLs in every
 * column, which costs next to nothing once encoded; their markers stay, so
 * they stay deleted.  A group is rewritten when at least an eighth of its
 * rows have died since its values were last dropped (dropped_rows), so a
 * later VACUUM does not rewrite it again for the same rows.  Its catalog
 * row is updated, not overwritten: snapshots older than this VACUUM keep
 * reading the old version and its pages, which are freed with this
 * transaction's xid like a freed group's (neighbouring ones as one extent).
 * Returns the groups rewritten.
 */
uint32
columnar_drop_dead_rows(Relation rel, const ColumnarDeletedSet *dead, uint64 *rows_dropped,
						uint64 *blocks_freed)
{
	uint64		storage_id = columnar_storage_id(rel);
	List	   *groups;
	ListCell   *lc;
	FreeExtent *extents;
	int			nextents = 0;
	FullTransactionId me = InvalidFullTransactionId;

	*rows_dropped = 0;
	*blocks_freed = 0;
	if (dead->count == 0)
		return 0;
	groups = latest_groups(rel, storage_id);
	extents = palloc(sizeof(FreeExtent) * Max(list_length(groups), 1));
	foreach(lc, groups)
	{
		ColumnarRowGroup *rg = lfirst(lc);
		uint32		ndead = (uint32) columnar_deleted_in_range(dead, rg->first_row, rg->row_count);

		if (ndead >= rg->row_count || ndead <= rg->dropped_rows ||
			(uint64) (ndead - rg->dropped_rows) * 8 < rg->row_count)
			continue;
		CHECK_FOR_INTERRUPTS();
		if (nextents == 0)
			me = vacuum_xid();
		extents[nextents].first = rg->first_block;
		extents[nextents].count = group_blocks(rg);
		nextents++;
		columnar_rewrite_row_group(rel, rg, dead);
		*rows_dropped += ndead - rg->dropped_rows;
	}
	if (nextents > 0)
		*blocks_freed = record_freed(storage_id, extents, nextents, me);
	pfree(extents);
	return (uint32) nextents;
}

/*
 * Whether every snapshot of the database sees the transaction that freed an
 * extent as committed.  GlobalVis answers from boundaries it refreshes only
 * when this backend's snapshots have moved, which they do not while no
 * transaction id is assigned: a reader that ended since then is still
 * counted.  When it is unsure, the horizon is computed afresh.
 */
static bool
freed_before_all_snapshots(Relation crel, FullTransactionId freed)
{
	if (GlobalVisCheckRemovableFullXid(crel, freed))
		return true;
	/* not removable by the cached bounds: freed is recent, a 32-bit comparison holds */
	return TransactionIdPrecedes(XidFromFullTransactionId(freed),
								 GetOldestNonRemovableTransactionId(crel));
}

/*
 * The free extents of a file as a dirty snapshot sees them, each marked
 * whether a writer may take pages from it now.
 */
static FreeExtent *
load_extents(Relation crel, uint64 storage_id, int *count)
{
	SnapshotData dirty;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	int			capacity = 8;
	FreeExtent *result = palloc(sizeof(FreeExtent) * capacity);

	*count = 0;
	InitDirtySnapshot(dirty);
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum((int64) storage_id));
	scan = systable_beginscan(crel, columnar_catalog_index(RelationGetRelid(crel)), true,
							  &dirty, 1, &key);
	while ((tup = systable_getnext(scan)) != NULL)
	{
		Datum		values[Natts_free_extent];
		bool		nulls[Natts_free_extent];
		FreeExtent *e;

		if (*count == capacity)
		{
			capacity *= 2;
			result = repalloc(result, sizeof(FreeExtent) * capacity);
		}
		heap_deform_tuple(tup, RelationGetDescr(crel), values, nulls);
		e = &result[*count];
		e->first = (uint64) DatumGetInt64(values[1]);
		e->count = (uint64) DatumGetInt32(values[2]);
		e->freed = FullTransactionIdFromU64((uint64) DatumGetInt64(values[3]));
		e->tid = tup->t_self;
		e->ours = TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(tup->t_data));
		/*
		 * Not inserted or claimed by another running transaction, and old
		 * enough.  The snapshots that matter are those that can read our
		 * catalogs: this database's, as for any ordinary table (crel is one).
		 */
		e->takeable = !TransactionIdIsValid(dirty.xmin) && !TransactionIdIsValid(dirty.xmax) &&
			freed_before_all_snapshots(crel, e->freed);
		(*count)++;
	}
	systable_endscan(scan);
	return result;
}

/* a version of our own extent row with count pages, written over it */
static void
shrink_own_extent(Relation crel, uint64 storage_id, const FreeExtent *e, uint64 count)
{
	Datum		values[Natts_free_extent];
	bool		nulls[Natts_free_extent];
	HeapTuple	tup = extent_tuple(crel, storage_id, e->first, count, e->freed, values, nulls);

	tup->t_self = e->tid;
	heap_inplace_update(crel, tup);
	heap_freetuple(tup);
}

/*
 * Takes the last nblocks pages of extent e.  Another transaction's row is
 * deleted, without waiting (false if someone else is claiming it), and the
 * rest inserted anew under the same first block.  A row this transaction
 * wrote (such a rest) is shrunk in place: it exists for nobody else, and an
 * abort removes it whole; a fully used one stays behind with no pages.
 */
static bool
claim_extent(Relation crel, uint64 storage_id, const FreeExtent *e, BlockNumber nblocks)
{
	TM_FailureData tmfd;

	if (e->ours)
	{
		shrink_own_extent(crel, storage_id, e, e->count - nblocks);
		return true;
	}
	if (heap_delete(crel, (ItemPointer) &e->tid, GetCurrentCommandId(true), InvalidSnapshot,
					false, &tmfd, false) != TM_Ok)
		return false;
	if (e->count > nblocks)
	{
		Relation	irel = index_open(columnar_catalog_index(RelationGetRelid(crel)),
									  RowExclusiveLock);

		insert_extent(crel, irel, storage_id, e->first, e->count - nblocks, e->freed);
		index_close(irel, RowExclusiveLock);
	}
	return true;
}

/*
 * A writer about to write nblocks pages: the first of nblocks free pages
 * it now owns, or InvalidBlockNumber when no free extent is large enough.
 */
BlockNumber
columnar_take_free_extent(Relation rel, BlockNumber nblocks)
{
	uint64		storage_id = columnar_storage_id(rel);
	Relation	crel = table_open(columnar_catalog_relid("columnar_free_extent"), RowExclusiveLock);
	BlockNumber file_blocks = RelationGetNumberOfBlocks(rel);
	BlockNumber result = InvalidBlockNumber;
	int			count;
	FreeExtent *extents = load_extents(crel, storage_id, &count);
	FreeExtent *fits = palloc(sizeof(FreeExtent) * Max(count, 1));
	int			nfits = 0;
	int			i;

	for (i = 0; i < count; i++)
	{
		if (!extents[i].takeable)
			continue;
		if (extents[i].count == 0 && !extents[i].ours)
		{
			/* a used-up row of a past writer: tidy it away */
			TM_FailureData tmfd;

			(void) heap_delete(crel, &extents[i].tid, GetCurrentCommandId(true), InvalidSnapshot,
							   false, &tmfd, false);
			continue;
		}
		if (extents[i].count >= nblocks && extents[i].first > 0 &&
			extents[i].first + extents[i].count <= file_blocks)
			fits[nfits++] = extents[i];
	}
	/* the smallest that fits: large extents stay whole for large groups */
	qsort(fits, nfits, sizeof(FreeExtent), compare_count);
	for (i = 0; i < nfits && result == InvalidBlockNumber; i++)
	{
		if (!claim_extent(crel, storage_id, &fits[i], nblocks))
			continue;			/* another writer claimed it first */
		result = (BlockNumber) (fits[i].first + fits[i].count - nblocks);
		if (RelationNeedsWAL(rel) && XLogStandbyInfoActive())
		{
			/* cancel standby queries that may still read the old row group */
			xl_btree_reuse_page xlrec;

			xlrec.node = rel->rd_node;
			xlrec.block = result;
			xlrec.latestRemovedFullXid = fits[i].freed;
			XLogBeginInsert();
			XLogRegisterData((char *) &xlrec, SizeOfBtreeReusePage);
			XLogInsert(RM_BTREE_ID, XLOG_BTREE_REUSE_PAGE);
		}
	}
	table_close(crel, RowExclusiveLock);
	return result;
}

/* the free extents of rel's file, by first block, for introspection */
List *
columnar_free_extents(Relation rel)
{
	Relation	crel = table_open(columnar_catalog_relid("columnar_free_extent"), AccessShareLock);
	int			count;
	FreeExtent *extents = load_extents(crel, columnar_storage_id(rel), &count);
	List	   *result = NIL;
	int			i;

	qsort(extents, count, sizeof(FreeExtent), compare_first);
	for (i = 0; i < count; i++)
	{
		ColumnarFreeExtent *e;

		if (extents[i].count == 0)
			continue;
		e = palloc(sizeof(ColumnarFreeExtent));
		e->first_block = extents[i].first;
		e->blocks = extents[i].count;
		e->reusable = extents[i].takeable;
		result = lappend(result, e);
	}
	table_close(crel, AccessShareLock);
	return result;
}
