/*
 * summary_io.c
 *		Base64 text I/O and validated binary I/O for the summary types.
 */
#include "postgres.h"

#include "aggregates/summary_io.h"
#include "common/base64.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/memutils.h"

struct varlena *
summary_from_bytes(const uint8 *data, size_t len)
{
	struct varlena *result;

	if (len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("summary value of %zu bytes is too large", len)));
	result = palloc(len + VARHDRSZ);
	SET_VARSIZE(result, len + VARHDRSZ);
	memcpy(VARDATA(result), data, len);
	return result;
}

Datum
summary_in(const SummaryKind *kind, const char *input)
{
	int			inlen = strlen(input);
	int			maxlen = pg_b64_dec_len(inlen);
	char	   *bytes = palloc(maxlen + 1);
	int			len;
	const char *why;

	len = pg_b64_decode(input, inlen, bytes, maxlen);
	if (len < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s", kind->type_name),
				 errdetail("The text form of a %s value is its binary form in base64.", kind->type_name)));
	why = kind->validate((const uint8 *) bytes, len);
	if (why != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input value for type %s: %s", kind->type_name, why)));
	return PointerGetDatum(summary_from_bytes((const uint8 *) bytes, len));
}

char *
summary_out(struct varlena *value)
{
	int			len = VARSIZE_ANY_EXHDR(value);
	int			outlen = pg_b64_enc_len(len);
	char	   *out = palloc(outlen + 1);
	int			n;

	n = pg_b64_encode(VARDATA_ANY(value), len, out, outlen);
	if (n < 0)
		elog(ERROR, "could not encode summary value in base64");
	out[n] = '\0';
	return out;
}

Datum
summary_recv(const SummaryKind *kind, StringInfo buf)
{
	int			len = buf->len - buf->cursor;
	const char *data = pq_getmsgbytes(buf, len);
	const char *why = kind->validate((const uint8 *) data, len);

	if (why != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary value for type %s: %s", kind->type_name, why)));
	return PointerGetDatum(summary_from_bytes((const uint8 *) data, len));
}

bytea *
summary_send(struct varlena *value)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));
	return pq_endtypsend(&buf);
}

static MemoryContext
summary_list_context(FunctionCallInfo fcinfo)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("rollup support function called in a non-aggregate context")));
	return aggcontext;
}

static SummaryList *
summary_list_get(FunctionCallInfo fcinfo, MemoryContext aggcontext, size_t item_size)
{
	SummaryList *list;

	if (!PG_ARGISNULL(0))
		return (SummaryList *) PG_GETARG_POINTER(0);
	list = MemoryContextAllocZero(aggcontext, sizeof(SummaryList));
	list->item_size = item_size;
	return list;
}

static void
summary_list_add(SummaryList *list, MemoryContext aggcontext, const uint8 *item)
{
	if (list->count == list->capacity)
	{
		int			newcap = list->capacity ? list->capacity * 2 : 16;

		if ((Size) newcap * list->item_size > MaxAllocHugeSize / 2)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many summaries to roll up in one group")));
		list->items = list->items
			? repalloc_huge(list->items, (Size) newcap * list->item_size)
			: MemoryContextAllocHuge(aggcontext, (Size) newcap * list->item_size);
		list->capacity = newcap;
	}
	memcpy(list->items + (Size) list->count * list->item_size, item, list->item_size);
	list->count++;
}

/* transfn(state, summary): a stored summary is validated before it is kept */
SummaryList *
summary_list_transfn(FunctionCallInfo fcinfo, const SummaryKind *kind, size_t item_size)
{
	MemoryContext aggcontext = summary_list_context(fcinfo);
	SummaryList *list = summary_list_get(fcinfo, aggcontext, item_size);
	struct varlena *v;
	const char *why;

	if (PG_ARGISNULL(1))
		return list;
	v = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(1));
	why = VARSIZE_ANY_EXHDR(v) == item_size ? kind->validate((const uint8 *) VARDATA_ANY(v), item_size)
		: "wrong length";
	if (why != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid %s value: %s", kind->type_name, why)));
	summary_list_add(list, aggcontext, (const uint8 *) VARDATA_ANY(v));
	return list;
}

SummaryList *
summary_list_combinefn(FunctionCallInfo fcinfo, size_t item_size)
{
	MemoryContext aggcontext = summary_list_context(fcinfo);
	SummaryList *list = summary_list_get(fcinfo, aggcontext, item_size);
	SummaryList *other = PG_ARGISNULL(1) ? NULL : (SummaryList *) PG_GETARG_POINTER(1);
	int			i;

	for (i = 0; other != NULL && i < other->count; i++)
		summary_list_add(list, aggcontext, other->items + (Size) i * item_size);
	return list;
}

bytea *
summary_list_serialize(const SummaryList *list)
{
	Size		len = (Size) list->count * list->item_size;
	bytea	   *result = palloc(VARHDRSZ + len);

	SET_VARSIZE(result, VARHDRSZ + len);
	if (len > 0)
		memcpy(VARDATA(result), list->items, len);
	return result;
}

SummaryList *
summary_list_deserialize(FunctionCallInfo fcinfo, const SummaryKind *kind, size_t item_size)
{
	MemoryContext aggcontext = summary_list_context(fcinfo);
	bytea	   *bytes = PG_GETARG_BYTEA_P(0);
	Size		len = VARSIZE(bytes) - VARHDRSZ;
	SummaryList *list = MemoryContextAllocZero(aggcontext, sizeof(SummaryList));
	Size		off;

	list->item_size = item_size;
	if (len % item_size != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid partial state of rollup(%s)", kind->type_name)));
	for (off = 0; off < len; off += item_size)
	{
		if (kind->validate((const uint8 *) VARDATA(bytes) + off, item_size) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid partial state of rollup(%s)", kind->type_name)));
		summary_list_add(list, aggcontext, (const uint8 *) VARDATA(bytes) + off);
	}
	return list;
}
