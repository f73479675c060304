/*
 * summary_io.h
 *		Text and binary I/O shared by datalayer's aggregate summary types
 *		(stats_summary, stats_summary2, uddsketch, hyperloglog).
 *
 * Each such type is a varlena whose payload is the validated, versioned
 * binary form of its pure-C core.  send() writes the payload, recv()
 * accepts bytes only after the core's deserializer has validated them, and
 * the text form is the payload in base64, so text and binary round-trip and
 * untrusted input never reaches the cores unchecked.
 */
#ifndef DATALAYER_SUMMARY_IO_H
#define DATALAYER_SUMMARY_IO_H

#include "postgres.h"

#include "fmgr.h"
#include "lib/stringinfo.h"

/* Returns NULL if the bytes are a valid value of the type, else why not. */
typedef const char *(*SummaryValidateFn) (const uint8 *buf, size_t len);

typedef struct SummaryKind
{
	const char *type_name;
	SummaryValidateFn validate;
} SummaryKind;

extern Datum summary_in(const SummaryKind *kind, const char *input);
extern char *summary_out(struct varlena *value);
extern Datum summary_recv(const SummaryKind *kind, StringInfo buf);
extern bytea *summary_send(struct varlena *value);

/* A new varlena holding len bytes at data. */
extern struct varlena *summary_from_bytes(const uint8 *data, size_t len);


/*
 * The state of rollup() for summaries that join only in time order
 * (counter_summary, time_weight_summary): the serialized summaries of a
 * group, collected as they come and sorted by the final function.
 */
typedef struct SummaryList
{
	int			count;
	int			capacity;
	size_t		item_size;
	uint8	   *items;			/* count * item_size bytes */
} SummaryList;

extern SummaryList *summary_list_transfn(FunctionCallInfo fcinfo, const SummaryKind *kind,
										 size_t item_size);
extern SummaryList *summary_list_combinefn(FunctionCallInfo fcinfo, size_t item_size);
extern bytea *summary_list_serialize(const SummaryList *list);
extern SummaryList *summary_list_deserialize(FunctionCallInfo fcinfo, const SummaryKind *kind,
											 size_t item_size);

#endif							/* DATALAYER_SUMMARY_IO_H */
