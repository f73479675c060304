/*
 * lineage.h
 *		Lineage of one statement: which relations feed which target, and for
 *		each target column, which source columns, classified as OpenLineage
 *		does (DIRECT: IDENTITY, TRANSFORMATION, AGGREGATION; INDIRECT: JOIN,
 *		FILTER, GROUP_BY, SORT, WINDOW, CONDITIONAL).
 *
 * lineage_resolve.c computes it from an analysed Query (no side effects);
 * lineage_capture.c decides when, and records it.
 */
#ifndef DATALAYER_LINEAGE_H
#define DATALAYER_LINEAGE_H

#include "postgres.h"

#include "nodes/parsenodes.h"

typedef enum LineageSubtype
{
	LINEAGE_IDENTITY = 0,		/* DIRECT subtypes, in increasing strength */
	LINEAGE_TRANSFORMATION,
	LINEAGE_AGGREGATION,
	LINEAGE_JOIN,				/* INDIRECT subtypes */
	LINEAGE_FILTER,
	LINEAGE_GROUP_BY,
	LINEAGE_SORT,
	LINEAGE_WINDOW,
	LINEAGE_CONDITIONAL
} LineageSubtype;

#define LINEAGE_IS_DIRECT(s) ((s) <= LINEAGE_AGGREGATION)

typedef struct LineageColumn
{
	Oid			source_relid;
	AttrNumber	source_attnum;
	AttrNumber	target_attnum;	/* 0: the target rows as a whole */
	LineageSubtype subtype;
} LineageColumn;

typedef struct StatementLineage
{
	const char *kind;			/* insert, update, delete, merge, create_table_as, view, ... */
	List	   *sources;		/* OIDs of the relations read (views included) */
	List	   *columns;		/* LineageColumn * */
} StatementLineage;

/* lineage_resolve.c */
extern StatementLineage *lineage_of_dml(Query *query);
extern StatementLineage *lineage_of_query_into(Query *query, const char *kind);
extern bool lineage_query_reads_other_relations(Query *query);
extern const char *lineage_subtype_name(LineageSubtype subtype);

/* temp tables followed through (lineage_capture.c keeps them per session) */
extern StatementLineage *lineage_temp_table_sources(Oid relid);

/* lineage_capture.c */
extern bool datalayer_lineage_capture;
extern void lineage_install_hooks(void);

#endif							/* DATALAYER_LINEAGE_H */
