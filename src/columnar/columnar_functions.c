/*
 * columnar_functions.c
 *		SQL-callable functions of columnar tables: settings
 *		(columnar_set, columnar_reset, the columnar_settings view),
 *		introspection (columnar_stats, columnar_row_groups), and the drop
 *		hook that deletes a dropped table's catalog rows.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/dependency.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "commands/defrem.h"
#include "storage/bufmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
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
	Oid			catalog = columnar_catalog_relid("columnar_options");
	Relation	crel = table_open(catalog, RowExclusiveLock);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	scan = systable_beginscan(crel, columnar_catalog_index(catalog), true, NULL, 1, &key);
	while ((tup = systable_getnext(scan)) != NULL)
		CatalogTupleDelete(crel, &tup->t_self);
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
	Datum		values[3];
	bool		nulls[3] = {0};
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

	delete_options(relid);
	catalog = columnar_catalog_relid("columnar_options");
	crel = table_open(catalog, RowExclusiveLock);
	values[0] = ObjectIdGetDatum(relid);
	values[1] = Int32GetDatum(opts.row_group_size);
	values[2] = Int32GetDatum(opts.zstd_level);
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
		Datum		values[3];
		bool		nulls[3] = {0};
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
			raw += rg->columns[a].raw_len;
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
		/* the in-memory size of the values: 8 bytes a number, the bytes of strings */
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
		Datum		values[5];
		bool		nulls[5] = {0};

		values[0] = Int64GetDatum((int64) rg->first_row);
		values[1] = Int32GetDatum((int32) rg->row_count);
		values[2] = Int64GetDatum(columnar_deleted_in_range(deleted, rg->first_row, rg->row_count));
		values[3] = Int64GetDatum((int64) rg->first_block);
		values[4] = Int64GetDatum((int64) rg->data_length);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	relation_close(rel, AccessShareLock);
	return (Datum) 0;
}

/*
 * DROP TABLE: the catalog rows of the table's file go with it (deleted in
 * the dropping transaction, so a rollback keeps them).
 */
static void
columnar_object_access(ObjectAccessType access, Oid classId, Oid objectId, int subId, void *arg)
{
	if (prev_object_access)
		prev_object_access(access, classId, objectId, subId, arg);
	if (access != OAT_DROP || classId != RelationRelationId || subId != 0)
		return;
	{
		Relation	rel = try_relation_open(objectId, NoLock);
		Oid			nsp;

		if (rel == NULL)
			return;
		if (!columnar_is_columnar(rel) || RelationGetNumberOfBlocks(rel) == 0)
		{
			relation_close(rel, NoLock);
			return;
		}
		/* DROP EXTENSION ... CASCADE may have dropped our catalogs already */
		nsp = get_namespace_oid("datalayer", true);
		if (OidIsValid(nsp) && OidIsValid(get_relname_relid("columnar_row_group", nsp)) &&
			OidIsValid(get_relname_relid("columnar_deleted", nsp)) &&
			OidIsValid(get_relname_relid("columnar_options", nsp)))
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
}
