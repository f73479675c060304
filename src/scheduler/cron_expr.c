/*
 * cron_expr.c
 *		Cron expressions: the parser and the search for the next matching
 *		wall-clock time.
 *
 * Syntax (docs/scheduler.md has it in full): five fields (minute hour
 * day-of-month month day-of-week) or six with a leading seconds field; per
 * field a star, numbers, ranges a-b, steps (star/n, a-b/n, a/n), lists,
 * JAN-DEC and SUN-SAT names, 0 or 7 for Sunday, '$' for the last day of the
 * month; and the macros yearly, annually, monthly, weekly, daily, midnight
 * and hourly, each written with a leading '@'.  As in Vixie cron, when both day fields are restricted
 * a day matches if either does; a field that begins with '*' is unrestricted.
 *
 * The search advances field by field (month, then day, hour, minute,
 * second), so even a schedule that fires once in four years resolves in a few
 * hundred steps.  A schedule that can never fire (30 February) is rejected
 * at parse time.
 */
#include "util/portable.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "scheduler/cron_expr.h"

typedef struct FieldSpec
{
	const char *name;
	int			min;
	int			max;
	const char *const *names;	/* names for min..min+n-1, or NULL */
} FieldSpec;

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
"jul", "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const day_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static const FieldSpec fields[6] = {
	{"second", 0, 59, NULL},
	{"minute", 0, 59, NULL},
	{"hour", 0, 23, NULL},
	{"day-of-month", 1, 31, NULL},
	{"month", 1, 12, month_names},
	{"day-of-week", 0, 7, day_names},
};

static bool
is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return (month == 2 && is_leap(year)) ? 29 : days[month - 1];
}

/* days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's formula) */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t		era;
	int64_t		yoe;
	int64_t		doy;
	int64_t		doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *year, int *month, int *day)
{
	int64_t		era;
	int64_t		doe;
	int64_t		yoe;
	int64_t		doy;
	int64_t		mp;
	int64_t		y;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = (int) (doy - (153 * mp + 2) / 5 + 1);
	*month = (int) (mp < 10 ? mp + 3 : mp - 9);
	*year = (int) (y + (*month <= 2));
}

int64_t
cron_time_to_seconds(const CronTime *t)
{
	return days_from_civil(t->year, t->month, t->day) * 86400 +
		t->hour * 3600 + t->minute * 60 + t->second;
}

void
cron_seconds_to_time(int64_t seconds, CronTime *t)
{
	int64_t		days = seconds / 86400;
	int64_t		rest = seconds % 86400;

	if (rest < 0)
	{
		rest += 86400;
		days--;
	}
	civil_from_days(days, &t->year, &t->month, &t->day);
	t->hour = (int) (rest / 3600);
	t->minute = (int) (rest % 3600 / 60);
	t->second = (int) (rest % 60);
}

static int
weekday(int year, int month, int day)
{
	int64_t		w = (days_from_civil(year, month, day) + 4) % 7;	/* 1970-01-01 was a Thursday */

	return (int) (w < 0 ? w + 7 : w);
}

/* a number or a name at *p; advances *p.  -1 if neither. */
static int
parse_value(const char **p, const FieldSpec *spec)
{
	const char *s = *p;
	int			value = 0;
	int			digits = 0;

	while (isdigit((unsigned char) *s) && digits < 4)
	{
		value = value * 10 + (*s - '0');
		s++;
		digits++;
	}
	if (digits > 0)
	{
		if (isdigit((unsigned char) *s))
			return -2;			/* absurdly long number */
		*p = s;
		return value;
	}
	if (spec->names != NULL && isalpha((unsigned char) s[0]) && isalpha((unsigned char) s[1]) &&
		isalpha((unsigned char) s[2]) && !isalpha((unsigned char) s[3]))
	{
		int			i;

		for (i = 0; spec->names[i] != NULL; i++)
			if (tolower((unsigned char) s[0]) == spec->names[i][0] &&
				tolower((unsigned char) s[1]) == spec->names[i][1] &&
				tolower((unsigned char) s[2]) == spec->names[i][2])
			{
				*p = s + 3;
				return spec->min + i;
			}
	}
	return -1;
}

/* one field's text (NUL-terminated) into a bit set */
static bool
parse_field(const char *text, const FieldSpec *spec, uint64_t *bits, bool *last_day, bool *star,
			char *error, size_t error_size)
{
	const char *p = text;

	*bits = 0;
	*star = text[0] == '*';
	for (;;)
	{
		int			lo;
		int			hi;
		int			step = 1;
		int			v;

		if (*p == '*')
		{
			lo = spec->min;
			hi = spec->max;
			p++;
		}
		else if (*p == '$' && last_day != NULL)
		{
			*last_day = true;
			p++;
			if (*p != ',' && *p != '\0')
			{
				snprintf(error, error_size, "%s field: \"$\" stands alone in a list item", spec->name);
				return false;
			}
			if (*p == '\0')
				return true;
			p++;
			continue;
		}
		else
		{
			lo = parse_value(&p, spec);
			if (lo < 0)
			{
				snprintf(error, error_size, "%s field: \"%s\" is not a valid value", spec->name, text);
				return false;
			}
			hi = lo;
			if (*p == '-')
			{
				p++;
				hi = parse_value(&p, spec);
				if (hi < 0)
				{
					snprintf(error, error_size, "%s field: \"%s\" has a range without an end", spec->name, text);
					return false;
				}
			}
			else if (*p == '/')
				hi = spec->max; /* a/n: from a to the end */
		}
		if (*p == '/')
		{
			p++;
			step = parse_value(&p, spec == &fields[4] || spec == &fields[5] ? &fields[0] : spec);
			if (step <= 0)
			{
				snprintf(error, error_size, "%s field: \"%s\" has a step that is not a positive number",
						 spec->name, text);
				return false;
			}
		}
		if (lo < spec->min || lo > spec->max || hi < spec->min || hi > spec->max)
		{
			snprintf(error, error_size, "%s field: value %d out of range %d-%d", spec->name,
					 (lo < spec->min || lo > spec->max) ? lo : hi, spec->min, spec->max);
			return false;
		}
		if (lo > hi)
		{
			snprintf(error, error_size, "%s field: range %d-%d is backwards", spec->name, lo, hi);
			return false;
		}
		for (v = lo; v <= hi; v += step)
			*bits |= UINT64_C(1) << v;
		if (*p == '\0')
			return true;
		if (*p != ',')
		{
			snprintf(error, error_size, "%s field: unexpected \"%c\" in \"%s\"", spec->name, *p, text);
			return false;
		}
		p++;
	}
}

static const struct
{
	const char *name;
	const char *expansion;
}			macros[] = {
	{"@yearly", "0 0 1 1 *"},
	{"@annually", "0 0 1 1 *"},
	{"@monthly", "0 0 1 * *"},
	{"@weekly", "0 0 * * 0"},
	{"@daily", "0 0 * * *"},
	{"@midnight", "0 0 * * *"},
	{"@hourly", "0 * * * *"},
};

/* can the day fields ever match in some month of the expression? */
static bool
can_ever_fire(const CronExpr *expr)
{
	int			month;

	if (!expr->days_star && !expr->weekdays_star)
		return true;			/* either day field may match: some weekday always does */
	if (!expr->weekdays_star && expr->days_star)
		return expr->weekdays != 0;
	for (month = 1; month <= 12; month++)
	{
		int			maxday = (month == 2) ? 29 : days_in_month(2001, month);
		int			day;

		if (!(expr->months & (1u << month)))
			continue;
		if (expr->last_day)
			return true;
		for (day = 1; day <= maxday; day++)
			if (expr->days & (1u << day))
				return true;
	}
	return false;
}

bool
cron_parse(const char *text, CronExpr *expr, char *error, size_t error_size)
{
	char		buf[256];
	char	   *parts[7];
	int			n = 0;
	char	   *p;
	int			i;
	uint64_t	bits;
	bool		star;

	memset(expr, 0, sizeof(*expr));
	if (text == NULL)
	{
		snprintf(error, error_size, "cron expression is NULL");
		return false;
	}
	while (isspace((unsigned char) *text))
		text++;
	if (text[0] == '@')
	{
		size_t		len = strlen(text);

		while (len > 0 && isspace((unsigned char) text[len - 1]))
			len--;
		for (i = 0; i < (int) (sizeof(macros) / sizeof(macros[0])); i++)
			if (strlen(macros[i].name) == len && strncmp(text, macros[i].name, len) == 0)
				return cron_parse(macros[i].expansion, expr, error, error_size);
		snprintf(error, error_size, "unknown cron macro \"%.*s\"", (int) (len < 40 ? len : 40), text);
		return false;
	}
	if (strlen(text) >= sizeof(buf))
	{
		snprintf(error, error_size, "cron expression is too long");
		return false;
	}
	strcpy(buf, text);
	p = buf;
	while (*p != '\0')
	{
		while (isspace((unsigned char) *p))
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (n == 6)
		{
			snprintf(error, error_size, "cron expression has more than six fields");
			return false;
		}
		parts[n++] = p;
		while (*p != '\0' && !isspace((unsigned char) *p))
			p++;
	}
	if (n != 5 && n != 6)
	{
		snprintf(error, error_size, "cron expression has %d fields; it needs five (minute hour day month weekday) or six (with seconds first)", n);
		return false;
	}

	if (n == 5)
		expr->seconds = 1;		/* second 0 */
	for (i = 0; i < n; i++)
	{
		int			f = (n == 5) ? i + 1 : i;
		bool	   *last = (f == 3) ? &expr->last_day : NULL;

		if (!parse_field(parts[i], &fields[f], &bits, last, &star, error, error_size))
			return false;
		switch (f)
		{
			case 0:
				expr->seconds = bits;
				break;
			case 1:
				expr->minutes = bits;
				break;
			case 2:
				expr->hours = (uint32_t) bits;
				expr->hours_star = star;
				break;
			case 3:
				expr->days = (uint32_t) bits;
				expr->days_star = star;
				break;
			case 4:
				expr->months = (uint16_t) bits;
				break;
			case 5:
				/* 7 is Sunday too */
				if (bits & (UINT64_C(1) << 7))
					bits = (bits | 1) & ~(UINT64_C(1) << 7);
				expr->weekdays = (uint8_t) bits;
				expr->weekdays_star = star;
				break;
		}
	}
	if (!can_ever_fire(expr))
	{
		snprintf(error, error_size, "cron expression can never fire: no month it names has the days it names");
		return false;
	}
	return true;
}

static bool
day_matches(const CronExpr *expr, int year, int month, int day)
{
	bool		dom = (expr->days & (1u << day)) != 0 ||
		(expr->last_day && day == days_in_month(year, month));
	bool		dow = (expr->weekdays & (1u << weekday(year, month, day))) != 0;

	if (expr->days_star || expr->weekdays_star)
		return dom && dow;
	return dom || dow;
}

/* the start of the next month, day or hour after t's */
static void
next_month(CronTime *t)
{
	t->month++;
	if (t->month > 12)
	{
		t->month = 1;
		t->year++;
	}
	t->day = 1;
	t->hour = t->minute = t->second = 0;
}

static void
next_day(CronTime *t)
{
	t->day++;
	t->hour = t->minute = t->second = 0;
	if (t->day > days_in_month(t->year, t->month))
		next_month(t);
}

static void
next_hour(CronTime *t)
{
	t->hour++;
	t->minute = t->second = 0;
	if (t->hour > 23)
		next_day(t);
}

bool
cron_next_local(const CronExpr *expr, const CronTime *from, int max_years, CronTime *result)
{
	CronTime	t = *from;
	int			limit_year = from->year + max_years;

	for (;;)
	{
		if (t.year > limit_year)
			return false;
		if (!(expr->months & (1u << t.month)))
			next_month(&t);
		else if (!day_matches(expr, t.year, t.month, t.day))
			next_day(&t);
		else if (!(expr->hours & (1u << t.hour)))
			next_hour(&t);
		else if (!(expr->minutes & (UINT64_C(1) << t.minute)))
		{
			t.minute++;
			t.second = 0;
			if (t.minute > 59)
				next_hour(&t);
		}
		else if (!(expr->seconds & (UINT64_C(1) << t.second)))
		{
			t.second++;
			if (t.second > 59)
			{
				t.second = 0;
				t.minute++;
				if (t.minute > 59)
					next_hour(&t);
			}
		}
		else
		{
			*result = t;
			return true;
		}
	}
}
