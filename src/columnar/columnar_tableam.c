/*
 * columnar_tableam.c
 *		The datalayer_columnar table access method: PostgreSQL's table AM
 *		callbacks over row groups (columnar_reader.c, columnar_writer.c) and
 *		the catalog rows that make them transactional (columnar_meta.c,
 *		columnar_deleted.c).
 *
 * Visibility: a row is visible to a snapshot when the catalog row of its
 * row group is and no deleted-row marker of it is.  Sequential scans read
 * the list of row groups and the markers once, at the start, with the
 * scan's snapshot, and then decode whole row groups.  Single-row access
 * (index fetches, DML, row locks) probes the catalogs with the caller's
 * snapshot, which for SnapshotDirty also reports the in-progress writer a
 * unique check must wait for.
 *
 * Row locks and deletions: DELETE and UPDATE take the row's heavyweight
 * tuple lock, look for a marker written by anyone (a dirty read), wait for
 * a running marker writer, and then either report the row as already
 * deleted or insert their own marker and drop the tuple lock.  SELECT ...
 * FOR UPDATE/SHARE and ON CONFLICT DO UPDATE keep the tuple lock until the
 * transaction ends, which makes deleters and other lockers wait.  An
 * updated row has no forward link to its new version, so a concurrent
 * update in READ COMMITTED is reported as a serialization failure instead
 * of being re-evaluated (heap follows the update chain there).
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/multixact.h"
#include "access/relscan.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/storage.h"
#include "catalog/storage_xlog.h"
#include "commands/progress.h"
#include "commands/vacuum.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "storage/procarray.h"
#include "storage/smgr.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/tuplesort.h"
#include "utils/typcache.h"
#include "utils/snapmgr.h"

#include "columnar/columnar.h"
#include "columnar/columnar_scan.h"

PG_FUNCTION_INFO_V1(columnar_handler);

static const TableAmRoutine columnar_methods;

bool
columnar_is_columnar(Relation rel)
{
	return rel != NULL && rel->rd_tableam == &columnar_methods;
}

/* storage id of the relation's current file, cached in rd_amcache */
uint64
columnar_storage_id(Relation rel)
{
	if (rel->rd_amcache == NULL)
	{
		uint64	   *cache = MemoryContextAlloc(CacheMemoryContext, sizeof(uint64));

		*cache = columnar_read_metapage(rel).storage_id;
		rel->rd_amcache = cache;
	}
	return *(uint64 *) rel->rd_amcache;
}

/* ---------------------------------------------------------------------
 * Sequential scans
 * ---------------------------------------------------------------------
 */

typedef struct ColumnarParallelScan
{
	ParallelTableScanDescData base;
	pg_atomic_uint64 next_group;
	/* row groups decoded and skipped by all the processes, for EXPLAIN */
	pg_atomic_uint64 groups_read;
	pg_atomic_uint64 groups_skipped;
} ColumnarParallelScan;

void
columnar_parallel_counts(ParallelTableScanDesc pscan, uint64 *read, uint64 *skipped)
{
	ColumnarParallelScan *p = (ColumnarParallelScan *) pscan;

	*read = pg_atomic_read_u64(&p->groups_read);
	*skipped = pg_atomic_read_u64(&p->groups_skipped);
}

static const TupleTableSlotOps *
columnar_slot_callbacks(Relation rel)
{
	return columnar_slot_ops();
}

/*
 * The snapshot deleted-row markers are read with for a scan with snapshot:
 * the scan's own when it is an MVCC snapshot, else the latest one, or,
 * inside a parallel operation (a parallel CREATE INDEX), which cannot take
 * snapshots, the markers this transaction or a committed one wrote.
 */
static Snapshot
markers_snapshot(Snapshot snapshot)
{
	if (snapshot != NULL && IsMVCCSnapshot(snapshot))
		return snapshot;
	if (IsInParallelMode())
		return SnapshotSelf;
	return GetLatestSnapshot();
}

ColumnarScanDesc
columnar_begin_read(Relation rel, Snapshot snapshot, const Bitmapset *attrs,
					ParallelTableScanDesc pscan, uint32 flags)
{
	ColumnarScanDesc scan = palloc0(sizeof(ColumnarScanDescData));
	MemoryContext old;

	scan->base.rs_rd = rel;
	scan->base.rs_snapshot = snapshot;
	scan->base.rs_nkeys = 0;
	scan->base.rs_flags = flags;
	scan->base.rs_parallel = pscan;
	scan->ctx = AllocSetContextCreate(CurrentMemoryContext, "columnar scan", ALLOCSET_DEFAULT_SIZES);
	if (!IsInParallelMode())
		columnar_flush_pending(rel);
	old = MemoryContextSwitchTo(scan->ctx);
	scan->attrs = attrs ? bms_copy(attrs) : NULL;
	scan->storage_id = columnar_storage_id(rel);
	scan->groups = columnar_load_row_groups(rel, scan->storage_id,
											snapshot ? snapshot : GetActiveSnapshot());
	scan->deleted = columnar_load_deleted(scan->storage_id, markers_snapshot(snapshot));
	MemoryContextSwitchTo(old);
	scan->next_group = 0;
	scan->nblocks = RelationGetNumberOfBlocks(rel);
	scan->current = -1;
	return scan;
}

static TableScanDesc
columnar_scan_begin(Relation rel, Snapshot snapshot, int nkeys, struct ScanKeyData *key,
					ParallelTableScanDesc pscan, uint32 flags)
{
	ColumnarScanDesc scan = columnar_begin_read(rel, snapshot, NULL, pscan, flags);

	return &scan->base;
}

static void
columnar_scan_end(TableScanDesc sscan)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;

	if (scan->base.rs_flags & SO_TEMP_SNAPSHOT)
		UnregisterSnapshot(scan->base.rs_snapshot);
	MemoryContextDelete(scan->ctx);
	pfree(scan);
}

static void
columnar_scan_rescan(TableScanDesc sscan, struct ScanKeyData *key, bool set_params,
					 bool allow_strat, bool allow_sync, bool allow_pagemode)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;

	scan->next_group = 0;
	scan->current = -1;
	scan->pos = 0;
}

/* the next row group this scan reads, or -1 */
static int
claim_group(ColumnarScanDesc scan)
{
	int			n = list_length(scan->groups);

	if (scan->base.rs_parallel != NULL)
	{
		ColumnarParallelScan *p = (ColumnarParallelScan *) scan->base.rs_parallel;
		uint64		g = pg_atomic_fetch_add_u64(&p->next_group, 1);

		return g < (uint64) n ? (int) g : -1;
	}
	return scan->next_group < n ? scan->next_group++ : -1;
}

/* decodes the next row group the skip callback does not exclude; false at the end */
bool
columnar_next_row_group(ColumnarScanDesc scan)
{
	for (;;)
	{
		int			g = claim_group(scan);
		ColumnarRowGroup *rg;

		if (g < 0)
			return false;
		rg = list_nth(scan->groups, g);
		if (scan->skip != NULL && scan->skip(rg, scan->skip_arg))
		{
			scan->groups_skipped++;
			if (scan->base.rs_parallel != NULL)
				pg_atomic_fetch_add_u64(&((ColumnarParallelScan *) scan->base.rs_parallel)->groups_skipped, 1);
			continue;
		}
		if (rg->row_count > 0 &&
			columnar_deleted_in_range(scan->deleted, rg->first_row, rg->row_count) == (int) rg->row_count)
			continue;
		columnar_decoded_reset(&scan->decoded, scan->ctx, RelationGetDescr(scan->base.rs_rd)->natts);
		columnar_decode_columns(scan->base.rs_rd, rg, scan->attrs, &scan->decoded, &scan->nblocks);
		scan->groups_read++;
		if (scan->base.rs_parallel != NULL)
			pg_atomic_fetch_add_u64(&((ColumnarParallelScan *) scan->base.rs_parallel)->groups_read, 1);
		scan->current = g;
		scan->pos = 0;
		scan->group_has_deleted =
			columnar_deleted_in_range(scan->deleted, rg->first_row, rg->row_count) > 0;
		return true;
	}
}

/* fills slot with row pos of the decoded group */
static void
fill_slot(ColumnarScanDesc scan, TupleTableSlot *slot, uint32 pos)
{
	ColumnarDecoded *dec = &scan->decoded;
	int			natts = slot->tts_tupleDescriptor->natts;
	int			a;

	ExecClearTuple(slot);
	for (a = 0; a < natts; a++)
	{
		if (a < dec->natts && dec->loaded[a])
		{
			slot->tts_values[a] = dec->values[a][pos];
			slot->tts_isnull[a] = dec->nulls[a] ? dec->nulls[a][pos] : false;
		}
		else
		{
			slot->tts_values[a] = (Datum) 0;
			slot->tts_isnull[a] = true;
		}
	}
	ExecStoreVirtualTuple(slot);
	slot->tts_tableOid = RelationGetRelid(scan->base.rs_rd);
	columnar_row_to_tid(dec->first_row + pos, &slot->tts_tid);
}

bool
columnar_read_next(ColumnarScanDesc scan, TupleTableSlot *slot)
{
	for (;;)
	{
		if (scan->current < 0 || scan->pos >= scan->decoded.count)
		{
			if (!columnar_next_row_group(scan))
				return false;
		}
		while (scan->pos < scan->decoded.count)
		{
			uint32		pos = scan->pos++;

			if (scan->group_has_deleted &&
				columnar_deleted_contains(scan->deleted, scan->decoded.first_row + pos))
				continue;
			fill_slot(scan, slot, pos);
			return true;
		}
	}
}

static bool
columnar_scan_getnextslot(TableScanDesc sscan, ScanDirection direction, TupleTableSlot *slot)
{
	if (direction == BackwardScanDirection)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("columnar tables cannot be scanned backwards"),
				 errhint("Declare the cursor without SCROLL.")));
	return columnar_read_next((ColumnarScanDesc) sscan, slot);
}

static Size
columnar_parallelscan_estimate(Relation rel)
{
	return sizeof(ColumnarParallelScan);
}

static Size
columnar_parallelscan_initialize(Relation rel, ParallelTableScanDesc pscan)
{
	ColumnarParallelScan *p = (ColumnarParallelScan *) pscan;

	p->base.phs_relid = RelationGetRelid(rel);
	p->base.phs_syncscan = false;
	pg_atomic_init_u64(&p->next_group, 0);
	pg_atomic_init_u64(&p->groups_read, 0);
	pg_atomic_init_u64(&p->groups_skipped, 0);
	return sizeof(ColumnarParallelScan);
}

static void
columnar_parallelscan_reinitialize(Relation rel, ParallelTableScanDesc pscan)
{
	ColumnarParallelScan *p = (ColumnarParallelScan *) pscan;

	pg_atomic_write_u64(&p->next_group, 0);
	pg_atomic_write_u64(&p->groups_read, 0);
	pg_atomic_write_u64(&p->groups_skipped, 0);
}

/* ---------------------------------------------------------------------
 * Single rows: index fetches, row versions, snapshots
 * ---------------------------------------------------------------------
 */

/*
 * A row group an index fetch has visited: its catalog entry, the columns
 * decoded so far, and the deleted-row markers visible to the snapshot it
 * was last checked with.
 */
typedef struct FetchGroup
{
	ColumnarRowGroup *group;	/* NULL: slot unused */
	uint64		storage_id;		/* of the file group is in */
	ColumnarDecoded decoded;
	ColumnarRowSource source;
	Snapshot	cached_snapshot;
	CommandId	cached_curcid;
	MemoryContext deleted_ctx;
	ColumnarDeletedSet *deleted;
	uint64		last_used;
} FetchGroup;

/*
 * Fetches keep the last few row groups they visited, so that index entries
 * alternating between row groups (an updated row's old and new versions,
 * two series stored apart) do not decode and look up the same groups over
 * and over.
 */
#define FETCH_GROUPS 4

typedef struct ColumnarIndexFetch
{
	IndexFetchTableData base;
	Oid			relid;
	MemoryContext ctx;
	MemoryContext scratch_ctx;	/* catalog lookups of one fetch */
	BlockNumber nblocks;
	const Bitmapset *columns;	/* the only columns read, or NULL: all */
	FetchGroup groups[FETCH_GROUPS];
	uint64		clock;
	FetchGroup *last;			/* the group of the last fetched row */
	bool		revisits;		/* a fetch went back to an earlier row group */
	TransactionId dead_horizon; /* deletions before it are seen by every
								 * snapshot; computed once, when needed */
} ColumnarIndexFetch;

static ColumnarIndexFetch *
index_fetch_create(Relation rel, MemoryContext parent)
{
	ColumnarIndexFetch *f = MemoryContextAllocZero(parent, sizeof(ColumnarIndexFetch));

	f->base.rel = rel;
	f->relid = RelationGetRelid(rel);
	f->ctx = AllocSetContextCreate(parent, "columnar index fetch", ALLOCSET_DEFAULT_SIZES);
	f->scratch_ctx = AllocSetContextCreate(f->ctx, "columnar index fetch lookups",
										   ALLOCSET_SMALL_SIZES);
	for (int i = 0; i < FETCH_GROUPS; i++)
		f->groups[i].deleted_ctx = AllocSetContextCreate(f->ctx, "columnar index fetch markers",
														 ALLOCSET_SMALL_SIZES);
	return f;
}

static IndexFetchTableData *
columnar_index_fetch_begin(Relation rel)
{
	ColumnarIndexFetch *f = index_fetch_create(rel, CurrentMemoryContext);

	return &f->base;
}

/* forgets which snapshot the kept groups' markers were checked with */
static void
forget_snapshots(ColumnarIndexFetch *f)
{
	for (int i = 0; i < FETCH_GROUPS; i++)
		f->groups[i].cached_snapshot = NULL;
}

static void
columnar_index_fetch_reset(IndexFetchTableData *scan)
{
	forget_snapshots((ColumnarIndexFetch *) scan);
}

/* rows fetched from now on read only columns (see columnar_indexscan.c) */
void
columnar_index_fetch_set_columns(IndexFetchTableData *scan, const Bitmapset *columns)
{
	ColumnarIndexFetch *f = (ColumnarIndexFetch *) scan;

	if (scan == NULL || !columnar_is_columnar(scan->rel))
		return;
	f->columns = columns;
	for (int i = 0; i < FETCH_GROUPS; i++)
		f->groups[i].source.columns = columns;
}

static void
columnar_index_fetch_end(IndexFetchTableData *scan)
{
	ColumnarIndexFetch *f = (ColumnarIndexFetch *) scan;

	MemoryContextDelete(f->ctx);
	pfree(f);
}

/* the kept group holding row of file storage_id, or NULL */
static FetchGroup *
kept_group(ColumnarIndexFetch *f, uint64 storage_id, uint64 row)
{
	for (int i = 0; i < FETCH_GROUPS; i++)
	{
		FetchGroup *g = &f->groups[i];

		if (g->group != NULL && g->storage_id == storage_id && row >= g->group->first_row &&
			row - g->group->first_row < g->group->row_count)
			return g;
	}
	return NULL;
}

/*
 * Keeps rg, with no column decoded yet.  While fetches only move forward
 * through the table (an index in storage order), the last group's memory
 * is reused, as one group at a time is all they need; once a fetch has
 * gone back to an earlier row group, the least recently used of
 * FETCH_GROUPS is replaced instead.
 */
static FetchGroup *
keep_group(ColumnarIndexFetch *f, const ColumnarRowGroup *rg, uint64 storage_id)
{
	Relation	rel = f->base.rel;
	FetchGroup *g = &f->groups[0];
	MemoryContext old;
	ColumnarRowGroup *copy;

	if (f->last != NULL && f->last->group != NULL &&
		(f->last->storage_id != storage_id || rg->first_row < f->last->group->first_row))
		f->revisits = true;
	if (!f->revisits && f->last != NULL)
		g = f->last;
	else
	{
		for (int i = 1; i < FETCH_GROUPS; i++)
		{
			if (g->group == NULL)
				break;
			if (f->groups[i].group == NULL || f->groups[i].last_used < g->last_used)
				g = &f->groups[i];
		}
	}
	columnar_decoded_reset(&g->decoded, f->ctx, RelationGetDescr(rel)->natts);
	old = MemoryContextSwitchTo(g->decoded.ctx);
	copy = palloc(sizeof(ColumnarRowGroup));
	*copy = *rg;
	copy->columns = palloc(sizeof(ColumnarChunkMeta) * Max(rg->natts, 1));
	memcpy(copy->columns, rg->columns, sizeof(ColumnarChunkMeta) * rg->natts);
	MemoryContextSwitchTo(old);
	g->decoded.first_row = copy->first_row;
	g->decoded.count = copy->row_count;
	g->group = copy;
	g->storage_id = storage_id;
	g->source.rel = rel;
	g->source.group = copy;
	g->source.decoded = &g->decoded;
	g->source.nblocks = &f->nblocks;
	g->source.columns = f->columns;
	/* slots still pointing at the group this one replaces must not read on */
	g->source.generation++;
	g->cached_snapshot = NULL;
	MemoryContextReset(g->deleted_ctx);
	g->deleted = NULL;
	return g;
}

/*
 * Fetches row into slot if snapshot sees it; a columnar slot gets the
 * columns decoded as the query asks for them.  For an MVCC snapshot, a
 * kept row group's visibility and markers are reused while the snapshot
 * and command stay the same, so the rows of an index range cost no catalog
 * lookups.  For SnapshotDirty, a row of a running writer (even one still
 * in its memory) counts as visible, with the writer's xid in
 * snapshot->xmin, and a row a running transaction is deleting as visible
 * with the deleter in snapshot->xmax, as heap reports them.  With all_dead,
 * a row deleted for every snapshot says so, and the index marks its entry
 * dead (LP_DEAD), so that later scans pass it by.
 */
static bool
fetch_row(ColumnarIndexFetch *f, uint64 row, Snapshot snapshot, TupleTableSlot *slot,
		  bool *all_dead)
{
	Relation	rel = f->base.rel;
	uint64		storage_id = columnar_storage_id(rel);
	bool		mvcc = IsMVCCSnapshot(snapshot);
	FetchGroup *g = kept_group(f, storage_id, row);

	/* a row this transaction still holds in memory is written out first */
	if (g == NULL && !IsInParallelMode())
		columnar_flush_pending_row(rel, row);

	if (g != NULL && mvcc && g->cached_snapshot == snapshot &&
		g->cached_curcid == snapshot->curcid)
	{
		/* group visible, markers loaded */
	}
	else if (g != NULL && snapshot->snapshot_type == SNAPSHOT_ANY)
	{
		/* every stored row is visible; row groups never change */
	}
	else
	{
		ColumnarRowGroup *rg;
		MemoryContext old;

		if (snapshot->snapshot_type == SNAPSHOT_DIRTY)
			snapshot->xmin = snapshot->xmax = InvalidTransactionId;
		MemoryContextReset(f->scratch_ctx);
		old = MemoryContextSwitchTo(f->scratch_ctx);
		rg = columnar_find_row_group(rel, storage_id, row, snapshot);
		MemoryContextSwitchTo(old);
		if (rg == NULL)
			return false;
		if (rg->first_block == 0)
		{
			/* a reservation: a writer holds the row in memory */
			if (snapshot->snapshot_type == SNAPSHOT_DIRTY && TransactionIdIsValid(snapshot->xmin))
			{
				ExecStoreAllNullTuple(slot);
				slot->tts_tableOid = RelationGetRelid(rel);
				columnar_row_to_tid(row, &slot->tts_tid);
				return true;
			}
			return false;
		}
		if (g == NULL || g->group->first_row != rg->first_row)
			g = keep_group(f, rg, storage_id);
		MemoryContextReset(g->deleted_ctx);
		g->cached_snapshot = NULL;
		g->deleted = NULL;
		if (mvcc)
		{
			old = MemoryContextSwitchTo(g->deleted_ctx);
			g->deleted = columnar_load_deleted_range(storage_id, g->group->first_row,
													 g->group->row_count, snapshot);
			MemoryContextSwitchTo(old);
			g->cached_snapshot = snapshot;
			g->cached_curcid = snapshot->curcid;
		}
		else if (snapshot->snapshot_type != SNAPSHOT_ANY)
		{
			ColumnarMarkerState m = columnar_marker_state(storage_id, row, NULL);

			if (m.found)
			{
				if (snapshot->snapshot_type == SNAPSHOT_DIRTY && m.in_progress)
					snapshot->xmax = m.xmin;
				else
					return false;
			}
		}
	}
	g->last_used = ++f->clock;
	f->last = g;

	if (mvcc && columnar_deleted_contains(g->deleted, row))
	{
		if (all_dead != NULL)
		{
			ColumnarMarkerState m = columnar_marker_state(storage_id, row, NULL);

			if (!TransactionIdIsValid(f->dead_horizon))
				f->dead_horizon = GetOldestNonRemovableTransactionId(rel);
			*all_dead = m.found && !m.in_progress && !TransactionIdIsCurrentTransactionId(m.xmin) &&
				TransactionIdPrecedes(m.xmin, f->dead_horizon);
		}
		return false;
	}

	g->source.rel = rel;
	columnar_slot_store_row(slot, &g->source, (uint32) (row - g->group->first_row));
	slot->tts_tableOid = RelationGetRelid(rel);
	columnar_row_to_tid(row, &slot->tts_tid);
	return true;
}

static bool
columnar_index_fetch_tuple(IndexFetchTableData *scan, ItemPointer tid, Snapshot snapshot,
						   TupleTableSlot *slot, bool *call_again, bool *all_dead)
{
	*call_again = false;
	if (all_dead)
		*all_dead = false;
	return fetch_row((ColumnarIndexFetch *) scan, columnar_tid_to_row(tid), snapshot, slot,
					 all_dead);
}

/*
 * Row versions are fetched one at a time by UPDATE, DELETE ... RETURNING,
 * triggers and row locks, often many rows of the same row group in one
 * statement.  Each relation keeps one fetch state for the rest of the
 * transaction, so its row group is decoded once; the row is copied out of
 * it before returning.  The list lives in TopTransactionContext and is
 * recognised as stale by the local transaction id.
 */
static List *version_fetches = NIL;
static LocalTransactionId version_fetches_lxid = InvalidLocalTransactionId;

static ColumnarIndexFetch *
version_fetch_for(Relation rel)
{
	ListCell   *lc;
	ColumnarIndexFetch *f;
	MemoryContext old;

	if (version_fetches_lxid != MyProc->lxid)
	{
		version_fetches = NIL;
		version_fetches_lxid = MyProc->lxid;
	}
	foreach(lc, version_fetches)
	{
		f = lfirst(lc);
		if (f->relid != RelationGetRelid(rel))
			continue;
		f->base.rel = rel;
		forget_snapshots(f);
		/* new columns: decode afresh */
		for (int i = 0; i < FETCH_GROUPS; i++)
		{
			if (f->groups[i].group != NULL &&
				f->groups[i].decoded.natts != RelationGetDescr(rel)->natts)
			{
				f->groups[i].group = NULL;
				f->groups[i].source.generation++;
			}
		}
		return f;
	}
	f = index_fetch_create(rel, TopTransactionContext);
	old = MemoryContextSwitchTo(TopTransactionContext);
	version_fetches = lappend(version_fetches, f);
	MemoryContextSwitchTo(old);
	return f;
}

static bool
columnar_tuple_fetch_row_version(Relation rel, ItemPointer tid, Snapshot snapshot,
								 TupleTableSlot *slot)
{
	ColumnarIndexFetch *f;
	bool		found;

	f = version_fetch_for(rel);
	found = fetch_row(f, columnar_tid_to_row(tid), snapshot, slot, NULL);
	if (found)
		ExecMaterializeSlot(slot);
	return found;
}

static bool
columnar_tuple_tid_valid(TableScanDesc scan, ItemPointer tid)
{
	return ItemPointerIsValid(tid) &&
		columnar_tid_to_row(tid) < columnar_read_metapage(scan->rs_rd).next_row;
}

static void
columnar_tuple_get_latest_tid(TableScanDesc scan, ItemPointer tid)
{
	/* rows have no newer versions to follow */
}

static bool
columnar_tuple_satisfies_snapshot(Relation rel, TupleTableSlot *slot, Snapshot snapshot)
{
	uint64		row = columnar_tid_to_row(&slot->tts_tid);
	uint64		storage_id = columnar_storage_id(rel);
	ColumnarRowGroup *rg = columnar_find_row_group(rel, storage_id, row, snapshot);

	if (rg == NULL || rg->first_block == 0)
		return false;
	return !columnar_row_deleted(storage_id, row, snapshot);
}

/*
 * Index entries an index may remove on its own (B-tree's bottom-up deletion
 * before a page split): those of rows whose deletion every snapshot sees,
 * that is, whose marker was committed by a transaction older than the
 * table's removable horizon.  Every entry offered is checked (a probe of
 * the marker index each, a leaf page's worth at most).  Returns the newest
 * such deleter, for recovery conflicts on standbys.
 */
static TransactionId
columnar_index_delete_tuples(Relation rel, TM_IndexDeleteOp *delstate)
{
	uint64		storage_id = columnar_storage_id(rel);
	GlobalVisState *vistest = GlobalVisTestFor(rel);
	TransactionId latest = InvalidTransactionId;
	int			i;

	for (i = 0; i < delstate->ndeltids; i++)
	{
		TM_IndexDelete *d = &delstate->deltids[i];
		ColumnarMarkerState m;

		CHECK_FOR_INTERRUPTS();
		m = columnar_marker_state(storage_id, columnar_tid_to_row(&d->tid), NULL);
		if (m.found && !m.in_progress && !TransactionIdIsCurrentTransactionId(m.xmin) &&
			GlobalVisTestIsRemovableXid(vistest, m.xmin))
		{
			delstate->status[d->id].knowndeletable = true;
			if (!TransactionIdIsValid(latest) || TransactionIdPrecedes(latest, m.xmin))
				latest = m.xmin;
		}
	}
	return latest;
}

/* ---------------------------------------------------------------------
 * Inserts
 * ---------------------------------------------------------------------
 */

static void
columnar_tuple_insert(Relation rel, TupleTableSlot *slot, CommandId cid, int options,
					  struct BulkInsertStateData *bistate)
{
	columnar_writer_insert(rel, slot, cid);
	if ((options & TABLE_INSERT_NO_LOGICAL) == 0 && columnar_logically_logged(rel))
		columnar_log_insert(rel, slot, columnar_tid_to_row(&slot->tts_tid));
	pgstat_count_heap_insert(rel, 1);
}

static void
columnar_tuple_insert_speculative(Relation rel, TupleTableSlot *slot, CommandId cid, int options,
								  struct BulkInsertStateData *bistate, uint32 specToken)
{
	/* logged for decoding once the insertion is confirmed */
	columnar_writer_insert(rel, slot, cid);
	pgstat_count_heap_insert(rel, 1);
}

static void
columnar_tuple_complete_speculative(Relation rel, TupleTableSlot *slot, uint32 specToken,
									bool succeeded)
{
	if (!succeeded)
	{
		/* a conflict was found: the row must never become visible */
		columnar_flush_pending(rel);
		columnar_mark_deleted(columnar_storage_id(rel), columnar_tid_to_row(&slot->tts_tid),
							  GetCurrentCommandId(true), false);
	}
	else if (columnar_logically_logged(rel))
		columnar_log_insert(rel, slot, columnar_tid_to_row(&slot->tts_tid));
}

static void
columnar_multi_insert(Relation rel, TupleTableSlot **slots, int nslots, CommandId cid,
					  int options, struct BulkInsertStateData *bistate)
{
	int			i;

	for (i = 0; i < nslots; i++)
	{
		columnar_writer_insert(rel, slots[i], cid);
		if ((options & TABLE_INSERT_NO_LOGICAL) == 0 && columnar_logically_logged(rel))
			columnar_log_insert(rel, slots[i], columnar_tid_to_row(&slots[i]->tts_tid));
	}
	pgstat_count_heap_insert(rel, nslots);
}

static void
columnar_finish_bulk_insert(Relation rel, int options)
{
	columnar_flush_pending(rel);
}

/* ---------------------------------------------------------------------
 * Deletes, updates and row locks
 * ---------------------------------------------------------------------
 */

static void
concurrent_update_error(Relation rel)
{
	ereport(ERROR,
			(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
			 errmsg("could not serialize access due to concurrent update of a row of columnar table \"%s\"",
					RelationGetRelationName(rel)),
			 errdetail("Columnar tables do not link an updated row to its new version."),
			 errhint("Retry the transaction.")));
}

/*
 * Waits until no running transaction is deleting row, under the tuple lock
 * (held on return).  Returns TM_Ok when the row is still live.
 */
static TM_Result
lock_live_row(Relation rel, ItemPointer tid, Snapshot snapshot, LOCKMODE mode, bool wait,
			  LockWaitPolicy policy, TM_FailureData *tmfd)
{
	uint64		storage_id = columnar_storage_id(rel);
	uint64		row = columnar_tid_to_row(tid);

	if (policy == LockWaitBlock && wait)
		LockTuple(rel, tid, mode);
	else if (!ConditionalLockTuple(rel, tid, mode))
	{
		if (policy == LockWaitError)
			ereport(ERROR,
					(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
					 errmsg("could not obtain lock on row in relation \"%s\"",
							RelationGetRelationName(rel))));
		return TM_WouldBlock;
	}
	for (;;)
	{
		ColumnarMarkerState m = columnar_marker_state(storage_id, row, snapshot);

		CHECK_FOR_INTERRUPTS();
		if (!m.found)
			return TM_Ok;
		if (m.in_progress)
		{
			if (policy == LockWaitBlock && wait)
			{
				XactLockTableWait(m.xmin, rel, tid, XLTW_Delete);
				continue;
			}
			if (!ConditionalXactLockTableWait(m.xmin))
			{
				if (policy == LockWaitError)
					ereport(ERROR,
							(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
							 errmsg("could not obtain lock on row in relation \"%s\"",
									RelationGetRelationName(rel))));
				return TM_WouldBlock;
			}
			continue;
		}
		tmfd->ctid = *tid;
		tmfd->xmax = m.xmin;
		if (TransactionIdIsCurrentTransactionId(m.xmin))
		{
			tmfd->cmax = m.cmin;
			return TM_SelfModified;
		}
		tmfd->cmax = InvalidCommandId;
		return m.updated ? TM_Updated : TM_Deleted;
	}
}

static TM_Result
columnar_tuple_delete(Relation rel, ItemPointer tid, CommandId cid, Snapshot snapshot,
					  Snapshot crosscheck, bool wait, TM_FailureData *tmfd, bool changingPart)
{
	TM_Result	result;

	columnar_flush_pending_row(rel, columnar_tid_to_row(tid));
	result = lock_live_row(rel, tid, snapshot, ExclusiveLock, wait, LockWaitBlock, tmfd);
	if (result == TM_Ok)
	{
		columnar_mark_deleted(columnar_storage_id(rel), columnar_tid_to_row(tid), cid, false);
		if (columnar_logically_logged(rel))
			columnar_log_delete(rel, tid);
		pgstat_count_heap_delete(rel);
	}
	UnlockTuple(rel, tid, ExclusiveLock);
	return result;
}

static TM_Result
columnar_tuple_update(Relation rel, ItemPointer otid, TupleTableSlot *slot, CommandId cid,
					  Snapshot snapshot, Snapshot crosscheck, bool wait, TM_FailureData *tmfd,
					  LockTupleMode *lockmode, bool *update_indexes)
{
	TM_Result	result;

	*lockmode = LockTupleExclusive;
	*update_indexes = true;
	columnar_flush_pending_row(rel, columnar_tid_to_row(otid));
	result = lock_live_row(rel, otid, snapshot, ExclusiveLock, wait, LockWaitBlock, tmfd);
	if (result == TM_Ok)
	{
		columnar_mark_deleted(columnar_storage_id(rel), columnar_tid_to_row(otid), cid, true);
		columnar_writer_insert(rel, slot, cid);
		if (columnar_logically_logged(rel))
			columnar_log_update(rel, otid, slot, columnar_tid_to_row(&slot->tts_tid));
		pgstat_count_heap_update(rel, false);
	}
	UnlockTuple(rel, otid, ExclusiveLock);
	return result;
}

static TM_Result
columnar_tuple_lock(Relation rel, ItemPointer tid, Snapshot snapshot, TupleTableSlot *slot,
					CommandId cid, LockTupleMode mode, LockWaitPolicy wait_policy, uint8 flags,
					TM_FailureData *tmfd)
{
	LOCKMODE	lmode = (mode == LockTupleExclusive || mode == LockTupleNoKeyExclusive)
		? ExclusiveLock : ShareLock;
	TM_Result	result;

	columnar_flush_pending_row(rel, columnar_tid_to_row(tid));
	result = lock_live_row(rel, tid, snapshot, lmode, true, wait_policy, tmfd);
	if (result == TM_WouldBlock)
		return result;
	if (result == TM_Updated && (flags & TUPLE_LOCK_FLAG_FIND_LAST_VERSION))
	{
		/* READ COMMITTED wants the newest version, which we cannot find */
		UnlockTuple(rel, tid, lmode);
		concurrent_update_error(rel);
	}
	if (result != TM_Ok)
	{
		UnlockTuple(rel, tid, lmode);
		return result;
	}
	/* the lock is kept until the transaction ends */
	if (!columnar_tuple_fetch_row_version(rel, tid, SnapshotSelf, slot))
		return TM_Invisible;
	tmfd->traversed = false;
	{
		TransactionId xmin;

		/* written by this very command: invisible to it, as heap reports */
		if (columnar_row_inserted_since(rel, columnar_storage_id(rel), columnar_tid_to_row(tid),
										cid, &xmin))
		{
			UnlockTuple(rel, tid, lmode);
			columnar_slot_set_xmin(slot, xmin);
			return TM_Invisible;
		}
	}
	return TM_Ok;
}

/* ---------------------------------------------------------------------
 * Relation files: create, truncate, copy, rewrite
 * ---------------------------------------------------------------------
 */

/* the catalog rows of the relation's current file go when it does */
static void
forget_current_file(Relation rel)
{
	if (RelationGetNumberOfBlocks(rel) > 0)
		columnar_delete_storage(columnar_storage_id(rel));
}

static void
columnar_relation_set_new_filenode(Relation rel, const RelFileNode *newrnode, char persistence,
								   TransactionId *freezeXid, MultiXactId *minmulti)
{
	SMgrRelation srel;

	if (persistence == RELPERSISTENCE_UNLOGGED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("unlogged columnar tables are not supported"),
				 errhint("Create the table without UNLOGGED, or use the heap access method.")));
	if (RelationGetDescr(rel)->natts > COLUMNAR_MAX_COLUMNS)
		ereport(ERROR,
				(errcode(ERRCODE_TOO_MANY_COLUMNS),
				 errmsg("columnar tables can have at most %d columns", COLUMNAR_MAX_COLUMNS),
				 errdetail("Table \"%s\" has %d.", RelationGetRelationName(rel),
						   RelationGetDescr(rel)->natts)));
	columnar_discard_pending(rel);
	/* a table being created has no file yet */
	if (rel->rd_rel->relfilenode != InvalidOid && rel->rd_node.relNode != newrnode->relNode &&
		smgrexists(RelationGetSmgr(rel), MAIN_FORKNUM))
		forget_current_file(rel);
	*freezeXid = RecentXmin;
	*minmulti = GetOldestMultiXactId();
	srel = RelationCreateStorage(*newrnode, persistence, true);
	columnar_init_metapage(rel, srel, persistence);
	smgrclose(srel);
}

static void
columnar_relation_nontransactional_truncate(Relation rel)
{
	columnar_discard_pending(rel);
	forget_current_file(rel);
	RelationTruncate(rel, 0);
	if (rel->rd_amcache)
	{
		pfree(rel->rd_amcache);
		rel->rd_amcache = NULL;
	}
	columnar_init_metapage(rel, RelationGetSmgr(rel), rel->rd_rel->relpersistence);
}

static void
columnar_relation_copy_data(Relation rel, const RelFileNode *newrnode)
{
	SMgrRelation dstrel;

	columnar_flush_pending(rel);
	FlushRelationBuffers(rel);
	dstrel = RelationCreateStorage(*newrnode, rel->rd_rel->relpersistence, true);
	/* the copy keeps the storage id: the catalog rows stay valid */
	RelationCopyStorage(RelationGetSmgr(rel), dstrel, MAIN_FORKNUM, rel->rd_rel->relpersistence);
	RelationDropStorage(rel);
	smgrclose(dstrel);
}

/* a sort of whole rows by the table's sort_by setting, or NULL when it has none */
static Tuplesortstate *
begin_sort_by(Relation rel)
{
	ColumnarOptions opts = columnar_get_options(RelationGetRelid(rel));
	TupleDesc	desc = RelationGetDescr(rel);
	AttrNumber	attnums[COLUMNAR_MAX_SORT_KEYS];
	Oid			operators[COLUMNAR_MAX_SORT_KEYS];
	Oid			collations[COLUMNAR_MAX_SORT_KEYS];
	bool		nulls_first[COLUMNAR_MAX_SORT_KEYS];
	int			n = 0;
	int			i;

	for (i = 0; i < opts.nsort; i++)
	{
		AttrNumber	attnum = opts.sort_by[i];
		Form_pg_attribute att;
		TypeCacheEntry *tc;

		if (attnum < 1 || attnum > desc->natts)
			continue;
		att = TupleDescAttr(desc, attnum - 1);
		if (att->attisdropped)
			continue;			/* the setting outlived the column */
		tc = lookup_type_cache(att->atttypid, TYPECACHE_LT_OPR);
		if (!OidIsValid(tc->lt_opr))
			continue;			/* the column's type changed to an unsortable one */
		attnums[n] = attnum;
		operators[n] = tc->lt_opr;
		collations[n] = att->attcollation;
		nulls_first[n] = false;
		n++;
	}
	if (n == 0)
		return NULL;
	return tuplesort_begin_heap(desc, n, attnums, operators, collations, nulls_first,
								maintenance_work_mem, NULL, TUPLESORT_NONE);
}

/*
 * CLUSTER, VACUUM FULL and columnar_compact: rewrite the live rows, in index
 * order when CLUSTER names an index, else in the sort_by order if set
 */
static void
columnar_relation_copy_for_cluster(Relation OldTable, Relation NewTable, Relation OldIndex,
								   bool use_sort, TransactionId OldestXmin,
								   TransactionId *xid_cutoff, MultiXactId *multi_cutoff,
								   double *num_tuples, double *tups_vacuumed,
								   double *tups_recently_dead)
{
	TupleTableSlot *slot = table_slot_create(OldTable, NULL);
	TupleTableSlot *out = table_slot_create(NewTable, NULL);
	Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());
	CommandId	cid = GetCurrentCommandId(true);

	*num_tuples = 0;
	*tups_vacuumed = 0;
	*tups_recently_dead = 0;
	if (OldIndex != NULL)
	{
		IndexScanDesc iscan = index_beginscan(OldTable, OldIndex, snapshot, 0, 0);

		index_rescan(iscan, NULL, 0, NULL, 0);
		while (index_getnext_slot(iscan, ForwardScanDirection, slot))
		{
			CHECK_FOR_INTERRUPTS();
			ExecCopySlot(out, slot);
			columnar_writer_insert(NewTable, out, cid);
			*num_tuples += 1;
		}
		index_endscan(iscan);
	}
	else
	{
		TableScanDesc scan = table_beginscan(OldTable, snapshot, 0, NULL);
		Tuplesortstate *sort = begin_sort_by(OldTable);

		while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
		{
			CHECK_FOR_INTERRUPTS();
			if (sort != NULL)
				tuplesort_puttupleslot(sort, slot);
			else
			{
				ExecCopySlot(out, slot);
				columnar_writer_insert(NewTable, out, cid);
			}
			*num_tuples += 1;
		}
		table_endscan(scan);
		if (sort != NULL)
		{
			TupleTableSlot *sorted = MakeSingleTupleTableSlot(RelationGetDescr(OldTable),
															  &TTSOpsMinimalTuple);

			tuplesort_performsort(sort);
			while (tuplesort_gettupleslot(sort, true, false, sorted, NULL))
			{
				CHECK_FOR_INTERRUPTS();
				ExecCopySlot(out, sorted);
				columnar_writer_insert(NewTable, out, cid);
			}
			tuplesort_end(sort);
			ExecDropSingleTupleTableSlot(sorted);
		}
	}
	columnar_flush_pending(NewTable);
	*tups_vacuumed = columnar_load_deleted(columnar_storage_id(OldTable), snapshot)->count;
	UnregisterSnapshot(snapshot);
	ExecDropSingleTupleTableSlot(slot);
	ExecDropSingleTupleTableSlot(out);
}

/* index_bulk_delete's callback: is the row's deletion visible to every snapshot? */
static bool
dead_row(ItemPointer tid, void *state)
{
	return columnar_deleted_contains((const ColumnarDeletedSet *) state, columnar_tid_to_row(tid));
}

/* removes the index entries of dead rows, as heap's VACUUM does for dead tuples */
static void
vacuum_indexes(Relation rel, struct VacuumParams *params, BufferAccessStrategy bstrategy,
			   double live_rows, ColumnarDeletedSet *dead)
{
	int			elevel = (params->options & VACOPT_VERBOSE) ? INFO : DEBUG2;
	Relation   *indexes;
	int			nindexes;
	int			i;

	vac_open_indexes(rel, RowExclusiveLock, &nindexes, &indexes);
	for (i = 0; i < nindexes; i++)
	{
		IndexVacuumInfo info = {0};
		IndexBulkDeleteResult *stats = NULL;

		info.index = indexes[i];
		info.analyze_only = false;
		info.report_progress = false;
		info.estimated_count = false;
		info.message_level = elevel;
		info.num_heap_tuples = live_rows;
		info.strategy = bstrategy;
		if (dead->count > 0)
			stats = index_bulk_delete(&info, NULL, dead_row, dead);
		stats = index_vacuum_cleanup(&info, stats);
		if (stats == NULL)
			continue;
		ereport(elevel,
				(errmsg("index \"%s\": %.0f entries of deleted rows removed, %.0f entries remain in %u pages",
						RelationGetRelationName(indexes[i]), stats->tuples_removed,
						stats->num_index_tuples, stats->num_pages)));
		if (!stats->estimated_count)
			vac_update_relstats(indexes[i], stats->num_pages, stats->num_index_tuples, 0, false,
								InvalidTransactionId, InvalidMultiXactId, false, false, false);
		pfree(stats);
	}
	vac_close_indexes(nindexes, indexes, NoLock);
}

static void
columnar_relation_vacuum(Relation rel, struct VacuumParams *params, BufferAccessStrategy bstrategy)
{
	/*
	 * Row groups are immutable and TIDs are row positions, so live rows
	 * stay where they are: the space of deleted rows in a row group that
	 * still has live ones comes back when VACUUM FULL or columnar_compact
	 * rewrites the table.  Plain VACUUM removes the index entries of rows
	 * whose deletion every snapshot sees, then frees the row groups all of
	 * whose rows are such rows, so that new row groups reuse their pages
	 * (columnar_freespace.c), and refreshes the planner's statistics.
	 */
	BlockNumber pages = RelationGetNumberOfBlocks(rel);
	double		tuples = 0;
	ListCell   *lc;
	List	   *groups;
	ColumnarDeletedSet *deleted;
	ColumnarDeletedSet *dead;
	Snapshot	snapshot;
	bool		entries_removed = !rel->rd_rel->relhasindex;

	columnar_flush_pending(rel);
	dead = columnar_load_dead(columnar_storage_id(rel), GetOldestNonRemovableTransactionId(rel), NULL);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	groups = columnar_load_row_groups(rel, columnar_storage_id(rel), snapshot);
	deleted = columnar_load_deleted(columnar_storage_id(rel), snapshot);
	foreach(lc, groups)
		tuples += ((ColumnarRowGroup *) lfirst(lc))->row_count;
	tuples -= deleted->count;
	UnregisterSnapshot(snapshot);
	if (rel->rd_rel->relhasindex &&
		params->index_cleanup != VACOPTVALUE_DISABLED)
	{
		vacuum_indexes(rel, params, bstrategy, Max(tuples, 0), dead);
		entries_removed = true;
	}
	/* with index entries left, their rows' groups must stay */
	if (entries_removed)
	{
		uint64		rows_freed;
		uint64		blocks_freed;
		uint32		freed = columnar_free_dead_groups(rel, dead, &rows_freed, &blocks_freed);

		if (freed > 0)
			ereport((params->options & VACOPT_VERBOSE) ? INFO : DEBUG2,
					(errmsg("columnar table \"%s\": %u row groups of " UINT64_FORMAT " deleted rows freed, " UINT64_FORMAT " pages to reuse",
							RelationGetRelationName(rel), freed, rows_freed, blocks_freed)));
		freed = columnar_drop_dead_rows(rel, dead, &rows_freed, &blocks_freed);
		if (freed > 0)
			ereport((params->options & VACOPT_VERBOSE) ? INFO : DEBUG2,
					(errmsg("columnar table \"%s\": %u row groups written again without the values of " UINT64_FORMAT " deleted rows, " UINT64_FORMAT " pages to reuse",
							RelationGetRelationName(rel), freed, rows_freed, blocks_freed)));
	}
	vac_update_relstats(rel, pages, Max(tuples, 0), 0, rel->rd_rel->relhasindex,
						InvalidTransactionId, InvalidMultiXactId, false, false, false);

	/*
	 * What autovacuum decides by: the rows still to be dead for everyone
	 * are the ones a later VACUUM can do something about.  Rows dead for
	 * everyone in row groups that keep live rows only a rewrite removes;
	 * counting them would bring autovacuum back at every round.
	 */
	pgstat_report_vacuum(RelationGetRelid(rel), rel->rd_rel->relisshared,
						 (PgStat_Counter) Max(tuples, 0),
						 (PgStat_Counter) Max(deleted->count - dead->count, 0));
}

/* ---------------------------------------------------------------------
 * ANALYZE: blocks map onto equal shares of the rows
 * ---------------------------------------------------------------------
 */

static bool
columnar_scan_analyze_next_block(TableScanDesc sscan, BlockNumber blockno,
								 BufferAccessStrategy bstrategy)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;
	uint64		total = 0;
	ListCell   *lc;
	BlockNumber nblocks = Max(scan->nblocks, 1);

	foreach(lc, scan->groups)
		total += ((ColumnarRowGroup *) lfirst(lc))->row_count;
	scan->analyze_next = total * blockno / nblocks;
	scan->analyze_end = total * ((uint64) blockno + 1) / nblocks;
	return scan->analyze_next < scan->analyze_end;
}

static bool
columnar_scan_analyze_next_tuple(TableScanDesc sscan, TransactionId OldestXmin,
								 double *liverows, double *deadrows, TupleTableSlot *slot)
{
	ColumnarScanDesc scan = (ColumnarScanDesc) sscan;

	while (scan->analyze_next < scan->analyze_end)
	{
		uint64		k = scan->analyze_next++;
		uint64		before = 0;
		ListCell   *lc;
		int			g = 0;

		/* the group that holds the k-th row of the table */
		foreach(lc, scan->groups)
		{
			ColumnarRowGroup *rg = lfirst(lc);

			if (k < before + rg->row_count)
			{
				uint32		pos = (uint32) (k - before);

				if (scan->current != g)
				{
					columnar_decoded_reset(&scan->decoded, scan->ctx,
										   RelationGetDescr(scan->base.rs_rd)->natts);
					columnar_decode_columns(scan->base.rs_rd, rg, NULL, &scan->decoded, &scan->nblocks);
					scan->current = g;
				}
				if (columnar_deleted_contains(scan->deleted, rg->first_row + pos))
				{
					*deadrows += 1;
					break;
				}
				fill_slot(scan, slot, pos);
				*liverows += 1;
				return true;
			}
			before += rg->row_count;
			g++;
		}
	}
	return false;
}

/* ---------------------------------------------------------------------
 * Index builds
 * ---------------------------------------------------------------------
 */

static double
columnar_index_build_range_scan(Relation table_rel, Relation index_rel, struct IndexInfo *index_info,
								bool allow_sync, bool anyvisible, bool progress,
								BlockNumber start_blockno, BlockNumber numblocks,
								IndexBuildCallback callback, void *callback_state,
								TableScanDesc sscan)
{
	ColumnarScanDesc scan;
	EState	   *estate;
	ExprContext *econtext;
	ExprState  *predicate;
	TupleTableSlot *slot;
	Datum		values[INDEX_MAX_KEYS];
	bool		isnull[INDEX_MAX_KEYS];
	double		tuples = 0;
	Snapshot	snapshot = NULL;
	bool		own_scan = sscan == NULL;
	ColumnarDeletedSet *gone;

	if (index_info->ii_Concurrent)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("CREATE INDEX CONCURRENTLY is not supported on columnar tables"),
				 errhint("Use CREATE INDEX without CONCURRENTLY.")));
	if (start_blockno != 0 || numblocks != InvalidBlockNumber)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("columnar tables cannot index a range of blocks")));

	estate = CreateExecutorState();
	econtext = GetPerTupleExprContext(estate);
	slot = table_slot_create(table_rel, NULL);
	econtext->ecxt_scantuple = slot;
	predicate = ExecPrepareQual(index_info->ii_Predicate, estate);

	if (own_scan)
	{
		/* every row of a committed row group; deleted ones are indexed as dead */
		columnar_flush_pending(table_rel);
		snapshot = RegisterSnapshot(GetLatestSnapshot());
		scan = columnar_begin_read(table_rel, SnapshotAny, NULL, NULL, SO_TYPE_SEQSCAN);
		scan->deleted_any = columnar_load_deleted(scan->storage_id, snapshot);
	}
	else
	{
		scan = (ColumnarScanDesc) sscan;
		scan->deleted_any = columnar_load_deleted(scan->storage_id, markers_snapshot(NULL));
	}
	/*
	 * Read deleted rows too, and tell the index which are dead; rows that
	 * every snapshot sees deleted are left out, as heap leaves out its dead
	 * tuples (VACUUM may have dropped their values already).
	 */
	scan->deleted = NULL;
	gone = columnar_load_dead(scan->storage_id, GetOldestNonRemovableTransactionId(table_rel),
							  own_scan ? snapshot : markers_snapshot(NULL));

	while (columnar_read_next(scan, slot))
	{
		uint64		row = columnar_tid_to_row(&slot->tts_tid);
		bool		alive = !columnar_deleted_contains(scan->deleted_any, row);

		CHECK_FOR_INTERRUPTS();
		if (!alive && columnar_deleted_contains(gone, row))
			continue;
		MemoryContextReset(econtext->ecxt_per_tuple_memory);
		if (predicate != NULL && !ExecQual(predicate, econtext))
			continue;
		FormIndexDatum(index_info, slot, estate, values, isnull);
		callback(index_rel, &slot->tts_tid, values, isnull, alive, callback_state);
		tuples += 1;
	}

	if (own_scan)
	{
		columnar_scan_end(&scan->base);
		UnregisterSnapshot(snapshot);
	}
	ExecDropSingleTupleTableSlot(slot);
	FreeExecutorState(estate);
	index_info->ii_ExpressionsState = NIL;
	index_info->ii_PredicateState = NULL;
	return tuples;
}

static void
columnar_index_validate_scan(Relation table_rel, Relation index_rel, struct IndexInfo *index_info,
							 Snapshot snapshot, struct ValidateIndexState *state)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("CREATE INDEX CONCURRENTLY is not supported on columnar tables")));
}

/* ---------------------------------------------------------------------
 * Sizes and estimates
 * ---------------------------------------------------------------------
 */

static uint64
columnar_relation_size(Relation rel, ForkNumber forkNumber)
{
	uint64		nblocks = 0;

	if (forkNumber == InvalidForkNumber)
	{
		int			i;

		for (i = 0; i <= MAX_FORKNUM; i++)
			if (smgrexists(RelationGetSmgr(rel), i))
				nblocks += smgrnblocks(RelationGetSmgr(rel), i);
	}
	else if (smgrexists(RelationGetSmgr(rel), forkNumber))
		nblocks = smgrnblocks(RelationGetSmgr(rel), forkNumber);
	return nblocks * BLCKSZ;
}

static bool
columnar_relation_needs_toast_table(Relation rel)
{
	return false;
}

static void
columnar_relation_estimate_size(Relation rel, int32 *attr_widths, BlockNumber *pages,
								double *tuples, double *allvisfrac)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(rel);

	*pages = nblocks;
	*allvisfrac = 0;
	if (rel->rd_rel->reltuples >= 0 && rel->rd_rel->relpages > 0)
		*tuples = rel->rd_rel->reltuples * ((double) nblocks / rel->rd_rel->relpages);
	else
	{
		/* never analyzed: count the rows of the visible row groups */
		List	   *groups;
		ListCell   *lc;
		double		n = 0;

		if (nblocks == 0)
		{
			*tuples = 0;
			return;
		}
		groups = columnar_load_row_groups(rel, columnar_storage_id(rel), GetActiveSnapshot() ? GetActiveSnapshot() : GetLatestSnapshot());
		foreach(lc, groups)
			n += ((ColumnarRowGroup *) lfirst(lc))->row_count;
		*tuples = n;
	}
}

static bool
columnar_scan_sample_next_block(TableScanDesc scan, struct SampleScanState *scanstate)
{
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("TABLESAMPLE is not supported on columnar tables")));
	return false;
}

static bool
columnar_scan_sample_next_tuple(TableScanDesc scan, struct SampleScanState *scanstate,
								TupleTableSlot *slot)
{
	return false;
}

static const TableAmRoutine columnar_methods = {
	.type = T_TableAmRoutine,

	.slot_callbacks = columnar_slot_callbacks,

	.scan_begin = columnar_scan_begin,
	.scan_end = columnar_scan_end,
	.scan_rescan = columnar_scan_rescan,
	.scan_getnextslot = columnar_scan_getnextslot,

	.parallelscan_estimate = columnar_parallelscan_estimate,
	.parallelscan_initialize = columnar_parallelscan_initialize,
	.parallelscan_reinitialize = columnar_parallelscan_reinitialize,

	.index_fetch_begin = columnar_index_fetch_begin,
	.index_fetch_reset = columnar_index_fetch_reset,
	.index_fetch_end = columnar_index_fetch_end,
	.index_fetch_tuple = columnar_index_fetch_tuple,

	.tuple_fetch_row_version = columnar_tuple_fetch_row_version,
	.tuple_tid_valid = columnar_tuple_tid_valid,
	.tuple_get_latest_tid = columnar_tuple_get_latest_tid,
	.tuple_satisfies_snapshot = columnar_tuple_satisfies_snapshot,
	.index_delete_tuples = columnar_index_delete_tuples,

	.tuple_insert = columnar_tuple_insert,
	.tuple_insert_speculative = columnar_tuple_insert_speculative,
	.tuple_complete_speculative = columnar_tuple_complete_speculative,
	.multi_insert = columnar_multi_insert,
	.tuple_delete = columnar_tuple_delete,
	.tuple_update = columnar_tuple_update,
	.tuple_lock = columnar_tuple_lock,
	.finish_bulk_insert = columnar_finish_bulk_insert,

	.relation_set_new_filenode = columnar_relation_set_new_filenode,
	.relation_nontransactional_truncate = columnar_relation_nontransactional_truncate,
	.relation_copy_data = columnar_relation_copy_data,
	.relation_copy_for_cluster = columnar_relation_copy_for_cluster,
	.relation_vacuum = columnar_relation_vacuum,
	.scan_analyze_next_block = columnar_scan_analyze_next_block,
	.scan_analyze_next_tuple = columnar_scan_analyze_next_tuple,
	.index_build_range_scan = columnar_index_build_range_scan,
	.index_validate_scan = columnar_index_validate_scan,

	.relation_size = columnar_relation_size,
	.relation_needs_toast_table = columnar_relation_needs_toast_table,

	.relation_estimate_size = columnar_relation_estimate_size,

	.scan_bitmap_next_block = NULL,
	.scan_bitmap_next_tuple = NULL,
	.scan_sample_next_block = columnar_scan_sample_next_block,
	.scan_sample_next_tuple = columnar_scan_sample_next_tuple
};

Datum
columnar_handler(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(&columnar_methods);
}
