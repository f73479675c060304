/*
 * cron_expr.h
 *		Cron expressions: parsing, and the next matching wall-clock time.
 *
 * Pure C (no PostgreSQL types), so that unit tests and the fuzz harness call
 * it directly.  Time zones are the caller's business: cron_next_local()
 * works on naive wall-clock time, and job_cron.c maps that onto real instants
 * with PostgreSQL's time zone library.
 */
#ifndef DATALAYER_CRON_EXPR_H
#define DATALAYER_CRON_EXPR_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

typedef struct CronExpr
{
	uint64_t	seconds;		/* bit s: second s (0-59) */
	uint64_t	minutes;		/* bit m: minute m (0-59) */
	uint32_t	hours;			/* bit h: hour h (0-23) */
	uint32_t	days;			/* bit d: day of month d (1-31) */
	uint16_t	months;			/* bit m: month m (1-12) */
	uint8_t		weekdays;		/* bit w: day of week w (0 = Sunday) */
	bool		last_day;		/* '$': the last day of the month */
	bool		days_star;		/* day-of-month field began with '*' */
	bool		weekdays_star;	/* day-of-week field began with '*' */
	bool		hours_star;		/* hour field began with '*' */
} CronExpr;

/* naive wall-clock time, broken down */
typedef struct CronTime
{
	int			year;
	int			month;			/* 1-12 */
	int			day;			/* 1-31 */
	int			hour;
	int			minute;
	int			second;
} CronTime;

/*
 * Parse text into expr.  Returns true on success; on failure writes a
 * message naming the field and the problem into error (of error_size bytes).
 */
extern bool cron_parse(const char *text, CronExpr *expr, char *error, size_t error_size);

/*
 * The first wall-clock time >= from that matches expr, searching at most
 * max_years ahead.  Returns false if there is none in that span.
 */
extern bool cron_next_local(const CronExpr *expr, const CronTime *from, int max_years, CronTime *result);

/* seconds since 1970-01-01 00:00:00 of a naive wall-clock time, and back */
extern int64_t cron_time_to_seconds(const CronTime *t);
extern void cron_seconds_to_time(int64_t seconds, CronTime *t);

#endif							/* DATALAYER_CRON_EXPR_H */
