/*
 * bench_codecs.c
 *		Micro-benchmark of the column encodings on the TSBS cpu data shape.
 *
 * Build and run: bench/codecs/run.sh   (plain cc -O2, no server)
 *
 * A row group of 100,000 rows: 1000 hosts, one row per host every 10 s
 * (100 instants), a timestamp column (int64 microseconds), 10 metrics each
 * a random walk with steps uniform in [-1, 1] clamped to [0, 100] (rounded
 * to 2 decimals, or at full precision), and 3 text tags per host
 * (hostname, region, datacenter).  Rows are laid out time-major (all hosts
 * at t0, then t1, ...), time-major with the period hint (the writer tells
 * the encoder that row i and row i + 1000 hold the same host), or
 * host-major ((host, time) order).  For each column
 * type and each encoding (and the automatic choice) it prints bytes per
 * value without and with zstd (level 3) on top, and encode and decode
 * speeds in MB/s of raw values (8 bytes per number; for text the string
 * bytes plus a 4-byte length each).  The baseline is zstd alone on the raw
 * values, measured in the same run.  Last, the bytes per row of the whole
 * table (time + 10 floats + 3 text) with the automatic choice.
 */
#define _POSIX_C_SOURCE 199309L
#include "util/portable.h"

#include <malloc.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "storage/codec.h"
#include "storage/codec_zstd.h"

#define HOSTS 1000
#define INSTANTS 100
#define ROWS (HOSTS * INSTANTS)
#define METRICS 10
#define ZSTD_LEVEL 3

static uint64_t rng_state = 0x0DDB1A5E5BAD5EEDULL;

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

static double
rng_unit(void)
{
	return (double) (rng() >> 11) / 9007199254740992.0;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec * 1e-9;
}

/* the row index of (host, instant) in the chosen order */
static uint32_t
row_of(int host, int instant, bool time_major)
{
	return time_major ? (uint32_t) (instant * HOSTS + host) : (uint32_t) (host * INSTANTS + instant);
}

typedef struct Table
{
	CodecColumn time;
	CodecColumn metrics[METRICS];
	CodecColumn tags[3];
	CodecBuf	arena;
} Table;

static void
bytes_column(CodecColumn *c)
{
	memset(c, 0, sizeof(*c));
	c->type = CODEC_TYPE_BYTES;
	c->count = ROWS;
	c->offsets = dl_alloc(sizeof(uint32_t) * ROWS);
	c->lengths = dl_alloc(sizeof(uint32_t) * ROWS);
}

static void
make_table(Table *t, bool time_major, bool two_decimals)
{
	static const char *regions[] = {"us-east-1", "us-west-1", "us-west-2", "eu-west-1",
		"eu-central-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"};
	uint32_t	tag_offset[HOSTS][3];
	uint32_t	tag_length[HOSTS][3];
	int			h,
				i,
				m,
				k;

	memset(t, 0, sizeof(*t));
	rng_state = 0x0DDB1A5E5BAD5EEDULL;
	t->time.type = CODEC_TYPE_INT64;
	t->time.count = ROWS;
	t->time.ints = dl_alloc(sizeof(int64_t) * ROWS);
	for (m = 0; m < METRICS; m++)
	{
		memset(&t->metrics[m], 0, sizeof(CodecColumn));
		t->metrics[m].type = CODEC_TYPE_FLOAT8;
		t->metrics[m].count = ROWS;
		t->metrics[m].floats = dl_alloc(sizeof(double) * ROWS);
	}
	codec_buf_init(&t->arena);
	for (h = 0; h < HOSTS; h++)
	{
		char		text[64];
		int			region = (int) (rng() % 9);
		int			len;

		for (k = 0; k < 3; k++)
		{
			if (k == 0)
				len = snprintf(text, sizeof(text), "host_%d", h);
			else if (k == 1)
				len = snprintf(text, sizeof(text), "%s", regions[region]);
			else
				len = snprintf(text, sizeof(text), "%s%c", regions[region], (char) ('a' + rng() % 3));
			tag_offset[h][k] = (uint32_t) t->arena.len;
			tag_length[h][k] = (uint32_t) len;
			codec_buf_put_bytes(&t->arena, text, (size_t) len);
		}
	}
	for (k = 0; k < 3; k++)
	{
		bytes_column(&t->tags[k]);
		t->tags[k].data = t->arena.data;
	}
	for (h = 0; h < HOSTS; h++)
	{
		double		walk[METRICS];

		for (m = 0; m < METRICS; m++)
		{
			walk[m] = rng_unit() * 100;
			if (two_decimals)
				walk[m] = round(walk[m] * 100) / 100;
		}
		for (i = 0; i < INSTANTS; i++)
		{
			uint32_t	row = row_of(h, i, time_major);

			t->time.ints[row] = 1700000000000000LL + (int64_t) i * 10000000LL;
			for (m = 0; m < METRICS; m++)
			{
				walk[m] += rng_unit() * 2 - 1;
				walk[m] = walk[m] < 0 ? 0 : (walk[m] > 100 ? 100 : walk[m]);
				if (two_decimals)
					walk[m] = round(walk[m] * 100) / 100;
				t->metrics[m].floats[row] = walk[m];
			}
			for (k = 0; k < 3; k++)
			{
				t->tags[k].offsets[row] = tag_offset[h][k];
				t->tags[k].lengths[row] = tag_length[h][k];
			}
		}
	}
}

static void
free_table(Table *t)
{
	int			k;

	dl_free(t->time.ints);
	for (k = 0; k < METRICS; k++)
		dl_free(t->metrics[k].floats);
	for (k = 0; k < 3; k++)
	{
		dl_free(t->tags[k].offsets);
		dl_free(t->tags[k].lengths);
	}
	codec_buf_free(&t->arena);
}

/* the values as a flat array, for the zstd-only baseline and MB/s */
static size_t
raw_size(const CodecColumn *c)
{
	size_t		size = 0;
	uint32_t	i;

	if (c->type != CODEC_TYPE_BYTES)
		return (size_t) c->count * 8;
	for (i = 0; i < c->count; i++)
		size += 4 + c->lengths[i];
	return size;
}

static uint8_t *
raw_bytes(const CodecColumn *c, size_t *len)
{
	uint8_t    *out = dl_alloc(raw_size(c));
	size_t		pos = 0;
	uint32_t	i;

	if (c->type == CODEC_TYPE_INT64)
		memcpy(out, c->ints, (size_t) c->count * 8);
	else if (c->type == CODEC_TYPE_FLOAT8)
		memcpy(out, c->floats, (size_t) c->count * 8);
	else
		for (i = 0; i < c->count; i++)
		{
			memcpy(out + pos, &c->lengths[i], 4);
			memcpy(out + pos + 4, c->data + c->offsets[i], c->lengths[i]);
			pos += 4 + c->lengths[i];
		}
	*len = raw_size(c);
	return out;
}

typedef struct Measure
{
	size_t		bytes;			/* encoded */
	size_t		zbytes;			/* encoded then zstd */
	double		encode_s;		/* per encode */
	double		decode_s;
	double		zstd_s;			/* zstd compress of the encoded buffer */
	double		unzstd_s;
} Measure;

/* encodes c with id; times it when timed (best of a few runs) */
static Measure
measure(const CodecColumn *c, CodecId id, bool timed)
{
	Measure		m;
	uint8_t    *buf,
			   *z,
			   *back;
	size_t		len,
				zlen,
				blen;
	CodecColumn out;
	int			runs = timed ? 5 : 1;
	int			r;
	double		t0;

	memset(&m, 0, sizeof(m));
	m.encode_s = m.decode_s = m.zstd_s = m.unzstd_s = 1e9;
	for (r = 0; r < runs; r++)
	{
		t0 = now();
		if (codec_encode_column(c, id, &buf, &len) != CODEC_OK)
		{
			fprintf(stderr, "encode failed\n");
			exit(1);
		}
		if (now() - t0 < m.encode_s)
			m.encode_s = now() - t0;
		t0 = now();
		if (codec_decode(buf, len, c->type, c->count, &out) != CODEC_OK)
		{
			fprintf(stderr, "decode failed\n");
			exit(1);
		}
		if (now() - t0 < m.decode_s)
			m.decode_s = now() - t0;
		codec_column_free(&out);
		t0 = now();
		codec_compress_zstd(buf, len, ZSTD_LEVEL, &z, &zlen);
		if (now() - t0 < m.zstd_s)
			m.zstd_s = now() - t0;
		t0 = now();
		if (codec_decompress_zstd(z, zlen, len, &back, &blen) != CODEC_OK)
			exit(1);
		if (now() - t0 < m.unzstd_s)
			m.unzstd_s = now() - t0;
		dl_free(back);
		dl_free(z);
		dl_free(buf);
		m.bytes = len;
		m.zbytes = zlen;
	}
	return m;
}

/* zstd alone on the raw values */
static size_t
baseline(const CodecColumn *c)
{
	size_t		len,
				zlen;
	uint8_t    *raw = raw_bytes(c, &len);
	uint8_t    *z;

	codec_compress_zstd(raw, len, ZSTD_LEVEL, &z, &zlen);
	dl_free(raw);
	dl_free(z);
	return zlen;
}

/*
 * One line per encoding of the type (and auto) for a group of columns:
 * sizes summed over the group, speeds on its first column.  Returns the
 * auto bytes per row of the group, without and with zstd.
 */
static void
report_group(const char *what, const CodecColumn *cols, int ncols, double *auto_bpr,
			 double *auto_zbpr)
{
	static const CodecId ids[] = {CODEC_AUTO, CODEC_DELTA, CODEC_ALP, CODEC_XOR,
	CODEC_FLOAT_DELTA, CODEC_DICT, CODEC_PLAIN};
	size_t		base = 0;
	double		values = (double) ncols * ROWS;
	double		mb = (double) raw_size(&cols[0]) / 1e6;
	size_t		i;
	int			k;

	for (k = 0; k < ncols; k++)
		base += baseline(&cols[k]);
	printf("  %-22s %-12s %8.3f B/value (zstd on raw values: baseline)\n", what, "zstd-only",
		   (double) base / values);
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
	{
		Measure		first;
		size_t		bytes = 0,
					zbytes = 0;

		if (ids[i] != CODEC_AUTO && codec_encoding(ids[i])->type != cols[0].type)
			continue;
		first = measure(&cols[0], ids[i], true);
		bytes = first.bytes;
		zbytes = first.zbytes;
		for (k = 1; k < ncols; k++)
		{
			Measure		m = measure(&cols[k], ids[i], false);

			bytes += m.bytes;
			zbytes += m.zbytes;
		}
		printf("  %-22s %-12s %8.3f B/value  +zstd %8.3f  (x%.2f vs baseline)  enc %7.0f MB/s  dec %7.0f MB/s  enc+zstd %6.0f  unzstd+dec %6.0f\n",
			   what, ids[i] == CODEC_AUTO ? "auto" : codec_encoding(ids[i])->name,
			   (double) bytes / values, (double) zbytes / values,
			   (double) base / (double) (zbytes < bytes ? zbytes : bytes),
			   mb / first.encode_s, mb / first.decode_s,
			   mb / (first.encode_s + first.zstd_s), mb / (first.decode_s + first.unzstd_s));
		if (ids[i] == CODEC_AUTO)
		{
			*auto_bpr = (double) bytes / ROWS;
			*auto_zbpr = (double) zbytes / ROWS;
		}
	}
}

int
main(void)
{
	int			precision,
				order;

	mallopt(M_MMAP_THRESHOLD, 256 << 20);
	mallopt(M_TRIM_THRESHOLD, 512 << 20);
	printf("TSBS cpu shape: %d hosts x %d instants = %d rows, %d metrics, zstd level %d\n",
		   HOSTS, INSTANTS, ROWS, METRICS, ZSTD_LEVEL);
	for (precision = 0; precision < 2; precision++)
	{
		for (order = 0; order < 3; order++)
		{
			Table		t;
			double		time_b,
						time_z,
						float_b,
						float_z,
						text_b = 0,
						text_z = 0;
			int			k;

			make_table(&t, order < 2, precision == 0);
			if (order == 1)
			{
				/* the writer tells the encoder that rows repeat every HOSTS */
				t.time.period = HOSTS;
				for (k = 0; k < METRICS; k++)
					t.metrics[k].period = HOSTS;
				for (k = 0; k < 3; k++)
					t.tags[k].period = HOSTS;
			}
			printf("\n== %s, %s ==\n", precision == 0 ? "2-decimal metrics" : "full-precision metrics",
				   order == 0 ? "time-major order" :
				   order == 1 ? "time-major order, period hint 1000" : "(host, time) order");
			report_group("time (int64)", &t.time, 1, &time_b, &time_z);
			report_group("10 metrics (float8)", t.metrics, METRICS, &float_b, &float_z);
			for (k = 0; k < 3; k++)
			{
				static const char *names[] = {"hostname (text)", "region (text)",
				"datacenter (text)"};
				double		b,
							z;

				report_group(names[k], &t.tags[k], 1, &b, &z);
				text_b += b;
				text_z += z;
			}
			printf("  TABLE bytes/row (auto): time %.3f + floats %.3f + text %.3f = %.2f;"
				   " with zstd: %.3f + %.3f + %.3f = %.2f\n",
				   time_b, float_b, text_b, time_b + float_b + text_b,
				   time_z, float_z, text_z, time_z + float_z + text_z);
			free_table(&t);
		}
	}
	return 0;
}
