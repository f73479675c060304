/*
 * columnar_indexscan.c
 *		Index scans of columnar tables: costed by the row groups they decode,
 *		and decoding only the columns their plan node uses.
 *
 * Costing.  An index scan returns rows in index order; each time the next
 * row lies in another row group than the last, that row group's columns
 * are decoded.  An index whose order follows the table's (a time index on
 * rows loaded in time order, or (host, time) when the host is fixed by an
 * equality) changes row group once per row group spanned; one that does
 * not may change it on every row, which the planner's page-based costs do
 * not see because compressed pages are few.  Each index path's cost gets
 * the decoding of the row groups it is expected to change to, estimated
 * from the correlation (pg_stats) of the first index column that no
 * equality fixes, as the planner does for heap pages; the cost of decoding
 * a row group is what ColumnarScan charges for one.
 *
 * An index scan returns rows one at a time through the table AM's index
 * fetch, which is told nothing about the query.  The columnar slot
 * (columnar_slot.c) already decodes a row group's columns only when the
 * executor asks for them, but the executor asks for a prefix of the
 * columns (all up to the last one it needs), so a query reading the fifth
 * column would still decode the four before it.
 *
 * After the executor has set up a plan, this hook walks its plan state
 * tree and, for each plain (not parallel-aware) index scan of a columnar
 * table, starts the index scan itself, as IndexNext would on its first
 * call, and tells the scan's fetch state which columns the node's target
 * list, filter and index conditions reference.  Other columns read as NULL
 * without being decoded.  The scan slot of an index scan is read only by
 * the node's own expressions, or, when its target list passes the row up
 * unchanged, by its parent; a parent Agg's references are followed, any
 * other parent counts as reading every column.  A whole-row reference, or any scan this hook did not set up
 * (unique checks, row-version fetches, parallel scans), decodes every
 * column asked for.
 */
#include "postgres.h"

#include <math.h>

#include "access/genam.h"
#include "access/relscan.h"
#include "catalog/pg_am_d.h"
#include "catalog/pg_statistic.h"
#include "executor/executor.h"
#include "executor/nodeIndexscan.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "parser/parsetree.h"
#include "utils/lsyscache.h"
#include "utils/selfuncs.h"
#include "utils/syscache.h"

#include "columnar/columnar.h"

static ExecutorStart_hook_type prev_executor_start = NULL;

/* ---- costing ---- */

/* the correlation of a column with the table's row order (pg_stats), 0 when unknown */
static double
column_correlation(Oid relid, AttrNumber attnum)
{
	HeapTuple	tup;
	AttStatsSlot sslot;
	double		corr = 0;

	if (attnum <= 0)
		return 0;
	tup = SearchSysCache3(STATRELATTINH, ObjectIdGetDatum(relid), Int16GetDatum(attnum),
						  BoolGetDatum(false));
	if (!HeapTupleIsValid(tup))
		return 0;
	if (get_attstatsslot(&sslot, tup, STATISTIC_KIND_CORRELATION, InvalidOid, ATTSTATSSLOT_NUMBERS))
	{
		if (sslot.nnumbers == 1)
			corr = sslot.numbers[0];
		free_attstatsslot(&sslot);
	}
	ReleaseSysCache(tup);
	return corr;
}

/* how many leading columns of path's index its clauses fix with an equality */
static int
leading_equalities(IndexPath *path)
{
	IndexOptInfo *index = path->indexinfo;
	int			fixed = 0;

	if (index->relam != BTREE_AM_OID)
		return 0;
	for (;;)
	{
		bool		found = false;
		ListCell   *lc;

		if (fixed >= index->nkeycolumns)
			return fixed;
		foreach(lc, path->indexclauses)
		{
			IndexClause *ic = lfirst(lc);
			ListCell   *lc2;

			if (ic->indexcol != fixed)
				continue;
			foreach(lc2, ic->indexquals)
			{
				Expr	   *clause = ((RestrictInfo *) lfirst(lc2))->clause;

				if (IsA(clause, OpExpr) &&
					get_op_opfamily_strategy(((OpExpr *) clause)->opno,
											 index->opfamily[fixed]) == BTEqualStrategyNumber)
					found = true;
			}
		}
		if (!found)
			return fixed;
		fixed++;
	}
}

/* the row groups an index scan along path is expected to decode */
static double
row_group_changes(PlannerInfo *root, IndexPath *path, double rows_per_group)
{
	IndexOptInfo *index = path->indexinfo;
	RangeTblEntry *rte = planner_rt_fetch(index->rel->relid, root);
	double		fetched = clamp_row_est(path->indexselectivity * index->rel->tuples);
	double		in_order = Max(1.0, ceil(fetched / rows_per_group));
	int			fixed = leading_equalities(path);
	double		corr = 0;

	if (fixed < index->nkeycolumns)
		corr = column_correlation(rte->relid, index->indexkeys[fixed]);
	else
		corr = 1.0;				/* every key fixed: the matching rows, in row order */
	/* as cost_index interpolates between sequential and random pages */
	return in_order + (1.0 - corr * corr) * Max(fetched - in_order, 0.0);
}

static List *
recost_paths(PlannerInfo *root, List *paths, List **moved, double rows_per_group,
			 double group_cost)
{
	List	   *kept = NIL;
	ListCell   *lc;

	foreach(lc, paths)
	{
		Path	   *p = lfirst(lc);

		if (IsA(p, IndexPath) && p->pathtype == T_IndexScan)
		{
			double		extra = group_cost * row_group_changes(root, (IndexPath *) p, rows_per_group);

			/* a partial path's workers share the row groups */
			if (p->parallel_workers > 0)
				extra /= p->parallel_workers;
			p->total_cost += extra;
			((IndexPath *) p)->indextotalcost += extra;
			*moved = lappend(*moved, p);
		}
		else
			kept = lappend(kept, p);
	}
	return kept;
}

/*
 * Adds to the cost of rel's index scan paths the decoding of the row groups
 * they change to; group_cost is the cost of decoding one row group of
 * rows_per_group rows.  The paths are taken out and added again, so that
 * the path lists stay in cost order.
 */
void
columnar_cost_index_paths(PlannerInfo *root, RelOptInfo *rel, double rows_per_group,
						  double group_cost)
{
	List	   *moved = NIL;
	List	   *moved_partial = NIL;
	ListCell   *lc;

	rel->pathlist = recost_paths(root, rel->pathlist, &moved, rows_per_group, group_cost);
	rel->partial_pathlist = recost_paths(root, rel->partial_pathlist, &moved_partial,
										 rows_per_group, group_cost);
	foreach(lc, moved)
		add_path(rel, lfirst(lc));
	foreach(lc, moved_partial)
		add_partial_path(rel, lfirst(lc));
}

/* ---- execution: only the columns used ---- */

/* does tlist return the scanned row as it is: column k at position k? */
static bool
is_physical_tlist(List *tlist, Index scanrelid)
{
	ListCell   *lc;

	foreach(lc, tlist)
	{
		TargetEntry *tle = lfirst(lc);
		Var		   *var = (Var *) tle->expr;

		if (!IsA(var, Var) || var->varno != scanrelid || var->varattno != tle->resno)
			return false;
	}
	return true;
}

/*
 * The columns an index scan's rows are read for, or NULL when that is the
 * whole row.  A scan that passes its rows up unchanged (a "physical" target
 * list, which the planner prefers because it saves a projection) under a
 * plain Agg is read by the Agg's expressions and grouping columns only.
 */
static Bitmapset *
columns_used(IndexScan *plan, PlanState *parent, Relation index)
{
	Index		scanrelid = plan->scan.scanrelid;
	List	   *tlist = plan->scan.plan.targetlist;
	Bitmapset  *attrs = NULL;

	if (parent != NULL && IsA(parent->plan, Agg) && parent->plan->lefttree == (Plan *) plan &&
		is_physical_tlist(tlist, scanrelid))
	{
		Agg		   *agg = (Agg *) parent->plan;

		if (agg->groupingSets != NIL || agg->chain != NIL)
			return NULL;
		pull_varattnos((Node *) agg->plan.targetlist, OUTER_VAR, &attrs);
		pull_varattnos((Node *) agg->plan.qual, OUTER_VAR, &attrs);
		for (int i = 0; i < agg->numCols; i++)
			attrs = bms_add_member(attrs, agg->grpColIdx[i] - FirstLowInvalidHeapAttributeNumber);
	}
	else
		pull_varattnos((Node *) tlist, scanrelid, &attrs);
	pull_varattnos((Node *) plan->scan.plan.qual, scanrelid, &attrs);
	/* a B-tree answers its conditions exactly; other indexes may ask for a recheck */
	if (index->rd_rel->relam != BTREE_AM_OID)
		pull_varattnos((Node *) plan->indexqualorig, scanrelid, &attrs);
	pull_varattnos((Node *) plan->indexorderbyorig, scanrelid, &attrs);
	if (bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs))
		return NULL;
	return attrs;
}

static void
start_index_scan(IndexScanState *node, PlanState *parent)
{
	IndexScan  *plan = (IndexScan *) node->ss.ps.plan;
	EState	   *estate = node->ss.ps.state;
	Relation	rel = node->ss.ss_currentRelation;
	Bitmapset  *attrs;
	IndexScanDesc scandesc;
	MemoryContext old;

	if (rel == NULL || !columnar_is_columnar(rel) || node->iss_ScanDesc != NULL ||
		node->iss_RelationDesc == NULL || plan->scan.plan.parallel_aware)
		return;
	old = MemoryContextSwitchTo(estate->es_query_cxt);
	attrs = columns_used(plan, parent, node->iss_RelationDesc);
	if (attrs == NULL)
	{
		MemoryContextSwitchTo(old);
		return;
	}
	/* what IndexNext does on its first call */
	scandesc = index_beginscan(rel, node->iss_RelationDesc, estate->es_snapshot,
							   node->iss_NumScanKeys, node->iss_NumOrderByKeys);
	node->iss_ScanDesc = scandesc;
	if (node->iss_NumRuntimeKeys == 0 || node->iss_RuntimeKeysReady)
		index_rescan(scandesc, node->iss_ScanKeys, node->iss_NumScanKeys,
					 node->iss_OrderByKeys, node->iss_NumOrderByKeys);
	columnar_index_fetch_set_columns(scandesc->xs_heapfetch, attrs);
	MemoryContextSwitchTo(old);
}

/* context: the parent of ps */
static bool
walk_plan_state(PlanState *ps, void *context)
{
	if (ps == NULL)
		return false;
	if (IsA(ps, IndexScanState))
		start_index_scan((IndexScanState *) ps, (PlanState *) context);
	return planstate_tree_walker(ps, walk_plan_state, ps);
}

static void
columnar_executor_start(QueryDesc *queryDesc, int eflags)
{
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
	if ((eflags & EXEC_FLAG_EXPLAIN_ONLY) == 0 && queryDesc->planstate != NULL)
		walk_plan_state(queryDesc->planstate, NULL);
}

void
columnar_indexscan_install(void)
{
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = columnar_executor_start;
}
