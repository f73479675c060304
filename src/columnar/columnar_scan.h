/*
 * columnar_scan.h
 *		The scan state shared by the table AM's sequential scans and the
 *		columnar custom scan (projection and row group skipping).
 */
#ifndef DATALAYER_COLUMNAR_SCAN_H
#define DATALAYER_COLUMNAR_SCAN_H

#include "access/relscan.h"
#include "nodes/bitmapset.h"

#include "columnar/columnar.h"

/* true: the row group cannot hold a matching row, skip it */
typedef bool (*ColumnarSkipFn) (const ColumnarRowGroup *rg, void *arg);

typedef struct ColumnarScanDescData
{
	TableScanDescData base;
	MemoryContext ctx;
	uint64		storage_id;
	Bitmapset  *attrs;			/* columns to decode; NULL = all */
	List	   *groups;			/* ColumnarRowGroup *, visible ones */
	ColumnarDeletedSet *deleted;	/* markers visible to the snapshot */
	ColumnarDeletedSet *deleted_any;	/* index builds: markers of committed deleters */
	int			next_group;
	int			current;		/* index of the decoded group, or -1 */
	uint32		pos;			/* next row of it */
	bool		group_has_deleted;
	ColumnarDecoded decoded;
	BlockNumber nblocks;
	ColumnarSkipFn skip;
	void	   *skip_arg;
	uint64		groups_read;
	uint64		groups_skipped;
	uint64		analyze_next;	/* ANALYZE: rows [next, end) of the table */
	uint64		analyze_end;
} ColumnarScanDescData;

typedef ColumnarScanDescData *ColumnarScanDesc;

extern ColumnarScanDesc columnar_begin_read(Relation rel, Snapshot snapshot, const Bitmapset *attrs,
											ParallelTableScanDesc pscan, uint32 flags);
extern bool columnar_read_next(ColumnarScanDesc scan, TupleTableSlot *slot);
extern bool columnar_next_row_group(ColumnarScanDesc scan);

/* columnar_customscan.c: row group skipping by min/max */
typedef struct SkipQual
{
	int			attno;			/* 0-based */
	int			strategy;		/* BT*StrategyNumber, or 0 for IS NULL, -1 IS NOT NULL */
	int			nvalues;
	Datum	   *values;
	FmgrInfo	cmp;			/* column type vs value type */
	Oid			collation;
} SkipQual;

extern bool columnar_value_expr(Node *node);
extern Var *columnar_plain_var(Node *node, Index scanrelid);
extern SkipQual *columnar_skip_from_clause(Node *clause, Index scanrelid, TupleDesc desc,
										   struct ExprContext *econtext);
extern bool columnar_skip_row_group(const ColumnarRowGroup *rg, void *arg);
extern void columnar_customscan_install(void);

/* columnar_aggregate.c */
extern void columnar_aggregate_install(void);

extern void columnar_parallel_counts(ParallelTableScanDesc pscan, uint64 *read, uint64 *skipped);

#endif							/* DATALAYER_COLUMNAR_SCAN_H */
