/*
 * anomaly_seasonal_esd.h
 *		Seasonal-hybrid ESD (Hochenbaum, Vallis, Kejariwal 2017): robust
 *		seasonal decomposition, then the generalized ESD test with median and
 *		MAD on the residuals.  Batch only: it looks at the whole series.
 */
#ifndef DATALAYER_ANOMALY_SEASONAL_ESD_H
#define DATALAYER_ANOMALY_SEASONAL_ESD_H

#include "analytics/anomaly.h"

/* default significance of the ESD test at sensitivity 0.5 */
#define ESD_ALPHA_DEFAULT 0.05

/* test significance for a sensitivity: 0.005 at 0, 0.05 at 0.5, 0.5 at 1 */
extern double anomaly_esd_alpha(double sensitivity);

/*
 * options must be resolved (period >= 1, window and max_anomalies set).
 * Needs at least 3 finite points, else ANOMALY_ERR_TOO_SHORT.  Does not mark
 * onsets (anomaly_detect() does).
 */
extern AnomalyStatus anomaly_seasonal_esd(const double *values, size_t n,
										  const AnomalyOptions *options,
										  AnomalyResult *result);

#endif							/* DATALAYER_ANOMALY_SEASONAL_ESD_H */
