/*
 * lineage_resolve.c
 *		Lineage of a statement, read from its analysed Query tree.
 *
 * For every target column the resolver follows the expression that fills it
 * down to base relation columns: through subqueries, CTEs (recursive ones
 * too, with a guard against cycles), joins (their alias variables), set
 * operations (every branch), LATERAL, VALUES lists, function arguments and
 * views (expanded from their stored query; the view is recorded as a source
 * too).  A column that reaches the target unchanged is IDENTITY; through an
 * expression or cast, TRANSFORMATION; through an aggregate or window
 * function, AGGREGATION.  Columns read by WHERE, JOIN ... ON, GROUP BY,
 * HAVING, ORDER BY, window partitions and CASE conditions influence the
 * target without flowing into it: INDIRECT, with the clause as subtype.
 *
 * Nothing here writes anything; it only reads catalogs (view definitions,
 * relation kinds).  Temporary tables are looked through using what
 * lineage_capture.c remembered when they were filled.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pg_list.h"
#include "optimizer/optimizer.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "miscadmin.h"

#include "lineage/lineage.h"

#define MAX_DEPTH 64

typedef struct ResolveContext
{
	List	   *sources;		/* OIDs */
	List	   *direct;			/* LineageColumn *, target_attnum set */
	List	   *indirect;		/* LineageColumn *, target_attnum 0 */
	List	   *visited;		/* VisitKey * */
	List	   *indirect_done;	/* Query * whose clauses were collected */
	List	   *views;			/* ViewQuery * */
	AttrNumber	target_attnum;
	bool		in_clauses;		/* walking WHERE/JOIN/GROUP BY...: influences every column */
	int			depth;
} ResolveContext;

typedef struct VisitKey
{
	Query	   *query;
	AttrNumber	attno;
	LineageSubtype subtype;
	AttrNumber	target_attnum;
} VisitKey;

typedef struct ViewQuery
{
	Oid			relid;
	Query	   *query;
} ViewQuery;

typedef struct ExprWalk
{
	ResolveContext *ctx;
	List	   *stack;			/* Query *, innermost first */
	LineageSubtype subtype;
} ExprWalk;

static void resolve_expr(ResolveContext *ctx, List *stack, Node *expr, LineageSubtype subtype);

/*
 * A new stack with query on top.  Lists are arrays: consing onto the
 * caller's list would grow it in place, and sibling branches share it.
 */
static List *
push_query(Query *query, List *stack)
{
	return lcons(query, list_copy(stack));
}
static void resolve_query_column(ResolveContext *ctx, Query *query, List *stack,
								 AttrNumber attno, LineageSubtype subtype);
static void collect_indirect(ResolveContext *ctx, Query *query, List *stack);

const char *
lineage_subtype_name(LineageSubtype subtype)
{
	static const char *const names[] = {"IDENTITY", "TRANSFORMATION", "AGGREGATION", "JOIN",
	"FILTER", "GROUP_BY", "SORT", "WINDOW", "CONDITIONAL"};

	return names[subtype];
}

/* an indirect influence stays what it is; direct ones take the stronger */
static LineageSubtype
compose(LineageSubtype outer, LineageSubtype inner)
{
	if (!LINEAGE_IS_DIRECT(outer))
		return outer;
	if (!LINEAGE_IS_DIRECT(inner))
		return inner;
	return Max(outer, inner);
}

/* IDENTITY for a column as is (binary-compatible relabelling included) */
static LineageSubtype
expr_subtype(Node *expr)
{
	while (expr != NULL && IsA(expr, RelabelType))
		expr = (Node *) ((RelabelType *) expr)->arg;
	return (expr != NULL && IsA(expr, Var)) ? LINEAGE_IDENTITY : LINEAGE_TRANSFORMATION;
}

static void
add_column(ResolveContext *ctx, Oid relid, AttrNumber attnum, LineageSubtype subtype)
{
	/*
	 * Direct sources, and indirect ones met inside a column's own expression
	 * (a CASE condition, an aggregate's FILTER), belong to that column; what
	 * the clauses of a query read influences every column.
	 */
	bool		own = LINEAGE_IS_DIRECT(subtype) || (!ctx->in_clauses && ctx->target_attnum != 0);
	List	  **list = own ? &ctx->direct : &ctx->indirect;
	AttrNumber	target = own ? ctx->target_attnum : 0;
	ListCell   *lc;
	LineageColumn *col;

	foreach(lc, *list)
	{
		col = lfirst(lc);
		if (col->source_relid == relid && col->source_attnum == attnum &&
			col->target_attnum == target && col->subtype == subtype)
			return;
	}
	col = palloc(sizeof(LineageColumn));
	col->source_relid = relid;
	col->source_attnum = attnum;
	col->target_attnum = target;
	col->subtype = subtype;
	*list = lappend(*list, col);
}

static Query *
view_query(ResolveContext *ctx, Oid relid)
{
	ListCell   *lc;
	Relation	rel;
	ViewQuery  *vq;

	foreach(lc, ctx->views)
	{
		vq = lfirst(lc);
		if (vq->relid == relid)
			return vq->query;
	}
	rel = relation_open(relid, AccessShareLock);
	vq = palloc(sizeof(ViewQuery));
	vq->relid = relid;
	vq->query = copyObject(get_view_query(rel));
	relation_close(rel, AccessShareLock);
	ctx->views = lappend(ctx->views, vq);
	return vq->query;
}

static void
resolve_relation_column(ResolveContext *ctx, Oid relid, AttrNumber attno, LineageSubtype subtype)
{
	char		relkind = get_rel_relkind(relid);

	if (attno == 0)
	{
		/* a whole-row reference reads every column */
		AttrNumber	i;

		for (i = 1;; i++)
		{
			HeapTuple	tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(i));
			bool		dropped;

			if (!HeapTupleIsValid(tup))
				break;
			dropped = ((Form_pg_attribute) GETSTRUCT(tup))->attisdropped;
			ReleaseSysCache(tup);
			if (!dropped)
				resolve_relation_column(ctx, relid, i, subtype);
		}
		return;
	}
	if (attno < 0)
		return;					/* system columns carry no user data */

	if (get_rel_persistence(relid) == RELPERSISTENCE_TEMP)
	{
		/* look through a temporary table to what filled it */
		StatementLineage *temp = lineage_temp_table_sources(relid);
		ListCell   *lc;

		if (temp == NULL)
			return;
		foreach(lc, temp->sources)
			ctx->sources = list_append_unique_oid(ctx->sources, lfirst_oid(lc));
		foreach(lc, temp->columns)
		{
			LineageColumn *col = lfirst(lc);

			if (col->target_attnum == attno || col->target_attnum == 0)
				add_column(ctx, col->source_relid, col->source_attnum,
						   compose(subtype, col->subtype));
		}
		return;
	}

	ctx->sources = list_append_unique_oid(ctx->sources, relid);
	add_column(ctx, relid, attno, subtype);
	if (relkind == RELKIND_VIEW)
	{
		Query	   *vq = view_query(ctx, relid);

		resolve_query_column(ctx, vq, list_make1(vq), attno, subtype);
	}
}

static void
resolve_rte_column(ResolveContext *ctx, List *stack, RangeTblEntry *rte, AttrNumber attno,
				   LineageSubtype subtype)
{
	ListCell   *lc;

	switch (rte->rtekind)
	{
		case RTE_RELATION:
			resolve_relation_column(ctx, rte->relid, attno, subtype);
			break;
		case RTE_SUBQUERY:
			resolve_query_column(ctx, rte->subquery, push_query(rte->subquery, stack), attno, subtype);
			break;
		case RTE_JOIN:
			if (attno <= 0)
			{
				foreach(lc, rte->joinaliasvars)
					if (lfirst(lc) != NULL)
						resolve_expr(ctx, stack, lfirst(lc), compose(subtype, expr_subtype(lfirst(lc))));
			}
			else if (attno <= list_length(rte->joinaliasvars))
			{
				Node	   *alias = list_nth(rte->joinaliasvars, attno - 1);

				if (alias != NULL)
					resolve_expr(ctx, stack, alias, compose(subtype, expr_subtype(alias)));
			}
			break;
		case RTE_CTE:
			{
				int			up = rte->ctelevelsup;
				Query	   *owner;

				if (up >= list_length(stack))
					break;
				owner = list_nth(stack, up);
				foreach(lc, owner->cteList)
				{
					CommonTableExpr *cte = lfirst(lc);

					if (strcmp(cte->ctename, rte->ctename) == 0 && IsA(cte->ctequery, Query))
					{
						Query	   *cq = (Query *) cte->ctequery;

						resolve_query_column(ctx, cq, push_query(cq, list_copy_tail(stack, up)), attno, subtype);
						break;
					}
				}
				break;
			}
		case RTE_FUNCTION:
			foreach(lc, rte->functions)
				resolve_expr(ctx, stack, ((RangeTblFunction *) lfirst(lc))->funcexpr,
							 compose(subtype, LINEAGE_TRANSFORMATION));
			break;
		case RTE_VALUES:
			foreach(lc, rte->values_lists)
			{
				List	   *row = lfirst(lc);

				if (attno > 0 && attno <= list_length(row))
					resolve_expr(ctx, stack, list_nth(row, attno - 1),
								 compose(subtype, expr_subtype(list_nth(row, attno - 1))));
			}
			break;
		case RTE_TABLEFUNC:
			resolve_expr(ctx, stack, (Node *) rte->tablefunc, compose(subtype, LINEAGE_TRANSFORMATION));
			break;
		default:
			break;
	}
}

static void
resolve_var(ResolveContext *ctx, List *stack, Var *var, LineageSubtype subtype)
{
	List	   *qstack;
	Query	   *query;

	if (var->varlevelsup >= list_length(stack))
		return;
	qstack = list_copy_tail(stack, var->varlevelsup);
	query = linitial(qstack);
	if (var->varno < 1 || var->varno > list_length(query->rtable))
		return;
	resolve_rte_column(ctx, qstack, rt_fetch(var->varno, query->rtable), var->varattno, subtype);
}

static bool
lineage_expr_walker(Node *node, ExprWalk *w)
{
	ListCell   *lc;

	if (node == NULL)
		return false;
	check_stack_depth();
	if (IsA(node, Var))
	{
		resolve_var(w->ctx, w->stack, (Var *) node, w->subtype);
		return false;
	}
	if (IsA(node, Aggref) || IsA(node, WindowFunc))
	{
		ExprWalk	inner = *w;
		ExprWalk	filter = *w;
		List	   *args = IsA(node, Aggref) ? ((Aggref *) node)->args : ((WindowFunc *) node)->args;
		Expr	   *aggfilter = IsA(node, Aggref) ? ((Aggref *) node)->aggfilter : ((WindowFunc *) node)->aggfilter;

		inner.subtype = compose(w->subtype, LINEAGE_AGGREGATION);
		filter.subtype = LINEAGE_IS_DIRECT(w->subtype) ? LINEAGE_FILTER : w->subtype;
		(void) expression_tree_walker((Node *) args, lineage_expr_walker, &inner);
		(void) lineage_expr_walker((Node *) aggfilter, &filter);
		return false;
	}
	if (IsA(node, CaseExpr))
	{
		CaseExpr   *c = (CaseExpr *) node;
		ExprWalk	cond = *w;
		ExprWalk	value = *w;

		cond.subtype = LINEAGE_IS_DIRECT(w->subtype) ? LINEAGE_CONDITIONAL : w->subtype;
		value.subtype = compose(w->subtype, LINEAGE_TRANSFORMATION);
		(void) lineage_expr_walker((Node *) c->arg, &cond);
		foreach(lc, c->args)
		{
			CaseWhen   *when = lfirst(lc);

			(void) lineage_expr_walker((Node *) when->expr, &cond);
			(void) lineage_expr_walker((Node *) when->result, &value);
		}
		(void) lineage_expr_walker((Node *) c->defresult, &value);
		return false;
	}
	if (IsA(node, SubLink))
	{
		SubLink    *s = (SubLink *) node;
		Query	   *sq = (Query *) s->subselect;
		List	   *sstack = push_query(sq, w->stack);

		(void) lineage_expr_walker(s->testexpr, w);
		foreach(lc, sq->targetList)
		{
			TargetEntry *tle = lfirst(lc);

			if (!tle->resjunk)
				resolve_query_column(w->ctx, sq, sstack, tle->resno,
									 compose(w->subtype, LINEAGE_TRANSFORMATION));
		}
		collect_indirect(w->ctx, sq, sstack);
		return false;
	}
	return expression_tree_walker(node, lineage_expr_walker, w);
}

static void
resolve_expr(ResolveContext *ctx, List *stack, Node *expr, LineageSubtype subtype)
{
	ExprWalk	w;

	w.ctx = ctx;
	w.stack = stack;
	w.subtype = subtype;
	(void) lineage_expr_walker(expr, &w);
}

/*
 * The branches of a set operation.  Rows of an EXCEPT's right side never
 * reach the output, they only remove rows: a negative rtindex marks them.
 */
static void
collect_setop_leaves(Node *node, bool removes_rows, List **leaves)
{
	if (node == NULL)
		return;
	if (IsA(node, RangeTblRef))
		*leaves = lappend_int(*leaves, removes_rows ? -((RangeTblRef *) node)->rtindex
							  : ((RangeTblRef *) node)->rtindex);
	else if (IsA(node, SetOperationStmt))
	{
		SetOperationStmt *op = (SetOperationStmt *) node;

		collect_setop_leaves(op->larg, removes_rows, leaves);
		collect_setop_leaves(op->rarg, removes_rows || op->op == SETOP_EXCEPT, leaves);
	}
}

static void
resolve_query_column(ResolveContext *ctx, Query *query, List *stack, AttrNumber attno,
					 LineageSubtype subtype)
{
	ListCell   *lc;
	VisitKey   *key;

	/* each (query, column, subtype) once per target column: recursive CTEs end */
	foreach(lc, ctx->visited)
	{
		key = lfirst(lc);
		if (key->query == query && key->attno == attno && key->subtype == subtype &&
			key->target_attnum == ctx->target_attnum)
			return;
	}
	if (ctx->depth >= MAX_DEPTH)
		return;
	key = palloc(sizeof(VisitKey));
	key->query = query;
	key->attno = attno;
	key->subtype = subtype;
	key->target_attnum = ctx->target_attnum;
	ctx->visited = lappend(ctx->visited, key);
	ctx->depth++;

	collect_indirect(ctx, query, stack);
	if (query->setOperations != NULL)
	{
		List	   *leaves = NIL;

		collect_setop_leaves(query->setOperations, false, &leaves);
		foreach(lc, leaves)
		{
			int			rtindex = lfirst_int(lc);
			RangeTblEntry *rte = rt_fetch(abs(rtindex), query->rtable);

			if (rtindex > 0)
				resolve_rte_column(ctx, stack, rte, attno, subtype);
			else
			{
				bool		saved = ctx->in_clauses;

				ctx->in_clauses = true;
				resolve_rte_column(ctx, stack, rte, attno,
								   LINEAGE_IS_DIRECT(subtype) ? LINEAGE_FILTER : subtype);
				ctx->in_clauses = saved;
			}
		}
	}
	else if (attno == 0)
	{
		foreach(lc, query->targetList)
		{
			TargetEntry *tle = lfirst(lc);

			if (!tle->resjunk)
				resolve_expr(ctx, stack, (Node *) tle->expr, compose(subtype, expr_subtype((Node *) tle->expr)));
		}
	}
	else
	{
		TargetEntry *tle = get_tle_by_resno(query->targetList, attno);

		if (tle != NULL)
			resolve_expr(ctx, stack, (Node *) tle->expr, compose(subtype, expr_subtype((Node *) tle->expr)));
	}
	ctx->depth--;
}

static void
walk_join_quals(ResolveContext *ctx, List *stack, Node *node)
{
	if (node == NULL)
		return;
	if (IsA(node, JoinExpr))
	{
		JoinExpr   *j = (JoinExpr *) node;

		walk_join_quals(ctx, stack, j->larg);
		walk_join_quals(ctx, stack, j->rarg);
		resolve_expr(ctx, stack, j->quals, LINEAGE_JOIN);
	}
	else if (IsA(node, FromExpr))
	{
		ListCell   *lc;

		foreach(lc, ((FromExpr *) node)->fromlist)
			walk_join_quals(ctx, stack, lfirst(lc));
	}
}

static void
resolve_clause_list(ResolveContext *ctx, List *stack, Query *query, List *clauses, LineageSubtype subtype)
{
	ListCell   *lc;

	foreach(lc, clauses)
	{
		TargetEntry *tle = get_sortgroupclause_tle(lfirst(lc), query->targetList);

		resolve_expr(ctx, stack, (Node *) tle->expr, subtype);
	}
}

/* the columns a query level reads without passing them on */
static void
collect_indirect(ResolveContext *ctx, Query *query, List *stack)
{
	ListCell   *lc;

	bool		saved = ctx->in_clauses;

	if (list_member_ptr(ctx->indirect_done, query))
		return;
	ctx->indirect_done = lappend(ctx->indirect_done, query);
	ctx->in_clauses = true;

	if (query->jointree != NULL)
	{
		resolve_expr(ctx, stack, query->jointree->quals, LINEAGE_FILTER);
		walk_join_quals(ctx, stack, (Node *) query->jointree);
	}
	resolve_expr(ctx, stack, query->havingQual, LINEAGE_FILTER);
	resolve_clause_list(ctx, stack, query, query->groupClause, LINEAGE_GROUP_BY);
	resolve_clause_list(ctx, stack, query, query->sortClause, LINEAGE_SORT);
	foreach(lc, query->windowClause)
	{
		WindowClause *wc = lfirst(lc);

		resolve_clause_list(ctx, stack, query, wc->partitionClause, LINEAGE_WINDOW);
		resolve_clause_list(ctx, stack, query, wc->orderClause, LINEAGE_WINDOW);
	}
	ctx->in_clauses = saved;
}

static StatementLineage *
finish(ResolveContext *ctx, Oid target, const char *kind, List *target_columns)
{
	StatementLineage *result = palloc0(sizeof(StatementLineage));
	ListCell   *lc;
	ListCell   *lt;

	result->kind = kind;
	foreach(lc, ctx->sources)
		if (lfirst_oid(lc) != target)
			result->sources = lappend_oid(result->sources, lfirst_oid(lc));
	foreach(lc, ctx->direct)
	{
		LineageColumn *col = lfirst(lc);

		if (col->source_relid != target)
			result->columns = lappend(result->columns, col);
	}
	/* what decides which rows arrive influences every column they fill */
	foreach(lc, ctx->indirect)
	{
		LineageColumn *col = lfirst(lc);

		if (col->source_relid == target)
			continue;
		if (target_columns == NIL)
			result->columns = lappend(result->columns, col);
		foreach(lt, target_columns)
		{
			LineageColumn *copy = palloc(sizeof(LineageColumn));

			*copy = *col;
			copy->target_attnum = (AttrNumber) lfirst_int(lt);
			result->columns = lappend(result->columns, copy);
		}
	}
	return result;
}

static void
init_context(ResolveContext *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
}

/*
 * INSERT, UPDATE, DELETE, MERGE.  NULL for other statements.  The target is
 * not a source of itself (an UPDATE reading its own columns is no flow
 * between datasets).
 */
StatementLineage *
lineage_of_dml(Query *query)
{
	ResolveContext ctx;
	List	   *stack = list_make1(query);
	List	   *targets = NIL;
	Oid			target;
	const char *kind;
	ListCell   *lc;

	if (query->resultRelation <= 0)
		return NULL;
	switch (query->commandType)
	{
		case CMD_INSERT:
			kind = "insert";
			break;
		case CMD_UPDATE:
			kind = "update";
			break;
		case CMD_DELETE:
			kind = "delete";
			break;
		case CMD_MERGE:
			kind = "merge";
			break;
		default:
			return NULL;
	}
	target = rt_fetch(query->resultRelation, query->rtable)->relid;
	init_context(&ctx);

	if (query->commandType == CMD_INSERT || query->commandType == CMD_UPDATE)
	{
		foreach(lc, query->targetList)
		{
			TargetEntry *tle = lfirst(lc);

			if (tle->resjunk)
				continue;
			ctx.target_attnum = tle->resno;
			targets = list_append_unique_int(targets, tle->resno);
			resolve_expr(&ctx, stack, (Node *) tle->expr, expr_subtype((Node *) tle->expr));
		}
	}
	else if (query->commandType == CMD_MERGE)
	{
		foreach(lc, query->mergeActionList)
		{
			MergeAction *action = lfirst(lc);
			ListCell   *lt;

			foreach(lt, action->targetList)
			{
				TargetEntry *tle = lfirst(lt);

				if (tle->resjunk)
					continue;
				ctx.target_attnum = tle->resno;
				targets = list_append_unique_int(targets, tle->resno);
				resolve_expr(&ctx, stack, (Node *) tle->expr, expr_subtype((Node *) tle->expr));
			}
			ctx.target_attnum = 0;
			resolve_expr(&ctx, stack, action->qual, LINEAGE_CONDITIONAL);
		}
	}
	ctx.target_attnum = 0;
	if (query->commandType == CMD_MERGE && query->jointree != NULL)
	{
		/* MERGE keeps its ON condition as the jointree's qual: a join, not a filter */
		resolve_expr(&ctx, stack, query->jointree->quals, LINEAGE_JOIN);
		ctx.indirect_done = lappend(ctx.indirect_done, query);
		walk_join_quals(&ctx, stack, (Node *) query->jointree);
	}
	collect_indirect(&ctx, query, stack);
	return finish(&ctx, target, kind, targets);
}

/*
 * The query of a CREATE TABLE AS, SELECT INTO, view or materialized view:
 * output column i becomes column i of the new relation.
 */
StatementLineage *
lineage_of_query_into(Query *query, const char *kind)
{
	ResolveContext ctx;
	List	   *stack = list_make1(query);
	List	   *targets = NIL;
	ListCell   *lc;

	init_context(&ctx);
	foreach(lc, query->targetList)
	{
		TargetEntry *tle = lfirst(lc);

		if (tle->resjunk)
			continue;
		ctx.target_attnum = tle->resno;
		targets = lappend_int(targets, tle->resno);
		resolve_query_column(&ctx, query, stack, tle->resno, LINEAGE_IDENTITY);
	}
	ctx.target_attnum = 0;
	collect_indirect(&ctx, query, stack);
	return finish(&ctx, InvalidOid, kind, targets);
}

typedef struct ReadsContext
{
	Oid			target;
} ReadsContext;

static bool
reads_walker(Node *node, ReadsContext *rc)
{
	if (node == NULL)
		return false;
	if (IsA(node, RangeTblEntry))
	{
		RangeTblEntry *rte = (RangeTblEntry *) node;

		return rte->rtekind == RTE_RELATION && rte->relid != rc->target;
	}
	if (IsA(node, Query))
		return query_tree_walker((Query *) node, reads_walker, rc, QTW_EXAMINE_RTES_BEFORE);
	return expression_tree_walker(node, reads_walker, rc);
}

/*
 * Does a DML statement read any relation besides its target?  The cheap test
 * that keeps capture away from INSERT ... VALUES and single-table UPDATEs.
 */
bool
lineage_query_reads_other_relations(Query *query)
{
	ReadsContext rc;

	if (query->resultRelation <= 0)
		return false;
	rc.target = rt_fetch(query->resultRelation, query->rtable)->relid;
	return query_tree_walker(query, reads_walker, &rc, QTW_EXAMINE_RTES_BEFORE);
}
