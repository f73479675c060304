/*
 * columnar_meta.c
 *		The metapage of a columnar relation file, and the catalog rows that
 *		list its row groups.
 *
 * The metapage is written once when the file is created and then only to
 * advance next_row, under the buffer's exclusive lock and through generic
 * WAL, so reservations survive a crash and reach standbys; a reservation is
 * never given back (an aborted writer leaves a gap in the row numbers).
 *
 * Row group rows are inserted with the command id of the statement that
 * inserted the rows, not the one that happens to flush them: rows buffered
 * by one statement and flushed when the next one starts scanning are then
 * visible to that scan, exactly as heap rows of the earlier statement are.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "access/genam.h"
#include "access/heapam.h"
#include "access/table.h"
#include "access/transam.h"
#include "storage/procarray.h"
#include "access/xact.h"
#include "access/xloginsert.h"
#include "catalog/index.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "catalog/storage.h"
#include "commands/sequence.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/smgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "columnar/columnar.h"

#define Natts_row_group 7
#define Natts_deleted 2

/*
 * The OIDs of our catalog tables and their primary keys are looked up on
 * every index fetch and DML row, so they are cached per backend; any
 * relcache invalidation of one of them (DROP EXTENSION, a rebuilt index)
 * or a reset of the whole relcache empties the cache.
 */
#define NUM_CATALOGS 5

static const char *const catalog_names[NUM_CATALOGS] = {
	"columnar_row_group", "columnar_deleted", "columnar_options", "columnar_storage_id_seq",
	"columnar_free_extent"
};
static Oid	catalog_oids[NUM_CATALOGS];
static Oid	catalog_index_oids[NUM_CATALOGS];
static bool catalog_callback_registered = false;

static void
catalog_cache_invalidate(Datum arg, Oid relid)
{
	int			i;
	bool		hit = !OidIsValid(relid);

	for (i = 0; i < NUM_CATALOGS && !hit; i++)
		hit = relid == catalog_oids[i] || relid == catalog_index_oids[i];
	if (hit)
	{
		memset(catalog_oids, 0, sizeof(catalog_oids));
		memset(catalog_index_oids, 0, sizeof(catalog_index_oids));
	}
}

static int
catalog_slot(const char *name)
{
	int			i;

	for (i = 0; i < NUM_CATALOGS; i++)
		if (strcmp(catalog_names[i], name) == 0)
			return i;
	elog(ERROR, "unknown columnar catalog \"%s\"", name);
	return -1;
}

Oid
columnar_catalog_relid(const char *name)
{
	int			slot = catalog_slot(name);
	Oid			nsp,
				relid;

	if (OidIsValid(catalog_oids[slot]))
		return catalog_oids[slot];
	if (!catalog_callback_registered)
	{
		CacheRegisterRelcacheCallback(catalog_cache_invalidate, (Datum) 0);
		catalog_callback_registered = true;
	}
	nsp = get_namespace_oid("datalayer", false);
	relid = get_relname_relid(name, nsp);
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("catalog table datalayer.%s is missing", name),
				 errhint("Columnar tables need the datalayer extension: CREATE EXTENSION datalayer.")));
	catalog_oids[slot] = relid;
	return relid;
}

/* the primary key index of one of our catalog tables */
Oid
columnar_catalog_index(Oid relid)
{
	int			slot;
	Relation	rel;
	Oid			index;

	for (slot = 0; slot < NUM_CATALOGS; slot++)
		if (catalog_oids[slot] == relid && OidIsValid(catalog_index_oids[slot]))
			return catalog_index_oids[slot];
	rel = table_open(relid, AccessShareLock);
	index = RelationGetPrimaryKeyIndex(rel);
	table_close(rel, AccessShareLock);
	if (!OidIsValid(index))
		elog(ERROR, "catalog table %u has no primary key", relid);
	for (slot = 0; slot < NUM_CATALOGS; slot++)
		if (catalog_oids[slot] == relid)
			catalog_index_oids[slot] = index;
	return index;
}

static void
meta_fill_page(Page page, uint64 storage_id)
{
	ColumnarMetaPage *meta;

	PageInit(page, BLCKSZ, 0);
	meta = (ColumnarMetaPage *) PageGetContents(page);
	meta->magic = COLUMNAR_META_MAGIC;
	meta->version = COLUMNAR_META_VERSION;
	meta->storage_id = storage_id;
	meta->next_row = COLUMNAR_FIRST_ROW;
	((PageHeader) page)->pd_lower = (char *) (meta + 1) - (char *) page;
}

static uint64
next_storage_id(void)
{
	Oid			seq = columnar_catalog_relid("columnar_storage_id_seq");

	return (uint64) DatumGetInt64(DirectFunctionCall1(nextval_oid, ObjectIdGetDatum(seq)));
}

/*
 * Writes block 0 of a relation file that was just created (through smgr:
 * the relation cache does not point at the new file yet).
 */
void
columnar_init_metapage(Relation rel, SMgrRelation srel, char persistence)
{
	PGAlignedBlock block;
	Page		page = (Page) block.data;
	RelFileNode rnode = srel->smgr_rnode.node;

	meta_fill_page(page, next_storage_id());
	if (persistence == RELPERSISTENCE_PERMANENT && !RelFileNodeSkippingWAL(rnode))
		log_newpage(&rnode, MAIN_FORKNUM, 0, page, true);
	PageSetChecksumInplace(page, 0);
	smgrextend(srel, MAIN_FORKNUM, 0, block.data, false);
}

static void
metapage_corrupt(Relation rel, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("columnar table \"%s\" has a damaged metapage", RelationGetRelationName(rel)),
			 errdetail("%s", what),
			 errhint("Restore the table from a backup; VACUUM cannot repair it.")));
}

static void
metapage_check(Relation rel, const ColumnarMetaPage *meta, Page page)
{
	if (PageIsNew(page) || ((PageHeader) page)->pd_lower < SizeOfPageHeaderData + sizeof(ColumnarMetaPage))
		metapage_corrupt(rel, "The first page is empty or too short.");
	if (meta->magic != COLUMNAR_META_MAGIC)
		metapage_corrupt(rel, "The first page does not carry the columnar magic number.");
	if (meta->version != COLUMNAR_META_VERSION)
		metapage_corrupt(rel, psprintf("Metapage version %u is not supported.", meta->version));
}

ColumnarMetaPage
columnar_read_metapage(Relation rel)
{
	Buffer		buf;
	Page		page;
	ColumnarMetaPage meta;

	if (RelationGetNumberOfBlocks(rel) == 0)
		metapage_corrupt(rel, "The relation file is empty.");
	buf = ReadBuffer(rel, 0);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	memcpy(&meta, PageGetContents(page), sizeof(meta));
	metapage_check(rel, &meta, page);
	UnlockReleaseBuffer(buf);
	return meta;
}

/*
 * Reserves count consecutive row numbers and returns the first.  With
 * expected_first set, reserves only if the next free number is that one
 * (so that a writer can grow its range in place) and returns 0 otherwise.
 */
static uint64
reserve_rows(Relation rel, uint32 count, uint64 expected_first)
{
	Buffer		buf;
	Page		page;
	ColumnarMetaPage *meta;
	GenericXLogState *state;
	uint64		first;

	buf = ReadBuffer(rel, 0);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	meta = (ColumnarMetaPage *) PageGetContents(BufferGetPage(buf));
	if (PageIsNew(BufferGetPage(buf)) || meta->magic != COLUMNAR_META_MAGIC ||
		meta->version != COLUMNAR_META_VERSION)
	{
		UnlockReleaseBuffer(buf);
		metapage_corrupt(rel, "The first page does not carry the columnar magic number.");
	}
	first = meta->next_row;
	if (expected_first != 0 && first != expected_first)
	{
		UnlockReleaseBuffer(buf);
		return 0;
	}
	if (first + count >= (uint64) MaxBlockNumber * COLUMNAR_ROWS_PER_BLOCK)
	{
		UnlockReleaseBuffer(buf);
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("columnar table \"%s\" has used all its row numbers", RelationGetRelationName(rel)),
				 errhint("VACUUM FULL the table to renumber its rows.")));
	}
	state = GenericXLogStart(rel);
	page = GenericXLogRegisterBuffer(state, buf, 0);
	meta = (ColumnarMetaPage *) PageGetContents(page);
	meta->next_row = first + count;
	GenericXLogFinish(state);
	UnlockReleaseBuffer(buf);
	return first;
}

uint64
columnar_reserve_rows(Relation rel, uint32 count)
{
	return reserve_rows(rel, count, 0);
}

bool
columnar_extend_reservation(Relation rel, uint64 expected_first, uint32 count)
{
	return reserve_rows(rel, count, expected_first) == expected_first;
}

static ColumnarRowGroup *
row_group_from_tuple(Relation rel, HeapTuple tup, TupleDesc desc)
{
	Datum		values[Natts_row_group];
	bool		nulls[Natts_row_group];
	ColumnarRowGroup *rg = palloc0(sizeof(ColumnarRowGroup));

	heap_deform_tuple(tup, desc, values, nulls);
	rg->first_row = (uint64) DatumGetInt64(values[1]);
	rg->row_count = (uint32) DatumGetInt32(values[2]);
	rg->first_block = (uint64) DatumGetInt64(values[3]);
	rg->data_length = (uint64) DatumGetInt64(values[4]);
	rg->dropped_rows = (uint32) DatumGetInt32(values[6]);
	if (rg->first_block != 0)
		columnar_meta_deserialize(rel, rg, DatumGetByteaPP(values[5]));
	return rg;
}

/*
 * For SnapshotAny readers (index builds): a row group whose writer
 * committed, is us, or is still running, and that nobody removed.
 */
static bool
row_group_committed(HeapTuple tup)
{
	TransactionId xmin = HeapTupleHeaderGetXmin(tup->t_data);
	TransactionId xmax = HeapTupleHeaderGetRawXmax(tup->t_data);

	if (!(TransactionIdIsCurrentTransactionId(xmin) || TransactionIdIsInProgress(xmin) ||
		  TransactionIdDidCommit(xmin)))
		return false;
	if (TransactionIdIsValid(xmax) && !(tup->t_data->t_infomask & HEAP_XMAX_INVALID) &&
		!HEAP_XMAX_IS_LOCKED_ONLY(tup->t_data->t_infomask) &&
		!(tup->t_data->t_infomask & HEAP_XMAX_IS_MULTI) &&
		(TransactionIdIsCurrentTransactionId(xmax) || TransactionIdDidCommit(xmax)))
		return false;
	return true;
}

/* the row groups of a file visible to snapshot, by first row */
List *
columnar_load_row_groups(Relation rel, uint64 storage_id, Snapshot snapshot)
{
	Oid			catalog = columnar_catalog_relid("columnar_row_group");
	Relation	crel = table_open(catalog, AccessShareLock);
	Relation	irel = index_open(columnar_catalog_index(catalog), AccessShareLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	List	   *result = NIL;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum((int64) storage_id));
	scan = systable_beginscan_ordered(crel, irel, snapshot, 1, &key);
	while ((tup = systable_getnext_ordered(scan, ForwardScanDirection)) != NULL)
	{
		ColumnarRowGroup *rg;

		if (snapshot == SnapshotAny && !row_group_committed(tup))
			continue;
		rg = row_group_from_tuple(rel, tup, RelationGetDescr(crel));
		if (rg->first_block == 0)
			continue;			/* a writer's reservation, still in memory */
		result = lappend(result, rg);
	}
	systable_endscan_ordered(scan);
	index_close(irel, AccessShareLock);
	table_close(crel, AccessShareLock);
	return result;
}

/* the row group that holds row, if one is visible to snapshot */
static ColumnarRowGroup *find_row_group(Relation rel, uint64 storage_id, uint64 row,
										Snapshot snapshot, TransactionId *xmin, CommandId *cmin);

ColumnarRowGroup *
columnar_find_row_group(Relation rel, uint64 storage_id, uint64 row, Snapshot snapshot)
{
	return find_row_group(rel, storage_id, row, snapshot, NULL, NULL);
}

/*
 * Whether row was written by the current transaction in command cid or a
 * later one (a row an INSERT ... ON CONFLICT wrote itself): such a row is
 * not there to be locked or updated by that command, as heap reports.
 */
bool
columnar_row_inserted_since(Relation rel, uint64 storage_id, uint64 row, CommandId cid,
							TransactionId *xmin)
{
	CommandId	cmin = InvalidCommandId;
	ColumnarRowGroup *rg;

	*xmin = InvalidTransactionId;
	rg = find_row_group(rel, storage_id, row, SnapshotSelf, xmin, &cmin);
	return rg != NULL && TransactionIdIsCurrentTransactionId(*xmin) && cmin >= cid;
}

/* columnar_find_row_group, also reporting who wrote the group's catalog row */
static ColumnarRowGroup *
find_row_group(Relation rel, uint64 storage_id, uint64 row, Snapshot snapshot,
			   TransactionId *xmin, CommandId *cmin)
{
	Oid			catalog = columnar_catalog_relid("columnar_row_group");
	Relation	crel = table_open(catalog, AccessShareLock);
	Relation	irel = index_open(columnar_catalog_index(catalog), AccessShareLock);
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tup;
	ColumnarRowGroup *result = NULL;

	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum((int64) storage_id));
	ScanKeyInit(&keys[1], 2, BTLessEqualStrategyNumber, F_INT8LE, Int64GetDatum((int64) row));
	scan = systable_beginscan_ordered(crel, irel, snapshot, 2, keys);
	/*
	 * Backwards: the first visible group starting at or before row.  Under a
	 * non-MVCC snapshot several versions may qualify; any that holds the row
	 * describes the same, immutable, data.
	 */
	while ((tup = systable_getnext_ordered(scan, BackwardScanDirection)) != NULL)
	{
		Datum		values[Natts_row_group];
		bool		nulls[Natts_row_group];
		uint64		first;
		uint32		count;

		/* a group VACUUM freed: its pages may hold another group's data */
		if (snapshot == SnapshotAny && !row_group_committed(tup))
			continue;
		heap_deform_tuple(tup, RelationGetDescr(crel), values, nulls);
		first = (uint64) DatumGetInt64(values[1]);
		count = (uint32) DatumGetInt32(values[2]);
		if (row >= first && row < first + count)
		{
			result = row_group_from_tuple(rel, tup, RelationGetDescr(crel));
			if (xmin != NULL)
			{
				*xmin = HeapTupleHeaderGetXmin(tup->t_data);
				*cmin = HeapTupleHeaderGetRawCommandId(tup->t_data);
			}
		}
		break;
	}
	systable_endscan_ordered(scan);
	index_close(irel, AccessShareLock);
	table_close(crel, AccessShareLock);
	return result;
}

static HeapTuple
row_group_tuple(Relation crel, uint64 storage_id, const ColumnarRowGroup *rg)
{
	Datum		values[Natts_row_group];
	bool		nulls[Natts_row_group] = {0};

	values[0] = Int64GetDatum((int64) storage_id);
	values[1] = Int64GetDatum((int64) rg->first_row);
	values[2] = Int32GetDatum((int32) rg->row_count);
	values[3] = Int64GetDatum((int64) rg->first_block);
	values[4] = Int64GetDatum((int64) rg->data_length);
	values[5] = PointerGetDatum(columnar_meta_serialize(rg));
	values[6] = Int32GetDatum((int32) rg->dropped_rows);
	return heap_form_tuple(RelationGetDescr(crel), values, nulls);
}

static void
index_row_group(Relation crel, Relation irel, HeapTuple tup, uint64 storage_id, uint64 first_row)
{
	Datum		ivalues[INDEX_MAX_KEYS];
	bool		inulls[INDEX_MAX_KEYS] = {0};

	ivalues[0] = Int64GetDatum((int64) storage_id);
	ivalues[1] = Int64GetDatum((int64) first_row);
	index_insert(irel, ivalues, inulls, &tup->t_self, crel, UNIQUE_CHECK_YES, false,
				 BuildIndexInfo(irel));
}

/*
 * A writer's reservation: a catalog row without data (first_block 0) that
 * covers the reserved row numbers, so that a unique check in another
 * session that meets an index entry of a row still in our memory finds an
 * in-progress writer to wait for.  Returns the catalog row's TID.
 */
ItemPointerData
columnar_insert_reservation(uint64 storage_id, uint64 first_row, uint32 count, int natts,
							CommandId cid)
{
	Oid			catalog = columnar_catalog_relid("columnar_row_group");
	Relation	crel = table_open(catalog, RowExclusiveLock);
	Relation	irel = index_open(columnar_catalog_index(catalog), RowExclusiveLock);
	ColumnarRowGroup rg = {0};
	HeapTuple	tup;
	ItemPointerData tid;

	rg.first_row = first_row;
	rg.row_count = count;
	rg.natts = natts;
	tup = row_group_tuple(crel, storage_id, &rg);
	heap_insert(crel, tup, cid, 0, NULL);
	index_row_group(crel, irel, tup, storage_id, first_row);
	tid = tup->t_self;
	index_close(irel, RowExclusiveLock);
	table_close(crel, RowExclusiveLock);
	heap_freetuple(tup);
	return tid;
}

/*
 * Overwrites the catalog row at *tid (a reservation of this transaction)
 * with rg, in place: the row keeps the inserting transaction and command,
 * so it becomes visible exactly when the rows would have.  An ordinary
 * update by the same command would be invisible to it.  Both versions
 * have the same length (fixed-size column entries, same natts).
 */
void
columnar_update_row_group(uint64 storage_id, ItemPointer tid, const ColumnarRowGroup *rg,
						  CommandId cid)
{
	Oid			catalog = columnar_catalog_relid("columnar_row_group");
	Relation	crel = table_open(catalog, RowExclusiveLock);
	HeapTuple	tup = row_group_tuple(crel, storage_id, rg);

	tup->t_self = *tid;
	heap_inplace_update(crel, tup);
	table_close(crel, RowExclusiveLock);
	heap_freetuple(tup);
}

/*
 * Points the committed catalog row of rg's group at rg's new data, by an
 * ordinary update: snapshots taken before this transaction commits keep
 * reading the old version, and with it the old pages (VACUUM frees them
 * with its transaction id, columnar_freespace.c).
 */
void
columnar_replace_row_group(uint64 storage_id, const ColumnarRowGroup *rg)
{
	Oid			catalog = columnar_catalog_relid("columnar_row_group");
	Relation	crel = table_open(catalog, RowExclusiveLock);
	Relation	irel = index_open(columnar_catalog_index(catalog), RowExclusiveLock);
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	old;
	HeapTuple	tup;

	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum((int64) storage_id));
	ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum((int64) rg->first_row));
	scan = systable_beginscan(crel, columnar_catalog_index(catalog), true, NULL, 2, keys);
	old = systable_getnext(scan);
	if (old == NULL)
		elog(ERROR, "columnar row group at row " UINT64_FORMAT " of storage " UINT64_FORMAT " not found",
			 rg->first_row, storage_id);
	tup = row_group_tuple(crel, storage_id, rg);
	simple_heap_update(crel, &old->t_self, tup);
	/* the key is the same: a HOT update needs no new index entry */
	if (!HeapTupleIsHeapOnly(tup))
		index_row_group(crel, irel, tup, storage_id, rg->first_row);
	systable_endscan(scan);
	index_close(irel, RowExclusiveLock);
	table_close(crel, RowExclusiveLock);
	heap_freetuple(tup);
}

/*
 * Deletes the rows of one of our catalogs that belong to a file and whose
 * second key column (row or block number) is in [from, to); to 0: all.
 */
void
columnar_delete_catalog_rows(const char *name, uint64 storage_id, uint64 from, uint64 to)
{
	Oid			catalog = columnar_catalog_relid(name);
	Relation	crel = table_open(catalog, RowExclusiveLock);
	ScanKeyData keys[3];
	int			nkeys = 1;
	SysScanDesc scan;
	HeapTuple	tup;

	ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum((int64) storage_id));
	if (to > 0)
	{
		ScanKeyInit(&keys[1], 2, BTGreaterEqualStrategyNumber, F_INT8GE, Int64GetDatum((int64) from));
		ScanKeyInit(&keys[2], 2, BTLessStrategyNumber, F_INT8LT, Int64GetDatum((int64) to));
		nkeys = 3;
	}
	scan = systable_beginscan(crel, columnar_catalog_index(catalog), true, NULL, nkeys, keys);
	while ((tup = systable_getnext(scan)) != NULL)
		simple_heap_delete(crel, &tup->t_self);
	systable_endscan(scan);
	table_close(crel, RowExclusiveLock);
}

void
columnar_delete_storage(uint64 storage_id)
{
	columnar_delete_catalog_rows("columnar_row_group", storage_id, 0, 0);
	columnar_delete_catalog_rows("columnar_deleted", storage_id, 0, 0);
	columnar_delete_catalog_rows("columnar_free_extent", storage_id, 0, 0);
}

/*
 * Opens datalayer.columnar_options with lockmode into *crel and starts a
 * scan of relid's row (at most one).
 */
SysScanDesc
columnar_options_scan(Oid relid, LOCKMODE lockmode, Relation *crel)
{
	Oid			catalog = columnar_catalog_relid("columnar_options");
	ScanKeyData key;

	*crel = table_open(catalog, lockmode);
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	return systable_beginscan(*crel, columnar_catalog_index(catalog), true, NULL, 1, &key);
}

ColumnarOptions
columnar_get_options(Oid relid)
{
	ColumnarOptions opts = {COLUMNAR_DEFAULT_ROW_GROUP_SIZE, COLUMNAR_DEFAULT_ZSTD_LEVEL, 0, {0}};
	Relation	crel;
	SysScanDesc scan = columnar_options_scan(relid, AccessShareLock, &crel);
	HeapTuple	tup;

	if ((tup = systable_getnext(scan)) != NULL)
	{
		Datum		values[4];
		bool		nulls[4];

		heap_deform_tuple(tup, RelationGetDescr(crel), values, nulls);
		opts.row_group_size = DatumGetInt32(values[1]);
		opts.zstd_level = DatumGetInt32(values[2]);
		if (!nulls[3])
		{
			ArrayType  *arr = DatumGetArrayTypeP(values[3]);
			Datum	   *elems;
			bool	   *elem_nulls;
			int			n;
			int			i;

			deconstruct_array(arr, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR,
							  &elems, &elem_nulls, &n);
			/* kept by name; one that no longer names a column is left out */
			for (i = 0; i < n && opts.nsort < COLUMNAR_MAX_SORT_KEYS; i++)
			{
				AttrNumber	attnum = elem_nulls[i] ? InvalidAttrNumber :
					get_attnum(relid, NameStr(*DatumGetName(elems[i])));

				if (attnum > 0)
					opts.sort_by[opts.nsort++] = attnum;
			}
		}
	}
	systable_endscan(scan);
	table_close(crel, AccessShareLock);
	return opts;
}
