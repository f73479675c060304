/*
 * columnar_indexscan.c
 *		Index scans of columnar tables decode only the columns their plan
 *		node uses.
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

#include "access/genam.h"
#include "access/relscan.h"
#include "catalog/pg_am_d.h"
#include "executor/executor.h"
#include "executor/nodeIndexscan.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"

#include "columnar/columnar.h"

static ExecutorStart_hook_type prev_executor_start = NULL;

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
