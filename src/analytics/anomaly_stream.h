/*
 * anomaly_stream.h
 *		Streaming anomaly detection: a causal detector's state that a
 *		monitor persists between runs and feeds only the new points.
 *
 * anomaly_stream_start() resolves the options on a history (the method when
 * 'auto', the season length when 0), scores the history and returns the
 * state; anomaly_stream_update() scores new points and advances it.  Because
 * the batch form of every causal method runs this very code, scoring points
 * p..q from a state saved after p-1 gives bit-for-bit what the batch run over
 * 0..q gives for them, provided the resolved options are the same (batch
 * detects the season on the whole series, a stream on its history).
 *
 * The serialized form is little-endian with a magic, a version, the method,
 * its parameters and arrays, and a trailing FNV-1a checksum; the
 * deserializer validates every field and length before allocating, so a
 * corrupt or hostile blob yields ANOMALY_ERR_STATE_CORRUPT and nothing else.
 */
#ifndef DATALAYER_ANOMALY_STREAM_H
#define DATALAYER_ANOMALY_STREAM_H

#include "analytics/anomaly.h"

typedef struct AnomalyStream AnomalyStream;

#define ANOMALY_STREAM_VERSION 2

/* options must be resolved (a causal method, period >= 1) */
extern AnomalyStatus anomaly_stream_create(const AnomalyOptions *options,
										   AnomalyStream **stream);
extern AnomalyStatus anomaly_stream_start(const double *history, size_t n,
										  const AnomalyOptions *options,
										  AnomalyStream **stream,
										  AnomalyResult *result);
/*
 * score values[0..n-1] into result (initialised for n), advancing the state;
 * ANOMALY_ERR_ARGUMENT, state untouched, if the stream would pass 2^62 points
 */
extern AnomalyStatus anomaly_stream_update(AnomalyStream *stream,
										   const double *values, size_t n,
										   AnomalyResult *result);
extern void anomaly_stream_free(AnomalyStream *stream);

extern AnomalyMethod anomaly_stream_method(const AnomalyStream *stream);
extern int64_t anomaly_stream_points(const AnomalyStream *stream);

extern size_t anomaly_stream_serialized_size(const AnomalyStream *stream);
extern AnomalyStatus anomaly_stream_serialize(const AnomalyStream *stream,
											  uint8_t *buffer, size_t capacity,
											  size_t *length);
extern AnomalyStatus anomaly_stream_deserialize(const uint8_t *buffer, size_t length,
												AnomalyStream **stream);
/* FNV-1a over bytes, the checksum of the serialized form */
extern uint32_t anomaly_stream_checksum(const uint8_t *bytes, size_t length);

#endif							/* DATALAYER_ANOMALY_STREAM_H */
