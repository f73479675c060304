/*
 * gapfill.c
 *		time_bucket_gapfill(): a GROUP BY on time buckets that also returns
 *		the buckets without rows, with locf() and interpolate() to fill
 *		their values.
 *
 * Planning: a create_upper_paths_hook looks, at the grouping stage, for a
 * query grouped by exactly one time_bucket_gapfill() call.  Every path of
 * the grouped relation is then wrapped, so no plan can skip the filling:
 * a Sort by (the other group keys, the bucket) under a CustomScan
 * "GapFill".  The node's output columns are the grouping target's, which
 * the aggregate below computes; locf() and interpolate() are identity
 * functions there and only mark the columns the node fills.  The range to
 * fill is the function's start and finish arguments or, when they are
 * absent, the bounds on the bucketed time column in the WHERE clause
 * (time >= a, time > a, time < b, time <= b; with <= the bucket holding b
 * is filled too).
 *
 * Execution: the node reads one group (equal values of the other group
 * keys) at a time, then emits its rows in bucket order with a row for each
 * missing bucket in [start, finish): group keys and bucket set, locf()
 * columns carrying the group's last non-NULL value, interpolate() columns
 * interpolated linearly between the neighbouring non-NULL values, every
 * other column NULL.  Rows outside the range pass through.  A group with no
 * row at all is not invented.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/paths.h"
#include "optimizer/planner.h"
#include "parser/parse_oper.h"
#include "time/gapfill.h"
#include "time/time_value.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

/* src/time/time_bucket.c */
extern Datum time_bucket_timestamptz(PG_FUNCTION_ARGS);
extern Datum time_bucket_timestamp(PG_FUNCTION_ARGS);

PG_FUNCTION_INFO_V1(time_bucket_gapfill_timestamptz);
PG_FUNCTION_INFO_V1(time_bucket_gapfill_timestamp);
PG_FUNCTION_INFO_V1(gapfill_marker);

/* custom_private of the plan: one list per item, in this order */
enum
{
	GF_BUCKET_COL = 0,			/* Integer: 0-based column of the bucket */
	GF_GROUP_COLS,				/* IntList: other group key columns */
	GF_GROUP_EQFNS,				/* OidList: their equality functions */
	GF_GROUP_COLLS,				/* OidList: their collations */
	GF_LOCF_COLS,				/* IntList */
	GF_INTERP_COLS,				/* IntList */
	GF_TIME_TYPE,				/* Integer: TIMESTAMPTZOID or TIMESTAMPOID */
	GF_FINISH_INCLUSIVE			/* Boolean: finish came from "time <= b" */
};

static create_upper_paths_hook_type prev_create_upper_paths_hook = NULL;

/* ---- the SQL functions ---- */

/*
 * Outside a gap-filled GROUP BY the function is time_bucket(); the planner
 * hook reads start and finish, so they are ignored here.
 */
Datum
time_bucket_gapfill_timestamptz(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	return DirectFunctionCall2(time_bucket_timestamptz, PG_GETARG_DATUM(0), PG_GETARG_DATUM(1));
}

Datum
time_bucket_gapfill_timestamp(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	return DirectFunctionCall2(time_bucket_timestamp, PG_GETARG_DATUM(0), PG_GETARG_DATUM(1));
}

/* locf(value) and interpolate(value): identity below the GapFill node */
Datum
gapfill_marker(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	PG_RETURN_DATUM(PG_GETARG_DATUM(0));
}

/* ---- recognising our functions ---- */

static bool
is_datalayer_function(Oid funcid, const char *name)
{
	char	   *fname = get_func_name(funcid);
	Oid			nsp;

	if (fname == NULL || strcmp(fname, name) != 0)
		return false;
	nsp = get_func_namespace(funcid);
	return nsp == get_namespace_oid("datalayer", true);
}

typedef struct FindGapfill
{
	FuncExpr   *found;
	int			count;
} FindGapfill;

static bool
find_gapfill_walker(Node *node, FindGapfill *ctx)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncExpr) &&
		is_datalayer_function(((FuncExpr *) node)->funcid, "time_bucket_gapfill"))
	{
		ctx->found = (FuncExpr *) node;
		ctx->count++;
	}
	return expression_tree_walker(node, find_gapfill_walker, (void *) ctx);
}

typedef FindGapfill FindMarker;

static bool
find_marker_walker(Node *node, FindMarker *ctx)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncExpr) &&
		(is_datalayer_function(((FuncExpr *) node)->funcid, "locf") ||
		 is_datalayer_function(((FuncExpr *) node)->funcid, "interpolate")))
	{
		ctx->found = (FuncExpr *) node;
		ctx->count++;
	}
	return expression_tree_walker(node, find_marker_walker, (void *) ctx);
}

/* ---- planning ---- */

static Plan *gapfill_plan(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path,
						  List *tlist, List *clauses, List *custom_plans);
static Node *gapfill_create_state(CustomScan *cscan);

static const CustomPathMethods gapfill_path_methods = {
	.CustomName = "GapFill",
	.PlanCustomPath = gapfill_plan,
};

static const CustomScanMethods gapfill_scan_methods = {
	.CustomName = "GapFill",
	.CreateCustomScanState = gapfill_create_state,
};

/*
 * A bound on the bucketed column from the WHERE clause: the other side of
 * "col op expr" (or "expr op col"), when it contains no column and nothing
 * volatile.  lower: >= or > (start); else < or <= (finish).
 */
static Expr *
bound_from_quals(PlannerInfo *root, Expr *timecol, bool lower, bool *inclusive)
{
	List	   *quals = (List *) root->parse->jointree->quals;
	ListCell   *lc;

	if (quals == NULL || !IsA(quals, List))
		return NULL;
	foreach(lc, quals)
	{
		OpExpr	   *op = (OpExpr *) lfirst(lc);
		Expr	   *left;
		Expr	   *right;
		char	   *opname;
		bool		col_left;
		Expr	   *other;

		if (!IsA(op, OpExpr) || list_length(op->args) != 2)
			continue;
		left = linitial(op->args);
		right = lsecond(op->args);
		if (equal(left, timecol))
			col_left = true;
		else if (equal(right, timecol))
			col_left = false;
		else
			continue;
		other = col_left ? right : left;
		if (contain_var_clause((Node *) other) || contain_volatile_functions((Node *) other) ||
			exprType((Node *) other) != exprType((Node *) timecol))
			continue;
		opname = get_opname(op->opno);
		if (opname == NULL)
			continue;
		/* normalise to "col OP other" */
		if (!col_left)
		{
			if (strcmp(opname, "<") == 0)
				opname = ">";
			else if (strcmp(opname, "<=") == 0)
				opname = ">=";
			else if (strcmp(opname, ">") == 0)
				opname = "<";
			else if (strcmp(opname, ">=") == 0)
				opname = "<=";
		}
		if (lower && (strcmp(opname, ">=") == 0 || strcmp(opname, ">") == 0))
			return other;
		if (!lower && (strcmp(opname, "<") == 0 || strcmp(opname, "<=") == 0))
		{
			*inclusive = strcmp(opname, "<=") == 0;
			return other;
		}
	}
	return NULL;
}

static void
gapfill_create_upper_paths(PlannerInfo *root, UpperRelationKind stage, RelOptInfo *input_rel,
						   RelOptInfo *output_rel, void *extra)
{
	Query	   *parse = root->parse;
	FindGapfill ctx = {NULL, 0};
	List	   *old_paths;
	List	   *sortclauses = NIL;
	SortGroupClause *bucket_clause = NULL;
	List	   *pathkeys;
	ListCell   *lc;

	if (prev_create_upper_paths_hook)
		prev_create_upper_paths_hook(root, stage, input_rel, output_rel, extra);
	if (stage != UPPERREL_GROUP_AGG || parse->commandType != CMD_SELECT ||
		parse->groupClause == NIL || IS_OTHER_REL(output_rel))
		return;

	find_gapfill_walker((Node *) parse->targetList, &ctx);
	if (ctx.count == 0)
		return;
	if (ctx.count > 1)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("a query can use time_bucket_gapfill() only once")));
	if (parse->groupingSets != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("time_bucket_gapfill() cannot be used with grouping sets")));

	/* the gapfill call must itself be a GROUP BY key */
	foreach(lc, parse->groupClause)
	{
		SortGroupClause *sgc = lfirst(lc);
		TargetEntry *tle = get_sortgroupclause_tle(sgc, parse->targetList);

		if (IsA(tle->expr, FuncExpr) && equal(tle->expr, ctx.found))
			bucket_clause = sgc;
		else
			sortclauses = lappend(sortclauses, sgc);
	}
	if (bucket_clause == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("time_bucket_gapfill() must be a GROUP BY key of its own"),
				 errhint("Write GROUP BY time_bucket_gapfill(...), or the position or alias of that column.")));
	/* the node needs buckets ascending, whatever ORDER BY made of the clause */
	{
		SortGroupClause *asc = copyObject(bucket_clause);
		Oid			type = exprType((Node *) ctx.found);

		get_sort_group_operators(type, true, true, false, &asc->sortop, &asc->eqop, NULL,
								 &asc->hashable);
		asc->nulls_first = false;
		bucket_clause = asc;
	}
	sortclauses = lappend(sortclauses, bucket_clause);
	pathkeys = make_pathkeys_for_sortclauses(root, sortclauses, root->processed_tlist);

	old_paths = output_rel->pathlist;
	output_rel->pathlist = NIL;
	output_rel->partial_pathlist = NIL;
	output_rel->cheapest_total_path = NULL;
	output_rel->cheapest_startup_path = NULL;
	output_rel->cheapest_unique_path = NULL;
	output_rel->cheapest_parameterized_paths = NIL;

	foreach(lc, old_paths)
	{
		Path	   *subpath = lfirst(lc);
		CustomPath *cpath;

		if (!pathkeys_contained_in(pathkeys, subpath->pathkeys))
			subpath = (Path *) create_sort_path(root, output_rel, subpath, pathkeys, -1.0);
		cpath = makeNode(CustomPath);
		cpath->path.pathtype = T_CustomScan;
		cpath->path.parent = output_rel;
		cpath->path.pathtarget = subpath->pathtarget;
		cpath->path.param_info = subpath->param_info;
		cpath->path.parallel_aware = false;
		cpath->path.parallel_safe = false;
		cpath->path.parallel_workers = 0;
		cpath->path.rows = subpath->rows * 2;	/* filled buckets: a guess */
		cpath->path.startup_cost = subpath->startup_cost;
		cpath->path.total_cost = subpath->total_cost + cpu_tuple_cost * subpath->rows;
		cpath->path.pathkeys = pathkeys;
		cpath->flags = 0;
		cpath->custom_paths = list_make1(subpath);
		cpath->custom_private = list_make2(ctx.found, sortclauses);
		cpath->methods = &gapfill_path_methods;
		add_path(output_rel, (Path *) cpath);
	}
}

/* 0-based position of expr among the target entries, or -1 */
static int
tlist_position(List *tlist, Expr *expr)
{
	ListCell   *lc;
	int			i = 0;

	foreach(lc, tlist)
	{
		if (equal(((TargetEntry *) lfirst(lc))->expr, expr))
			return i;
		i++;
	}
	return -1;
}

static Plan *
gapfill_plan(PlannerInfo *root, RelOptInfo *rel, CustomPath *best_path, List *tlist,
			 List *clauses, List *custom_plans)
{
	CustomScan *cscan = makeNode(CustomScan);
	FuncExpr   *func = linitial(best_path->custom_private);
	List	   *sortclauses = lsecond(best_path->custom_private);
	Expr	   *timecol = lsecond(func->args);
	Expr	   *width = linitial(func->args);
	Expr	   *start = list_length(func->args) > 2 ? lthird(func->args) : NULL;
	Expr	   *finish = list_length(func->args) > 3 ? lfourth(func->args) : NULL;
	List	   *group_cols = NIL;
	List	   *group_eqfns = NIL;
	List	   *group_colls = NIL;
	List	   *locf_cols = NIL;
	List	   *interp_cols = NIL;
	int			bucket_col;
	bool		finish_inclusive = false;
	ListCell   *lc;
	int			i;

	/* explicit NULL start/finish count as absent */
	if (start && IsA(start, Const) && ((Const *) start)->constisnull)
		start = NULL;
	if (finish && IsA(finish, Const) && ((Const *) finish)->constisnull)
		finish = NULL;
	if (start == NULL)
		start = bound_from_quals(root, timecol, true, &finish_inclusive);
	finish_inclusive = false;
	if (finish == NULL)
		finish = bound_from_quals(root, timecol, false, &finish_inclusive);
	if (start == NULL || finish == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("time_bucket_gapfill() needs the %s of the range to fill",
						start == NULL ? "start" : "finish"),
				 errhint("Pass start and finish to time_bucket_gapfill(), or bound the time column in WHERE, for example time >= '2024-01-01' AND time < '2024-01-02'.")));
	if (contain_var_clause((Node *) width) || contain_var_clause((Node *) start) ||
		contain_var_clause((Node *) finish))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("time_bucket_gapfill() width, start and finish must not reference columns")));

	bucket_col = tlist_position(tlist, (Expr *) func);
	if (bucket_col < 0)
		elog(ERROR, "time_bucket_gapfill() call not found in the grouping target");
	foreach(lc, sortclauses)
	{
		SortGroupClause *sgc = lfirst(lc);
		TargetEntry *tle = get_sortgroupclause_tle(sgc, root->processed_tlist);
		int			pos;

		if (equal(tle->expr, func))
			continue;
		pos = tlist_position(tlist, tle->expr);
		if (pos < 0)
			elog(ERROR, "group key not found in the grouping target");
		group_cols = lappend_int(group_cols, pos);
		group_eqfns = lappend_oid(group_eqfns, get_opcode(sgc->eqop));
		group_colls = lappend_oid(group_colls, exprCollation((Node *) tle->expr));
	}
	i = 0;
	foreach(lc, tlist)
	{
		Expr	   *expr = ((TargetEntry *) lfirst(lc))->expr;
		FindMarker	marker = {NULL, 0};

		/* a marker nested in an expression would silently fill nothing */
		find_marker_walker((Node *) expr, &marker);
		if (marker.count > 1 || (marker.count == 1 && (Expr *) marker.found != expr))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("%s() must be the whole select-list column in a gap-filled query",
							get_func_name(marker.found->funcid)),
					 errhint("Apply rounding or casts in an enclosing query, for example SELECT round(v::numeric, 2) FROM (SELECT ..., datalayer.locf(avg(x)) AS v ...) s.")));
		if (IsA(expr, FuncExpr) && is_datalayer_function(((FuncExpr *) expr)->funcid, "locf"))
			locf_cols = lappend_int(locf_cols, i);
		else if (IsA(expr, FuncExpr) &&
				 is_datalayer_function(((FuncExpr *) expr)->funcid, "interpolate"))
			interp_cols = lappend_int(interp_cols, i);
		i++;
	}

	cscan->scan.scanrelid = 0;
	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = NIL;
	cscan->custom_scan_tlist = tlist;
	cscan->custom_plans = custom_plans;
	cscan->custom_exprs = list_make3(width, start, finish);
	cscan->custom_private = list_make5(makeInteger(bucket_col), group_cols, group_eqfns,
									   group_colls, locf_cols);
	cscan->custom_private = lappend(cscan->custom_private, interp_cols);
	cscan->custom_private = lappend(cscan->custom_private, makeInteger((int) exprType((Node *) timecol)));
	cscan->custom_private = lappend(cscan->custom_private, makeBoolean(finish_inclusive));
	cscan->flags = best_path->flags;
	cscan->methods = &gapfill_scan_methods;
	return &cscan->scan.plan;
}

/* ---- execution ---- */

typedef struct GapfillState
{
	CustomScanState css;
	/* from the plan */
	int			bucket_col;
	int			ngroup;
	int		   *group_cols;
	FmgrInfo   *group_eq;
	Oid		   *group_colls;
	int			nlocf;
	int		   *locf_cols;
	int			ninterp;
	int		   *interp_cols;
	List	   *exprstates;		/* width, start, finish */
	/* evaluated at the first call after a (re)start */
	bool		ready;
	int64		width;
	int64		start;			/* first bucket to fill */
	int64		finish;			/* fill buckets < finish */
	/* the current group, materialised in group_mcxt */
	MemoryContext group_mcxt;
	TupleTableSlot *lookahead;	/* first row of the next group */
	bool		have_lookahead;
	bool		group_active;
	HeapTuple  *rows;
	int			nrows;
	int			capacity;
	int			next_row;		/* next row of the group to emit */
	int64		next_bucket;	/* next bucket that may need filling */
	Datum	   *key_values;
	bool	   *key_nulls;
	Datum	   *locf_values;	/* last non-NULL value so far, per locf column */
	bool	   *locf_valid;
	int		   *interp_prev;	/* per interpolate column: last row < next_row with a value, or -1 */
	int		   *interp_next;	/* first row >= next_row with a value, or nrows */
} GapfillState;

static void gapfill_begin(CustomScanState *node, EState *estate, int eflags);
static TupleTableSlot *gapfill_exec(CustomScanState *node);
static void gapfill_end(CustomScanState *node);
static void gapfill_rescan(CustomScanState *node);

static const CustomExecMethods gapfill_exec_methods = {
	.CustomName = "GapFill",
	.BeginCustomScan = gapfill_begin,
	.ExecCustomScan = gapfill_exec,
	.EndCustomScan = gapfill_end,
	.ReScanCustomScan = gapfill_rescan,
};

static int *
int_list_to_array(List *list, int *n)
{
	int		   *arr = palloc0(sizeof(int) * Max(list_length(list), 1));
	ListCell   *lc;
	int			i = 0;

	foreach(lc, list)
		arr[i++] = lfirst_int(lc);
	*n = i;
	return arr;
}

static Node *
gapfill_create_state(CustomScan *cscan)
{
	GapfillState *state = (GapfillState *) newNode(sizeof(GapfillState), T_CustomScanState);
	List	   *priv = cscan->custom_private;
	List	   *eqfns = list_nth(priv, GF_GROUP_EQFNS);
	List	   *colls = list_nth(priv, GF_GROUP_COLLS);
	ListCell   *lc;
	int			i;

	state->css.methods = &gapfill_exec_methods;
	state->bucket_col = intVal(list_nth(priv, GF_BUCKET_COL));
	state->group_cols = int_list_to_array(list_nth(priv, GF_GROUP_COLS), &state->ngroup);
	state->locf_cols = int_list_to_array(list_nth(priv, GF_LOCF_COLS), &state->nlocf);
	state->interp_cols = int_list_to_array(list_nth(priv, GF_INTERP_COLS), &state->ninterp);
	state->group_eq = palloc0(sizeof(FmgrInfo) * Max(state->ngroup, 1));
	state->group_colls = palloc0(sizeof(Oid) * Max(state->ngroup, 1));
	i = 0;
	foreach(lc, eqfns)
		fmgr_info(lfirst_oid(lc), &state->group_eq[i++]);
	i = 0;
	foreach(lc, colls)
		state->group_colls[i++] = lfirst_oid(lc);
	return (Node *) state;
}

static void
gapfill_begin(CustomScanState *node, EState *estate, int eflags)
{
	GapfillState *state = (GapfillState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	TupleDesc	desc = node->ss.ss_ScanTupleSlot->tts_tupleDescriptor;
	Plan	   *child = linitial(cscan->custom_plans);
	int			i;

	node->custom_ps = list_make1(ExecInitNode(child, estate, eflags));
	state->exprstates = ExecInitExprList(cscan->custom_exprs, &node->ss.ps);
	state->group_mcxt = AllocSetContextCreate(estate->es_query_cxt, "gapfill group",
											  ALLOCSET_DEFAULT_SIZES);
	state->lookahead = MakeSingleTupleTableSlot(desc, &TTSOpsMinimalTuple);
	state->key_values = palloc0(sizeof(Datum) * Max(state->ngroup, 1));
	state->key_nulls = palloc0(sizeof(bool) * Max(state->ngroup, 1));
	state->locf_values = palloc0(sizeof(Datum) * Max(state->nlocf, 1));
	state->locf_valid = palloc0(sizeof(bool) * Max(state->nlocf, 1));
	state->interp_prev = palloc0(sizeof(int) * Max(state->ninterp, 1));
	state->interp_next = palloc0(sizeof(int) * Max(state->ninterp, 1));
	if (desc->natts <= state->bucket_col)
		elog(ERROR, "GapFill: the bucket column is missing from its input");
	for (i = 0; i < state->ninterp; i++)
		if (TupleDescAttr(desc, state->interp_cols[i])->atttypid != FLOAT8OID)
			elog(ERROR, "GapFill: interpolate() column is not float8");
}

static int64
eval_time(GapfillState *state, ExprState *es, const char *what)
{
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
	bool		isnull;
	Datum		d = ExecEvalExprSwitchContext(es, econtext, &isnull);
	int64		t;

	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("time_bucket_gapfill() %s must not be NULL", what)));
	t = DatumGetInt64(d);
	if (TIMESTAMP_NOT_FINITE(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("time_bucket_gapfill() %s must be finite", what)));
	return t;
}

#define GAPFILL_MAX_BUCKETS 10000000

static void
gapfill_prepare(GapfillState *state)
{
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
	CustomScan *cscan = (CustomScan *) state->css.ss.ps.plan;
	Oid			type = (Oid) intVal(list_nth(cscan->custom_private, GF_TIME_TYPE));
	bool		isnull;
	Datum		width;
	int64		start;

	width = ExecEvalExprSwitchContext(linitial(state->exprstates), econtext, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("time_bucket_gapfill() width must not be NULL")));
	state->width = time_interval_usecs(DatumGetIntervalP(width), "time_bucket_gapfill() width");
	start = eval_time(state, lsecond(state->exprstates), "start");
	state->finish = eval_time(state, lthird(state->exprstates), "finish");
	if (boolVal(list_nth(cscan->custom_private, GF_FINISH_INCLUSIVE)))
		state->finish++;		/* finite, so no overflow */
	state->start = DatumGetInt64(DirectFunctionCall2(type == TIMESTAMPOID ? time_bucket_timestamp
													 : time_bucket_timestamptz,
													 width, Int64GetDatum(start)));
	if (state->finish > state->start &&
		((uint64) state->finish - (uint64) state->start) / (uint64) state->width > GAPFILL_MAX_BUCKETS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("time_bucket_gapfill() would fill more than %d buckets", GAPFILL_MAX_BUCKETS),
				 errhint("Use a wider bucket or a shorter range.")));
	state->ready = true;
}

static bool
same_group(GapfillState *state, TupleTableSlot *slot)
{
	int			i;

	for (i = 0; i < state->ngroup; i++)
	{
		bool		isnull;
		Datum		d = slot_getattr(slot, state->group_cols[i] + 1, &isnull);

		if (isnull != state->key_nulls[i])
			return false;
		if (!isnull &&
			!DatumGetBool(FunctionCall2Coll(&state->group_eq[i], state->group_colls[i],
											d, state->key_values[i])))
			return false;
	}
	return true;
}

static bool
fetch_lookahead(GapfillState *state)
{
	TupleTableSlot *slot = ExecProcNode(linitial(state->css.custom_ps));

	if (TupIsNull(slot))
	{
		state->have_lookahead = false;
		return false;
	}
	ExecCopySlot(state->lookahead, slot);
	state->have_lookahead = true;
	return true;
}

/* Reads the next group's rows from the child; false when there are none. */
static bool
load_group(GapfillState *state)
{
	TupleDesc	desc = state->lookahead->tts_tupleDescriptor;
	MemoryContext old;
	int			i;

	MemoryContextReset(state->group_mcxt);
	if (!state->have_lookahead && !fetch_lookahead(state))
		return false;

	old = MemoryContextSwitchTo(state->group_mcxt);
	for (i = 0; i < state->ngroup; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, state->group_cols[i]);
		Datum		d = slot_getattr(state->lookahead, state->group_cols[i] + 1, &state->key_nulls[i]);

		state->key_values[i] = state->key_nulls[i] ? (Datum) 0 :
			datumCopy(d, attr->attbyval, attr->attlen);
	}
	state->capacity = 64;
	state->rows = palloc(sizeof(HeapTuple) * state->capacity);
	state->nrows = 0;
	do
	{
		CHECK_FOR_INTERRUPTS();
		if (state->nrows == state->capacity)
		{
			state->capacity *= 2;
			state->rows = repalloc_huge(state->rows, sizeof(HeapTuple) * state->capacity);
		}
		state->rows[state->nrows++] = ExecCopySlotHeapTuple(state->lookahead);
		MemoryContextSwitchTo(old);
		if (!fetch_lookahead(state))
		{
			old = MemoryContextSwitchTo(state->group_mcxt);
			break;
		}
		old = MemoryContextSwitchTo(state->group_mcxt);
	} while (same_group(state, state->lookahead));
	MemoryContextSwitchTo(old);

	state->next_row = 0;
	state->next_bucket = state->start;
	for (i = 0; i < state->nlocf; i++)
		state->locf_valid[i] = false;
	for (i = 0; i < state->ninterp; i++)
	{
		state->interp_prev[i] = -1;
		state->interp_next[i] = -1;
	}
	state->group_active = true;
	return true;
}

static Datum
row_attr(GapfillState *state, int row, int col, bool *isnull)
{
	return heap_getattr(state->rows[row], col + 1, state->lookahead->tts_tupleDescriptor, isnull);
}

static double
interpolated(GapfillState *state, int k, int64 bucket, bool *isnull)
{
	int			col = state->interp_cols[k];
	int			prev = state->interp_prev[k];
	int			next = state->interp_next[k];
	bool		null;
	double		v0;
	double		v1;
	int64		t0;
	int64		t1;

	/* first row at or after next_row with a value */
	if (next < state->next_row)
	{
		for (next = state->next_row; next < state->nrows; next++)
		{
			(void) row_attr(state, next, col, &null);
			if (!null)
				break;
		}
		state->interp_next[k] = next;
	}
	*isnull = true;
	if (prev < 0 || next >= state->nrows)
		return 0;
	t0 = DatumGetInt64(row_attr(state, prev, state->bucket_col, &null));
	t1 = DatumGetInt64(row_attr(state, next, state->bucket_col, &null));
	if (null || t1 <= t0)
		return 0;
	v0 = DatumGetFloat8(row_attr(state, prev, col, &null));
	v1 = DatumGetFloat8(row_attr(state, next, col, &null));
	*isnull = false;
	return v0 + (v1 - v0) * ((double) (bucket - t0) / (double) (t1 - t0));
}

static TupleTableSlot *
emit(GapfillState *state, TupleTableSlot *slot)
{
	ProjectionInfo *proj = state->css.ss.ps.ps_ProjInfo;

	if (proj == NULL)
		return slot;
	state->css.ss.ps.ps_ExprContext->ecxt_scantuple = slot;
	return ExecProject(proj);
}

static TupleTableSlot *
emit_gap(GapfillState *state, int64 bucket)
{
	TupleTableSlot *slot = state->css.ss.ss_ScanTupleSlot;
	int			natts = slot->tts_tupleDescriptor->natts;
	int			i;

	ExecClearTuple(slot);
	for (i = 0; i < natts; i++)
	{
		slot->tts_values[i] = (Datum) 0;
		slot->tts_isnull[i] = true;
	}
	for (i = 0; i < state->ngroup; i++)
	{
		slot->tts_values[state->group_cols[i]] = state->key_values[i];
		slot->tts_isnull[state->group_cols[i]] = state->key_nulls[i];
	}
	slot->tts_values[state->bucket_col] = Int64GetDatum(bucket);
	slot->tts_isnull[state->bucket_col] = false;
	for (i = 0; i < state->nlocf; i++)
	{
		slot->tts_values[state->locf_cols[i]] = state->locf_values[i];
		slot->tts_isnull[state->locf_cols[i]] = !state->locf_valid[i];
	}
	for (i = 0; i < state->ninterp; i++)
	{
		bool		isnull;
		double		v = interpolated(state, i, bucket, &isnull);

		slot->tts_values[state->interp_cols[i]] = Float8GetDatum(v);
		slot->tts_isnull[state->interp_cols[i]] = isnull;
	}
	ExecStoreVirtualTuple(slot);
	return emit(state, slot);
}

static TupleTableSlot *
emit_row(GapfillState *state)
{
	TupleTableSlot *slot = state->css.ss.ss_ScanTupleSlot;
	int			row = state->next_row;
	bool		isnull;
	Datum		bucket = row_attr(state, row, state->bucket_col, &isnull);
	int			i;

	for (i = 0; i < state->nlocf; i++)
	{
		bool		vnull;
		Datum		v = row_attr(state, row, state->locf_cols[i], &vnull);

		if (!vnull)
		{
			state->locf_values[i] = v;	/* lives in group_mcxt with the row */
			state->locf_valid[i] = true;
		}
	}
	for (i = 0; i < state->ninterp; i++)
	{
		bool		vnull;

		(void) row_attr(state, row, state->interp_cols[i], &vnull);
		if (!vnull)
			state->interp_prev[i] = row;
	}
	if (!isnull && DatumGetInt64(bucket) >= state->next_bucket)
	{
		if (pg_add_s64_overflow(DatumGetInt64(bucket), state->width, &state->next_bucket))
			state->next_bucket = PG_INT64_MAX;
	}
	state->next_row++;
	ExecForceStoreHeapTuple(state->rows[row], slot, false);
	return emit(state, slot);
}

static TupleTableSlot *
gapfill_exec(CustomScanState *node)
{
	GapfillState *state = (GapfillState *) node;

	if (!state->ready)
		gapfill_prepare(state);
	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		if (!state->group_active && !load_group(state))
			return NULL;
		if (state->next_row < state->nrows)
		{
			bool		isnull;
			Datum		bucket = row_attr(state, state->next_row, state->bucket_col, &isnull);

			if (state->next_bucket < state->finish &&
				(isnull || state->next_bucket < DatumGetInt64(bucket)))
			{
				int64		b = state->next_bucket;

				if (pg_add_s64_overflow(b, state->width, &state->next_bucket))
					state->next_bucket = PG_INT64_MAX;
				return emit_gap(state, b);
			}
			return emit_row(state);
		}
		if (state->next_bucket < state->finish)
		{
			int64		b = state->next_bucket;

			if (pg_add_s64_overflow(b, state->width, &state->next_bucket))
				state->next_bucket = PG_INT64_MAX;
			return emit_gap(state, b);
		}
		state->group_active = false;
	}
}

static void
gapfill_end(CustomScanState *node)
{
	GapfillState *state = (GapfillState *) node;

	ExecEndNode(linitial(node->custom_ps));
	ExecDropSingleTupleTableSlot(state->lookahead);
	MemoryContextDelete(state->group_mcxt);
}

static void
gapfill_rescan(CustomScanState *node)
{
	GapfillState *state = (GapfillState *) node;

	ExecReScan(linitial(node->custom_ps));
	state->ready = false;
	state->have_lookahead = false;
	state->group_active = false;
	MemoryContextReset(state->group_mcxt);
}

void
gapfill_install_hooks(void)
{
	RegisterCustomScanMethods(&gapfill_scan_methods);
	prev_create_upper_paths_hook = create_upper_paths_hook;
	create_upper_paths_hook = gapfill_create_upper_paths;
}
