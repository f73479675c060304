/*
 * gapfill.h
 *		time_bucket_gapfill(): the planner hook and the GapFill node.
 */
#ifndef DATALAYER_GAPFILL_H
#define DATALAYER_GAPFILL_H

extern void gapfill_install_hooks(void);

#endif							/* DATALAYER_GAPFILL_H */
