/*
 * fuzz_cron_expr.c
 *		libFuzzer harness for the cron parser (user-supplied text) and the
 *		next-match search over what it accepts.
 *
 * Build and run: test/fuzz/run.sh [seconds]   (clang -fsanitize=fuzzer,address,undefined)
 * Checks: no crash or out-of-bounds access on any input; an accepted
 * expression yields matches that are strictly increasing and really match.
 */
#include "util/portable.h"

#include <string.h>

#include "scheduler/cron_expr.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		text[300];
	char		error[256];
	CronExpr	expr;
	CronTime	from = {2024, 2, 28, 23, 59, 58};
	CronTime	next;
	int64_t		previous = -1;
	int			i;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!cron_parse(text, &expr, error, sizeof(error)))
	{
		if (strlen(error) == 0)
			__builtin_trap();	/* a rejection must say why */
		return 0;
	}
	for (i = 0; i < 5; i++)
	{
		int64_t		s;

		if (!cron_next_local(&expr, &from, 8, &next))
			break;
		s = cron_time_to_seconds(&next);
		if (s <= previous)
			__builtin_trap();	/* matches must move forward */
		if (!(expr.months >> next.month & 1) || !(expr.hours >> next.hour & 1) ||
			!(expr.minutes >> next.minute & 1) || !(expr.seconds >> next.second & 1))
			__builtin_trap();	/* and really match */
		previous = s;
		cron_seconds_to_time(s + 1, &from);
	}
	return 0;
}
