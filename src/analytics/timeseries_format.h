/*
 * timeseries_format.h
 *		The binary layer of the datalayer.timeseries type: a builder that
 *		collects points in any order, the versioned compact encoding
 *		(delta-of-delta times, raw or XOR values, optional NULL bitmap), a
 *		validating decoder for untrusted bytes, and resampling onto a grid.
 *
 * docs/series.md describes the semantics and the byte layout.  Times are
 * PostgreSQL TimestampTz values (microseconds since 2000-01-01).
 */
#ifndef DATALAYER_TIMESERIES_FORMAT_H
#define DATALAYER_TIMESERIES_FORMAT_H

#include "util/portable.h"

#define TS_FORMAT_VERSION		1
#define TS_HEADER_SIZE			28
#define TS_MAX_POINTS			(1U << 27)

#define TS_FLAG_HAS_NULLS		0x01
#define TS_FLAG_VALUES_XOR		0x02

typedef enum TsStatus
{
	TS_OK = 0,
	TS_ERR_TRUNCATED,			/* buffer shorter than its contents say */
	TS_ERR_VERSION,				/* unknown format version */
	TS_ERR_CORRUPT,				/* inconsistent or malformed contents */
	TS_ERR_TOO_MANY_POINTS,		/* over TS_MAX_POINTS or a caller's limit */
	TS_ERR_DUPLICATE_TIME,		/* two points share a time under TS_DUP_ERROR */
	TS_ERR_INFINITE_TIME,		/* -infinity or infinity as a point time */
	TS_ERR_UNSORTED,			/* ts_encode given times not strictly increasing */
	TS_ERR_BAD_ARGUMENT			/* invalid step, range or option */
} TsStatus;

typedef enum TsDuplicatePolicy
{
	TS_DUP_ERROR = 0,
	TS_DUP_KEEP_FIRST,
	TS_DUP_KEEP_LAST
} TsDuplicatePolicy;

typedef enum TsFill
{
	TS_FILL_NULL = 0,
	TS_FILL_LOCF,
	TS_FILL_LINEAR
} TsFill;

/* A decoded series: parallel arrays; values[i] is 0 where isnull[i]. */
typedef struct TsPoints
{
	uint32_t	count;
	int64_t    *times;
	double	   *values;
	bool	   *isnull;
} TsPoints;

typedef struct TsHeader
{
	uint8_t		version;
	uint8_t		flags;
	uint32_t	count;
	int64_t		first_time;
	int64_t		last_time;
	uint32_t	time_bytes;
} TsHeader;

typedef struct TsBuilder TsBuilder;

extern const char *ts_status_message(TsStatus status);

extern TsBuilder *ts_builder_create(TsDuplicatePolicy policy);
extern TsStatus ts_builder_append(TsBuilder *builder, int64_t time, double value, bool isnull);
extern uint32_t ts_builder_count(const TsBuilder *builder);
extern TsStatus ts_builder_finish(TsBuilder *builder, TsPoints *out);
extern void ts_builder_free(TsBuilder *builder);

extern void ts_points_alloc(TsPoints *points, uint32_t count);
extern void ts_points_free(TsPoints *points);

extern TsStatus ts_encode(const TsPoints *points, size_t prefix, uint8_t **out, size_t *out_len);
extern TsStatus ts_read_header(const uint8_t *buf, size_t len, TsHeader *header);
extern TsStatus ts_decode(const uint8_t *buf, size_t len, TsPoints *out);

extern TsStatus ts_resample(const TsPoints *points, int64_t start, int64_t end, int64_t step,
							TsFill fill, uint32_t max_points, TsPoints *out);

#endif							/* DATALAYER_TIMESERIES_FORMAT_H */
