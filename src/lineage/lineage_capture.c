/*
 * lineage_capture.c
 *		When lineage is captured, and how it is recorded.
 *
 * DML: post_parse_analyze_hook resolves the lineage of each INSERT, UPDATE,
 * DELETE or MERGE that reads another relation, once per parse, and keeps it
 * in a per-backend cache keyed by the statement's text; ExecutorEnd_hook,
 * which runs only when a statement completed, records one observation.  So a
 * statement in a PL/pgSQL function, parsed once and run many times, counts
 * every run, and capture costs one hash probe per DML statement, never
 * anything per row.
 *
 * DDL: after CREATE TABLE AS / SELECT INTO, CREATE [OR REPLACE] VIEW,
 * CREATE / REFRESH MATERIALIZED VIEW and COPY to or from a file or program,
 * a ProcessUtility hook resolves the new relation's lineage from its query.
 *
 * Recording happens inside the user's transaction, so a rolled-back
 * transaction leaves no lineage, in a subtransaction, so a failure of the
 * capture never fails the user's statement (it is logged once per session),
 * and as the extension's owner, so that users need no privilege on the
 * catalog and cannot forge it.  Lineage into a temporary table is kept in
 * session memory instead and used to see through the table later: a flow
 * source -> temp -> target is recorded as source -> target.
 */
#include "postgres.h"

#include "access/relation.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "commands/extension.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/analyze.h"
#include "parser/parsetree.h"
#include "rewrite/rewriteHandler.h"
#include "storage/lmgr.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "lineage/lineage.h"

bool		datalayer_lineage_capture = true;

static post_parse_analyze_hook_type prev_post_parse_analyze = NULL;
static ExecutorEnd_hook_type prev_executor_end = NULL;
static ProcessUtility_hook_type prev_process_utility = NULL;

static bool in_capture = false;
static bool warned = false;

#define CACHE_SIZE_LIMIT 4096

typedef struct CacheEntry
{
	uint64		key;
	Oid			target;
	StatementLineage *lineage;
} CacheEntry;

typedef struct TempEntry
{
	Oid			relid;
	StatementLineage *lineage;
} TempEntry;

static HTAB *statement_cache = NULL;
static HTAB *temp_tables = NULL;
static MemoryContext lineage_context = NULL;

static void
ensure_memory(void)
{
	HASHCTL		ctl;

	if (lineage_context != NULL)
		return;
	lineage_context = AllocSetContextCreate(TopMemoryContext, "datalayer lineage", ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(uint64);
	ctl.entrysize = sizeof(CacheEntry);
	ctl.hcxt = lineage_context;
	statement_cache = hash_create("datalayer lineage statements", 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(TempEntry);
	temp_tables = hash_create("datalayer lineage temp tables", 16, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static StatementLineage *
copy_lineage(const StatementLineage *src)
{
	StatementLineage *dst = palloc0(sizeof(StatementLineage));
	ListCell   *lc;

	dst->kind = src->kind;		/* string literals */
	dst->sources = list_copy(src->sources);
	foreach(lc, src->columns)
	{
		LineageColumn *col = palloc(sizeof(LineageColumn));

		*col = *(LineageColumn *) lfirst(lc);
		dst->columns = lappend(dst->columns, col);
	}
	return dst;
}

StatementLineage *
lineage_temp_table_sources(Oid relid)
{
	TempEntry  *entry;

	if (temp_tables == NULL)
		return NULL;
	entry = hash_search(temp_tables, &relid, HASH_FIND, NULL);
	return entry ? entry->lineage : NULL;
}

static void
remember_temp_table(Oid relid, StatementLineage *lineage, bool replace)
{
	TempEntry  *entry;
	bool		found;
	MemoryContext old;

	ensure_memory();
	old = MemoryContextSwitchTo(lineage_context);
	entry = hash_search(temp_tables, &relid, HASH_ENTER, &found);
	if (!found || replace)
		entry->lineage = copy_lineage(lineage);
	else
	{
		StatementLineage *more = copy_lineage(lineage);

		entry->lineage->sources = list_concat_unique_oid(entry->lineage->sources, more->sources);
		entry->lineage->columns = list_concat(entry->lineage->columns, more->columns);
	}
	MemoryContextSwitchTo(old);
}

static uint64
statement_key(const char *text, int location, int length, CmdType operation)
{
	size_t		len;

	if (text == NULL)
		return 0;
	if (location < 0)
		location = 0;
	len = strlen(text);
	if (location > (int) len)
		location = 0;
	len = (length > 0 && location + length <= (int) len) ? (size_t) length : len - location;
	return hash_bytes_extended((const unsigned char *) text + location, (int) len, (uint64) operation);
}

/*
 * Flows into system catalogs and into datalayer's own tables are
 * housekeeping, not data lineage (the scheduler's bookkeeping, this very
 * catalog's upkeep).
 */
static bool
target_ignored(Oid relid)
{
	Oid			nsp = get_rel_namespace(relid);
	char	   *name;

	if (nsp == PG_CATALOG_NAMESPACE || nsp == PG_TOAST_NAMESPACE || IsCatalogNamespace(nsp))
		return true;
	name = get_namespace_name(nsp);
	return name == NULL || strcmp(name, "datalayer") == 0 || strcmp(name, "information_schema") == 0;
}

/* is capture on, and is there a catalog to write to in this database? */
static bool
capture_wanted(void)
{
	if (!datalayer_lineage_capture || in_capture || creating_extension || IsBinaryUpgrade ||
		RecoveryInProgress() || IsInParallelMode() || !IsTransactionState())
		return false;
	return OidIsValid(get_extension_oid("datalayer", true));
}

static void
append_json_string(StringInfo buf, const char *s)
{
	escape_json(buf, s);
}

static char *
columns_json(StatementLineage *lineage, Oid target)
{
	StringInfoData buf;
	ListCell   *lc;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '[');
	foreach(lc, lineage->columns)
	{
		LineageColumn *col = lfirst(lc);

		if (col->source_relid == target || get_rel_persistence(col->source_relid) == RELPERSISTENCE_TEMP)
			continue;
		appendStringInfo(&buf, "%s{\"source\": %u, \"source_attnum\": %d, \"target\": %u, \"target_attnum\": %d, \"type\": \"%s\", \"subtype\": \"%s\"}",
						 first ? "" : ", ", col->source_relid, col->source_attnum, target, col->target_attnum,
						 LINEAGE_IS_DIRECT(col->subtype) ? "DIRECT" : "INDIRECT",
						 lineage_subtype_name(col->subtype));
		first = false;
	}
	appendStringInfoChar(&buf, ']');
	return buf.data;
}

/*
 * Write the lineage of one statement: edges from each source (an OID, or an
 * external 'file:...' node) into target (likewise).
 */
static void
record_lineage(StatementLineage *lineage, Oid target, const char *external_source,
			   const char *external_target, uint64 query_id, bool replace)
{
	MemoryContext outer = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	Oid			saved_user;
	int			saved_context;
	Oid			catalog_owner;
	HeapTuple	tup;
	StringInfoData edges;
	char	   *columns;
	ListCell   *lc;
	bool		first = true;

	if (OidIsValid(target) && target_ignored(target))
		return;
	if (OidIsValid(target) && get_rel_persistence(target) == RELPERSISTENCE_TEMP)
	{
		remember_temp_table(target, lineage, replace);
		return;
	}
	if (lineage->sources == NIL && external_source == NULL && external_target == NULL)
		return;

	initStringInfo(&edges);
	appendStringInfoChar(&edges, '[');
	if (external_source != NULL)
	{
		appendStringInfoString(&edges, "{\"source_external\": ");
		append_json_string(&edges, external_source);
		appendStringInfo(&edges, ", \"target\": %u, \"kind\": \"%s\"}", target, lineage->kind);
		first = false;
	}
	foreach(lc, lineage->sources)
	{
		Oid			source = lfirst_oid(lc);

		if (source == target || get_rel_persistence(source) == RELPERSISTENCE_TEMP)
			continue;
		if (external_target != NULL)
		{
			appendStringInfo(&edges, "%s{\"source\": %u, \"target_external\": ", first ? "" : ", ", source);
			append_json_string(&edges, external_target);
			appendStringInfo(&edges, ", \"kind\": \"%s\"}", lineage->kind);
		}
		else
			appendStringInfo(&edges, "%s{\"source\": %u, \"target\": %u, \"kind\": \"%s\"}",
							 first ? "" : ", ", source, target, lineage->kind);
		first = false;
	}
	appendStringInfoChar(&edges, ']');
	columns = external_target != NULL ? pstrdup("[]") : columns_json(lineage, target);

	/* the catalog is written as the extension's owner: the owner of its schema */
	tup = SearchSysCache1(NAMESPACENAME, CStringGetDatum("datalayer"));
	if (!HeapTupleIsValid(tup))
		return;
	catalog_owner = ((Form_pg_namespace) GETSTRUCT(tup))->nspowner;
	ReleaseSysCache(tup);

	in_capture = true;
	GetUserIdAndSecContext(&saved_user, &saved_context);
	BeginInternalSubTransaction(NULL);
	PG_TRY();
	{
		Oid			types[4] = {JSONBOID, JSONBOID, NAMEOID, INT8OID};
		Datum		values[4];
		NameData	role;

		namestrcpy(&role, GetUserNameFromId(saved_user, false));
		values[0] = DirectFunctionCall1(jsonb_in, CStringGetDatum(edges.data));
		values[1] = DirectFunctionCall1(jsonb_in, CStringGetDatum(columns));
		values[2] = NameGetDatum(&role);
		values[3] = Int64GetDatum((int64) query_id);

		SetUserIdAndSecContext(catalog_owner, saved_context | SECURITY_LOCAL_USERID_CHANGE);
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		if (replace && OidIsValid(target))
		{
			Oid			rtypes[1] = {OIDOID};
			Datum		rvalues[1] = {ObjectIdGetDatum(target)};

			SPI_execute_with_args("SELECT datalayer._lineage_reset_target($1)", 1, rtypes, rvalues, NULL, false, 0);
		}
		if (SPI_execute_with_args("SELECT datalayer._lineage_record($1, $2, $3, $4)",
								  4, types, values, NULL, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not record lineage");
		SPI_finish();
		SetUserIdAndSecContext(saved_user, saved_context);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(outer);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		SetUserIdAndSecContext(saved_user, saved_context);
		MemoryContextSwitchTo(outer);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(outer);
		CurrentResourceOwner = owner;
		if (!warned)
			ereport(WARNING,
					(errmsg("datalayer could not record lineage: %s", edata->message),
					 errdetail("The statement itself succeeded; lineage capture failures are reported once per session.")));
		warned = true;
		FreeErrorData(edata);
	}
	PG_END_TRY();
	in_capture = false;
}

/*
 * Run fn(arg) so that an error in it cannot touch the user's statement: in a
 * subtransaction that is rolled back on error, the error reported once per
 * session as a WARNING.  This is the only safe way to swallow an error.
 */
static void
run_isolated(void (*fn) (void *), void *arg)
{
	MemoryContext outer = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;

	BeginInternalSubTransaction(NULL);
	PG_TRY();
	{
		fn(arg);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(outer);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(outer);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(outer);
		CurrentResourceOwner = owner;
		if (!warned)
			ereport(WARNING,
					(errmsg("datalayer could not analyse the lineage of a statement: %s", edata->message),
					 errdetail("The statement itself is not affected; lineage capture failures are reported once per session.")));
		warned = true;
		FreeErrorData(edata);
	}
	PG_END_TRY();
}

typedef struct AnalyseArgs
{
	ParseState *pstate;
	Query	   *query;
} AnalyseArgs;

static void
analyse_dml(void *arg)
{
	AnalyseArgs *a = arg;
	Query	   *query = a->query;
	StatementLineage *lineage = lineage_of_dml(query);

	if (lineage != NULL)
	{
		uint64		key = statement_key(a->pstate->p_sourcetext, query->stmt_location, query->stmt_len,
										query->commandType);
		CacheEntry *entry;
		bool		found;
		MemoryContext old;

		ensure_memory();
		if (hash_get_num_entries(statement_cache) >= CACHE_SIZE_LIMIT)
		{
			/* crude but bounded: start over */
			MemoryContextDelete(lineage_context);
			lineage_context = NULL;
			statement_cache = NULL;
			temp_tables = NULL;
			ensure_memory();
		}
		old = MemoryContextSwitchTo(lineage_context);
		entry = hash_search(statement_cache, &key, HASH_ENTER, &found);
		entry->target = rt_fetch(query->resultRelation, query->rtable)->relid;
		entry->lineage = copy_lineage(lineage);
		MemoryContextSwitchTo(old);
	}
}

static void
lineage_post_parse_analyze(ParseState *pstate, Query *query, JumbleState *jstate)
{
	if (prev_post_parse_analyze)
		prev_post_parse_analyze(pstate, query, jstate);

	if (!datalayer_lineage_capture || in_capture || query->resultRelation <= 0 ||
		(query->commandType != CMD_INSERT && query->commandType != CMD_UPDATE &&
		 query->commandType != CMD_DELETE && query->commandType != CMD_MERGE))
		return;

	/* the walk costs no catalog lookups: INSERT ... VALUES and one-table
	 * UPDATEs (pgbench's statements) leave here without touching a cache */
	if (!lineage_query_reads_other_relations(query) ||
		target_ignored(rt_fetch(query->resultRelation, query->rtable)->relid))
		return;

	if (!IsTransactionState() || IsInParallelMode())
		return;
	{
		AnalyseArgs args;

		args.pstate = pstate;
		args.query = query;
		run_isolated(analyse_dml, &args);
	}
}

static void
lineage_executor_end(QueryDesc *queryDesc)
{
	CmdType		op = queryDesc->operation;

	if (statement_cache != NULL && hash_get_num_entries(statement_cache) > 0 &&
		(op == CMD_INSERT || op == CMD_UPDATE || op == CMD_DELETE || op == CMD_MERGE) &&
		queryDesc->plannedstmt != NULL && capture_wanted())
	{
		uint64		key = statement_key(queryDesc->sourceText, queryDesc->plannedstmt->stmt_location,
										queryDesc->plannedstmt->stmt_len, op);
		CacheEntry *entry = hash_search(statement_cache, &key, HASH_FIND, NULL);

		if (entry != NULL)
			record_lineage(entry->lineage, entry->target, NULL, NULL, queryDesc->plannedstmt->queryId, false);
	}

	if (prev_executor_end)
		prev_executor_end(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
}

static Query *
stored_view_query(Oid relid)
{
	Relation	rel = relation_open(relid, AccessShareLock);
	Query	   *query = copyObject(get_view_query(rel));

	relation_close(rel, AccessShareLock);
	return query;
}

typedef struct UtilityArgs
{
	Node	   *stmt;
	Query	   *ctas_query;
	const char *query_string;
	uint64		query_id;
} UtilityArgs;

static void
capture_utility(void *arg)
{
	UtilityArgs *u = arg;
	Node	   *stmt = u->stmt;
	Query	   *ctas_query = u->ctas_query;
	const char *query_string = u->query_string;
	uint64		query_id = u->query_id;

	if (IsA(stmt, CreateTableAsStmt) && ctas_query != NULL)
	{
		CreateTableAsStmt *ctas = (CreateTableAsStmt *) stmt;
		Oid			relid = RangeVarGetRelid(ctas->into->rel, NoLock, true);

		if (OidIsValid(relid))
			record_lineage(lineage_of_query_into(ctas_query,
												 ctas->objtype == OBJECT_MATVIEW ? "materialized_view" : "create_table_as"),
						   relid, NULL, NULL, query_id, true);
	}
	else if (IsA(stmt, ViewStmt))
	{
		Oid			relid = RangeVarGetRelid(((ViewStmt *) stmt)->view, NoLock, true);

		if (OidIsValid(relid))
			record_lineage(lineage_of_query_into(stored_view_query(relid), "view"), relid, NULL, NULL, query_id, true);
	}
	else if (IsA(stmt, RefreshMatViewStmt))
	{
		Oid			relid = RangeVarGetRelid(((RefreshMatViewStmt *) stmt)->relation, NoLock, true);

		if (OidIsValid(relid))
			record_lineage(lineage_of_query_into(stored_view_query(relid), "materialized_view"), relid,
						   NULL, NULL, query_id, false);
	}
	else if (IsA(stmt, CopyStmt))
	{
		CopyStmt   *copy = (CopyStmt *) stmt;
		char	   *external;

		if (copy->filename == NULL)
			return;				/* STDIN / STDOUT: the client, not a dataset we can name */
		external = psprintf("%s:%s", copy->is_program ? "program" : "file", copy->filename);
		if (copy->relation != NULL)
		{
			Oid			relid = RangeVarGetRelid(copy->relation, NoLock, true);
			StatementLineage *lineage = palloc0(sizeof(StatementLineage));

			if (!OidIsValid(relid))
				return;
			lineage->kind = "copy";
			if (copy->is_from)
				record_lineage(lineage, relid, external, NULL, query_id, false);
			else
			{
				lineage->sources = list_make1_oid(relid);
				record_lineage(lineage, InvalidOid, NULL, external, query_id, false);
			}
		}
		else if (copy->query != NULL && !copy->is_from)
		{
			RawStmt    *raw = makeNode(RawStmt);
			Query	   *query;
			StatementLineage *lineage;

			raw->stmt = copy->query;
			raw->stmt_location = -1;
			query = parse_analyze_fixedparams(raw, query_string, NULL, 0, NULL);
			if (query->commandType != CMD_SELECT)
				return;
			lineage = lineage_of_query_into(query, "copy");
			record_lineage(lineage, InvalidOid, NULL, external, query_id, false);
		}
	}
}

static void
lineage_process_utility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree,
						ProcessUtilityContext context, ParamListInfo params,
						QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *stmt = pstmt->utilityStmt;
	bool		interesting = datalayer_lineage_capture && !in_capture &&
		(IsA(stmt, CreateTableAsStmt) || IsA(stmt, ViewStmt) ||
		 IsA(stmt, RefreshMatViewStmt) || IsA(stmt, CopyStmt));
	Query	   *ctas_query = NULL;

	/* the utility may scribble on its query: keep our own copy */
	if (interesting && IsA(stmt, CreateTableAsStmt) && IsA(((CreateTableAsStmt *) stmt)->query, Query))
		ctas_query = copyObject((Query *) ((CreateTableAsStmt *) stmt)->query);
	if (interesting)
		stmt = copyObject(stmt);

	if (prev_process_utility)
		prev_process_utility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);

	if (interesting && capture_wanted())
	{
		UtilityArgs args;

		args.stmt = stmt;
		args.ctas_query = ctas_query;
		args.query_string = queryString;
		args.query_id = pstmt->queryId;
		run_isolated(capture_utility, &args);
	}
}

void
lineage_install_hooks(void)
{
	prev_post_parse_analyze = post_parse_analyze_hook;
	post_parse_analyze_hook = lineage_post_parse_analyze;
	prev_executor_end = ExecutorEnd_hook;
	ExecutorEnd_hook = lineage_executor_end;
	prev_process_utility = ProcessUtility_hook;
	ProcessUtility_hook = lineage_process_utility;
}
