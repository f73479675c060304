/*
 * columnar_aggregate.c
 *		ColumnarAggregate: grouping and aggregation vectorised inside the scan
 *		of a columnar table.
 *
 * For a query over one columnar table whose aggregates are count, sum,
 * avg, min and max of integer, float, date and timestamp columns, grouped
 * (or not) by columns or by expressions of one column (date_trunc,
 * time_bucket, ...), and whose WHERE clause compares columns with values
 * known when the scan starts, the planner hook offers a custom path for the
 * grouping step itself.  It decodes a row group's columns in bulk, filters
 * them into a selection vector with one typed loop per qual, maps the
 * selected rows to groups through a hash table, and then updates each
 * aggregate with one typed loop over the selection: no per-row executor
 * slot, expression or transition-function call.  Expression keys are
 * computed once per distinct input value in a run (time-major data repeats
 * each timestamp once per series).
 *
 * Results are exactly the executor's: the same accumulation order, the same
 * float8_accum arithmetic for avg (sum of squares included, for its
 * overflow check), the same overflow errors, NaN ordering and tie-breaking
 * of min and max, and numeric results for avg over integers.
 *
 * The path is offered only when every part of the query is understood;
 * anything else (HAVING, DISTINCT or ordered aggregates, FILTER, other
 * aggregates, joins) is planned as before.  SET datalayer.columnar_aggregate
 * = off turns it off.
 */
#include "postgres.h"

#include <math.h>

#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "common/int.h"
#include "commands/explain.h"
#include "executor/executor.h"
#include "miscadmin.h"
#include "nodes/extensible.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "optimizer/planner.h"
#include "optimizer/restrictinfo.h"
#include "optimizer/tlist.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/float.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/typcache.h"

#include "columnar/columnar_scan.h"

/* how values of a column or key are held in Datums */
typedef enum ValClass
{
	VC_INT16,
	VC_INT32,
	VC_INT64,
	VC_FLOAT4,
	VC_FLOAT8,
	VC_BOOL,
	VC_TEXT
} ValClass;

typedef enum AggOp
{
	AGG_COUNT_STAR,
	AGG_COUNT,
	AGG_SUM,
	AGG_AVG,
	AGG_MIN,
	AGG_MAX
} AggOp;

/* the entries of custom_scan_tlist, described in custom_private */
#define ENTRY_KEY		0		/* a column */
#define ENTRY_KEY_EXPR	1		/* an expression of one column */
#define ENTRY_AGG		2
#define ENTRY_TABLE		3		/* a junk ctid Var: its varno is the table's final RT index */
#define ENTRY_FIELDS	4		/* role, op, attno (0-based), class */
#define MAX_KEYS		32

/* one aggregate's state in one group */
typedef struct AggSlot
{
	int64		count;
	int64		isum;
	double		fsum;			/* sum, or float8_accum's Sx */
	double		fsumsq;			/* float8_accum's Sxx */
	int64		imin;			/* min or max of integer kinds */
	double		fmin;			/* min or max of floats */
	bool		seen;
} AggSlot;

typedef struct VecQual
{
	int			attno;
	ValClass	vc;
	int			strategy;
	int64		ivalue;
	double		fvalue;
} VecQual;

typedef struct KeyDef
{
	int			attno;			/* input column */
	ValClass	vc;				/* of the key value */
	ExprState  *expr;			/* NULL: the column itself */
	/* memo of an expression key: last input and its result */
	bool		memo_valid;
	Datum		memo_in;
	bool		memo_in_null;
	Datum		memo_out;
	bool		memo_out_null;
} KeyDef;

typedef struct AggDef
{
	AggOp		op;
	int			attno;			/* -1 for count(*) */
	ValClass	vc;
	Oid			restype;
} AggDef;

typedef struct ColumnarAggState
{
	CustomScanState css;
	Relation	rel;
	List	   *quals;			/* Expr, the table's restriction clauses */
	List	   *skips;			/* SkipQual */
	VecQual    *vquals;
	int			nvquals;
	bool		never;			/* a qual compares with NULL: no row passes */
	int			nkeys;
	KeyDef	   *keys;
	int			naggs;
	AggDef	   *aggs;
	int		   *entry_index;	/* per scan tlist entry: index into keys or aggs */
	int		   *entry_role;
	int			nentries;
	Bitmapset  *attrs;			/* columns to decode */
	TupleTableSlot *key_slot;	/* input of expression keys */
	MemoryContext group_ctx;
	MemoryContext run_ctx;		/* one (re)scan's quals and reading state */
	/* groups */
	int			ngroups;
	int			capacity;
	Datum	   *key_values;		/* ngroups * nkeys */
	bool	   *key_nulls;
	uint32	   *hashes;
	AggSlot    *slots;			/* ngroups * naggs */
	int		   *table;			/* open addressing: group index or -1 */
	int			table_size;
	/* per row group scratch */
	uint32	   *sel;
	int		   *gid;
	uint32		scratch_size;
	/* output */
	bool		done;
	int			next_output;
	uint64		groups_read;
	uint64		groups_skipped;
	uint64		rows_aggregated;
} ColumnarAggState;

static bool enable_columnar_aggregate = true;
static create_upper_paths_hook_type prev_upper_paths = NULL;
static CustomPathMethods path_methods;
static CustomScanMethods plan_methods;
static CustomExecMethods exec_methods;

/* ---------------------------------------------------------------------
 * Planning
 * ---------------------------------------------------------------------
 */

static bool
class_of_type(Oid type, ValClass *vc)
{
	switch (type)
	{
		case INT2OID:
			*vc = VC_INT16;
			return true;
		case INT4OID:
		case DATEOID:
			*vc = VC_INT32;
			return true;
		case INT8OID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
		case TIMEOID:
			*vc = VC_INT64;
			return true;
		case FLOAT4OID:
			*vc = VC_FLOAT4;
			return true;
		case FLOAT8OID:
			*vc = VC_FLOAT8;
			return true;
		case BOOLOID:
			*vc = VC_BOOL;
			return true;
		case TEXTOID:
		case VARCHAROID:
			*vc = VC_TEXT;
			return true;
		default:
			return false;
	}
}

static bool
numeric_class(ValClass vc)
{
	return vc == VC_INT16 || vc == VC_INT32 || vc == VC_INT64 || vc == VC_FLOAT4 || vc == VC_FLOAT8;
}

/* integers compare by value across int2, int4 and int8, floats across float4 and float8 */
static bool
integer_type(Oid type)
{
	return type == INT2OID || type == INT4OID || type == INT8OID;
}

static bool
float_type(Oid type)
{
	return type == FLOAT4OID || type == FLOAT8OID;
}

/* a restriction clause the scan evaluates itself: column op value, same types */
static bool
vector_qual(Node *clause, Index relid, Var **var_out, Node **value_out, int *strategy)
{
	OpExpr	   *op;
	Node	   *left,
			   *right;
	Var		   *var;
	Oid			opno;
	ValClass	vc;
	TypeCacheEntry *tc;
	Oid			lefttype,
				righttype;

	if (!IsA(clause, OpExpr) || list_length(((OpExpr *) clause)->args) != 2)
		return false;
	op = (OpExpr *) clause;
	left = linitial(op->args);
	right = lsecond(op->args);
	opno = op->opno;
	if ((var = columnar_plain_var(left, relid)) == NULL || !columnar_value_expr(right))
	{
		if ((var = columnar_plain_var(right, relid)) == NULL || !columnar_value_expr(left))
			return false;
		opno = get_commutator(opno);
		right = left;
		if (!OidIsValid(opno))
			return false;
	}
	if (!class_of_type(var->vartype, &vc) || !numeric_class(vc))
		return false;
	if (exprType(right) != var->vartype &&
		!(integer_type(var->vartype) && integer_type(exprType(right))) &&
		!(float_type(var->vartype) && float_type(exprType(right))))
		return false;			/* other cross-type comparisons (date with timestamp) differ in meaning */
	tc = lookup_type_cache(var->vartype, TYPECACHE_BTREE_OPFAMILY);
	if (!OidIsValid(tc->btree_opf) || !op_in_opfamily(opno, tc->btree_opf))
		return false;
	get_op_opfamily_properties(opno, tc->btree_opf, false, strategy, &lefttype, &righttype);
	if (lefttype != var->vartype || righttype != exprType(right))
		return false;
	*var_out = var;
	*value_out = right;
	return true;
}

/* is expr a supported grouping key; sets *attno (0-based) and *role */
static bool
vector_key(Node *expr, Oid eqop, Index relid, int *attno, int *role, ValClass *vc)
{
	Oid			type = exprType(expr);
	Var		   *var;
	List	   *vars;
	TypeCacheEntry *tc;

	if (!class_of_type(type, vc) || *vc == VC_FLOAT4 || *vc == VC_FLOAT8)
		return false;			/* floats: -0 = 0 and NaN = NaN, not bitwise */
	tc = lookup_type_cache(type, TYPECACHE_EQ_OPR);
	if (eqop != tc->eq_opr)
		return false;
	if (*vc == VC_TEXT)
	{
		Oid			coll = exprCollation(expr);

		if (OidIsValid(coll) && !get_collation_isdeterministic(coll))
			return false;
	}
	if ((var = columnar_plain_var(expr, relid)) != NULL)
	{
		*attno = var->varattno - 1;
		*role = ENTRY_KEY;
		return true;
	}
	/* an expression of a single column, with a by-value result */
	if (*vc == VC_TEXT || contain_volatile_functions(expr) || contain_subplans(expr) ||
		contain_agg_clause(expr) || contain_window_function(expr))
		return false;
	vars = pull_var_clause(expr, PVC_RECURSE_PLACEHOLDERS);
	if (vars == NIL)
		return false;
	var = linitial(vars);
	if (var->varno != relid || var->varattno <= 0 || var->varlevelsup != 0)
		return false;
	{
		ListCell   *lc;

		foreach(lc, vars)
		{
			Var		   *v = lfirst(lc);

			if (v->varno != var->varno || v->varattno != var->varattno)
				return false;
		}
	}
	*attno = var->varattno - 1;
	*role = ENTRY_KEY_EXPR;
	return true;
}

static bool
collect_aggrefs(Node *node, List **aggs)
{
	if (node == NULL)
		return false;
	if (IsA(node, Aggref))
	{
		if (!list_member(*aggs, node))
			*aggs = lappend(*aggs, node);
		return false;			/* no nested aggregates at one level */
	}
	return expression_tree_walker(node, collect_aggrefs, (void *) aggs);
}

/* is the aggregate one of ours; sets op, attno (0-based, -1 for count(*)) and class */
static bool
vector_agg(Aggref *agg, Index relid, AggOp *op, int *attno, ValClass *vc)
{
	char	   *name;
	Var		   *var;
	Oid			argtype;

	if (agg->agglevelsup != 0 || agg->aggdistinct != NIL || agg->aggorder != NIL ||
		agg->aggfilter != NULL || agg->aggkind != AGGKIND_NORMAL || agg->aggvariadic ||
		agg->aggsplit != AGGSPLIT_SIMPLE || agg->aggdirectargs != NIL)
		return false;
	if (get_func_namespace(agg->aggfnoid) != PG_CATALOG_NAMESPACE)
		return false;
	name = get_func_name(agg->aggfnoid);
	if (name == NULL)
		return false;
	if (agg->aggstar)
	{
		if (strcmp(name, "count") != 0 || agg->aggtype != INT8OID)
			return false;
		*op = AGG_COUNT_STAR;
		*attno = -1;
		*vc = VC_INT64;
		return true;
	}
	if (list_length(agg->args) != 1)
		return false;
	var = columnar_plain_var((Node *) ((TargetEntry *) linitial(agg->args))->expr, relid);
	if (var == NULL)
		return false;
	argtype = var->vartype;
	*attno = var->varattno - 1;
	if (strcmp(name, "count") == 0)
	{
		/* counts the non-NULL values of a column of any type */
		*op = AGG_COUNT;
		*vc = VC_INT64;
		return agg->aggtype == INT8OID;
	}
	if (!class_of_type(argtype, vc) || !numeric_class(*vc))
		return false;
	if (strcmp(name, "min") == 0 || strcmp(name, "max") == 0)
	{
		*op = name[1] == 'i' ? AGG_MIN : AGG_MAX;
		return agg->aggtype == argtype;
	}
	/* sum and avg: of the numbers themselves, not of dates or times */
	if (argtype != INT2OID && argtype != INT4OID && argtype != FLOAT4OID && argtype != FLOAT8OID)
		return false;
	if (strcmp(name, "sum") == 0)
	{
		*op = AGG_SUM;
		return agg->aggtype == (*vc == VC_FLOAT4 ? FLOAT4OID : *vc == VC_FLOAT8 ? FLOAT8OID : INT8OID);
	}
	if (strcmp(name, "avg") == 0)
	{
		*op = AGG_AVG;
		return agg->aggtype == (*vc == VC_FLOAT4 || *vc == VC_FLOAT8 ? FLOAT8OID : NUMERICOID);
	}
	return false;
}

static Plan *
plan_aggregate_path(PlannerInfo *root, RelOptInfo *rel, struct CustomPath *best_path,
					List *tlist, List *clauses, List *custom_plans)
{
	CustomScan *cscan = makeNode(CustomScan);

	cscan->methods = &plan_methods;
	cscan->scan.scanrelid = 0;
	cscan->scan.plan.targetlist = tlist;
	cscan->scan.plan.qual = NIL;
	cscan->custom_scan_tlist = linitial(best_path->custom_private);
	/* descriptors, the restriction clauses, and the table's RT index while planning */
	cscan->custom_private = list_make3(lsecond(best_path->custom_private),
									   lthird(best_path->custom_private),
									   lfourth(best_path->custom_private));
	cscan->flags = best_path->flags;
	return &cscan->scan.plan;
}

static void
columnar_upper_paths(PlannerInfo *root, UpperRelationKind stage, RelOptInfo *input_rel,
					 RelOptInfo *output_rel, void *extra)
{
	Query	   *parse = root->parse;
	RangeTblEntry *rte;
	Relation	relation;
	bool		columnar;
	Path	   *scan_path = NULL;
	Path	   *agg_path = NULL;
	PathTarget *target;
	List	   *scan_tlist = NIL;
	List	   *descr = NIL;
	List	   *quals = NIL;
	List	   *aggrefs = NIL;
	ListCell   *lc;
	Index		relid;
	CustomPath *cpath;

	if (prev_upper_paths)
		prev_upper_paths(root, stage, input_rel, output_rel, extra);
	if (!enable_columnar_aggregate || stage != UPPERREL_GROUP_AGG ||
		input_rel->reloptkind != RELOPT_BASEREL || input_rel->rtekind != RTE_RELATION)
		return;
	if (!parse->hasAggs || parse->groupingSets != NIL || parse->havingQual != NULL ||
		parse->hasTargetSRFs || root->hasHavingQual || parse->rowMarks != NIL ||
		parse->constraintDeps != NIL)	/* ungrouped columns allowed by a primary key */
		return;
	relid = input_rel->relid;
	rte = planner_rt_fetch(relid, root);
	if (rte->inh || rte->relkind != RELKIND_RELATION || rte->tablesample != NULL)
		return;
	relation = relation_open(rte->relid, NoLock);
	columnar = columnar_is_columnar(relation);
	relation_close(relation, NoLock);
	if (!columnar)
		return;

	/* the ColumnarScan path of the table, to cost against */
	foreach(lc, input_rel->pathlist)
	{
		Path	   *p = lfirst(lc);

		/* computed grouping keys put a projection over the scan */
		if (IsA(p, ProjectionPath))
			p = ((ProjectionPath *) p)->subpath;
		if (IsA(p, CustomPath) && p->param_info == NULL &&
			strcmp(((CustomPath *) p)->methods->CustomName, "ColumnarScan") == 0)
			scan_path = p;
	}
	foreach(lc, output_rel->pathlist)
		if (agg_path == NULL || ((Path *) lfirst(lc))->total_cost < agg_path->total_cost)
			agg_path = lfirst(lc);
	if (scan_path == NULL || agg_path == NULL)
		return;

	/* every restriction clause must be ours */
	foreach(lc, input_rel->baserestrictinfo)
	{
		RestrictInfo *ri = lfirst(lc);
		Var		   *var;
		Node	   *value;
		int			strategy;

		if (ri->pseudoconstant ||
			!vector_qual((Node *) ri->clause, relid, &var, &value, &strategy))
			return;
		quals = lappend(quals, ri->clause);
	}

	/* the grouping keys, then the aggregates */
	if (list_length(parse->groupClause) > MAX_KEYS)
		return;
	foreach(lc, parse->groupClause)
	{
		SortGroupClause *sgc = lfirst(lc);
		Node	   *expr = get_sortgroupclause_expr(sgc, parse->targetList);
		int			attno,
					role;
		ValClass	vc;

		if (!vector_key(expr, sgc->eqop, relid, &attno, &role, &vc))
			return;
		scan_tlist = lappend(scan_tlist, makeTargetEntry((Expr *) copyObject(expr),
														 list_length(scan_tlist) + 1, NULL, false));
		descr = lappend_int(descr, role);
		descr = lappend_int(descr, 0);
		descr = lappend_int(descr, attno);
		descr = lappend_int(descr, (int) vc);
	}
	target = root->upper_targets[UPPERREL_GROUP_AGG];
	foreach(lc, target->exprs)
		collect_aggrefs(lfirst(lc), &aggrefs);
	if (aggrefs == NIL)
		return;
	foreach(lc, aggrefs)
	{
		Aggref	   *agg = lfirst(lc);
		AggOp		op;
		int			attno;
		ValClass	vc;

		if (!vector_agg(agg, relid, &op, &attno, &vc))
			return;
		scan_tlist = lappend(scan_tlist, makeTargetEntry((Expr *) copyObject(agg),
														 list_length(scan_tlist) + 1, NULL, false));
		descr = lappend_int(descr, ENTRY_AGG);
		descr = lappend_int(descr, (int) op);
		descr = lappend_int(descr, attno);
		descr = lappend_int(descr, (int) vc);
	}

	/*
	 * scanrelid is 0 (this scan produces grouped rows), and custom_relids is
	 * overwritten with the upper rel's; a Var of the table in the scan
	 * tlist is how the executor learns the table's range table index after
	 * setrefs has offset it.
	 */
	scan_tlist = lappend(scan_tlist,
						 makeTargetEntry((Expr *) makeVar(relid, SelfItemPointerAttributeNumber, TIDOID, -1,
														  InvalidOid, 0),
										 list_length(scan_tlist) + 1, NULL, true));
	descr = lappend_int(descr, ENTRY_TABLE);
	descr = lappend_int(descr, 0);
	descr = lappend_int(descr, -1);
	descr = lappend_int(descr, 0);

	cpath = makeNode(CustomPath);
	cpath->path.pathtype = T_CustomScan;
	cpath->path.parent = output_rel;
	cpath->path.pathtarget = target;
	cpath->path.param_info = NULL;
	cpath->path.rows = agg_path->rows;
	/*
	 * Decoding is the ColumnarScan's cost; the executor's per-row work of
	 * the scan and of the aggregation, most of the rest, is what this saves.
	 */
	cpath->path.startup_cost = scan_path->startup_cost +
		(scan_path->total_cost - scan_path->startup_cost) * 0.35;
	cpath->path.total_cost = cpath->path.startup_cost + agg_path->rows * cpu_tuple_cost;
	cpath->path.pathkeys = NIL;
	cpath->methods = &path_methods;
	cpath->custom_private = list_make4(scan_tlist, descr, quals, makeInteger((int) relid));
	add_path(output_rel, &cpath->path);
}

/* ---------------------------------------------------------------------
 * Execution
 * ---------------------------------------------------------------------
 */

static Node *
create_state(CustomScan *cscan)
{
	ColumnarAggState *state = (ColumnarAggState *) newNode(sizeof(ColumnarAggState),
														   T_CustomScanState);

	state->css.methods = &exec_methods;
	return (Node *) state;
}

static int64
datum_int(Datum d, ValClass vc)
{
	switch (vc)
	{
		case VC_INT16:
			return DatumGetInt16(d);
		case VC_INT32:
			return DatumGetInt32(d);
		case VC_BOOL:
			return DatumGetBool(d) ? 1 : 0;
		default:
			return DatumGetInt64(d);
	}
}

static double
datum_float(Datum d, ValClass vc)
{
	return vc == VC_FLOAT4 ? (double) DatumGetFloat4(d) : DatumGetFloat8(d);
}

static void
begin_aggregate(CustomScanState *node, EState *estate, int eflags)
{
	ColumnarAggState *state = (ColumnarAggState *) node;
	CustomScan *cscan = (CustomScan *) node->ss.ps.plan;
	List	   *descr = linitial(cscan->custom_private);
	Index		plan_relid = (Index) intVal(lthird(cscan->custom_private));
	TargetEntry *table_entry = llast(cscan->custom_scan_tlist);
	Index		rti = ((Var *) table_entry->expr)->varno;
	ListCell   *lc;
	int			i;
	int			k = 0,
				g = 0;

	state->quals = lsecond(cscan->custom_private);
	state->rel = ExecOpenScanRelation(estate, rti, eflags);
	state->nentries = list_length(cscan->custom_scan_tlist);
	state->entry_index = palloc(sizeof(int) * state->nentries);
	state->entry_role = palloc(sizeof(int) * state->nentries);
	state->keys = palloc0(sizeof(KeyDef) * Max(state->nentries, 1));
	state->aggs = palloc0(sizeof(AggDef) * Max(state->nentries, 1));
	state->key_slot = ExecInitExtraTupleSlot(estate, RelationGetDescr(state->rel), &TTSOpsVirtual);

	i = 0;
	foreach(lc, cscan->custom_scan_tlist)
	{
		TargetEntry *tle = lfirst(lc);
		int			role = list_nth_int(descr, i * ENTRY_FIELDS);
		int			op = list_nth_int(descr, i * ENTRY_FIELDS + 1);
		int			attno = list_nth_int(descr, i * ENTRY_FIELDS + 2);
		ValClass	vc = (ValClass) list_nth_int(descr, i * ENTRY_FIELDS + 3);

		state->entry_role[i] = role;
		if (role == ENTRY_TABLE)
		{
			i++;
			continue;
		}
		if (attno >= 0)
			state->attrs = bms_add_member(state->attrs, attno + 1 - FirstLowInvalidHeapAttributeNumber);
		if (role == ENTRY_AGG)
		{
			state->aggs[g].op = (AggOp) op;
			state->aggs[g].attno = attno;
			state->aggs[g].vc = vc;
			state->aggs[g].restype = exprType((Node *) tle->expr);
			state->entry_index[i] = g++;
		}
		else
		{
			state->keys[k].attno = attno;
			state->keys[k].vc = vc;
			if (role == ENTRY_KEY_EXPR)
				state->keys[k].expr = ExecInitExpr(tle->expr, &node->ss.ps);
			state->entry_index[i] = k++;
		}
		i++;
	}
	state->nkeys = k;
	state->naggs = g;

	state->vquals = palloc0(sizeof(VecQual) * Max(list_length(state->quals), 1));
	foreach(lc, state->quals)
	{
		Var		   *var;
		Node	   *value;
		int			strategy;
		VecQual    *vq = &state->vquals[state->nvquals];

		if (!vector_qual(lfirst(lc), plan_relid, &var, &value, &strategy))
			elog(ERROR, "columnar aggregate: unexpected restriction clause");
		vq->attno = var->varattno - 1;
		(void) class_of_type(var->vartype, &vq->vc);
		vq->strategy = strategy;
		state->attrs = bms_add_member(state->attrs, vq->attno + 1 - FirstLowInvalidHeapAttributeNumber);
		state->nvquals++;
	}
	if (state->attrs == NULL)	/* count(*) alone: no column */
		state->attrs = bms_make_singleton(MaxHeapAttributeNumber + 1 - FirstLowInvalidHeapAttributeNumber);
	state->group_ctx = AllocSetContextCreate(estate->es_query_cxt, "columnar aggregate groups",
											 ALLOCSET_DEFAULT_SIZES);
	state->run_ctx = AllocSetContextCreate(estate->es_query_cxt, "columnar aggregate scan",
										   ALLOCSET_SMALL_SIZES);
}

/* evaluates the qual values and the row group skip tests, once per scan */
static void
prepare_quals(ColumnarAggState *state)
{
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
	CustomScan *cscan = (CustomScan *) state->css.ss.ps.plan;
	Index		plan_relid = (Index) intVal(lthird(cscan->custom_private));
	ListCell   *lc;
	int			i = 0;

	state->never = false;
	state->skips = NIL;
	foreach(lc, state->quals)
	{
		Var		   *var;
		Node	   *value;
		int			strategy;
		bool		isnull;
		Datum		d;
		ExprState  *es;
		VecQual    *vq = &state->vquals[i++];
		SkipQual   *sq;
		ValClass	value_class;

		(void) vector_qual(lfirst(lc), plan_relid, &var, &value, &strategy);
		es = ExecInitExpr((Expr *) value, NULL);
		d = ExecEvalExprSwitchContext(es, econtext, &isnull);
		if (isnull)
		{
			state->never = true;
			continue;
		}
		(void) class_of_type(exprType(value), &value_class);
		if (vq->vc == VC_FLOAT4 || vq->vc == VC_FLOAT8)
			vq->fvalue = datum_float(d, value_class);
		else
			vq->ivalue = datum_int(d, value_class);
		sq = columnar_skip_from_clause(lfirst(lc), plan_relid, RelationGetDescr(state->rel), econtext);
		if (sq != NULL)
			state->skips = lappend(state->skips, sq);
	}
}

/* PostgreSQL's float order: NaN equals NaN and sorts above everything */
static inline int
float_cmp(double a, double b)
{
	if (unlikely(isnan(a)))
		return isnan(b) ? 0 : 1;
	if (unlikely(isnan(b)))
		return -1;
	return (a > b) - (a < b);
}

static inline int
int_cmp(int64 a, int64 b)
{
	return (a > b) - (a < b);
}

/*
 * Keeps the selected rows that pass the qual; returns the new count.  The
 * comparison is decided outside the loop: FILTER_LOOP keeps row r when
 * cond holds for c, the row's comparison with the constant.
 */
#define FILTER_LOOP(cmp_expr, cond) \
	for (k = 0; k < n; k++) \
	{ \
		uint32		r = sel[k]; \
		int			c; \
		if (nulls != NULL && nulls[r]) \
			continue; \
		c = (cmp_expr); \
		sel[out] = r; \
		out += (cond) ? 1 : 0; \
	}

#define FILTER_BY_STRATEGY(cmp_expr) \
	switch (vq->strategy) \
	{ \
		case BTLessStrategyNumber: \
			FILTER_LOOP(cmp_expr, c < 0); \
			break; \
		case BTLessEqualStrategyNumber: \
			FILTER_LOOP(cmp_expr, c <= 0); \
			break; \
		case BTEqualStrategyNumber: \
			FILTER_LOOP(cmp_expr, c == 0); \
			break; \
		case BTGreaterEqualStrategyNumber: \
			FILTER_LOOP(cmp_expr, c >= 0); \
			break; \
		default: \
			FILTER_LOOP(cmp_expr, c > 0); \
			break; \
	}

static uint32
filter_rows(const VecQual *vq, const Datum *values, const bool *nulls, uint32 *sel, uint32 n)
{
	uint32		out = 0,
				k;

	if (vq->vc == VC_FLOAT8)
	{
		double		fv = vq->fvalue;

		FILTER_BY_STRATEGY(float_cmp(DatumGetFloat8(values[r]), fv));
	}
	else if (vq->vc == VC_FLOAT4)
	{
		double		fv = vq->fvalue;

		FILTER_BY_STRATEGY(float_cmp((double) DatumGetFloat4(values[r]), fv));
	}
	else
	{
		int64		iv = vq->ivalue;
		ValClass	vc = vq->vc;

		FILTER_BY_STRATEGY(int_cmp(datum_int(values[r], vc), iv));
	}
	return out;
}

static uint32
hash_key(Datum d, bool isnull, ValClass vc)
{
	if (isnull)
		return 0x9e3779b9;
	if (vc == VC_TEXT)
		return hash_bytes((const unsigned char *) VARDATA_ANY(DatumGetPointer(d)),
						  VARSIZE_ANY_EXHDR(DatumGetPointer(d)));
	{
		uint64		v = (uint64) datum_int(d, vc);

		return murmurhash32((uint32) v) ^ murmurhash32((uint32) (v >> 32));
	}
}

static bool
keys_equal(Datum a, bool anull, Datum b, bool bnull, ValClass vc)
{
	if (anull || bnull)
		return anull && bnull;
	if (vc == VC_TEXT)
	{
		Size		la = VARSIZE_ANY_EXHDR(DatumGetPointer(a));

		return la == VARSIZE_ANY_EXHDR(DatumGetPointer(b)) &&
			memcmp(VARDATA_ANY(DatumGetPointer(a)), VARDATA_ANY(DatumGetPointer(b)), la) == 0;
	}
	return datum_int(a, vc) == datum_int(b, vc);
}

static void
grow_groups(ColumnarAggState *state)
{
	int			capacity = state->capacity ? state->capacity * 2 : 64;
	MemoryContext old = MemoryContextSwitchTo(state->group_ctx);
	int			nk = Max(state->nkeys, 1);

	if (state->capacity == 0)
	{
		state->key_values = palloc(sizeof(Datum) * capacity * nk);
		state->key_nulls = palloc(sizeof(bool) * capacity * nk);
		state->hashes = palloc(sizeof(uint32) * capacity);
		state->slots = palloc(sizeof(AggSlot) * capacity * Max(state->naggs, 1));
	}
	else
	{
		state->key_values = repalloc_huge(state->key_values, sizeof(Datum) * capacity * nk);
		state->key_nulls = repalloc_huge(state->key_nulls, sizeof(bool) * capacity * nk);
		state->hashes = repalloc_huge(state->hashes, sizeof(uint32) * capacity);
		state->slots = repalloc_huge(state->slots, sizeof(AggSlot) * capacity * Max(state->naggs, 1));
	}
	state->capacity = capacity;

	/* the table stays at most half full */
	if (state->table_size < capacity * 2)
	{
		int			size = capacity * 2;
		int			i;

		if (state->table)
			pfree(state->table);
		state->table = palloc(sizeof(int) * size);
		for (i = 0; i < size; i++)
			state->table[i] = -1;
		for (i = 0; i < state->ngroups; i++)
		{
			uint32		h = state->hashes[i] & (size - 1);

			while (state->table[h] >= 0)
				h = (h + 1) & (size - 1);
			state->table[h] = i;
		}
		state->table_size = size;
	}
	MemoryContextSwitchTo(old);
}

/* the group of a key tuple, created when new */
static int
find_group(ColumnarAggState *state, const Datum *kv, const bool *kn, uint32 hash)
{
	uint32		mask = (uint32) state->table_size - 1;
	uint32		h = hash & mask;
	int			g;
	int			i;
	MemoryContext old;

	for (;;)
	{
		g = state->table[h];
		if (g < 0)
			break;
		if (state->hashes[g] == hash)
		{
			for (i = 0; i < state->nkeys; i++)
				if (!keys_equal(state->key_values[g * state->nkeys + i], state->key_nulls[g * state->nkeys + i],
								kv[i], kn[i], state->keys[i].vc))
					break;
			if (i == state->nkeys)
				return g;
		}
		h = (h + 1) & mask;
	}
	if (state->ngroups == state->capacity)
	{
		grow_groups(state);
		return find_group(state, kv, kn, hash);
	}
	g = state->ngroups++;
	state->table[h] = g;
	state->hashes[g] = hash;
	old = MemoryContextSwitchTo(state->group_ctx);
	for (i = 0; i < state->nkeys; i++)
	{
		state->key_nulls[g * state->nkeys + i] = kn[i];
		state->key_values[g * state->nkeys + i] =
			kn[i] ? (Datum) 0 : state->keys[i].vc == VC_TEXT ? datumCopy(kv[i], false, -1) : kv[i];
	}
	MemoryContextSwitchTo(old);
	memset(&state->slots[g * state->naggs], 0, sizeof(AggSlot) * state->naggs);
	return g;
}

/* the value of an expression key for an input value, memoised on the last input */
static Datum
expr_key(ColumnarAggState *state, KeyDef *key, Datum in, bool in_null, bool *isnull)
{
	ExprContext *econtext = state->css.ss.ps.ps_ExprContext;
	TupleTableSlot *slot = state->key_slot;
	Form_pg_attribute att = TupleDescAttr(slot->tts_tupleDescriptor, key->attno);

	if (key->memo_valid && key->memo_in_null == in_null &&
		(in_null || datumIsEqual(key->memo_in, in, att->attbyval, att->attlen)))
	{
		*isnull = key->memo_out_null;
		return key->memo_out;
	}
	ExecClearTuple(slot);
	memset(slot->tts_isnull, true, sizeof(bool) * slot->tts_tupleDescriptor->natts);
	slot->tts_values[key->attno] = in;
	slot->tts_isnull[key->attno] = in_null;
	ExecStoreVirtualTuple(slot);
	econtext->ecxt_scantuple = slot;
	ResetExprContext(econtext);
	key->memo_out = ExecEvalExprSwitchContext(key->expr, econtext, &key->memo_out_null);
	/* the input stays valid while the row group is decoded; by-value results only */
	key->memo_in = in;
	key->memo_in_null = in_null;
	key->memo_valid = true;
	*isnull = key->memo_out_null;
	return key->memo_out;
}

static void
float_add(double *sum, double v, bool is_float4)
{
	double		before = *sum;

	if (is_float4)
	{
		float4		r = (float4) before + (float4) v;

		if (unlikely(isinf(r)) && !isinf((float4) before) && !isinf((float4) v))
			float_overflow_error();
		*sum = r;
	}
	else
	{
		double		r = before + v;

		if (unlikely(isinf(r)) && !isinf(before) && !isinf(v))
			float_overflow_error();
		*sum = r;
	}
}

/*
 * The per-row loops below are written once per aggregate kind, with the
 * kind decided outside the loop; ROWS_LOOP walks the selected non-NULL
 * rows, s being the row's group slot and r its row.
 */
#define ROWS_LOOP(body) \
	for (k = 0; k < nsel; k++) \
	{ \
		uint32		r = sel[k]; \
		AggSlot    *s = &slots[gid[k] * naggs + a]; \
		if (nulls != NULL && nulls[r]) \
			continue; \
		{ \
			body; \
		} \
	}

static inline void
avg_float_accum(AggSlot *s, double v)
{
	/* float8_accum: N, Sx and Youngs-Cramer's Sxx */
	double		n_before = (double) s->count;
	double		sx_before = s->fsum;
	double		n = n_before + 1.0;
	double		sx = sx_before + v;

	if (n_before > 0.0)
	{
		double		tmp = v * n - sx;
		double		sxx = s->fsumsq + tmp * tmp / (n * n_before);

		if (unlikely(isinf(sx) || isinf(sxx)))
		{
			if (!isinf(sx_before) && !isinf(v))
				float_overflow_error();
			sxx = get_float8_nan();
		}
		s->fsumsq = sxx;
	}
	else if (isnan(v) || isinf(v))
		s->fsumsq = get_float8_nan();
	s->fsum = sx;
	s->count++;
}

/* one aggregate over the selected rows of a decoded row group */
static void
update_aggregate(ColumnarAggState *state, int a, const ColumnarDecoded *dec, uint32 nsel)
{
	AggDef	   *def = &state->aggs[a];
	AggSlot    *slots = state->slots;
	int			naggs = state->naggs;
	const uint32 *sel = state->sel;
	const int  *gid = state->gid;
	const Datum *values = def->attno >= 0 ? dec->values[def->attno] : NULL;
	const bool *nulls = def->attno >= 0 ? dec->nulls[def->attno] : NULL;
	bool		is_float = def->vc == VC_FLOAT4 || def->vc == VC_FLOAT8;
	bool		is_float4 = def->vc == VC_FLOAT4;
	ValClass	vc = def->vc;
	uint32		k;

	if (def->op == AGG_COUNT_STAR)
	{
		for (k = 0; k < nsel; k++)
			slots[gid[k] * naggs + a].count++;
		return;
	}
	if (values == NULL)
	{
		/* not stored in this row group (added later, NULL): nothing to add */
		return;
	}
	switch (def->op)
	{
		case AGG_COUNT:
			ROWS_LOOP(s->count++);
			break;
		case AGG_SUM:
			if (is_float)
				ROWS_LOOP(
						  double v = datum_float(values[r], vc);

						  if (!s->seen)
						  s->fsum = v;
						  else
						  float_add(&s->fsum, v, is_float4);
						  s->seen = true;
				)
			else
				ROWS_LOOP(
						  if (unlikely(pg_add_s64_overflow(s->isum, datum_int(values[r], vc), &s->isum)))
						  ereport(ERROR,
								  (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
								   errmsg("bigint out of range")));
						  s->seen = true;
				)
			break;
		case AGG_AVG:
			if (vc == VC_FLOAT8)
				ROWS_LOOP(avg_float_accum(s, DatumGetFloat8(values[r])))
			else if (is_float)
				ROWS_LOOP(avg_float_accum(s, datum_float(values[r], vc)))
			else
				ROWS_LOOP(s->isum += datum_int(values[r], vc); s->count++)
			break;
		case AGG_MIN:
			/* float8smaller/larger: keep the state only when strictly better */
			if (is_float)
				ROWS_LOOP(
						  double v = datum_float(values[r], vc);

						  if (!s->seen || !(float_cmp(s->fmin, v) < 0))
						  s->fmin = v;
						  s->seen = true;
				)
			else
				ROWS_LOOP(
						  int64 v = datum_int(values[r], vc);

						  if (!s->seen || v < s->imin)
						  s->imin = v;
						  s->seen = true;
				)
			break;
		case AGG_MAX:
			if (is_float)
				ROWS_LOOP(
						  double v = datum_float(values[r], vc);

						  if (!s->seen || !(float_cmp(s->fmin, v) > 0))
						  s->fmin = v;
						  s->seen = true;
				)
			else
				ROWS_LOOP(
						  int64 v = datum_int(values[r], vc);

						  if (!s->seen || v > s->imin)
						  s->imin = v;
						  s->seen = true;
				)
			break;
		default:
			break;
	}
}

static void
aggregate_row_group(ColumnarAggState *state, const ColumnarDecoded *dec, const ColumnarDeletedSet *deleted,
					bool has_deleted)
{
	uint32		n = dec->count;
	uint32		nsel = 0;
	uint32		r,
				k;
	int			q,
				a,
				i;
	Datum		kv[MAX_KEYS];
	bool		kn[MAX_KEYS];

	if (state->scratch_size < n)
	{
		MemoryContext old = MemoryContextSwitchTo(state->group_ctx);

		if (state->sel)
		{
			pfree(state->sel);
			pfree(state->gid);
		}
		state->sel = palloc_extended(sizeof(uint32) * n, MCXT_ALLOC_HUGE);
		state->gid = palloc_extended(sizeof(int) * n, MCXT_ALLOC_HUGE);
		state->scratch_size = n;
		MemoryContextSwitchTo(old);
	}
	for (r = 0; r < n; r++)
		if (!has_deleted || !columnar_deleted_contains(deleted, dec->first_row + r))
			state->sel[nsel++] = r;
	for (q = 0; q < state->nvquals && nsel > 0; q++)
	{
		const VecQual *vq = &state->vquals[q];

		if (dec->values[vq->attno] == NULL)
			nsel = 0;			/* the column is NULL throughout this row group */
		else
			nsel = filter_rows(vq, dec->values[vq->attno], dec->nulls[vq->attno], state->sel, nsel);
	}
	if (nsel == 0)
		return;
	state->rows_aggregated += nsel;

	if (state->nkeys == 0)
	{
		if (state->ngroups == 0)
		{
			if (state->capacity == 0)
				grow_groups(state);
			state->ngroups = 1;
			memset(state->slots, 0, sizeof(AggSlot) * state->naggs);
		}
		memset(state->gid, 0, sizeof(int) * nsel);
	}
	else
	{
		if (state->capacity == 0)
			grow_groups(state);
		for (k = 0; k < nsel; k++)
		{
			uint32		hash = 0;

			r = state->sel[k];
			for (i = 0; i < state->nkeys; i++)
			{
				KeyDef	   *key = &state->keys[i];
				const Datum *col = dec->values[key->attno];
				const bool *cn = dec->nulls[key->attno];
				Datum		in = col ? col[r] : (Datum) 0;
				bool		in_null = col == NULL || (cn != NULL && cn[r]);

				if (key->expr)
					kv[i] = expr_key(state, key, in, in_null, &kn[i]);
				else
				{
					kv[i] = in;
					kn[i] = in_null;
				}
				hash = hash_combine(hash, hash_key(kv[i], kn[i], key->vc));
			}
			state->gid[k] = find_group(state, kv, kn, hash);
		}
		/* memo inputs point into this row group's decoded data */
		for (i = 0; i < state->nkeys; i++)
			state->keys[i].memo_valid = false;
	}
	for (a = 0; a < state->naggs; a++)
		update_aggregate(state, a, dec, nsel);
}

static void
run_aggregation(ColumnarAggState *state)
{
	EState	   *estate = state->css.ss.ps.state;
	ColumnarScanDesc scan;
	MemoryContext old;

	/* a subplan rescans once per outer row: nothing may pile up in between */
	MemoryContextReset(state->run_ctx);
	old = MemoryContextSwitchTo(state->run_ctx);
	prepare_quals(state);
	MemoryContextSwitchTo(old);
	if (state->never)
		return;
	scan = columnar_begin_read(state->rel, estate->es_snapshot, state->attrs, NULL, SO_TYPE_SEQSCAN);
	if (state->skips != NIL)
	{
		scan->skip = columnar_skip_row_group;
		scan->skip_arg = state->skips;
	}
	while (columnar_next_row_group(scan))
	{
		CHECK_FOR_INTERRUPTS();
		aggregate_row_group(state, &scan->decoded, scan->deleted, scan->group_has_deleted);
	}
	state->groups_read = scan->groups_read;
	state->groups_skipped = scan->groups_skipped;
	table_endscan(&scan->base);
}

static Datum
final_value(ColumnarAggState *state, const AggDef *def, const AggSlot *s, bool *isnull)
{
	*isnull = false;
	switch (def->op)
	{
		case AGG_COUNT_STAR:
		case AGG_COUNT:
			return Int64GetDatum(s->count);
		case AGG_SUM:
			if (!s->seen)
				break;
			if (def->vc == VC_FLOAT4)
				return Float4GetDatum((float4) s->fsum);
			if (def->vc == VC_FLOAT8)
				return Float8GetDatum(s->fsum);
			return Int64GetDatum(s->isum);
		case AGG_AVG:
			if (s->count == 0)
				break;
			if (def->vc == VC_FLOAT4 || def->vc == VC_FLOAT8)
				return Float8GetDatum(s->fsum / (double) s->count);
			return DirectFunctionCall2(numeric_div,
									   NumericGetDatum(int64_to_numeric(s->isum)),
									   NumericGetDatum(int64_to_numeric(s->count)));
		case AGG_MIN:
		case AGG_MAX:
			if (!s->seen)
				break;
			switch (def->vc)
			{
				case VC_FLOAT4:
					return Float4GetDatum((float4) s->fmin);
				case VC_FLOAT8:
					return Float8GetDatum(s->fmin);
				case VC_INT16:
					return Int16GetDatum((int16) s->imin);
				case VC_INT32:
					return Int32GetDatum((int32) s->imin);
				default:
					return Int64GetDatum(s->imin);
			}
	}
	*isnull = true;
	return (Datum) 0;
}

static TupleTableSlot *
exec_aggregate(CustomScanState *node)
{
	ColumnarAggState *state = (ColumnarAggState *) node;
	TupleTableSlot *slot = node->ss.ss_ScanTupleSlot;
	ExprContext *econtext = node->ss.ps.ps_ExprContext;
	int			g;
	int			i;

	if (!state->done)
	{
		run_aggregation(state);
		/* without GROUP BY there is always one row, even over no rows */
		if (state->nkeys == 0 && state->ngroups == 0)
		{
			if (state->capacity == 0)
				grow_groups(state);
			state->ngroups = 1;
			memset(state->slots, 0, sizeof(AggSlot) * Max(state->naggs, 1));
		}
		state->done = true;
		state->next_output = 0;
	}
	for (;;)
	{
		if (state->next_output >= state->ngroups)
			return ExecClearTuple(node->ss.ps.ps_ResultTupleSlot);
		g = state->next_output++;
		ResetExprContext(econtext);
		ExecClearTuple(slot);
		for (i = 0; i < state->nentries; i++)
		{
			int			idx = state->entry_index[i];

			if (state->entry_role[i] == ENTRY_TABLE)
			{
				slot->tts_values[i] = (Datum) 0;
				slot->tts_isnull[i] = true;
			}
			else if (state->entry_role[i] == ENTRY_AGG)
			{
				MemoryContext old = MemoryContextSwitchTo(econtext->ecxt_per_tuple_memory);

				slot->tts_values[i] = final_value(state, &state->aggs[idx],
												  &state->slots[g * state->naggs + idx],
												  &slot->tts_isnull[i]);
				MemoryContextSwitchTo(old);
			}
			else
			{
				slot->tts_values[i] = state->key_values[g * state->nkeys + idx];
				slot->tts_isnull[i] = state->key_nulls[g * state->nkeys + idx];
			}
		}
		ExecStoreVirtualTuple(slot);
		econtext->ecxt_scantuple = slot;
		if (node->ss.ps.ps_ProjInfo == NULL)
			return slot;
		return ExecProject(node->ss.ps.ps_ProjInfo);
	}
}

static void
reset_groups(ColumnarAggState *state)
{
	MemoryContextReset(state->group_ctx);
	state->ngroups = 0;
	state->capacity = 0;
	state->table = NULL;
	state->table_size = 0;
	state->sel = NULL;
	state->gid = NULL;
	state->scratch_size = 0;
	state->done = false;
}

static void
end_aggregate(CustomScanState *node)
{
	ColumnarAggState *state = (ColumnarAggState *) node;

	reset_groups(state);
}

static void
rescan_aggregate(CustomScanState *node)
{
	ColumnarAggState *state = (ColumnarAggState *) node;

	reset_groups(state);
}

static void
explain_aggregate(CustomScanState *node, List *ancestors, ExplainState *es)
{
	ColumnarAggState *state = (ColumnarAggState *) node;
	TupleDesc	desc = RelationGetDescr(state->rel);
	List	   *names = NIL;
	int			a;

	ExplainPropertyText("Columnar Table", RelationGetRelationName(state->rel), es);
	for (a = 0; a < desc->natts; a++)
		if (!TupleDescAttr(desc, a)->attisdropped &&
			bms_is_member(a + 1 - FirstLowInvalidHeapAttributeNumber, state->attrs))
			names = lappend(names, NameStr(TupleDescAttr(desc, a)->attname));
	ExplainPropertyList("Columnar Columns", names, es);
	ExplainPropertyInteger("Vectorised Quals", NULL, list_length(state->quals), es);
	if (es->analyze)
	{
		ExplainPropertyInteger("Row Groups Read", NULL, (int64) state->groups_read, es);
		ExplainPropertyInteger("Row Groups Skipped", NULL, (int64) state->groups_skipped, es);
		ExplainPropertyInteger("Rows Aggregated", NULL, (int64) state->rows_aggregated, es);
	}
}

void
columnar_aggregate_install(void)
{
	DefineCustomBoolVariable("datalayer.columnar_aggregate",
							 "Aggregates columnar tables inside the scan, vectorised over row groups.",
							 "Off: grouping and aggregation of columnar tables run in the executor's Agg node.",
							 &enable_columnar_aggregate, true, PGC_USERSET, 0, NULL, NULL, NULL);

	path_methods.CustomName = "ColumnarAggregate";
	path_methods.PlanCustomPath = plan_aggregate_path;

	plan_methods.CustomName = "ColumnarAggregate";
	plan_methods.CreateCustomScanState = create_state;
	RegisterCustomScanMethods(&plan_methods);

	exec_methods.CustomName = "ColumnarAggregate";
	exec_methods.BeginCustomScan = begin_aggregate;
	exec_methods.ExecCustomScan = exec_aggregate;
	exec_methods.EndCustomScan = end_aggregate;
	exec_methods.ReScanCustomScan = rescan_aggregate;
	exec_methods.ExplainCustomScan = explain_aggregate;

	prev_upper_paths = create_upper_paths_hook;
	create_upper_paths_hook = columnar_upper_paths;
}
