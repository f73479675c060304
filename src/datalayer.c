/*
 * datalayer.c
 *		Module entry: PG_MODULE_MAGIC and _PG_init, which registers the
 *		extension's settings.  Each feature registers its own pieces from here
 *		so that this file stays a table of contents.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "storage/metric_table.h"

PG_MODULE_MAGIC;

int			datalayer_max_chunks = 10000;
int			datalayer_chunks_ahead = 3;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomIntVariable("datalayer.max_chunks",
							"Largest number of chunks one metric table may be given in one call.",
							"Protects against a chunk interval so small that converting a table, or moving stray rows, would create an unmanageable number of partitions.",
							&datalayer_max_chunks,
							10000, 1, 1000000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("datalayer.chunks_ahead",
							"How many chunks maintenance creates ahead of the current time.",
							NULL,
							&datalayer_chunks_ahead,
							3, 0, 1000,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("datalayer");
}
