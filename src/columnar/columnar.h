/*
 * columnar.h
 *		Shared declarations of the datalayer_columnar table access method.
 *
 * A columnar relation file is a metapage (block 0: a magic number, the
 * storage id and the next unassigned row number) followed by row groups.
 * A row group is the concatenation of its columns' buffers (codec.h, then
 * zstd), written from a fresh page across as many pages as it needs, each
 * page a standard page whose contents start after the page header.  Which
 * row groups exist, and which of their rows are deleted, is recorded in
 * the catalog tables datalayer.columnar_row_group and columnar_deleted
 * (src/sql/70_columnar.sql), keyed by storage id.
 *
 * Row numbers are the table's TIDs: row r is block r / COLUMNAR_ROWS_PER_BLOCK,
 * offset r % COLUMNAR_ROWS_PER_BLOCK + 1.  Writers reserve a range of row
 * numbers from the metapage when they start a row group, so the TIDs that
 * index entries receive at insert time stay valid after the flush.
 */
#ifndef DATALAYER_COLUMNAR_H
#define DATALAYER_COLUMNAR_H

#include "postgres.h"

#include "access/htup_details.h"
#include "access/relscan.h"
#include "executor/tuptable.h"
#include "storage/itemptr.h"
#include "utils/rel.h"
#include "utils/snapshot.h"

#define COLUMNAR_AM_NAME		"datalayer_columnar"
#define COLUMNAR_META_MAGIC		0x444C434D	/* "DLCM" */
#define COLUMNAR_META_VERSION	1
#define COLUMNAR_ROWS_PER_BLOCK	MaxHeapTuplesPerPage
#define COLUMNAR_FIRST_ROW		1	/* row 0 would be TID (0,1) on the metapage: fine, but keep it unused */
#define COLUMNAR_PAGE_CAPACITY	(BLCKSZ - SizeOfPageHeaderData)
#define COLUMNAR_DEFAULT_ROW_GROUP_SIZE 50000
#define COLUMNAR_DEFAULT_ZSTD_LEVEL 3
#define COLUMNAR_MAX_COLUMNS	170	/* a row group's catalog row stays within a page */

typedef struct ColumnarMetaPage
{
	uint32		magic;
	uint32		version;
	uint64		storage_id;
	uint64		next_row;		/* first row number not yet reserved */
} ColumnarMetaPage;

/* how a column's values are held in the codec layer */
typedef enum ColumnarKind
{
	COLUMNAR_KIND_INT = 1,		/* byval integers of 1, 2, 4 or 8 bytes */
	COLUMNAR_KIND_FLOAT8,
	COLUMNAR_KIND_FLOAT4,
	COLUMNAR_KIND_BOOL,
	COLUMNAR_KIND_VARLENA,		/* typlen -1: the detoasted bytes */
	COLUMNAR_KIND_CSTRING,		/* typlen -2: the bytes with their terminator */
	COLUMNAR_KIND_FIXED			/* fixed-length by reference: typlen bytes */
} ColumnarKind;

/* one column of one row group, as the catalog's column_meta describes it */
typedef struct ColumnarChunkMeta
{
	bool		present;		/* false: dropped column, or added after this row group */
	uint8		encoding;		/* CodecId */
	bool		has_minmax;
	uint64		offset;			/* into the row group's data */
	uint32		stored_len;		/* after zstd */
	uint32		raw_len;		/* before zstd */
	uint32		null_count;
	uint64		plain_len;		/* the values' size as PostgreSQL stores them */
	Datum		min;			/* byval types only, when has_minmax */
	Datum		max;
} ColumnarChunkMeta;

/* one row group, as the catalog row describes it */
typedef struct ColumnarRowGroup
{
	uint64		first_row;
	uint32		row_count;
	uint64		first_block;
	uint64		data_length;
	uint32		dropped_rows;	/* deleted rows whose values VACUUM dropped (now NULLs) */
	int			natts;
	ColumnarChunkMeta *columns;	/* natts entries */
} ColumnarRowGroup;

#define COLUMNAR_MAX_SORT_KEYS	8

/* per-table settings */
typedef struct ColumnarOptions
{
	int			row_group_size;
	int			zstd_level;
	int			nsort;			/* columns compaction sorts rows by; 0: none */
	AttrNumber	sort_by[COLUMNAR_MAX_SORT_KEYS];
} ColumnarOptions;

/* columnar_tableam.c */
extern bool columnar_is_columnar(Relation rel);
extern uint64 columnar_storage_id(Relation rel);
extern void columnar_install_hooks(void);

/* columnar_meta.c: metapage and catalog rows */
extern ColumnarMetaPage columnar_read_metapage(Relation rel);
extern void columnar_init_metapage(Relation rel, SMgrRelation srel, char persistence);
extern uint64 columnar_reserve_rows(Relation rel, uint32 count);
extern bool columnar_extend_reservation(Relation rel, uint64 expected_first, uint32 count);
extern List *columnar_load_row_groups(Relation rel, uint64 storage_id, Snapshot snapshot);
extern ColumnarRowGroup *columnar_find_row_group(Relation rel, uint64 storage_id,
												 uint64 row, Snapshot snapshot);
extern bool columnar_row_inserted_since(Relation rel, uint64 storage_id, uint64 row,
										CommandId cid, TransactionId *xmin);
extern ItemPointerData columnar_insert_reservation(uint64 storage_id, uint64 first_row,
												   uint32 count, int natts, CommandId cid);
extern void columnar_update_row_group(uint64 storage_id, ItemPointer tid,
									  const ColumnarRowGroup *rg, CommandId cid);
extern void columnar_replace_row_group(uint64 storage_id, const ColumnarRowGroup *rg);
extern void columnar_delete_storage(uint64 storage_id);
extern void columnar_delete_catalog_rows(const char *name, uint64 storage_id, uint64 from,
										 uint64 to);
extern ColumnarOptions columnar_get_options(Oid relid);
extern struct SysScanDescData *columnar_options_scan(Oid relid, LOCKMODE lockmode, Relation *crel);
extern Oid	columnar_catalog_relid(const char *name);
extern Oid	columnar_catalog_index(Oid relid);

/* columnar_deleted.c: the deleted-row markers */
typedef struct ColumnarDeletedSet
{
	uint64	   *rows;			/* sorted */
	int			count;
} ColumnarDeletedSet;

extern ColumnarDeletedSet *columnar_load_deleted(uint64 storage_id, Snapshot snapshot);
extern ColumnarDeletedSet *columnar_load_deleted_range(uint64 storage_id, uint64 first,
													   uint64 count, Snapshot snapshot);
extern ColumnarDeletedSet *columnar_load_dead(uint64 storage_id, TransactionId horizon,
											  Snapshot snapshot);
extern bool columnar_deleted_contains(const ColumnarDeletedSet *set, uint64 row);
extern int	columnar_deleted_in_range(const ColumnarDeletedSet *set, uint64 first, uint64 count);
extern bool columnar_row_deleted(uint64 storage_id, uint64 row, Snapshot snapshot);
extern void columnar_mark_deleted(uint64 storage_id, uint64 row, CommandId cid, bool updated);

/* a marker found with a dirty snapshot: who wrote it */
typedef struct ColumnarMarkerState
{
	bool		found;
	bool		updated;		/* by UPDATE, not DELETE */
	TransactionId xmin;
	CommandId	cmin;
	bool		in_progress;	/* xmin still running (not us) */
	bool		visible;		/* to the caller's MVCC snapshot */
} ColumnarMarkerState;
extern ColumnarMarkerState columnar_marker_state(uint64 storage_id, uint64 row, Snapshot snapshot);

/* columnar_format.c: column_meta and the column kinds */
extern ColumnarKind columnar_kind_of(Form_pg_attribute att);
extern Size columnar_meta_size(int natts);
extern bytea *columnar_meta_serialize(const ColumnarRowGroup *rg);
extern void columnar_meta_deserialize(Relation rel, ColumnarRowGroup *rg, const bytea *meta);
extern bool columnar_kind_has_minmax(ColumnarKind kind);

/* columnar_storage.c: row group bytes in pages */
extern uint64 columnar_write_data(Relation rel, const char *data, uint64 len);
extern void columnar_read_data(Relation rel, const ColumnarRowGroup *rg, uint64 offset,
							   uint32 len, char *out, BlockNumber *nblocks_cache);

/* columnar_freespace.c: the pages of freed row groups */
typedef struct ColumnarFreeExtent
{
	uint64		first_block;
	uint64		blocks;
	bool		reusable;		/* no snapshot can see the group that held them */
} ColumnarFreeExtent;

extern uint32 columnar_free_dead_groups(Relation rel, const ColumnarDeletedSet *dead,
										uint64 *rows_freed, uint64 *blocks_freed);
extern uint32 columnar_drop_dead_rows(Relation rel, const ColumnarDeletedSet *dead,
									  uint64 *rows_dropped, uint64 *blocks_freed);
extern BlockNumber columnar_take_free_extent(Relation rel, BlockNumber nblocks);
extern List *columnar_free_extents(Relation rel);

/* columnar_writer.c: buffered inserts */
extern void columnar_writer_insert(Relation rel, TupleTableSlot *slot, CommandId cid);
extern void columnar_rewrite_row_group(Relation rel, const ColumnarRowGroup *rg,
									   const ColumnarDeletedSet *dead);
extern void columnar_flush_pending(Relation rel);
extern void columnar_flush_pending_row(Relation rel, uint64 row);
extern void columnar_discard_pending(Relation rel);
extern void columnar_writer_install(void);

/* columnar_reader.c: decoding row groups */
typedef struct ColumnarDecoded
{
	uint64		first_row;
	uint32		count;
	int			natts;
	bool	   *loaded;			/* per column */
	Datum	  **values;			/* per column: count values, or NULL */
	bool	  **nulls;			/* per column: count flags, or NULL when none */
	struct CodecAccess **access;	/* per column: single values, or NULL */
	MemoryContext ctx;
} ColumnarDecoded;

extern void columnar_decode_columns(Relation rel, const ColumnarRowGroup *rg,
									const Bitmapset *attrs, ColumnarDecoded *out,
									BlockNumber *nblocks_cache);
extern void columnar_decoded_reset(ColumnarDecoded *dec, MemoryContext parent, int natts);
extern void columnar_read_value(Relation rel, const ColumnarRowGroup *rg, int a, uint32 pos,
								ColumnarDecoded *dec, BlockNumber *nblocks_cache,
								Datum *value, bool *isnull);
extern void columnar_reader_install(void);
extern void columnar_tune_malloc(void);

/* columnar_slot.c: slots that decode a row group's columns on demand */
typedef struct ColumnarRowSource
{
	Relation	rel;
	ColumnarRowGroup *group;	/* the row group decoded belongs to */
	ColumnarDecoded *decoded;
	BlockNumber *nblocks;		/* the reader's cached file size */
	uint64		generation;		/* bumped whenever decoded is reset */
	const Bitmapset *columns;	/* the only columns read (as pull_varattnos), or NULL: all */
} ColumnarRowSource;

extern const TupleTableSlotOps *columnar_slot_ops(void);
extern void columnar_index_fetch_set_columns(IndexFetchTableData *scan,
											 const Bitmapset *columns);
extern void columnar_indexscan_install(void);
struct PlannerInfo;
struct RelOptInfo;
extern void columnar_cost_index_paths(struct PlannerInfo *root, struct RelOptInfo *rel,
									  double rows_per_group, double group_cost);
extern void columnar_slot_store_row(TupleTableSlot *slot, ColumnarRowSource *src, uint32 pos);
extern void columnar_slot_set_xmin(TupleTableSlot *slot, TransactionId xmin);

/* columnar_logical.c: heap-format WAL records for logical decoding */
extern bool columnar_logically_logged(Relation rel);
extern void columnar_log_insert(Relation rel, TupleTableSlot *slot, uint64 row);
extern void columnar_log_delete(Relation rel, ItemPointer otid);
extern void columnar_log_update(Relation rel, ItemPointer otid, TupleTableSlot *slot, uint64 new_row);

/* row numbers and TIDs */
static inline void
columnar_row_to_tid(uint64 row, ItemPointer tid)
{
	ItemPointerSet(tid, (BlockNumber) (row / COLUMNAR_ROWS_PER_BLOCK),
				   (OffsetNumber) (row % COLUMNAR_ROWS_PER_BLOCK + 1));
}

static inline uint64
columnar_tid_to_row(ItemPointer tid)
{
	return (uint64) ItemPointerGetBlockNumber(tid) * COLUMNAR_ROWS_PER_BLOCK +
		(ItemPointerGetOffsetNumber(tid) - 1);
}

#endif							/* DATALAYER_COLUMNAR_H */
