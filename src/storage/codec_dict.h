/*
 * codec_dict.h
 *		Byte strings with few distinct values: a dictionary of the distinct
 *		strings and one bit-packed code per value.
 */
#ifndef DATALAYER_CODEC_DICT_H
#define DATALAYER_CODEC_DICT_H

#include "storage/codec.h"

/* the table entry (CODEC_DICT) */
extern CodecStatus codec_dict_encode(const CodecColumn *dense, CodecBuf *out);
extern CodecStatus codec_dict_decode(const uint8_t *payload, size_t len, CodecColumn *dense);

#endif							/* DATALAYER_CODEC_DICT_H */
