/*
 * portable.h
 *		Allocation shim for datalayer's pure-C cores (codecs, sketches,
 *		forecasting, anomaly detection, cron parsing).
 *
 * Those cores are plain C99 over arrays so that unit tests, fuzz harnesses
 * and micro-benchmarks can call them without a server.  Inside the backend
 * every allocation must come from a memory context, so the same source is
 * compiled twice: with DATALAYER_STANDALONE (tests, fuzzers, benchmarks) the
 * shim maps to the C library, otherwise to palloc and friends, which throw
 * on out-of-memory and are released with the caller's memory context.
 *
 * A pure-C core includes this header first and never includes postgres.h
 * itself; errors are reported through return codes that the SQL-callable
 * wrappers turn into ereport() calls.
 */
#ifndef DATALAYER_PORTABLE_H
#define DATALAYER_PORTABLE_H

#ifdef DATALAYER_STANDALONE

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>

static inline void *
dl_alloc_or_die(void *p, size_t size)
{
	if (p == NULL && size != 0)
	{
		fprintf(stderr, "datalayer: out of memory allocating %zu bytes\n", size);
		abort();
	}
	return p;
}

#define dl_alloc(size)			dl_alloc_or_die(malloc(size), (size))
#define dl_alloc0(size)			dl_alloc_or_die(calloc(1, (size)), (size))
#define dl_realloc(ptr, size)	dl_alloc_or_die(realloc((ptr), (size)), (size))
#define dl_free(ptr)			free(ptr)
#define dl_check_interrupts()	((void) 0)

#else							/* inside the backend */

#include "postgres.h"
#include "utils/memutils.h"

/*
 * Huge allocations allowed: a row group column may exceed 1 GB in theory.
 * Like the C library's, dl_realloc(NULL, n) allocates and dl_free(NULL) does
 * nothing, so the cores behave the same in both builds.
 */
static inline void *
dl_realloc_backend(void *ptr, size_t size)
{
	if (ptr == NULL)
		return palloc_extended(size, MCXT_ALLOC_HUGE);
	return repalloc_huge(ptr, size);
}

static inline void
dl_free_backend(void *ptr)
{
	if (ptr != NULL)
		pfree(ptr);
}

#define dl_alloc(size)			palloc_extended((size), MCXT_ALLOC_HUGE)
#define dl_alloc0(size)			palloc_extended((size), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO)
#define dl_realloc(ptr, size)	dl_realloc_backend((ptr), (size))
#define dl_free(ptr)			dl_free_backend(ptr)
/*
 * Long loops in a core (model searches, optimisers) stay cancellable: a
 * function in datalayer.c runs CHECK_FOR_INTERRUPTS() (miscadmin.h is kept
 * out of the cores' namespace).
 */
extern void datalayer_check_interrupts(void);
#define dl_check_interrupts()	datalayer_check_interrupts()

#endif							/* DATALAYER_STANDALONE */

#endif							/* DATALAYER_PORTABLE_H */
