/* unit-deps: src/aggregates/hyperloglog.c src/storage/codec_buf.c */
/*
 * test_hyperloglog.c
 *		HyperLogLog without a server: estimates of 1 to 10,000,000 distinct
 *		int64 values within 3 standard errors at precision 14 (the default
 *		this test assumes for SQL) and at 10 and 18; duplicates change
 *		nothing; merge equals the sketch of the union, also across forms
 *		and precisions (the result has the lower precision); the sparse to
 *		dense transition; serialization round trips and rejection of
 *		truncated, bit-flipped and hostile buffers.
 */
#include "util/portable.h"

#include <math.h>
#include <string.h>

#include "aggregates/hyperloglog.h"
#include "storage/codec_buf.h"

#include "tap.h"

#define DEFAULT_PRECISION	14

static Hll *
new_hll(int p)
{
	Hll		   *h;

	if (hll_create(p, &h) != HLL_OK)
	{
		fprintf(stderr, "hll_create(%d) failed\n", p);
		exit(2);
	}
	return h;
}

/* distinct int64 values start, start + step, ... (step odd: all distinct) */
static void
add_range(Hll *h, int64_t start, uint64_t n, int64_t step)
{
	uint64_t	i;

	for (i = 0; i < n; i++)
		hll_add_hash(h, hll_hash_int64(start + (int64_t) i * step));
}

static bool
same_bytes(const Hll *a, const Hll *b)
{
	uint8_t    *ba;
	uint8_t    *bb;
	size_t		la;
	size_t		lb;
	bool		same;

	hll_serialize(a, 0, &ba, &la);
	hll_serialize(b, 0, &bb, &lb);
	same = la == lb && memcmp(ba, bb, la) == 0;
	dl_free(ba);
	dl_free(bb);
	return same;
}

static bool
round_trips(const Hll *h)
{
	uint8_t    *buf;
	size_t		len;
	Hll		   *back;
	bool		ok;

	hll_serialize(h, 3, &buf, &len);
	ok = hll_deserialize(buf + 3, len - 3, &back) == HLL_OK;
	if (ok)
	{
		ok = same_bytes(h, back) && back->sparse == h->sparse &&
			back->precision == h->precision && hll_estimate(back) == hll_estimate(h);
		hll_free(back);
	}
	dl_free(buf);
	return ok;
}

/* ------------------------------------------------------------ accuracy */

static void
test_accuracy(void)
{
	static const struct
	{
		int			p;
		uint64_t	n;
	}			cases[] = {
		{14, 1}, {14, 10}, {14, 1000}, {14, 100000}, {14, 10000000},
		{10, 1}, {10, 1000}, {10, 100000}, {10, 10000000},
		{18, 10}, {18, 1000}, {18, 100000}, {18, 10000000},
		{4, 1000}, {4, 1000000}
	};
	size_t		c;
	char		what[200];

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
	{
		Hll		   *h = new_hll(cases[c].p);
		double		se = hll_standard_error(cases[c].p);
		double		est;
		double		err;
		bool		ok;

		add_range(h, (int64_t) c * INT64_C(1000000000000) - 5000000, cases[c].n, 7);
		est = hll_estimate(h);
		err = (est - (double) cases[c].n) / (double) cases[c].n;
		ok = fabs(err) <= 3.0 * se;
		snprintf(what, sizeof(what),
				 "p=%d, %llu distinct: estimate %.1f, error %+.4f%% (3 se = %.3f%%, %s)",
				 cases[c].p, (unsigned long long) cases[c].n, est, 100.0 * err,
				 300.0 * se, h->sparse ? "sparse" : "dense");
		check(ok, what);

		/* the same values again, twice: not a bit changes */
		if (cases[c].n <= 100000)
		{
			uint8_t    *before;
			uint8_t    *after;
			size_t		lb;
			size_t		la;

			hll_serialize(h, 0, &before, &lb);
			add_range(h, (int64_t) c * INT64_C(1000000000000) - 5000000, cases[c].n, 7);
			add_range(h, (int64_t) c * INT64_C(1000000000000) - 5000000, cases[c].n, 7);
			hll_serialize(h, 0, &after, &la);
			snprintf(what, sizeof(what), "p=%d, %llu distinct added three times: same sketch, same estimate",
					 cases[c].p, (unsigned long long) cases[c].n);
			check(la == lb && memcmp(before, after, la) == 0 && hll_estimate(h) == est, what);
			dl_free(before);
			dl_free(after);
		}
		hll_free(h);
	}

	/* many independent sets: the spread of the error matches the standard error */
	{
		int			p = DEFAULT_PRECISION;
		int			trials = 200;
		uint64_t	n = 50000;
		double		sum = 0.0;
		double		sum2 = 0.0;
		double		bias;
		double		rmse;
		int			t;
		bool		ok;

		for (t = 0; t < trials; t++)
		{
			Hll		   *h = new_hll(p);
			double		e;

			add_range(h, INT64_C(7000000000000) + (int64_t) t * 10000000, n, 3);
			e = hll_estimate(h) / (double) n - 1.0;
			sum += e;
			sum2 += e * e;
			hll_free(h);
		}
		bias = sum / trials;
		rmse = sqrt(sum2 / trials);
		ok = fabs(bias) < 3.0 * hll_standard_error(p) / sqrt((double) trials) &&
			rmse < 1.25 * hll_standard_error(p) && rmse > 0.75 * hll_standard_error(p);
		snprintf(what, sizeof(what),
				 "p=%d, %d sets of %llu: mean error %+.4f%%, rms error %.4f%% (se %.4f%%)",
				 p, trials, (unsigned long long) n, 100.0 * bias, 100.0 * rmse,
				 100.0 * hll_standard_error(p));
		check(ok, what);
	}

	/* byte strings */
	{
		Hll		   *h = new_hll(DEFAULT_PRECISION);
		char		s[64];
		int			i;
		double		est;
		double		n = 200000;

		for (i = 0; i < (int) n; i++)
		{
			int			len = snprintf(s, sizeof(s), "customer-%d@example.com", i);

			hll_add_hash(h, hll_hash_bytes(s, (size_t) len));
			hll_add_hash(h, hll_hash_bytes(s, (size_t) len));
		}
		/* prefixes of one buffer: lengths 0..40 are 41 distinct strings */
		memset(s, 'x', sizeof(s));
		for (i = 0; i <= 40; i++)
			hll_add_hash(h, hll_hash_bytes(s, (size_t) i));
		est = hll_estimate(h);
		snprintf(what, sizeof(what), "p=14, %.0f distinct strings: estimate %.1f, error %+.4f%%",
				 n + 41, est, 100.0 * (est / (n + 41) - 1.0));
		check(fabs(est / (n + 41) - 1.0) <= 3.0 * hll_standard_error(DEFAULT_PRECISION), what);
		hll_free(h);
		check(hll_hash_bytes("", 0) != hll_hash_bytes("\0", 1) &&
			  hll_hash_bytes("abcdefgh", 8) != hll_hash_bytes("abcdefgh\0", 9) &&
			  hll_hash_int64(0) != hll_hash_int64(1),
			  "hashes differ for strings differing only in trailing zero bytes");
	}
}

/* --------------------------------------------------------------- forms */

static void
test_transition(void)
{
	int			p = DEFAULT_PRECISION;
	uint32_t	limit = (1U << p) / 4;
	Hll		   *h = new_hll(p);
	bool		ok = true;
	uint64_t	i;
	double		worst = 0.0;
	char		what[200];
	bool		was_dense = false;
	uint32_t	prev_n = 0;
	int			transitions = 0;

	ok = h->sparse && hll_estimate(h) == 0.0 && round_trips(h);
	check(ok, "empty sketch: sparse, estimate 0, round trips");

	for (i = 0; i < 20000; i++)
	{
		double		e;

		hll_add_hash(h, hll_hash_int64((int64_t) i * 1000003));
		e = fabs(hll_estimate(h) / (double) (i + 1) - 1.0);
		if (e > worst)
			worst = e;
		if (h->sparse ? (h->nentries > limit || h->registers != NULL) :
			(h->registers == NULL || h->entries != NULL || h->nentries != 0))
			ok = false;
		if (was_dense && h->sparse)
			ok = false;
		if (!was_dense && !h->sparse)
		{
			/* turned dense at the entry after the limit */
			ok = ok && prev_n == limit && round_trips(h);
			transitions++;
		}
		if (h->sparse && h->nentries == limit)
			ok = ok && round_trips(h);
		was_dense = !h->sparse;
		prev_n = h->nentries;
	}
	ok = ok && transitions == 1;
	snprintf(what, sizeof(what),
			 "p=14: sparse up to %u entries, dense after; error along 1..20000 at most %.3f%% (3 se %.3f%%)",
			 limit, 100.0 * worst, 300.0 * hll_standard_error(p));
	check(ok && worst <= 3.0 * hll_standard_error(p), what);
	ok = round_trips(h) && !h->sparse;
	check(ok, "dense sketch round trips");
	hll_free(h);

	/* the sparse form is all but exact for small counts */
	h = new_hll(p);
	ok = true;
	worst = 0.0;
	for (i = 0; i < 1000; i++)
	{
		double		e;

		hll_add_hash(h, hll_hash_int64((int64_t) i - 50));
		e = fabs(hll_estimate(h) / (double) (i + 1) - 1.0);
		if (e > worst)
			worst = e;
	}
	snprintf(what, sizeof(what), "sparse estimates of 1..1000 distinct are within 1e-4 of the count (worst %.2g)",
			 worst);
	check(worst < 1e-4, what);
	hll_free(h);

	/* every precision: create, fill past the sparse limit, round trip */
	ok = true;
	for (p = HLL_MIN_PRECISION; p <= HLL_MAX_PRECISION; p++)
	{
		h = new_hll(p);
		add_range(h, -1000, 3 * (1U << p), 1);
		ok = ok && !h->sparse && round_trips(h) &&
			fabs(hll_estimate(h) / (3.0 * (1U << p)) - 1.0) <= 3.0 * hll_standard_error(p);
		hll_free(h);
	}
	check(ok, "precisions 4..18: 3 * 2^p values, dense, within 3 se, round trip");
	{
		Hll		   *bad = (Hll *) 1;

		check(hll_create(3, &bad) == HLL_ERR_BAD_ARGUMENT && bad == NULL &&
			  hll_create(19, &bad) == HLL_ERR_BAD_ARGUMENT && hll_create(-1, &bad) == HLL_ERR_BAD_ARGUMENT &&
			  fabs(hll_standard_error(14) - 1.04 / 128.0) < 1e-15,
			  "precisions outside 4..18 are rejected; standard error 1.04/sqrt(2^p)");
	}
}

/* --------------------------------------------------------------- merge */

/*
 * a holds [0, na), b holds [off, off + nb) at precisions pa and pb; their
 * merge must be byte for byte the sketch of the union at min(pa, pb).
 */
static bool
merge_is_union(int pa, uint64_t na, int pb, uint64_t nb, uint64_t off)
{
	Hll		   *a = new_hll(pa);
	Hll		   *b = new_hll(pb);
	Hll		   *u = new_hll(pa < pb ? pa : pb);
	bool		ok;

	add_range(a, 0, na, 1);
	add_range(b, (int64_t) off, nb, 1);
	add_range(u, 0, na, 1);
	add_range(u, (int64_t) off, nb, 1);
	ok = hll_merge(a, b) == HLL_OK && a->precision == u->precision &&
		a->sparse == u->sparse && same_bytes(a, u) && hll_estimate(a) == hll_estimate(u);
	if (!ok)
		printf("# merge p=%d n=%llu with p=%d n=%llu (offset %llu): %s/%s, estimates %.2f and %.2f\n",
			   pa, (unsigned long long) na, pb, (unsigned long long) nb, (unsigned long long) off,
			   a->sparse ? "sparse" : "dense", u->sparse ? "sparse" : "dense",
			   hll_estimate(a), hll_estimate(u));
	hll_free(a);
	hll_free(b);
	hll_free(u);
	return ok;
}

static void
test_merge(void)
{
	/* sizes per precision: empty, sparse, near the limit, dense */
	static const int precisions[] = {14, 10, 18, 4};
	static const uint64_t sizes[] = {0, 1, 100, 1000, 5000, 100000};
	size_t		i;
	size_t		j;
	size_t		k;
	size_t		l;
	int			combos = 0;
	bool		ok = true;
	char		what[200];

	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++)
			for (k = 0; k < 6; k++)
				for (l = 0; l < 6; l++)
				{
					/* half the pairs overlap, half are disjoint */
					uint64_t	off = ((k + l) % 2) ? sizes[k] / 2 : sizes[k];

					if (!merge_is_union(precisions[i], sizes[k], precisions[j], sizes[l], off))
						ok = false;
					combos++;
				}
	snprintf(what, sizeof(what),
			 "merge == sketch of the union, byte for byte, for %d pairs of precisions 4/10/14/18, sparse/dense, overlapping or not",
			 combos);
	check(ok, what);

	/* the documented precision rule, and self-merge */
	{
		Hll		   *a = new_hll(16);
		Hll		   *b = new_hll(12);
		Hll		   *c;
		double		est;

		add_range(a, 0, 1000000, 1);
		add_range(b, 500000, 1000000, 1);
		ok = hll_merge(a, b) == HLL_OK && a->precision == 12 && !a->sparse &&
			fabs(hll_estimate(a) / 1500000.0 - 1.0) <= 3.0 * hll_standard_error(12);
		c = new_hll(18);
		add_range(c, 0, 10, 1);
		ok = ok && hll_merge(b, c) == HLL_OK && b->precision == 12;
		est = hll_estimate(a);
		ok = ok && hll_merge(a, a) == HLL_OK && hll_estimate(a) == est;
		est = hll_estimate(c);
		ok = ok && hll_merge(c, c) == HLL_OK && hll_estimate(c) == est && c->nentries == 10;
		check(ok, "merge takes the lower precision (16 + 12 -> 12, within 3 se of the union); self-merge changes nothing");
		hll_free(a);
		hll_free(b);
		hll_free(c);
	}
}

/* ------------------------------------------------------- hostile input */

static HllStatus
try_bytes(const uint8_t *buf, size_t len)
{
	Hll		   *h = (Hll *) 1;
	HllStatus	st = hll_deserialize(buf, len, &h);

	if (st == HLL_OK)
	{
		/* a valid sketch must estimate, merge and round trip */
		Hll		   *other = new_hll(HLL_MIN_PRECISION);
		double		e = hll_estimate(h);

		if (!(e >= 0.0 && isfinite(e)) || !round_trips(h))
			st = (HllStatus) 98;
		add_range(other, 0, 50, 1);
		hll_merge(h, other);
		hll_free(other);
		hll_free(h);
	}
	else if (h != NULL)
		st = (HllStatus) 99;
	return st;
}

static HllStatus
try_buf(CodecBuf *b)
{
	HllStatus	st = try_bytes(b->data, b->len);

	codec_buf_free(b);
	return st;
}

static void
header(CodecBuf *b, uint8_t version, uint8_t p, uint8_t form, uint8_t pad, uint32_t n)
{
	codec_buf_init(b);
	codec_buf_put_u8(b, version);
	codec_buf_put_u8(b, p);
	codec_buf_put_u8(b, form);
	codec_buf_put_u8(b, pad);
	codec_buf_put_u32(b, n);
}

static void
test_hostile(void)
{
	CodecBuf	b;
	bool		ok;
	int			form;

	/* every truncation and every bit flip of a sparse and a dense sketch */
	for (form = 0; form < 2; form++)
	{
		Hll		   *h = new_hll(form ? 6 : 12);
		uint8_t    *buf;
		size_t		len;
		size_t		i;
		int			bit;
		int			accepted = 0;
		int			rejected = 0;
		char		what[160];

		add_range(h, 0, 300, 1);
		hll_serialize(h, 0, &buf, &len);
		ok = h->sparse == (form == 0);
		for (i = 0; i < len; i++)
			if (try_bytes(buf, i) == HLL_OK || try_bytes(buf, i) > HLL_ERR_CORRUPT)
				ok = false;
		snprintf(what, sizeof(what), "%s: every truncation is rejected", form ? "dense" : "sparse");
		check(ok, what);
		ok = true;
		for (i = 0; i < len; i++)
			for (bit = 0; bit < 8; bit++)
			{
				HllStatus	st;

				buf[i] ^= (uint8_t) (1 << bit);
				st = try_bytes(buf, len);
				buf[i] ^= (uint8_t) (1 << bit);
				if (st == HLL_OK)
					accepted++;
				else if (st <= HLL_ERR_CORRUPT)
					rejected++;
				else
					ok = false;
			}
		printf("#   %zu bit flips: %d rejected, %d still valid sketches\n", len * 8, rejected, accepted);
		snprintf(what, sizeof(what), "%s: bit flips are rejected or give sketches that estimate, merge and round trip",
				 form ? "dense" : "sparse");
		check(ok && rejected > 0, what);
		dl_free(buf);
		hll_free(h);
	}

	{
		uint8_t		one = 1;

		ok = try_bytes(NULL, 0) == HLL_ERR_TRUNCATED && try_bytes(&one, 1) == HLL_ERR_TRUNCATED;
	}
	header(&b, 2, 14, 0, 0, 0);
	ok = ok && try_buf(&b) == HLL_ERR_VERSION;
	header(&b, 0, 14, 0, 0, 0);
	ok = ok && try_buf(&b) == HLL_ERR_VERSION;
	header(&b, 1, 14, 0, 0, 0);
	ok = ok && try_buf(&b) == HLL_OK;
	check(ok, "empty buffers are truncated, unknown versions rejected, a bare sparse header accepted");

	header(&b, 1, 3, 0, 0, 0);
	ok = try_buf(&b) == HLL_ERR_CORRUPT;
	header(&b, 1, 19, 0, 0, 0);
	ok = ok && try_buf(&b) == HLL_ERR_CORRUPT;
	header(&b, 1, 14, 2, 0, 0);
	ok = ok && try_buf(&b) == HLL_ERR_CORRUPT;
	header(&b, 1, 14, 0, 1, 0);
	ok = ok && try_buf(&b) == HLL_ERR_CORRUPT;
	check(ok, "bad precision, form and padding are rejected");

	/* dense */
	{
		uint8_t		regs[16];

		memset(regs, 0, sizeof(regs));
		header(&b, 1, 4, 1, 0, 0);
		codec_buf_put_bytes(&b, regs, 16);
		ok = try_buf(&b) == HLL_OK;
		header(&b, 1, 4, 1, 0, 0);
		codec_buf_put_bytes(&b, regs, 15);
		ok = ok && try_buf(&b) == HLL_ERR_TRUNCATED;
		header(&b, 1, 4, 1, 0, 0);
		codec_buf_put_bytes(&b, regs, 16);
		codec_buf_put_u8(&b, 0);
		ok = ok && try_buf(&b) == HLL_ERR_CORRUPT;
		header(&b, 1, 4, 1, 0, 16);
		codec_buf_put_bytes(&b, regs, 16);
		ok = ok && try_buf(&b) == HLL_ERR_CORRUPT;
		regs[7] = 61;			/* the largest rank at p = 4: 64 - 4 + 1 */
		header(&b, 1, 4, 1, 0, 0);
		codec_buf_put_bytes(&b, regs, 16);
		ok = ok && try_buf(&b) == HLL_OK;
		regs[7] = 62;
		header(&b, 1, 4, 1, 0, 0);
		codec_buf_put_bytes(&b, regs, 16);
		ok = ok && try_buf(&b) == HLL_ERR_CORRUPT;
		memset(regs, 61, sizeof(regs));
		header(&b, 1, 4, 1, 0, 0);
		codec_buf_put_bytes(&b, regs, 16);
		ok = ok && try_buf(&b) == HLL_OK;
		{
			Hll		   *h;

			header(&b, 1, 4, 1, 0, 0);
			codec_buf_put_bytes(&b, regs, 16);
			ok = ok && hll_deserialize(b.data, b.len, &h) == HLL_OK &&
				hll_estimate(h) == HLL_MAX_ESTIMATE;
			hll_free(h);
			codec_buf_free(&b);
		}
		check(ok, "dense: short, long, with a count, or with a rank above 65-p: rejected; all-maximal registers accepted, estimate capped at 2^64");
	}

	/* sparse */
	header(&b, 1, 4, 0, 0, 5);	/* limit at p = 4 is 4 */
	codec_buf_put_bytes(&b, "\x01\x01\x01\x01\x01", 5);
	ok = try_buf(&b) == HLL_ERR_CORRUPT;
	header(&b, 1, 18, 0, 0, 65536);
	codec_buf_put_bytes(&b, "\x01\x01\x01", 3);
	ok = ok && try_buf(&b) == HLL_ERR_TRUNCATED;
	header(&b, 1, 18, 0, 0, UINT32_MAX);
	ok = ok && try_buf(&b) == HLL_ERR_CORRUPT;
	check(ok, "sparse: entry counts above the limit or beyond the buffer are rejected before allocating");

	header(&b, 1, 14, 0, 0, 1);
	codec_buf_put_varint(&b, (5 << 6) | 0);	/* rank 0 */
	ok = try_buf(&b) == HLL_ERR_CORRUPT;
	header(&b, 1, 14, 0, 0, 1);
	codec_buf_put_varint(&b, (5 << 6) | 41);	/* rank above 64 - 25 + 1 */
	ok = ok && try_buf(&b) == HLL_ERR_CORRUPT;
	header(&b, 1, 14, 0, 0, 1);
	codec_buf_put_varint(&b, (5 << 6) | 40);
	ok = ok && try_buf(&b) == HLL_OK;
	header(&b, 1, 14, 0, 0, 1);
	codec_buf_put_varint(&b, ((uint64_t) 1 << 31) | 1);	/* index beyond 2^25 */
	ok = ok && try_buf(&b) == HLL_ERR_CORRUPT;
	header(&b, 1, 14, 0, 0, 1);
	codec_buf_put_varint(&b, (((uint64_t) 1 << 25) - 1) << 6 | 1);	/* the last index */
	ok = ok && try_buf(&b) == HLL_OK;
	check(ok, "sparse: ranks 0 and 41 and indexes past 2^25 rejected; rank 40 and the last index accepted");

	header(&b, 1, 14, 0, 0, 2);
	codec_buf_put_varint(&b, (5 << 6) | 3);
	codec_buf_put_varint(&b, 2);	/* same index, higher rank: not one entry per index */
	ok = try_buf(&b) == HLL_ERR_CORRUPT;
	header(&b, 1, 14, 0, 0, 2);
	codec_buf_put_varint(&b, (5 << 6) | 3);
	codec_buf_put_varint(&b, UINT64_MAX);	/* a gap that would wrap around */
	ok = ok && try_buf(&b) == HLL_ERR_CORRUPT;
	header(&b, 1, 14, 0, 0, 2);
	codec_buf_put_varint(&b, (5 << 6) | 3);
	codec_buf_put_varint(&b, UINT64_MAX - (5 << 6) - 2);	/* wraps to exactly 0 */
	ok = ok && try_buf(&b) == HLL_ERR_CORRUPT;
	header(&b, 1, 14, 0, 0, 2);
	codec_buf_put_varint(&b, (5 << 6) | 3);
	codec_buf_put_varint(&b, 60);	/* next index, rank 0 */
	ok = ok && try_buf(&b) == HLL_ERR_CORRUPT;
	header(&b, 1, 14, 0, 0, 2);
	codec_buf_put_varint(&b, (5 << 6) | 3);
	codec_buf_put_varint(&b, 61);	/* next index, rank 1 */
	ok = ok && try_buf(&b) == HLL_OK;
	header(&b, 1, 14, 0, 0, 1);
	codec_buf_put_varint(&b, (5 << 6) | 3);
	codec_buf_put_u8(&b, 0);	/* trailing */
	ok = ok && try_buf(&b) == HLL_ERR_CORRUPT;
	header(&b, 1, 14, 0, 0, 2);
	codec_buf_put_varint(&b, (5 << 6) | 3);
	codec_buf_put_u8(&b, 0x80);	/* unterminated */
	ok = ok && try_buf(&b) == HLL_ERR_CORRUPT;
	check(ok, "sparse: repeated index, wrapping gaps, trailing bytes and unterminated varints rejected");
}

int
main(void)
{
	test_transition();
	test_merge();
	test_hostile();
	test_accuracy();
	printf("1..%d\n", test_number);
	if (failures > 0)
		printf("# %d of %d checks failed\n", failures, test_number);
	return failures > 0 ? 1 : 0;
}
