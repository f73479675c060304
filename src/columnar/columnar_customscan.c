/*
 * columnar_customscan.c
 *		ColumnarScan: the custom scan that reads a columnar table decoding
 *		only the columns a query uses and skipping row groups whose min/max
 *		rule out every row.
 *
 * The planner hook adds a ColumnarScan path beside the sequential scan of
 * every columnar base relation, costed by the share of the columns it
 * reads.  At execution the scan's quals (all of them still run on every
 * returned row) are searched for comparisons of a column with a value
 * known when the scan starts (constants and parameters): =, <, <=, >, >=
 * (so BETWEEN), IN (...) and IS [NOT] NULL.  Those become skip tests
 * against each row group's min/max and NULL count, through the column
 * type's btree comparison function, so any type with stored min/max
 * (integers, dates, timestamps, floats) is handled the same way.
 * EXPLAIN shows the columns read and the skip quals; EXPLAIN ANALYZE adds
 * the row groups read and skipped.
 */
#include "postgres.h"

#include "access/nbtree.h"
#include "access/parallel.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_am.h"
#include "catalog/pg_opfamily.h"
#include "commands/defrem.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/restrictinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "columnar/columnar_scan.h"

typedef struct ColumnarScanState
{
	CustomScanState css;
	ColumnarScanDesc scan;
	ParallelTableScanDesc pscan;	/* shared by a parallel scan's processes */
	bool		shared_counts;	/* the counts below are all processes' */
	uint64		groups_read;
	uint64		groups_skipped;
	Bitmapset  *attrs;
	List	   *skips;			/* SkipQual *, for the current (re)scan */
	MemoryContext skip_ctx;		/* holds them */
} ColumnarScanState;

static set_rel_pathlist_hook_type prev_set_rel_pathlist = NULL;
static CustomPathMethods path_methods;
static CustomScanMethods plan_methods;
static CustomExecMethods exec_methods;

/* ---- planning ---- */

static Plan *
plan_columnar_path(PlannerInfo *root, RelOptInfo *rel, struct CustomPath *best_path,
				   List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cscan = makeNode(CustomScan);

	cscan->methods = &plan_methods;
	cscan->scan.scanrelid = rel->relid;
	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = extract_actual_clauses(clauses, false);
	cscan->flags = best_path->flags;
	return &cscan->scan.plan;
}

static void
columnar_set_rel_pathlist(PlannerInfo *root, RelOptInfo *rel, Index rti, RangeTblEntry *rte)
{
	Relation	relation;
	bool		columnar;
	Bitmapset  *attrs = NULL;
	ListCell   *lc;
	Path	   *seq = NULL;
	CustomPath *cpath;
	double		share;
	int			natts;

	if (prev_set_rel_pathlist)
		prev_set_rel_pathlist(root, rel, rti, rte);
	if (rel->reloptkind != RELOPT_BASEREL || rte->rtekind != RTE_RELATION ||
		rte->relkind != RELKIND_RELATION || rte->tablesample != NULL)
		return;
	relation = relation_open(rte->relid, NoLock);
	columnar = columnar_is_columnar(relation);
	natts = RelationGetDescr(relation)->natts;
	relation_close(relation, NoLock);
	if (!columnar)
		return;

	pull_varattnos((Node *) rel->reltarget->exprs, rel->relid, &attrs);
	foreach(lc, rel->baserestrictinfo)
		pull_varattnos((Node *) ((RestrictInfo *) lfirst(lc))->clause, rel->relid, &attrs);
	share = natts > 0 ? (double) Max(bms_num_members(attrs), 1) / natts : 1.0;
	if (bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs))
		share = 1.0;

	/* index scans pay for the row groups they decode, at ColumnarScan's rate */
	if (rel->tuples > 0)
	{
		double		rows_per_group = Min((double) columnar_get_options(rte->relid).row_group_size,
										 rel->tuples);

		columnar_cost_index_paths(root, rel, rows_per_group,
								  rows_per_group * cpu_tuple_cost * (0.2 + 0.79 * share));
	}

	foreach(lc, rel->pathlist)
	{
		Path	   *p = lfirst(lc);

		if (p->pathtype == T_SeqScan)
			seq = p;
	}
	if (seq == NULL)
		return;

	cpath = makeNode(CustomPath);
	cpath->path.pathtype = T_CustomScan;
	cpath->path.parent = rel;
	cpath->path.pathtarget = rel->reltarget;
	cpath->path.param_info = seq->param_info;
	cpath->path.rows = seq->rows;
	cpath->path.startup_cost = seq->startup_cost;
	/* decoding cost scales with the columns read; slightly under a seq scan at worst */
	cpath->path.total_cost = seq->startup_cost + (seq->total_cost - seq->startup_cost) * (0.2 + 0.79 * share);
	cpath->methods = &path_methods;
	add_path(rel, &cpath->path);

	/*
	 * The parallel form: workers take whole row groups in turn.  A plain
	 * parallel seq scan decodes every column and skips nothing, so it gives
	 * way to this one.
	 */
	if (rel->consider_parallel && rel->lateral_relids == NULL)
	{
		Path	   *partial = NULL;
		List	   *others = NIL;

		foreach(lc, rel->partial_pathlist)
		{
			Path	   *p = lfirst(lc);

			if (p->pathtype == T_SeqScan && partial == NULL)
				partial = p;
			else if (p->pathtype != T_SeqScan)
				others = lappend(others, p);
		}
		if (partial != NULL)
		{
			CustomPath *ppath = makeNode(CustomPath);

			*ppath = *cpath;
			ppath->path.parallel_aware = true;
			ppath->path.parallel_safe = true;
			ppath->path.parallel_workers = partial->parallel_workers;
			ppath->path.rows = partial->rows;
			ppath->path.startup_cost = partial->startup_cost;
			ppath->path.total_cost = partial->startup_cost +
				(partial->total_cost - partial->startup_cost) * (0.2 + 0.79 * share);
			rel->partial_pathlist = others;
			add_partial_path(rel, &ppath->path);
		}
	}
}

/* ---- skip quals ---- */

/* a value known when the scan starts: no column, nothing volatile, no subplan */
bool
columnar_value_expr(Node *node)
{
	return node != NULL && !contain_var_clause(node) && !contain_volatile_functions(node) &&
		!contain_subplans(node);
}

static Datum
eval_value(Node *expr, ExprContext *econtext, bool *isnull)
{
	ExprState  *state = ExecInitExpr((Expr *) expr, NULL);

	return ExecEvalExprSwitchContext(state, econtext, isnull);
}

/* a column of the scanned table, possibly under a binary-compatible cast */
Var *
columnar_plain_var(Node *node, Index scanrelid)
{
	if (node && IsA(node, RelabelType))
		node = (Node *) ((RelabelType *) node)->arg;
	if (node && IsA(node, Var) && ((Var *) node)->varno == scanrelid &&
		((Var *) node)->varattno > 0 && ((Var *) node)->varlevelsup == 0)
		return (Var *) node;
	return NULL;
}

/* the btree strategy of opno for the column's type, and the comparison function */
static bool
comparison_for(Oid opno, Oid coltype, int *strategy, FmgrInfo *cmp)
{
	Oid			opclass = GetDefaultOpClass(coltype, BTREE_AM_OID);
	Oid			opfamily,
				lefttype,
				righttype,
				proc;

	if (!OidIsValid(opclass))
		return false;
	opfamily = get_opclass_family(opclass);
	if (!op_in_opfamily(opno, opfamily))
		return false;
	get_op_opfamily_properties(opno, opfamily, false, strategy, &lefttype, &righttype);
	if (lefttype != coltype && getBaseType(coltype) != lefttype)
		return false;
	proc = get_opfamily_proc(opfamily, lefttype, righttype, BTORDER_PROC);
	if (!OidIsValid(proc))
		return false;
	fmgr_info(proc, cmp);
	return true;
}

SkipQual *
columnar_skip_from_clause(Node *clause, Index scanrelid, TupleDesc desc, ExprContext *econtext)
{
	SkipQual   *sq;

	if (IsA(clause, NullTest))
	{
		NullTest   *nt = (NullTest *) clause;
		Var		   *var = columnar_plain_var((Node *) nt->arg, scanrelid);

		if (var == NULL || nt->argisrow)
			return NULL;
		sq = palloc0(sizeof(SkipQual));
		sq->attno = var->varattno - 1;
		sq->strategy = nt->nulltesttype == IS_NULL ? 0 : -1;
		return sq;
	}
	if (IsA(clause, OpExpr) && list_length(((OpExpr *) clause)->args) == 2)
	{
		OpExpr	   *op = (OpExpr *) clause;
		Node	   *left = linitial(op->args);
		Node	   *right = lsecond(op->args);
		Oid			opno = op->opno;
		Var		   *var;
		bool		isnull;
		Datum		v;

		if ((var = columnar_plain_var(left, scanrelid)) == NULL || !columnar_value_expr(right))
		{
			if ((var = columnar_plain_var(right, scanrelid)) == NULL || !columnar_value_expr(left))
				return NULL;
			opno = get_commutator(opno);
			right = left;
			if (!OidIsValid(opno))
				return NULL;
		}
		if (!columnar_kind_has_minmax(columnar_kind_of(TupleDescAttr(desc, var->varattno - 1))))
			return NULL;
		sq = palloc0(sizeof(SkipQual));
		if (!comparison_for(opno, var->vartype, &sq->strategy, &sq->cmp))
			return NULL;
		v = eval_value(right, econtext, &isnull);
		if (isnull)
			return NULL;
		sq->attno = var->varattno - 1;
		sq->collation = op->inputcollid;
		sq->nvalues = 1;
		sq->values = palloc(sizeof(Datum));
		sq->values[0] = v;
		return sq;
	}
	if (IsA(clause, ScalarArrayOpExpr) && ((ScalarArrayOpExpr *) clause)->useOr)
	{
		ScalarArrayOpExpr *op = (ScalarArrayOpExpr *) clause;
		Var		   *var = columnar_plain_var(linitial(op->args), scanrelid);
		Node	   *arr = lsecond(op->args);
		bool		isnull;
		Datum		a;
		ArrayType  *array;
		int16		typlen;
		bool		typbyval;
		char		typalign;
		Datum	   *elems;
		bool	   *enulls;
		int			n,
					i,
					k = 0;

		if (var == NULL || !columnar_value_expr(arr) ||
			!columnar_kind_has_minmax(columnar_kind_of(TupleDescAttr(desc, var->varattno - 1))))
			return NULL;
		sq = palloc0(sizeof(SkipQual));
		if (!comparison_for(op->opno, var->vartype, &sq->strategy, &sq->cmp) ||
			sq->strategy != BTEqualStrategyNumber)
			return NULL;
		a = eval_value(arr, econtext, &isnull);
		if (isnull)
			return NULL;
		array = DatumGetArrayTypeP(a);
		get_typlenbyvalalign(ARR_ELEMTYPE(array), &typlen, &typbyval, &typalign);
		deconstruct_array(array, ARR_ELEMTYPE(array), typlen, typbyval, typalign, &elems, &enulls, &n);
		sq->values = palloc(sizeof(Datum) * Max(n, 1));
		for (i = 0; i < n; i++)
			if (!enulls[i])
				sq->values[k++] = elems[i];
		sq->nvalues = k;
		sq->attno = var->varattno - 1;
		sq->collation = op->inputcollid;
		return sq;
	}
	return NULL;
}

static int
compare(SkipQual *sq, Datum a, Datum b)
{
	return DatumGetInt32(FunctionCall2Coll(&sq->cmp, sq->collation, a, b));
}

/* true when rg cannot hold a row that passes every skip qual (a List of SkipQual) */
bool
columnar_skip_row_group(const ColumnarRowGroup *rg, void *arg)
{
	List	   *skips = (List *) arg;
	ListCell   *lc;

	foreach(lc, skips)
	{
		SkipQual   *sq = lfirst(lc);
		const ColumnarChunkMeta *c;
		int			i;
		bool		any = false;

		if (sq->attno >= rg->natts || !rg->columns[sq->attno].present)
			continue;			/* all NULL (or a default): leave it to the quals */
		c = &rg->columns[sq->attno];
		if (sq->strategy == 0)
		{
			if (c->null_count == 0)
				return true;
			continue;
		}
		if (sq->strategy == -1)
		{
			if (c->null_count == rg->row_count)
				return true;
			continue;
		}
		if (c->null_count == rg->row_count)
			return true;		/* a comparison is never true on NULL */
		if (!c->has_minmax)
			continue;
		for (i = 0; i < sq->nvalues && !any; i++)
		{
			Datum		v = sq->values[i];

			switch (sq->strategy)
			{
				case BTLessStrategyNumber:	/* col < v */
					any = compare(sq, c->min, v) < 0;
					break;
				case BTLessEqualStrategyNumber:
					any = compare(sq, c->min, v) <= 0;
					break;
				case BTEqualStrategyNumber:
					any = compare(sq, c->min, v) <= 0 && compare(sq, c->max, v) >= 0;
					break;
				case BTGreaterEqualStrategyNumber:
					any = compare(sq, c->max, v) >= 0;
					break;
				case BTGreaterStrategyNumber:
					any = compare(sq, c->max, v) > 0;
					break;
				default:
					any = true;
			}
		}
		if (!any)
			return true;
	}
	return false;
}

/* ---- execution ---- */

static Node *
create_scan_state(CustomScan *cscan)
{
	ColumnarScanState *state = (ColumnarScanState *) newNode(sizeof(ColumnarScanState), T_CustomScanState);

	state->css.methods = &exec_methods;
	return (Node *) state;
}

static void
begin_scan(CustomScanState *node, EState *estate, int eflags)
{
	ColumnarScanState *state = (ColumnarScanState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	Index		scanrelid = cscan->scan.scanrelid;
	Bitmapset  *attrs = NULL;

	pull_varattnos((Node *) cscan->scan.plan.targetlist, scanrelid, &attrs);
	pull_varattnos((Node *) cscan->scan.plan.qual, scanrelid, &attrs);
	if (bms_is_member(0 - FirstLowInvalidHeapAttributeNumber, attrs))
		attrs = NULL;			/* a whole-row reference */
	else if (attrs == NULL)
		attrs = bms_make_singleton(MaxHeapAttributeNumber + 1 - FirstLowInvalidHeapAttributeNumber);	/* no column */
	state->attrs = attrs;

	state->skip_ctx = AllocSetContextCreate(estate->es_query_cxt, "columnar scan skip quals",
											ALLOCSET_SMALL_SIZES);
}

/*
 * The row group skip tests, from the values the quals compare with as they
 * are now.  Evaluated when each (re)scan starts, never in begin_scan: a
 * value may be a parameter that an outer plan sets for each rescan, or the
 * output of an initplan that its owner (ModifyTable, say) initialises only
 * after this node.
 */
static void
prepare_skips(ColumnarScanState *state)
{
	CustomScan *cscan = (CustomScan *) state->css.ss.ps.plan;
	Relation	rel = state->css.ss.ss_currentRelation;
	MemoryContext old;
	ListCell   *lc;

	MemoryContextReset(state->skip_ctx);
	state->skips = NIL;
	old = MemoryContextSwitchTo(state->skip_ctx);
	foreach(lc, cscan->scan.plan.qual)
	{
		SkipQual   *sq = columnar_skip_from_clause(lfirst(lc), cscan->scan.scanrelid,
												   RelationGetDescr(rel),
												   state->css.ss.ps.ps_ExprContext);

		if (sq != NULL)
			state->skips = lappend(state->skips, sq);
	}
	MemoryContextSwitchTo(old);
}

static TupleTableSlot *
next_tuple(ScanState *ss)
{
	ColumnarScanState *state = (ColumnarScanState *) ss;
	TupleTableSlot *slot = ss->ss_ScanTupleSlot;

	if (state->scan == NULL)
	{
		prepare_skips(state);
		state->scan = columnar_begin_read(ss->ss_currentRelation, ss->ps.state->es_snapshot,
										  state->attrs, state->pscan, SO_TYPE_SEQSCAN);
		if (state->skips != NIL)
		{
			state->scan->skip = columnar_skip_row_group;
			state->scan->skip_arg = state->skips;
		}
	}
	if (!columnar_read_next(state->scan, slot))
		return ExecClearTuple(slot);
	return slot;
}

static bool
recheck_tuple(ScanState *ss, TupleTableSlot *slot)
{
	return true;
}

static TupleTableSlot *
exec_scan(CustomScanState *node)
{
	return ExecScan(&node->ss, (ExecScanAccessMtd) next_tuple, (ExecScanRecheckMtd) recheck_tuple);
}

static void
end_scan(CustomScanState *node)
{
	ColumnarScanState *state = (ColumnarScanState *) node;

	if (state->scan)
		table_endscan(&state->scan->base);
	state->scan = NULL;
}

static void
rescan(CustomScanState *node)
{
	ColumnarScanState *state = (ColumnarScanState *) node;

	if (state->scan)
		table_endscan(&state->scan->base);
	state->scan = NULL;
}

/* ---- parallel scans: the shared state is the table AM's ---- */

static Size
estimate_dsm(CustomScanState *node, ParallelContext *pcxt)
{
	return table_parallelscan_estimate(node->ss.ss_currentRelation, node->ss.ps.state->es_snapshot);
}

static void
initialize_dsm(CustomScanState *node, ParallelContext *pcxt, void *coordinate)
{
	ColumnarScanState *state = (ColumnarScanState *) node;

	table_parallelscan_initialize(node->ss.ss_currentRelation, (ParallelTableScanDesc) coordinate,
								  node->ss.ps.state->es_snapshot);
	state->pscan = (ParallelTableScanDesc) coordinate;
}

static void
reinitialize_dsm(CustomScanState *node, ParallelContext *pcxt, void *coordinate)
{
	table_parallelscan_reinitialize(node->ss.ss_currentRelation, (ParallelTableScanDesc) coordinate);
	((ColumnarScanState *) node)->pscan = (ParallelTableScanDesc) coordinate;
}

/* before the shared memory goes: the row groups every process read and skipped */
static void
shutdown_scan(CustomScanState *node)
{
	ColumnarScanState *state = (ColumnarScanState *) node;

	if (state->pscan != NULL && !IsParallelWorker())
	{
		columnar_parallel_counts(state->pscan, &state->groups_read, &state->groups_skipped);
		state->shared_counts = true;
	}
}

static void
initialize_worker(CustomScanState *node, shm_toc *toc, void *coordinate)
{
	((ColumnarScanState *) node)->pscan = (ParallelTableScanDesc) coordinate;
}

static void
explain_scan(CustomScanState *node, List *ancestors, ExplainState *es)
{
	ColumnarScanState *state = (ColumnarScanState *) node;
	TupleDesc	desc = RelationGetDescr(node->ss.ss_currentRelation);
	List	   *names = NIL;
	int			a;

	for (a = 0; a < desc->natts; a++)
	{
		if (TupleDescAttr(desc, a)->attisdropped)
			continue;
		if (state->attrs == NULL ||
			bms_is_member(a + 1 - FirstLowInvalidHeapAttributeNumber, state->attrs))
			names = lappend(names, NameStr(TupleDescAttr(desc, a)->attname));
	}
	ExplainPropertyList("Columnar Columns", names, es);
	if (es->analyze)
	{
		uint64		read = state->scan ? state->scan->groups_read : 0;
		uint64		skipped = state->scan ? state->scan->groups_skipped : 0;

		ExplainPropertyInteger("Columnar Skip Quals", NULL, list_length(state->skips), es);
		/* in a parallel scan, those of every process */
		if (state->shared_counts)
		{
			read = state->groups_read;
			skipped = state->groups_skipped;
		}
		ExplainPropertyInteger("Row Groups Read", NULL, (int64) read, es);
		ExplainPropertyInteger("Row Groups Skipped", NULL, (int64) skipped, es);
	}
}

void
columnar_customscan_install(void)
{
	path_methods.CustomName = "ColumnarScan";
	path_methods.PlanCustomPath = plan_columnar_path;

	plan_methods.CustomName = "ColumnarScan";
	plan_methods.CreateCustomScanState = create_scan_state;
	RegisterCustomScanMethods(&plan_methods);

	exec_methods.CustomName = "ColumnarScan";
	exec_methods.BeginCustomScan = begin_scan;
	exec_methods.ExecCustomScan = exec_scan;
	exec_methods.EndCustomScan = end_scan;
	exec_methods.ReScanCustomScan = rescan;
	exec_methods.ExplainCustomScan = explain_scan;
	exec_methods.EstimateDSMCustomScan = estimate_dsm;
	exec_methods.InitializeDSMCustomScan = initialize_dsm;
	exec_methods.ReInitializeDSMCustomScan = reinitialize_dsm;
	exec_methods.InitializeWorkerCustomScan = initialize_worker;
	exec_methods.ShutdownCustomScan = shutdown_scan;

	prev_set_rel_pathlist = set_rel_pathlist_hook;
	set_rel_pathlist_hook = columnar_set_rel_pathlist;

	columnar_aggregate_install();
}
