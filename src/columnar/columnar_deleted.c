/*
 * columnar_deleted.c
 *		Deleted-row markers of columnar tables.
 *
 * Row group data is never changed in place: DELETE (and the old version of
 * an UPDATE) inserts a marker row (storage id, row number) into
 * datalayer.columnar_deleted, with the command id of the deleting
 * statement.  A row is visible to a snapshot when its row group's catalog
 * row is and its marker is not, so deletions follow MVCC exactly as the
 * deleting transaction commits or aborts.  Scans load the markers of a
 * file once into a sorted array; single-row checks (index fetches, DML)
 * probe the primary key.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "catalog/indexing.h"
#include "storage/procarray.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "columnar/columnar.h"

static ColumnarDeletedSet *load_markers(uint64 storage_id, uint64 first, uint64 count,
										Snapshot snapshot, TransactionId horizon);

static int
compare_u64(const void *a, const void *b)
{
	uint64		x = *(const uint64 *) a;
	uint64		y = *(const uint64 *) b;

	return (x > y) - (x < y);
}

ColumnarDeletedSet *
columnar_load_deleted(uint64 storage_id, Snapshot snapshot)
{
	return load_markers(storage_id, 0, 0, snapshot, InvalidTransactionId);
}

/* the markers visible to snapshot of the count rows from first (one row group) */
ColumnarDeletedSet *
columnar_load_deleted_range(uint64 storage_id, uint64 first, uint64 count, Snapshot snapshot)
{
	if (count == 0)
		return palloc0(sizeof(ColumnarDeletedSet));
	return load_markers(storage_id, first, count, snapshot, InvalidTransactionId);
}

/*
 * The rows whose deletion every snapshot sees: markers committed by a
 * transaction older than horizon (the table's oldest non-removable xid).
 * No scan can return these rows any more, so VACUUM may remove their index
 * entries.
 */
ColumnarDeletedSet *
columnar_load_dead(uint64 storage_id, TransactionId horizon, Snapshot snapshot)
{
	ColumnarDeletedSet *set;

	/* the markers of committed deleters: by default, as the latest snapshot sees them */
	if (snapshot != NULL)
		return load_markers(storage_id, 0, 0, snapshot, horizon);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	set = load_markers(storage_id, 0, 0, snapshot, horizon);
	UnregisterSnapshot(snapshot);
	return set;
}

/*
 * Markers visible to snapshot, of the count rows from first (count 0: all
 * rows); with a valid horizon, only those written before it.
 */
static ColumnarDeletedSet *
load_markers(uint64 storage_id, uint64 first, uint64 count, Snapshot snapshot,
			 TransactionId horizon)
{
	Oid			catalog = columnar_catalog_relid("columnar_deleted");
	Relation	crel = table_open(catalog, AccessShareLock);
	ScanKeyData keys[3];
	int			nkeys = 1;
	SysScanDesc scan;
	HeapTuple	tup;
	ColumnarDeletedSet *set = palloc0(sizeof(ColumnarDeletedSet));
	int			capacity = 0;
	bool		sorted = true;

	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum((int64) storage_id));
	if (count > 0)
	{
		ScanKeyInit(&keys[1], 2, BTGreaterEqualStrategyNumber, F_INT8GE, Int64GetDatum((int64) first));
		ScanKeyInit(&keys[2], 2, BTLessStrategyNumber, F_INT8LT, Int64GetDatum((int64) (first + count)));
		nkeys = 3;
	}
	scan = systable_beginscan(crel, columnar_catalog_index(catalog), true, snapshot, nkeys, keys);
	while ((tup = systable_getnext(scan)) != NULL)
	{
		bool		isnull;
		uint64		row = (uint64) DatumGetInt64(heap_getattr(tup, 2, RelationGetDescr(crel), &isnull));

		if (TransactionIdIsValid(horizon) &&
			!TransactionIdPrecedes(HeapTupleHeaderGetXmin(tup->t_data), horizon))
			continue;

		if (set->count == capacity)
		{
			capacity = capacity ? capacity * 2 : 64;
			set->rows = set->rows ? repalloc_huge(set->rows, capacity * sizeof(uint64))
				: palloc(capacity * sizeof(uint64));
		}
		if (set->count > 0 && set->rows[set->count - 1] > row)
			sorted = false;
		set->rows[set->count++] = row;
	}
	systable_endscan(scan);
	table_close(crel, AccessShareLock);
	if (!sorted)
		qsort(set->rows, set->count, sizeof(uint64), compare_u64);
	return set;
}

/* index of the first entry >= row */
static int
lower_bound(const ColumnarDeletedSet *set, uint64 row)
{
	int			lo = 0,
				hi = set->count;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;

		if (set->rows[mid] < row)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool
columnar_deleted_contains(const ColumnarDeletedSet *set, uint64 row)
{
	int			i;

	if (set == NULL || set->count == 0)
		return false;
	i = lower_bound(set, row);
	return i < set->count && set->rows[i] == row;
}

int
columnar_deleted_in_range(const ColumnarDeletedSet *set, uint64 first, uint64 count)
{
	if (set == NULL || set->count == 0)
		return 0;
	return lower_bound(set, first + count) - lower_bound(set, first);
}

bool
columnar_row_deleted(uint64 storage_id, uint64 row, Snapshot snapshot)
{
	Oid			catalog = columnar_catalog_relid("columnar_deleted");
	Relation	crel = table_open(catalog, AccessShareLock);
	ScanKeyData keys[2];
	SysScanDesc scan;
	bool		found;

	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum((int64) storage_id));
	ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum((int64) row));
	scan = systable_beginscan(crel, columnar_catalog_index(catalog), true, snapshot, 2, keys);
	found = systable_getnext(scan) != NULL;
	systable_endscan(scan);
	table_close(crel, AccessShareLock);
	return found;
}

/*
 * Who has marked row deleted, committed or not (a dirty read), and whether
 * the marker is visible to snapshot.  Markers of aborted transactions are
 * ignored.
 */
ColumnarMarkerState
columnar_marker_state(uint64 storage_id, uint64 row, Snapshot snapshot)
{
	Oid			catalog = columnar_catalog_relid("columnar_deleted");
	Relation	crel = table_open(catalog, AccessShareLock);
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tup;
	SnapshotData dirty;
	ColumnarMarkerState state = {0};

	InitDirtySnapshot(dirty);
	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum((int64) storage_id));
	ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum((int64) row));
	scan = systable_beginscan(crel, columnar_catalog_index(catalog), true, &dirty, 2, keys);
	if ((tup = systable_getnext(scan)) != NULL)
	{
		bool		isnull;

		state.found = true;
		state.updated = DatumGetBool(heap_getattr(tup, 3, RelationGetDescr(crel), &isnull));
		state.xmin = HeapTupleHeaderGetXmin(tup->t_data);
		state.cmin = TransactionIdIsCurrentTransactionId(state.xmin)
			? HeapTupleHeaderGetRawCommandId(tup->t_data) : InvalidCommandId;
		state.in_progress = TransactionIdIsValid(dirty.xmin);
		state.visible = snapshot != NULL && IsMVCCSnapshot(snapshot)
			? !XidInMVCCSnapshot(state.xmin, snapshot) && !state.in_progress &&
			(!TransactionIdIsCurrentTransactionId(state.xmin) || state.cmin < snapshot->curcid)
			: true;
	}
	systable_endscan(scan);
	table_close(crel, AccessShareLock);
	return state;
}

void
columnar_mark_deleted(uint64 storage_id, uint64 row, CommandId cid, bool updated)
{
	Oid			catalog = columnar_catalog_relid("columnar_deleted");
	Relation	crel = table_open(catalog, RowExclusiveLock);
	Relation	irel = index_open(columnar_catalog_index(catalog), RowExclusiveLock);
	Datum		values[3];
	bool		nulls[3] = {0};
	HeapTuple	tup;

	values[0] = Int64GetDatum((int64) storage_id);
	values[1] = Int64GetDatum((int64) row);
	values[2] = BoolGetDatum(updated);
	tup = heap_form_tuple(RelationGetDescr(crel), values, nulls);
	heap_insert(crel, tup, cid, 0, NULL);
	index_insert(irel, values, nulls, &tup->t_self, crel, UNIQUE_CHECK_YES, false,
				 BuildIndexInfo(irel));
	index_close(irel, RowExclusiveLock);
	table_close(crel, RowExclusiveLock);
	heap_freetuple(tup);
}

