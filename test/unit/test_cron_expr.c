/* unit-deps: src/scheduler/cron_expr.c */
/*
 * test_cron_expr.c
 *		The pure-C cron core without a server: calendar arithmetic against
 *		known dates, the next wall-clock match for a table of schedules,
 *		exhaustive agreement with a brute-force minute-by-minute search, and
 *		the parser's rejections.
 */
#include "util/portable.h"

#include <string.h>

#include "scheduler/cron_expr.h"

#include "tap.h"

static CronTime
at(int y, int mo, int d, int h, int mi, int s)
{
	CronTime	t = {y, mo, d, h, mi, s};

	return t;
}

static bool
same(const CronTime *a, const CronTime *b)
{
	return memcmp(a, b, sizeof(CronTime)) == 0;
}

/* does expr match t?  Minute by minute, by the plain definition. */
static bool
matches(const CronExpr *e, const CronTime *t)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int			leap = (t->year % 4 == 0 && t->year % 100 != 0) || t->year % 400 == 0;
	int			last = mdays[t->month - 1] + (t->month == 2 && leap);
	CronTime	midnight = at(t->year, t->month, t->day, 0, 0, 0);
	int			wd = (int) (((cron_time_to_seconds(&midnight) / 86400) % 7 + 7 + 4) % 7);
	bool		dom = (e->days >> t->day & 1) || (e->last_day && t->day == last);
	bool		dow = e->weekdays >> wd & 1;
	bool		day = (e->days_star || e->weekdays_star) ? (dom && dow) : (dom || dow);

	return (e->months >> t->month & 1) && day && (e->hours >> t->hour & 1) &&
		(e->minutes >> t->minute & 1) && (e->seconds >> t->second & 1);
}

int
main(void)
{
	CronExpr	e;
	char		error[256];
	CronTime	r;
	CronTime	t;
	int64_t		s;
	int			i;

	/* calendar arithmetic */
	t = at(1970, 1, 1, 0, 0, 0);
	check(cron_time_to_seconds(&t) == 0, "1970-01-01 is second 0");
	t = at(2000, 3, 1, 0, 0, 0);
	check(cron_time_to_seconds(&t) == 951868800, "2000-03-01 is 951868800 (a leap century)");
	t = at(1969, 12, 31, 23, 59, 59);
	check(cron_time_to_seconds(&t) == -1, "the second before the epoch is -1");
	for (s = -4000000000LL, i = 0; s < 8000000000LL; s += 7777777, i++)
	{
		cron_seconds_to_time(s, &t);
		if (cron_time_to_seconds(&t) != s)
			break;
	}
	check(s >= 8000000000LL, "seconds -> time -> seconds round-trips from 1843 to 2223");

	/* next matches */
	check(cron_parse("0 0 29 2 *", &e, error, sizeof(error)), "Feb 29 parses");
	t = at(2097, 1, 1, 0, 0, 0);
	check(cron_next_local(&e, &t, 8, &r) && same(&r, &(CronTime) {2104, 2, 29, 0, 0, 0}),
		  "Feb 29 after 2097 skips 2100 (not a leap year)");
	check(!cron_next_local(&e, &t, 3, &r), "and is not found within 3 years");
	check(cron_parse("*/2 * * * * *", &e, error, sizeof(error)), "six fields parse");
	t = at(2025, 12, 31, 23, 59, 59);
	check(cron_next_local(&e, &t, 1, &r) && same(&r, &(CronTime) {2026, 1, 1, 0, 0, 0}),
		  "every 2 seconds carries across the year");
	check(cron_parse("0 12 $ 2 *", &e, error, sizeof(error)), "$ parses");
	t = at(2024, 2, 1, 0, 0, 0);
	check(cron_next_local(&e, &t, 1, &r) && r.day == 29, "$ in February 2024 is the 29th");
	t = at(2025, 2, 1, 0, 0, 0);
	check(cron_next_local(&e, &t, 1, &r) && r.day == 28, "$ in February 2025 is the 28th");
	check(cron_parse("@weekly", &e, error, sizeof(error)), "@weekly parses");
	t = at(2025, 6, 3, 10, 0, 0);		/* a Tuesday */
	check(cron_next_local(&e, &t, 1, &r) && same(&r, &(CronTime) {2025, 6, 8, 0, 0, 0}), "@weekly is Sunday midnight");

	/* against brute force: every minute of a year, for several schedules */
	{
		const char *schedules[] = {"*/7 3-5 * * *", "0 0 13 * FRI", "15 10 1,15 JAN-MAR *", "0 0 * * 1-5",
		"30 23 $ * *", "0 */8 */3 * SUN", NULL};
		int			k;

		for (k = 0; schedules[k] != NULL; k++)
		{
			bool		agree = true;
			int64_t		start = cron_time_to_seconds(&(CronTime) {2024, 1, 1, 0, 0, 0});
			int64_t		m;

			cron_parse(schedules[k], &e, error, sizeof(error));
			for (m = start; m < start + 366LL * 86400 && agree; m += 60)
			{
				CronTime	now;
				CronTime	expect;
				int64_t		x = m;

				cron_seconds_to_time(m, &now);
				/* the brute-force next match at or after now */
				for (;;)
				{
					cron_seconds_to_time(x, &expect);
					if (matches(&e, &expect))
						break;
					x += 60;
				}
				if (!cron_next_local(&e, &now, 8, &r) || !same(&r, &expect))
					agree = false;
				/* skip ahead to the match to keep the test fast */
				if (x > m + 60)
					m = x - 60;
			}
			snprintf(error, sizeof(error), "\"%s\" agrees with a brute-force search over 2024", schedules[k]);
			check(agree, error);
		}
	}

	/* rejections */
	{
		const char *bad[] = {"", "* * * *", "60 * * * *", "* * * * 8", "*/0 * * * *", "3-1 * * * *",
		"0 0 30 2 *", "@every", "x * * * *", "1,,2 * * * *", "* * * jan-foo *", NULL};

		for (i = 0; bad[i] != NULL; i++)
		{
			char		what[128];

			error[0] = '\0';
			snprintf(what, sizeof(what), "\"%s\" is rejected with a message", bad[i]);
			check(!cron_parse(bad[i], &e, error, sizeof(error)) && error[0] != '\0', what);
		}
	}
	check(cron_parse("0 0 * jan,FEB sun-sat", &e, error, sizeof(error)) && e.months == ((1 << 1) | (1 << 2)) &&
		  e.weekdays == 0x7f, "names are case-insensitive and ranges of names work");
	check(cron_parse("0 0 * * 7", &e, error, sizeof(error)) && e.weekdays == 1, "7 is Sunday");

	printf("1..%d\n", test_number);
	return failures == 0 ? 0 : 1;
}
