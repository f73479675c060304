/*
 * metric_table.h
 *		Metric tables: time-partitioned tables whose chunks datalayer manages.
 */
#ifndef DATALAYER_METRIC_TABLE_H
#define DATALAYER_METRIC_TABLE_H

#include "postgres.h"

extern int	datalayer_max_chunks;
extern int	datalayer_chunks_ahead;

extern Oid	metric_table_time_type(Oid relid);

#endif							/* DATALAYER_METRIC_TABLE_H */
