/*
 * anomaly_forecast.h
 *		detect_anomalies' 'forecast' method: the forecasting engine's
 *		one-step-ahead errors (forecast_residuals.h) turned into the same
 *		per-point result as the other methods, with the same alarm rules.
 *
 * The band is expected -/+ k * sigma, where sigma is the robust scale of the
 * one-step errors and k the z threshold of the sensitivity (5 at 0.5); a
 * point is anomalous when it is outside the band and, under the default
 * likelihood alarm, the recent scores are improbably high for the series
 * (anomaly_likelihood.h).  Batch only: the model is fitted on the whole
 * series.
 */
#ifndef DATALAYER_ANOMALY_FORECAST_H
#define DATALAYER_ANOMALY_FORECAST_H

#include "analytics/anomaly.h"
#include "analytics/forecast_engine.h"

#define ANOMALY_K_FORECAST 5.0

/*
 * values[0..n) (NaN = missing), options as for anomaly_detect (method is
 * ignored; period, cooldown, warmup, alarm, score_window and score_horizon
 * are used), model the forecasting method to fit (FC_AUTO lets the engine
 * choose).  On FC_OK result holds every point, model_out (FC_MODEL_LEN bytes,
 * may be NULL) the model fitted; otherwise message (200 bytes) says why.
 */
extern FcStatus anomaly_detect_forecast(const double *values, size_t n,
										const AnomalyOptions *options, FcMethod model,
										AnomalyResult *result, char *model_out,
										char *message);

#endif							/* DATALAYER_ANOMALY_FORECAST_H */
