/*
 * pg_macros.h
 *		What cppcheck needs to know of PostgreSQL's control-flow macros to
 *		parse datalayer's sources without reading the server headers (which
 *		takes minutes and reports on PostgreSQL's code, not ours).  Used only
 *		by `make cppcheck`, through --include.
 */
#define foreach(cell, lst)		for ((cell) = 0; (cell) != 0;)
#define forboth(c1, l1, c2, l2)	for ((c1) = 0, (c2) = 0; (c1) != 0;)
#define PG_TRY()				if (1)
#define PG_CATCH()				else
#define PG_END_TRY()
#define PG_FUNCTION_INFO_V1(f)	extern int no_op_##f
#define PG_MODULE_MAGIC			extern int no_op_magic
#define PGDLLEXPORT
