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
