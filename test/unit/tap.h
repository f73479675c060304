/*
 * tap.h
 *		The TAP output shared by the standalone unit tests: check() prints
 *		"ok N - what" or "not ok N - what", tap_finish() the plan and the exit
 *		status.  A test that needs reproducible pseudo-random data defines
 *		TAP_RNG_SEED before including this and calls rng() (xorshift64*).
 */
#ifndef DATALAYER_TEST_TAP_H
#define DATALAYER_TEST_TAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

static int	test_number = 0;
static int	failures = 0;

static void
check(bool ok, const char *what)
{
	test_number++;
	if (!ok)
		failures++;
	printf("%sok %d - %s\n", ok ? "" : "not ", test_number, what);
}

#ifdef TAP_RNG_SEED
static uint64_t rng_state = TAP_RNG_SEED;

static uint64_t
rng(void)
{
	uint64_t	x = rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1DULL;
}
#endif

#endif							/* DATALAYER_TEST_TAP_H */
