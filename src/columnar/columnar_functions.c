/*
 * columnar_functions.c
 *		SQL-callable functions of columnar tables: settings
 *		(columnar_set, columnar_reset, the columnar_settings view),
 *		introspection (columnar_stats, columnar_row_groups,
 *		columnar_free_space), and the drop hook that deletes a dropped
 *		table's catalog rows.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_am.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/cluster.h"
#include "commands/defrem.h"
#include "storage/bufmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/typcache.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "columnar/columnar.h"
#include "columnar/columnar_scan.h"
#include "storage/codec.h"

PG_FUNCTION_INFO_V1(columnar_set);
PG_FUNCTION_INFO_V1(columnar_reset);
PG_FUNCTION_INFO_V1(columnar_settings);
PG_FUNCTION_INFO_V1(columnar_stats);
PG_FUNCTION_INFO_V1(columnar_row_groups);
PG_FUNCTION_INFO_V1(columnar_compact);
PG_FUNCTION_INFO_V1(columnar_free_space);

static object_access_hook_type prev_object_access = NULL;

/* opens a columnar table the caller may read (or owns, for changes) */
static Relation
open_columnar(Oid relid, bool must_own, LOCKMODE lock)
{
	Relation	rel = try_relation_open(relid, lock);

	if (rel == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	if (!columnar_is_columnar(rel))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a columnar table", RelationGetRelationName(rel)),
				 errhint("Columnar tables are created with USING " COLUMNAR_AM_NAME ".")));
	if (must_own && !pg_class_ownercheck(relid, GetUserId()))
		aclcheck_error(ACLCHECK_NOT_OWNER, OBJECT_TABLE, RelationGetRelationName(rel));
	if (!must_own && pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, RelationGetRelationName(rel));
	return rel;
}

static void
delete_options(Oid relid)
{
	Relation	crel;
	SysScanDesc scan = columnar_options_scan(relid, RowExclusiveLock, &crel);
	HeapTuple	tup;

	while ((tup = systable_getnext(scan)) != NULL)
		CatalogTupleDelete(crel, &tup->t_self);
	systable_endscan(scan);
	table_close(crel, RowExclusiveLock);
}

/* the sort_by argument of columnar_set: column names, each sortable, none twice */
static void
parse_sort_by(Relation rel, ArrayType *names, ColumnarOptions *opts)
{
	Datum	   *elems;
	bool	   *elem_nulls;
	int			n;
	int			i;

	deconstruct_array(names, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR, &elems, &elem_nulls, &n);
	if (n > COLUMNAR_MAX_SORT_KEYS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sort_by names %d columns, at most %d are allowed", n, COLUMNAR_MAX_SORT_KEYS)));
	opts->nsort = 0;
	for (i = 0; i < n; i++)
	{
		const char *name;
		AttrNumber	attnum;
		Form_pg_attribute att;
		TypeCacheEntry *tc;
		int			j;

		if (elem_nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("sort_by must not contain NULL")));
		name = NameStr(*DatumGetName(elems[i]));
		attnum = get_attnum(RelationGetRelid(rel), name);
		if (attnum <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"%s\" does not exist",
							name, RelationGetRelationName(rel)),
					 errhint("sort_by lists columns of the table, most significant first.")));
		att = TupleDescAttr(RelationGetDescr(rel), attnum - 1);
		tc = lookup_type_cache(att->atttypid, TYPECACHE_LT_OPR);
		if (!OidIsValid(tc->lt_opr))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_FUNCTION),
					 errmsg("column \"%s\" cannot be sorted by: type %s has no default ordering",
							name, format_type_be(att->atttypid))));
		for (j = 0; j < opts->nsort; j++)
			if (opts->sort_by[j] == attnum)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("column \"%s\" appears twice in sort_by", name)));
		opts->sort_by[opts->nsort++] = attnum;
	}
}

/* the sort_by setting as column names, or NULL */
static Datum
sort_by_names(Oid relid, const ColumnarOptions *opts, bool *isnull)
{
	Datum		names[COLUMNAR_MAX_SORT_KEYS];
	int			i;

	for (i = 0; i < opts->nsort; i++)
		names[i] = DirectFunctionCall1(namein,
									   CStringGetDatum(get_attname(relid, opts->sort_by[i], false)));
	*isnull = (opts->nsort == 0);
	if (opts->nsort == 0)
		return (Datum) 0;
	return PointerGetDatum(construct_array(names, opts->nsort, NAMEOID, NAMEDATALEN, false,
										   TYPALIGN_CHAR));
}

/* the name column attnum of relid has in the catalog now, as this command changed it */
static char *
current_attname(Oid relid, AttrNumber attnum)
{
	Relation	attrel = table_open(AttributeRelationId, AccessShareLock);
	ScanKeyData keys[2];
	SysScanDesc scan;
	HeapTuple	tup;
	char	   *name = NULL;

	ScanKeyInit(&keys[0], Anum_pg_attribute_attrelid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(relid));
	ScanKeyInit(&keys[1], Anum_pg_attribute_attnum, BTEqualStrategyNumber, F_INT2EQ,
				Int16GetDatum(attnum));
	scan = systable_beginscan(attrel, AttributeRelidNumIndexId, true, SnapshotSelf, 2, keys);
	if ((tup = systable_getnext(scan)) != NULL)
		name = pstrdup(NameStr(((Form_pg_attribute) GETSTRUCT(tup))->attname));
	systable_endscan(scan);
	table_close(attrel, AccessShareLock);
	return name;
}

/*
 * Keeps a table's sort_by names in step with its columns (they are kept by
 * name, so that pg_dump carries them): a dropped column leaves the list, a
 * renamed one is listed under its new name.  Called before a column is
 * dropped and after it is altered, while the caches still hold its old name.
 */
static void
sort_by_column_changed(Oid relid, AttrNumber attnum, bool dropped)
{
	Relation	crel;
	SysScanDesc scan = columnar_options_scan(relid, RowExclusiveLock, &crel);
	HeapTuple	tup;

	if ((tup = systable_getnext(scan)) != NULL)
	{
		Datum		values[4];
		bool		nulls[4];
		bool		replace[4] = {false, false, false, true};
		Datum	   *elems;
		bool	   *elem_nulls;
		int			n,
					i,
					kept = 0;
		char	   *old_name = get_attname(relid, attnum, true);
		char	   *new_name = dropped ? NULL : current_attname(relid, attnum);
		bool		modified = false;

		heap_deform_tuple(tup, RelationGetDescr(crel), values, nulls);
		if (!nulls[3] && old_name != NULL && (dropped || new_name != NULL))
		{
			deconstruct_array(DatumGetArrayTypeP(values[3]), NAMEOID, NAMEDATALEN, false,
							  TYPALIGN_CHAR, &elems, &elem_nulls, &n);
			for (i = 0; i < n; i++)
			{
				if (strcmp(NameStr(*DatumGetName(elems[i])), old_name) == 0)
				{
					if (dropped)
					{
						modified = true;
						continue;
					}
					if (strcmp(old_name, new_name) != 0)
					{
						elems[i] = DirectFunctionCall1(namein, CStringGetDatum(new_name));
						modified = true;
					}
				}
				elems[kept++] = elems[i];
			}
			if (modified)
			{
				HeapTuple	newtup;

				nulls[3] = (kept == 0);
				values[3] = kept == 0 ? (Datum) 0 :
					PointerGetDatum(construct_array(elems, kept, NAMEOID, NAMEDATALEN, false,
													TYPALIGN_CHAR));
				newtup = heap_modify_tuple(tup, RelationGetDescr(crel), values, nulls, replace);
				CatalogTupleUpdate(crel, &tup->t_self, newtup);
			}
		}
	}
	systable_endscan(scan);
	table_close(crel, RowExclusiveLock);
}

Datum
columnar_set(PG_FUNCTION_ARGS)
{
	Oid			relid;
	Relation	rel;
	ColumnarOptions opts;
	Oid			catalog;
	Relation	crel;
	Datum		values[4];
	bool		nulls[4] = {0};
	HeapTuple	tup;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("the table must not be NULL")));
	relid = PG_GETARG_OID(0);
	rel = open_columnar(relid, true, ShareUpdateExclusiveLock);
	opts = columnar_get_options(relid);
	if (!PG_ARGISNULL(1))
		opts.row_group_size = PG_GETARG_INT32(1);
	if (!PG_ARGISNULL(2))
		opts.zstd_level = PG_GETARG_INT32(2);
	if (opts.row_group_size < 1000 || opts.row_group_size > 1000000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("row_group_size must be between 1000 and 1000000, not %d", opts.row_group_size)));
	if (opts.zstd_level < -5 || opts.zstd_level > 19)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("zstd_level must be between -5 and 19, not %d", opts.zstd_level)));
	if (!PG_ARGISNULL(3))
		parse_sort_by(rel, PG_GETARG_ARRAYTYPE_P(3), &opts);

	delete_options(relid);
	catalog = columnar_catalog_relid("columnar_options");
	crel = table_open(catalog, RowExclusiveLock);
	values[0] = ObjectIdGetDatum(relid);
	values[1] = Int32GetDatum(opts.row_group_size);
	values[2] = Int32GetDatum(opts.zstd_level);
	if (opts.nsort > 0)
	{
		Datum		keys[COLUMNAR_MAX_SORT_KEYS];
		int			i;

		for (i = 0; i < opts.nsort; i++)
			keys[i] = DirectFunctionCall1(namein,
										  CStringGetDatum(get_attname(relid, opts.sort_by[i], false)));
		values[3] = PointerGetDatum(construct_array(keys, opts.nsort, NAMEOID, NAMEDATALEN,
													false, TYPALIGN_CHAR));
	}
	else
		nulls[3] = true;
	tup = heap_form_tuple(RelationGetDescr(crel), values, nulls);
	CatalogTupleInsert(crel, tup);
	table_close(crel, RowExclusiveLock);
	relation_close(rel, NoLock);
	PG_RETURN_VOID();
}

Datum
columnar_reset(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel = open_columnar(relid, true, ShareUpdateExclusiveLock);

	delete_options(relid);
	relation_close(rel, NoLock);
	PG_RETURN_VOID();
}

Datum
columnar_settings(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			am = get_table_am_oid(COLUMNAR_AM_NAME, false);
	Relation	pg_class = table_open(RelationRelationId, AccessShareLock);
	TableScanDesc scan;
	HeapTuple	tup;

	InitMaterializedSRF(fcinfo, 0);
	scan = table_beginscan_catalog(pg_class, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_class form = (Form_pg_class) GETSTRUCT(tup);
		Datum		values[4];
		bool		nulls[4] = {0};
		ColumnarOptions opts;

		if (form->relam != am || form->relkind != RELKIND_RELATION)
			continue;
		if (pg_class_aclcheck(form->oid, GetUserId(), ACL_SELECT) != ACLCHECK_OK &&
			!pg_class_ownercheck(form->oid, GetUserId()))
			continue;
		opts = columnar_get_options(form->oid);
		values[0] = ObjectIdGetDatum(form->oid);
		values[1] = Int32GetDatum(opts.row_group_size);
		values[2] = Int32GetDatum(opts.zstd_level);
		values[3] = sort_by_names(form->oid, &opts, &nulls[3]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	table_endscan(scan);
	table_close(pg_class, AccessShareLock);
	return (Datum) 0;
}

Datum
columnar_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel = open_columnar(relid, false, AccessShareLock);
	TupleDesc	desc = RelationGetDescr(rel);
	Snapshot	snapshot = GetActiveSnapshot();
	uint64		storage_id;
	List	   *groups;
	ColumnarDeletedSet *deleted;
	ListCell   *lc;
	int64		rows = 0;
	int			a;

	InitMaterializedSRF(fcinfo, 0);
	columnar_flush_pending(rel);
	storage_id = columnar_storage_id(rel);
	groups = columnar_load_row_groups(rel, storage_id, snapshot);
	deleted = columnar_load_deleted(storage_id, snapshot);
	foreach(lc, groups)
		rows += ((ColumnarRowGroup *) lfirst(lc))->row_count;

	for (a = 0; a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);
		Datum		values[8];
		bool		nulls[8] = {0};
		int64		stored = 0,
					raw = 0;
		int			counts[16] = {0};
		StringInfoData enc;
		int			e;

		if (att->attisdropped)
			continue;
		foreach(lc, groups)
		{
			ColumnarRowGroup *rg = lfirst(lc);

			if (a >= rg->natts || !rg->columns[a].present)
				continue;
			stored += rg->columns[a].stored_len;
			raw += rg->columns[a].plain_len;
			counts[rg->columns[a].encoding & 15]++;
		}
		initStringInfo(&enc);
		for (e = 0; e < 16; e++)
		{
			const CodecEncoding *ce = codec_encoding((CodecId) e);

			if (counts[e] == 0)
				continue;
			appendStringInfo(&enc, "%s%s", enc.len ? ", " : "", ce ? ce->name : "unknown");
			if (list_length(groups) > 1)
				appendStringInfo(&enc, " (%d)", counts[e]);
		}
		values[0] = Int64GetDatum(list_length(groups));
		values[1] = Int64GetDatum(rows);
		values[2] = Int64GetDatum(deleted->count);
		values[3] = NameGetDatum(&att->attname);
		values[4] = CStringGetTextDatum(enc.data);
		values[5] = Int64GetDatum(stored);
		/* the values' size unencoded, as PostgreSQL stores them (columnar_writer.c) */
		values[6] = Int64GetDatum(raw);
		if (stored > 0)
			values[7] = Float8GetDatum((double) raw / (double) stored);
		else
			nulls[7] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	relation_close(rel, AccessShareLock);
	return (Datum) 0;
}

Datum
columnar_row_groups(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel = open_columnar(relid, false, AccessShareLock);
	Snapshot	snapshot = GetActiveSnapshot();
	uint64		storage_id;
	List	   *groups;
	ColumnarDeletedSet *deleted;
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	columnar_flush_pending(rel);
	storage_id = columnar_storage_id(rel);
	groups = columnar_load_row_groups(rel, storage_id, snapshot);
	deleted = columnar_load_deleted(storage_id, snapshot);
	foreach(lc, groups)
	{
		ColumnarRowGroup *rg = lfirst(lc);
		Datum		values[6];
		bool		nulls[6] = {0};

		values[0] = Int64GetDatum((int64) rg->first_row);
		values[1] = Int32GetDatum((int32) rg->row_count);
		values[2] = Int64GetDatum(columnar_deleted_in_range(deleted, rg->first_row, rg->row_count));
		values[3] = Int64GetDatum((int64) rg->first_block);
		values[4] = Int64GetDatum((int64) rg->data_length);
		values[5] = Int32GetDatum((int32) rg->dropped_rows);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	relation_close(rel, AccessShareLock);
	return (Datum) 0;
}

Datum
columnar_free_space(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Relation	rel = open_columnar(PG_GETARG_OID(0), false, AccessShareLock);
	ListCell   *lc;

	InitMaterializedSRF(fcinfo, 0);
	foreach(lc, columnar_free_extents(rel))
	{
		ColumnarFreeExtent *e = lfirst(lc);
		Datum		values[3];
		bool		nulls[3] = {0};

		values[0] = Int64GetDatum((int64) e->first_block);
		values[1] = Int32GetDatum((int32) e->blocks);
		values[2] = BoolGetDatum(e->reusable);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	relation_close(rel, AccessShareLock);
	return (Datum) 0;
}

/*
 * DROP TABLE: the catalog rows of the table's file go with it (deleted in
 * the dropping transaction, so a rollback keeps them).
 */
/* DROP EXTENSION ... CASCADE may have dropped the catalogs already */
static bool
columnar_catalogs_exist(void)
{
	Oid			nsp = get_namespace_oid("datalayer", true);

	return OidIsValid(nsp) && OidIsValid(get_relname_relid("columnar_row_group", nsp)) &&
		OidIsValid(get_relname_relid("columnar_deleted", nsp)) &&
		OidIsValid(get_relname_relid("columnar_options", nsp)) &&
		OidIsValid(get_relname_relid("columnar_free_extent", nsp));
}

static void
columnar_object_access(ObjectAccessType access, Oid classId, Oid objectId, int subId, void *arg)
{
	if (prev_object_access)
		prev_object_access(access, classId, objectId, subId, arg);
	if (classId != RelationRelationId)
		return;
	if (subId > 0 && (access == OAT_DROP || access == OAT_POST_ALTER))
	{
		Relation	rel = try_relation_open(objectId, NoLock);

		if (rel == NULL)
			return;
		if (columnar_is_columnar(rel) && columnar_catalogs_exist())
			sort_by_column_changed(objectId, (AttrNumber) subId, access == OAT_DROP);
		relation_close(rel, NoLock);
		return;
	}
	if (access != OAT_DROP || subId != 0)
		return;
	{
		Relation	rel = try_relation_open(objectId, NoLock);

		if (rel == NULL)
			return;
		if (!columnar_is_columnar(rel) || RelationGetNumberOfBlocks(rel) == 0)
		{
			relation_close(rel, NoLock);
			return;
		}
		/* DROP EXTENSION ... CASCADE may have dropped our catalogs already */
		if (columnar_catalogs_exist())
		{
			columnar_discard_pending(rel);
			columnar_delete_storage(columnar_storage_id(rel));
			delete_options(objectId);
		}
		relation_close(rel, NoLock);
	}
}

void
columnar_install_hooks(void)
{
	prev_object_access = object_access_hook;
	object_access_hook = columnar_object_access;
	columnar_writer_install();
	columnar_customscan_install();
	columnar_indexscan_install();
	columnar_reader_install();
}

/* row groups, deleted rows and file size of a columnar table, as a snapshot sees them */
static void
count_storage(Relation rel, Snapshot snapshot, int64 *groups, int64 *deleted, int64 *bytes)
{
	uint64		storage_id = columnar_storage_id(rel);

	*groups = list_length(columnar_load_row_groups(rel, storage_id, snapshot));
	*deleted = columnar_load_deleted(storage_id, snapshot)->count;
	*bytes = (int64) RelationGetNumberOfBlocks(rel) * BLCKSZ;
}

/*
 * columnar_compact(rel): rewrite the table through CLUSTER's machinery (a
 * new relation file, indexes rebuilt), which merges small row groups, leaves
 * out deleted rows and orders rows by the table's sort_by setting.
 */
Datum
columnar_compact(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	Relation	rel;
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5] = {0};
	int64		groups_before,
				deleted_before,
				bytes_before,
				groups_after,
				deleted_after,
				bytes_after;
	ClusterParams params = {0};
	Snapshot	snapshot;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "columnar_compact must return a record");
	tupdesc = BlessTupleDesc(tupdesc);

	/* the lock a rewrite needs, taken up front so the figures before it stay true */
	rel = open_columnar(relid, true, AccessExclusiveLock);
	columnar_flush_pending(rel);
	CommandCounterIncrement();
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	count_storage(rel, snapshot, &groups_before, &deleted_before, &bytes_before);
	UnregisterSnapshot(snapshot);
	relation_close(rel, NoLock);

	cluster_rel(relid, InvalidOid, &params);
	CommandCounterIncrement();

	rel = relation_open(relid, NoLock);
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	count_storage(rel, snapshot, &groups_after, &deleted_after, &bytes_after);
	UnregisterSnapshot(snapshot);
	relation_close(rel, NoLock);

	values[0] = Int64GetDatum(groups_before);
	values[1] = Int64GetDatum(groups_after);
	values[2] = Int64GetDatum(deleted_before - deleted_after);
	values[3] = Int64GetDatum(bytes_before);
	values[4] = Int64GetDatum(bytes_after);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}
