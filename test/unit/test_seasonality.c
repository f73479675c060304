/* unit-deps: src/analytics/seasonality.c src/analytics/stl.c */
/*
 * test_seasonality.c
 *		Seasonality detection and measurement without a server, checked
 *		against R 4.2.2 and forecast 8.20 where R has the same function:
 *
 *	- seasonality_acf: R's acf() on co2 (lags 1..36) and the M4 hourly
 *	  series H399 (lags up to 200), to 1e-12;
 *	- seasonality_test: the M4 competition's SeasonalityTest() (90%, tcrit
 *	  1.645) on co2, nottem, AirPassengers, Nile, H399, H317 and 12
 *	  synthetic series on both sides of the bound: the same verdict, and the
 *	  same |acf_m| and bound to 1e-12;
 *	- seasonality_classical_indices: decompose()$figure, multiplicative for
 *	  AirPassengers (also its first 137 months, and with frequency 7) and
 *	  H399 (frequency 24), additive for nottem, to 1e-12;
 *	- seasonality_strength: 1 - var(remainder) / var(seasonal + remainder)
 *	  of R's stl(nottem, "periodic") and of both components of
 *	  mstl(H399, 24 and 168) (our decompositions match R's), to 1e-10;
 *	- seasonality_detect_periods: 12 in co2, nottem and AirPassengers,
 *	  24 and 168 in H399 (strong weekly cycle), 24 alone in H317 (none),
 *	  nothing in Nile; 24 and 168, 48 and 336, 7, 12 and 4 in generated
 *	  data (including a daily cycle on a random-walk level); nothing in
 *	  white noise, random walks (with and without drift), AR(1) series,
 *	  trends, exponential growth or a level shift of 30 to 20,000 points;
 *	  periods ascending, nested and at most n / 4; 100,000 points fast;
 *	- edges everywhere: n < 2m or 3m, m <= 1, constant and non-finite
 *	  series, huge (1e300) and tiny values, NULL arrays, n <= 0.
 *
 * The reference numbers were produced once by this R script (CI has no R):
 *
 *	library(forecast)   # 8.20, R 4.2.2
 *	d <- read.csv("m4/hourly.csv")
 *	h399 <- d$value[d$id == "H399" & d$split == "train"]   # 960 points
 *	h317 <- d$value[d$id == "H317" & d$split == "train"]
 *	acf(co2, lag.max = 36, plot = FALSE)$acf[-1]
 *	acf(h399, lag.max = 200, plot = FALSE)$acf[c(1, 24, 25, 168, 200) + 1]
 *	SeasonalityTest <- function(input, ppy) {   # M4-methods, Benchmarks
 *		tcrit <- 1.645
 *		if (length(input) < 3 * ppy) test_seasonal <- FALSE else {
 *			xacf <- acf(input, plot = FALSE)$acf[-1, 1, 1]
 *			clim <- tcrit / sqrt(length(input)) * sqrt(cumsum(c(1, 2 * xacf^2)))
 *			test_seasonal <- (abs(xacf[ppy]) > clim[ppy])
 *			if (is.na(test_seasonal) == TRUE) test_seasonal <- FALSE
 *		}
 *		test_seasonal
 *	}
 *	# for each case: abs(xacf[m]), clim[m], SeasonalityTest(x, m)
 *	pm <- function(n, seed) { s <- seed; u <- numeric(n)
 *		for (i in 1:n) { s <- (16807 * s) %% 2147483647; u[i] <- s / 2147483647 - 0.5 }
 *		u }
 *	synth <- function(a, seed, period) a * sin(2 * pi * (0:119) / period) + pm(120, seed)
 *	decompose(AirPassengers, "multiplicative")$figure
 *	decompose(ts(AirPassengers[1:137], frequency = 12), "multiplicative")$figure
 *	decompose(ts(AirPassengers, frequency = 7), "multiplicative")$figure
 *	decompose(nottem, "additive")$figure
 *	decompose(ts(h399, frequency = 24), "multiplicative")$figure
 *	st <- function(s, r) max(0, 1 - var(r) / var(s + r))
 *	f <- stl(nottem, "periodic")$time.series; st(f[, "seasonal"], f[, "remainder"])
 *	m <- mstl(msts(h399, seasonal.periods = c(24, 168)))
 *	st(m[, "Seasonal24"], m[, "Remainder"]); st(m[, "Seasonal168"], m[, "Remainder"])
 *
 * all printed with 17 significant digits.  For comparison, R's
 * findfrequency() gives 12 for co2, nottem and AirPassengers, 1 for Nile
 * and 24 for H399 and H317 (it finds one period only).
 */
#include "util/portable.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "analytics/seasonality.h"
#include "analytics/stl.h"

#define TAP_RNG_SEED	0xC0FFEE5EA5011A7BULL
#include "tap.h"

/* input data: R datasets co2 (468), nottem (240), AirPassengers (144), Nile (100); M4 H399 and H317 training parts (960 each) */
static const double co2_data[468] = {
	315.42, 316.31, 316.5, 317.56, 318.13, 318, 316.39, 314.65,
	313.68, 313.18, 314.66, 315.43, 316.27, 316.81, 317.42, 318.87,
	319.87, 319.43, 318.01, 315.74, 314, 313.68, 314.84, 316.03,
	316.73, 317.54, 318.38, 319.31, 320.42, 319.61, 318.42, 316.63,
	314.83, 315.16, 315.94, 316.85, 317.78, 318.4, 319.53, 320.42,
	320.85, 320.45, 319.45, 317.25, 316.11, 315.27, 316.53, 317.53,
	318.58, 318.92, 319.7, 321.22, 322.08, 321.31, 319.58, 317.61,
	316.05, 315.83, 316.91, 318.2, 319.41, 320.07, 320.74, 321.4,
	322.06, 321.73, 320.27, 318.54, 316.54, 316.71, 317.53, 318.55,
	319.27, 320.28, 320.73, 321.97, 322, 321.71, 321.05, 318.71,
	317.66, 317.14, 318.7, 319.25, 320.46, 321.43, 322.23, 323.54,
	323.91, 323.59, 322.24, 320.2, 318.48, 317.94, 319.63, 320.87,
	322.17, 322.34, 322.88, 324.25, 324.83, 323.93, 322.38, 320.76,
	319.1, 319.24, 320.56, 321.8, 322.4, 322.99, 323.73, 324.86,
	325.4, 325.2, 323.98, 321.95, 320.18, 320.09, 321.16, 322.74,
	323.83, 324.26, 325.47, 326.5, 327.21, 326.54, 325.72, 323.5,
	322.22, 321.62, 322.69, 323.95, 324.89, 325.82, 326.77, 327.97,
	327.91, 327.5, 326.18, 324.53, 322.93, 322.9, 323.85, 324.96,
	326.01, 326.51, 327.01, 327.62, 328.76, 328.4, 327.2, 325.27,
	323.2, 323.4, 324.63, 325.85, 326.6, 327.47, 327.58, 329.56,
	329.9, 328.92, 327.88, 326.16, 324.68, 325.04, 326.34, 327.39,
	328.37, 329.4, 330.14, 331.33, 332.31, 331.9, 330.7, 329.15,
	327.35, 327.02, 327.99, 328.48, 329.18, 330.55, 331.32, 332.48,
	332.92, 332.08, 331.01, 329.23, 327.27, 327.21, 328.29, 329.41,
	330.23, 331.25, 331.87, 333.14, 333.8, 333.43, 331.73, 329.9,
	328.4, 328.17, 329.32, 330.59, 331.58, 332.39, 333.33, 334.41,
	334.71, 334.17, 332.89, 330.77, 329.14, 328.78, 330.14, 331.52,
	332.75, 333.24, 334.53, 335.9, 336.57, 336.1, 334.76, 332.59,
	331.42, 330.98, 332.24, 333.68, 334.8, 335.22, 336.47, 337.59,
	337.84, 337.72, 336.37, 334.51, 332.6, 332.38, 333.75, 334.78,
	336.05, 336.59, 337.79, 338.71, 339.3, 339.12, 337.56, 335.92,
	333.75, 333.7, 335.12, 336.56, 337.84, 338.19, 339.91, 340.6,
	341.29, 341, 339.39, 337.43, 335.72, 335.84, 336.93, 338.04,
	339.06, 340.3, 341.21, 342.33, 342.74, 342.08, 340.32, 338.26,
	336.52, 336.68, 338.19, 339.44, 340.57, 341.44, 342.53, 343.39,
	343.96, 343.18, 341.88, 339.65, 337.81, 337.69, 339.09, 340.32,
	341.2, 342.35, 342.93, 344.77, 345.58, 345.14, 343.81, 342.21,
	339.69, 339.82, 340.98, 342.82, 343.52, 344.33, 345.11, 346.88,
	347.25, 346.62, 345.22, 343.11, 340.9, 341.18, 342.8, 344.04,
	344.79, 345.82, 347.25, 348.17, 348.74, 348.07, 346.38, 344.51,
	342.92, 342.62, 344.06, 345.38, 346.11, 346.78, 347.68, 349.37,
	350.03, 349.37, 347.76, 345.73, 344.68, 343.99, 345.48, 346.72,
	347.84, 348.29, 349.23, 350.8, 351.66, 351.07, 349.33, 347.92,
	346.27, 346.18, 347.64, 348.78, 350.25, 351.54, 352.05, 353.41,
	354.04, 353.62, 352.22, 350.27, 348.55, 348.72, 349.91, 351.18,
	352.6, 352.92, 353.53, 355.26, 355.52, 354.97, 353.75, 351.52,
	349.64, 349.83, 351.14, 352.37, 353.5, 354.55, 355.23, 356.04,
	357, 356.07, 354.67, 352.76, 350.82, 351.04, 352.69, 354.07,
	354.59, 355.63, 357.03, 358.48, 359.22, 358.12, 356.06, 353.92,
	352.05, 352.11, 353.64, 354.89, 355.88, 356.63, 357.72, 359.07,
	359.58, 359.17, 356.94, 354.92, 352.94, 353.23, 354.09, 355.33,
	356.63, 357.1, 358.32, 359.41, 360.23, 359.55, 357.53, 355.48,
	353.67, 353.95, 355.3, 356.78, 358.34, 358.89, 359.95, 361.25,
	361.67, 360.94, 359.55, 357.49, 355.84, 356, 357.59, 359.05,
	359.98, 361.03, 361.66, 363.48, 363.82, 363.3, 361.94, 359.5,
	358.11, 357.8, 359.61, 360.74, 362.09, 363.29, 364.06, 364.76,
	365.45, 365.01, 363.7, 361.54, 359.51, 359.65, 360.8, 362.38,
	363.23, 364.06, 364.61, 366.4, 366.84, 365.68, 364.52, 362.57,
	360.24, 360.83, 362.49, 364.34
};

static const double nottem_data[240] = {
	40.6, 40.8, 44.4, 46.7, 54.1, 58.5, 57.7, 56.4, 54.3, 50.5,
	42.9, 39.8, 44.2, 39.8, 45.1, 47, 54.1, 58.7, 66.3, 59.9,
	57, 54.2, 39.7, 42.8, 37.5, 38.7, 39.5, 42.1, 55.7, 57.8,
	56.8, 54.3, 54.3, 47.1, 41.8, 41.7, 41.8, 40.1, 42.9, 45.8,
	49.2, 52.7, 64.2, 59.6, 54.4, 49.2, 36.3, 37.6, 39.3, 37.5,
	38.3, 45.5, 53.2, 57.7, 60.8, 58.2, 56.4, 49.8, 44.4, 43.6,
	40, 40.5, 40.8, 45.1, 53.8, 59.4, 63.5, 61, 53, 50,
	38.1, 36.3, 39.2, 43.4, 43.4, 48.9, 50.6, 56.8, 62.5, 62,
	57.5, 46.7, 41.6, 39.8, 39.4, 38.5, 45.3, 47.1, 51.7, 55,
	60.4, 60.5, 54.7, 50.3, 42.3, 35.2, 40.8, 41.1, 42.8, 47.3,
	50.9, 56.4, 62.2, 60.5, 55.4, 50.2, 43, 37.3, 34.8, 31.3,
	41, 43.9, 53.1, 56.9, 62.5, 60.3, 59.8, 49.2, 42.9, 41.9,
	41.6, 37.1, 41.2, 46.9, 51.2, 60.4, 60.1, 61.6, 57, 50.9,
	43, 38.8, 37.1, 38.4, 38.4, 46.5, 53.5, 58.4, 60.6, 58.2,
	53.8, 46.6, 45.5, 40.6, 42.4, 38.4, 40.3, 44.6, 50.9, 57,
	62.1, 63.5, 56.3, 47.3, 43.6, 41.8, 36.2, 39.3, 44.5, 48.7,
	54.2, 60.8, 65.5, 64.9, 60.1, 50.2, 42.1, 35.8, 39.4, 38.2,
	40.4, 46.9, 53.4, 59.6, 66.5, 60.4, 59.2, 51.2, 42.8, 45.8,
	40, 42.6, 43.5, 47.1, 50, 60.5, 64.6, 64, 56.8, 48.6,
	44.2, 36.4, 37.3, 35, 44, 43.9, 52.7, 58.6, 60, 61.1,
	58.1, 49.6, 41.6, 41.3, 40.8, 41, 38.4, 47.4, 54.1, 58.6,
	61.4, 61.8, 56.3, 50.9, 41.4, 37.1, 42.1, 41.2, 47.3, 46.6,
	52.4, 59, 59.6, 60.4, 57, 50.7, 47.8, 39.2, 39.4, 40.9,
	42.4, 47.8, 52.4, 58, 60.7, 61.8, 58.2, 46.7, 46.6, 37.8
};

static const double air_data[144] = {
	112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118,
	115, 126, 141, 135, 125, 149, 170, 170, 158, 133, 114, 140,
	145, 150, 178, 163, 172, 178, 199, 199, 184, 162, 146, 166,
	171, 180, 193, 181, 183, 218, 230, 242, 209, 191, 172, 194,
	196, 196, 236, 235, 229, 243, 264, 272, 237, 211, 180, 201,
	204, 188, 235, 227, 234, 264, 302, 293, 259, 229, 203, 229,
	242, 233, 267, 269, 270, 315, 364, 347, 312, 274, 237, 278,
	284, 277, 317, 313, 318, 374, 413, 405, 355, 306, 271, 306,
	315, 301, 356, 348, 355, 422, 465, 467, 404, 347, 305, 336,
	340, 318, 362, 348, 363, 435, 491, 505, 404, 359, 310, 337,
	360, 342, 406, 396, 420, 472, 548, 559, 463, 407, 362, 405,
	417, 391, 419, 461, 472, 535, 622, 606, 508, 461, 390, 432
};

static const double nile_data[100] = {
	1120, 1160, 963, 1210, 1160, 1160, 813, 1230, 1370, 1140,
	995, 935, 1110, 994, 1020, 960, 1180, 799, 958, 1140,
	1100, 1210, 1150, 1250, 1260, 1220, 1030, 1100, 774, 840,
	874, 694, 940, 833, 701, 916, 692, 1020, 1050, 969,
	831, 726, 456, 824, 702, 1120, 1100, 832, 764, 821,
	768, 845, 864, 862, 698, 845, 744, 796, 1040, 759,
	781, 865, 845, 944, 984, 897, 822, 1010, 771, 676,
	649, 846, 812, 742, 801, 1040, 860, 874, 848, 890,
	744, 749, 838, 1050, 918, 986, 797, 923, 975, 815,
	1020, 906, 901, 1170, 912, 746, 919, 718, 714, 740
};

static const double h399_data[960] = {
	21, 16, 14, 17, 16, 18, 32, 45, 38, 55, 67, 74,
	79, 92, 82, 76, 67, 73, 62, 55, 35, 23, 20, 20,
	14, 12, 16, 19, 21, 65, 192, 336, 232, 121, 100, 95,
	92, 74, 91, 99, 100, 102, 55, 39, 34, 22, 18, 19,
	17, 11, 14, 20, 23, 51, 143, 283, 196, 102, 74, 65,
	75, 73, 78, 82, 106, 89, 73, 41, 38, 32, 27, 19,
	11, 13, 13, 15, 20, 59, 166, 317, 193, 101, 102, 76,
	96, 77, 95, 105, 127, 114, 70, 46, 31, 29, 27, 25,
	19, 12, 16, 17, 32, 62, 184, 341, 226, 135, 96, 87,
	100, 69, 90, 115, 129, 97, 59, 43, 44, 27, 28, 24,
	17, 14, 15, 18, 25, 66, 184, 297, 206, 115, 103, 88,
	103, 86, 85, 92, 135, 127, 99, 53, 32, 27, 36, 28,
	16, 16, 12, 13, 19, 25, 49, 53, 72, 88, 116, 134,
	96, 77, 102, 88, 76, 77, 59, 36, 37, 42, 44, 23,
	19, 13, 14, 17, 17, 18, 37, 43, 45, 60, 72, 65,
	79, 87, 96, 81, 55, 67, 72, 48, 35, 27, 23, 16,
	13, 13, 15, 18, 24, 67, 182, 331, 231, 118, 101, 70,
	81, 79, 79, 111, 108, 115, 66, 45, 33, 29, 32, 19,
	15, 12, 14, 17, 26, 56, 187, 338, 245, 143, 100, 94,
	93, 64, 85, 94, 141, 105, 66, 45, 31, 32, 31, 20,
	17, 12, 17, 17, 20, 66, 172, 323, 228, 120, 109, 97,
	100, 99, 100, 96, 129, 100, 79, 46, 45, 27, 31, 22,
	16, 13, 14, 22, 20, 56, 166, 325, 230, 128, 101, 80,
	100, 93, 82, 96, 107, 109, 67, 35, 42, 26, 22, 21,
	15, 12, 14, 17, 28, 64, 176, 315, 204, 117, 124, 84,
	113, 97, 108, 120, 127, 128, 71, 45, 43, 36, 33, 26,
	15, 18, 13, 13, 20, 29, 49, 62, 60, 100, 145, 113,
	93, 83, 101, 86, 87, 79, 67, 53, 64, 43, 31, 29,
	17, 16, 15, 14, 13, 16, 37, 38, 48, 55, 75, 90,
	74, 90, 97, 74, 68, 62, 50, 35, 26, 30, 30, 30,
	18, 13, 14, 24, 21, 54, 163, 347, 205, 112, 81, 82,
	89, 73, 79, 103, 106, 107, 72, 37, 43, 33, 28, 19,
	17, 12, 18, 20, 27, 67, 208, 321, 228, 116, 90, 87,
	102, 84, 93, 94, 120, 91, 70, 45, 41, 24, 22, 24,
	13, 18, 15, 15, 23, 60, 184, 334, 233, 128, 94, 83,
	98, 93, 97, 136, 135, 97, 71, 46, 46, 29, 28, 22,
	18, 16, 18, 18, 24, 58, 186, 317, 248, 127, 101, 83,
	111, 68, 79, 96, 110, 106, 72, 56, 34, 28, 28, 23,
	16, 11, 16, 18, 25, 68, 175, 263, 186, 125, 98, 83,
	97, 66, 98, 99, 116, 125, 91, 46, 35, 36, 34, 19,
	16, 11, 13, 14, 18, 27, 50, 62, 86, 82, 87, 111,
	110, 81, 83, 83, 79, 95, 64, 46, 27, 40, 31, 20,
	20, 16, 12, 12, 13, 16, 32, 42, 31, 60, 59, 66,
	58, 54, 53, 37, 42, 40, 49, 24, 22, 20, 16, 14,
	17, 11, 15, 19, 21, 61, 123, 220, 179, 102, 73, 83,
	86, 67, 77, 87, 115, 123, 72, 33, 27, 23, 19, 20,
	19, 13, 16, 20, 30, 72, 189, 281, 280, 123, 113, 87,
	79, 87, 96, 100, 138, 109, 79, 47, 39, 30, 35, 17,
	16, 14, 17, 17, 21, 68, 192, 316, 232, 122, 102, 91,
	94, 79, 72, 86, 131, 98, 69, 41, 37, 30, 28, 26,
	15, 13, 18, 18, 24, 64, 189, 311, 227, 137, 86, 105,
	95, 82, 95, 108, 111, 119, 70, 55, 44, 35, 29, 23,
	19, 17, 12, 17, 29, 67, 179, 313, 223, 119, 100, 85,
	102, 73, 100, 110, 142, 120, 92, 44, 38, 35, 33, 31,
	19, 20, 11, 15, 19, 29, 56, 69, 67, 90, 103, 114,
	111, 108, 105, 75, 89, 93, 62, 58, 35, 21, 30, 28,
	19, 12, 13, 15, 16, 23, 34, 36, 37, 57, 86, 86,
	96, 99, 80, 88, 79, 58, 70, 36, 38, 30, 22, 17,
	13, 15, 14, 19, 21, 52, 154, 243, 173, 102, 113, 100,
	99, 100, 78, 96, 85, 95, 55, 47, 39, 28, 27, 19,
	16, 16, 13, 14, 21, 66, 198, 305, 209, 125, 109, 105,
	107, 98, 108, 108, 124, 102, 80, 41, 51, 33, 27, 22,
	15, 11, 16, 16, 19, 61, 180, 310, 201, 114, 116, 110,
	113, 107, 94, 115, 145, 141, 98, 56, 30, 30, 37, 20,
	18, 15, 12, 20, 21, 62, 172, 299, 248, 117, 127, 126,
	103, 120, 104, 108, 128, 114, 69, 47, 45, 32, 30, 26,
	14, 14, 15, 12, 21, 65, 170, 270, 216, 111, 108, 117,
	115, 97, 113, 106, 123, 117, 102, 49, 48, 30, 25, 27,
	20, 13, 14, 14, 18, 22, 43, 67, 89, 104, 102, 129,
	117, 89, 84, 80, 93, 89, 79, 39, 33, 29, 32, 25,
	23, 11, 12, 15, 18, 15, 33, 32, 52, 70, 65, 83,
	93, 79, 66, 66, 66, 76, 52, 42, 30, 25, 23, 21,
	18, 16, 13, 17, 24, 68, 191, 335, 204, 128, 102, 81,
	100, 88, 114, 86, 131, 114, 73, 49, 46, 44, 27, 24,
	16, 18, 12, 17, 20, 56, 188, 320, 225, 134, 82, 95,
	72, 83, 105, 105, 128, 101, 88, 48, 42, 29, 25, 21,
	17, 19, 13, 21, 25, 62, 169, 338, 207, 127, 102, 92,
	88, 57, 103, 116, 129, 116, 69, 39, 49, 48, 28, 29,
	16, 13, 14, 19, 30, 60, 190, 320, 205, 90, 100, 97,
	107, 89, 106, 97, 128, 123, 81, 51, 32, 29, 36, 25
};

static const double h317_data[960] = {
	13.1, 12.5, 11.8, 11.3, 10.7, 10.1, 10.6, 12.9, 15, 16.8, 18.4, 20,
	21.1, 21.9, 22.6, 22.9, 22.8, 22.4, 21.6, 19.8, 17.2, 15.6, 14.7, 14.1,
	13.2, 12.8, 12, 11.4, 10.8, 10.2, 10.8, 13.2, 15.2, 17.1, 18.7, 20.2,
	21.4, 22.2, 22.8, 23.1, 23, 22.6, 21.8, 20.1, 17.4, 15.8, 14.9, 14.3,
	13.3, 12.9, 12.2, 11.7, 11, 10.4, 11.1, 13.4, 15.4, 17.3, 18.9, 20.4,
	21.6, 22.4, 22.9, 23.2, 23.2, 22.8, 21.9, 20.3, 17.7, 16, 15.1, 14.5,
	13.5, 13.1, 12.4, 11.8, 11.2, 10.6, 11.3, 13.6, 15.7, 17.5, 19.1, 20.7,
	21.8, 22.7, 23.2, 23.4, 23.4, 23, 22.2, 20.6, 17.9, 16.3, 15.4, 14.7,
	13.7, 13.3, 12.6, 12, 11.4, 10.8, 11.6, 13.8, 15.8, 17.7, 19.3, 20.8,
	22, 22.8, 23.4, 23.7, 23.6, 23.2, 22.3, 20.7, 18.1, 16.4, 15.6, 14.9,
	13.9, 13.4, 12.7, 12.1, 11.5, 10.9, 11.7, 13.9, 16, 17.8, 19.4, 20.9,
	22.1, 22.9, 23.4, 23.7, 23.6, 23.2, 22.4, 20.8, 18.2, 16.6, 15.7, 14.9,
	14, 13.5, 12.8, 12.2, 11.6, 11.1, 11.9, 14.1, 16.2, 17.9, 19.6, 21.1,
	22.3, 23.1, 23.7, 24, 23.8, 23.4, 22.6, 21.1, 18.4, 16.8, 15.9, 15.2,
	14.3, 13.7, 13.1, 12.5, 11.8, 11.3, 12.1, 14.4, 16.4, 18.3, 19.9, 21.4,
	22.7, 23.4, 24, 24.3, 24.2, 23.8, 23, 21.4, 18.8, 17.2, 16.3, 15.6,
	14.6, 14.1, 13.4, 12.8, 12.1, 11.6, 12.4, 14.7, 16.8, 18.6, 20.2, 21.7,
	23, 23.8, 24.3, 24.6, 24.5, 24.1, 23.3, 21.7, 19.1, 17.4, 16.6, 15.8,
	14.8, 14.3, 13.7, 13, 12.4, 11.8, 12.7, 14.9, 16.9, 18.7, 20.3, 21.9,
	23.1, 23.9, 24.4, 24.8, 24.7, 24.2, 23.4, 21.8, 19.3, 17.6, 16.7, 15.9,
	14.9, 14.4, 13.7, 13.1, 12.4, 11.9, 12.8, 15.1, 17.1, 18.8, 20.4, 22,
	23.2, 24.1, 24.6, 24.9, 24.8, 24.4, 23.6, 22.1, 19.4, 17.7, 16.7, 16,
	15.1, 14.4, 13.8, 13.1, 12.5, 11.9, 12.9, 15.2, 17.2, 18.9, 20.6, 22.1,
	23.4, 24.2, 24.8, 25.1, 25, 24.7, 23.8, 22.3, 19.6, 17.8, 16.8, 16.1,
	15.2, 14.6, 13.9, 13.3, 12.6, 12.1, 13.1, 15.3, 17.3, 19.1, 20.8, 22.3,
	23.6, 24.4, 25, 25.3, 25.2, 24.9, 24.1, 22.5, 19.8, 18, 17, 16.2,
	15.3, 14.7, 14.1, 13.4, 12.7, 12.2, 13.2, 15.4, 17.5, 19.3, 20.9, 22.4,
	23.7, 24.6, 25.1, 25.4, 25.4, 25.1, 24.2, 22.7, 20, 18.2, 17.1, 16.4,
	15.5, 14.8, 14.2, 13.5, 12.8, 12.3, 13.3, 15.6, 17.6, 19.4, 21, 22.5,
	23.8, 24.7, 25.3, 25.6, 25.5, 25.2, 24.4, 22.9, 20.2, 18.3, 17.2, 16.5,
	15.7, 14.9, 14.3, 13.6, 12.9, 12.3, 13.4, 15.7, 17.8, 19.6, 21.2, 22.7,
	23.9, 24.8, 25.4, 25.8, 25.7, 25.3, 24.6, 23.1, 20.3, 18.5, 17.4, 16.7,
	15.9, 15.1, 14.4, 13.7, 13.1, 12.5, 13.6, 15.8, 17.9, 19.7, 21.3, 22.8,
	24.2, 25, 25.7, 26.1, 25.9, 25.6, 24.8, 23.3, 20.6, 18.8, 17.7, 17,
	16.2, 15.3, 14.7, 14, 13.3, 12.7, 13.8, 16.1, 18.1, 19.9, 21.6, 23.1,
	24.4, 25.3, 25.9, 26.3, 26.2, 25.8, 25.1, 23.6, 20.9, 19.1, 18, 17.3,
	16.4, 15.6, 14.9, 14.3, 13.6, 13, 14.1, 16.3, 18.3, 20.1, 21.8, 23.3,
	24.6, 25.5, 26.2, 26.6, 26.4, 26.1, 25.3, 23.8, 21.1, 19.3, 18.2, 17.4,
	16.7, 15.8, 15.1, 14.4, 13.7, 13.2, 14.2, 16.6, 18.6, 20.4, 22.1, 23.6,
	24.9, 25.8, 26.4, 26.7, 26.7, 26.3, 25.6, 24.1, 21.4, 19.5, 18.3, 17.7,
	16.9, 16.1, 15.4, 14.7, 13.9, 13.4, 14.4, 16.8, 18.8, 20.6, 22.3, 23.8,
	25.1, 25.9, 26.6, 27, 26.9, 26.6, 25.8, 24.3, 21.7, 19.7, 18.6, 17.9,
	17.1, 16.3, 15.6, 14.9, 14.1, 13.6, 14.7, 16.9, 18.9, 20.7, 22.4, 23.9,
	25.2, 26.2, 26.8, 27.1, 27.1, 26.7, 25.9, 24.5, 21.8, 19.9, 18.7, 18.1,
	17.3, 16.4, 15.7, 14.9, 14.2, 13.7, 14.7, 17, 19.1, 20.8, 22.6, 24.1,
	25.3, 26.3, 26.9, 27.2, 27.2, 26.8, 26.1, 24.6, 21.9, 19.9, 18.8, 18.1,
	17.4, 16.5, 15.7, 15, 14.2, 13.7, 14.8, 17.1, 19.1, 20.8, 22.6, 24.2,
	25.4, 26.3, 27, 27.3, 27.3, 26.9, 26.2, 24.7, 22, 20, 18.8, 18.2,
	17.6, 16.6, 15.8, 15.1, 14.3, 13.8, 14.8, 17.2, 19.2, 21, 22.7, 24.3,
	25.6, 26.4, 27.1, 27.4, 27.4, 27, 26.3, 24.9, 22.2, 20.2, 18.9, 18.3,
	17.7, 16.7, 16, 15.2, 14.4, 13.9, 15, 17.3, 19.3, 21.2, 22.9, 24.4,
	25.8, 26.7, 27.4, 27.7, 27.7, 27.3, 26.5, 25.2, 22.4, 20.4, 19.2, 18.5,
	17.9, 16.9, 16.2, 15.4, 14.6, 14.1, 15.2, 17.5, 19.5, 21.3, 23.1, 24.7,
	26, 26.9, 27.6, 27.9, 28, 27.6, 26.8, 25.4, 22.7, 20.6, 19.4, 18.8,
	18.1, 17.1, 16.4, 15.6, 14.8, 14.3, 15.4, 17.8, 19.8, 21.6, 23.4, 24.9,
	26.3, 27.2, 27.9, 28.2, 28.2, 27.7, 26.9, 25.6, 22.9, 20.8, 19.6, 18.9,
	18.2, 17.3, 16.6, 15.7, 15, 14.4, 15.5, 17.9, 19.9, 21.7, 23.4, 25.1,
	26.4, 27.3, 28, 28.3, 28.3, 27.8, 27.1, 25.7, 23.1, 20.9, 19.7, 19.1,
	18.4, 17.4, 16.7, 15.8, 15.1, 14.5, 15.6, 17.9, 20, 21.8, 23.7, 25.3,
	26.6, 27.5, 28.2, 28.6, 28.6, 28.1, 27.3, 26, 23.3, 21.2, 19.9, 19.2,
	18.6, 17.6, 16.8, 16, 15.2, 14.7, 15.8, 18.2, 20.2, 22.1, 23.8, 25.5,
	26.8, 27.8, 28.4, 28.8, 28.8, 28.3, 27.6, 26.2, 23.5, 21.3, 20.1, 19.4,
	18.7, 17.8, 17, 16.2, 15.4, 14.8, 15.9, 18.3, 20.4, 22.3, 24.1, 25.8,
	27.1, 28.1, 28.7, 29.1, 29.1, 28.6, 27.9, 26.5, 23.7, 21.6, 20.2, 19.6,
	18.9, 17.9, 17.2, 16.3, 15.6, 15, 16.1, 18.5, 20.6, 22.5, 24.3, 26,
	27.3, 28.3, 28.9, 29.3, 29.3, 28.8, 28.1, 26.7, 23.9, 21.7, 20.4, 19.7,
	19.1, 18.1, 17.4, 16.5, 15.7, 15.1, 16.2, 18.7, 20.8, 22.7, 24.5, 26.2,
	27.6, 28.6, 29.2, 29.6, 29.6, 29.1, 28.3, 26.9, 24.1, 21.8, 20.6, 19.9,
	19.2, 18.2, 17.6, 16.7, 15.9, 15.2, 16.4, 18.9, 20.9, 22.9, 24.7, 26.4,
	27.8, 28.8, 29.6, 29.9, 29.9, 29.4, 28.7, 27.3, 24.4, 22.1, 20.8, 20.1,
	19.4, 18.4, 17.8, 16.8, 16.1, 15.4, 16.6, 19.1, 21.2, 23.2, 25, 26.7,
	28.1, 29.1, 29.8, 30.2, 30.2, 29.7, 29, 27.6, 24.7, 22.3, 21.1, 20.3,
	19.6, 18.7, 18, 17.1, 16.3, 15.6, 16.8, 19.3, 21.4, 23.4, 25.3, 27,
	28.4, 29.4, 30.1, 30.4, 30.4, 29.9, 29.2, 27.8, 24.9, 22.6, 21.3, 20.6,
	19.8, 18.9, 18.3, 17.3, 16.6, 15.9, 17, 19.5, 21.7, 23.7, 25.4, 27.2,
	28.5, 29.6, 30.2, 30.6, 30.5, 30.1, 29.3, 27.9, 25.1, 22.7, 21.5, 20.7,
	19.9, 19.1, 18.4, 17.4, 16.7, 16, 17.2, 19.7, 21.8, 23.8, 25.7, 27.4,
	28.7, 29.8, 30.4, 30.8, 30.7, 30.3, 29.6, 28.2, 25.3, 22.9, 21.7, 20.9,
	20, 19.3, 18.6, 17.7, 16.9, 16.2, 17.3, 19.8, 22.1, 24.1, 25.9, 27.7,
	29.1, 30.1, 30.7, 31.1, 31, 30.6, 29.8, 28.4, 25.5, 23.2, 21.9, 21.2
};

/* acf(co2, lag.max = 36, plot = FALSE)$acf[-1] */
static const double co2_acf[36] = {
	0.99093723352583796, 0.97792754716597274, 0.96376586495348882,
	0.95126848749190818, 0.94122800242097704, 0.93400758916157967,
	0.92942977448127373, 0.92744565448657512, 0.92822408472431861,
	0.9304867650111136, 0.93156970398215422, 0.92838648117614853,
	0.91957302751535663, 0.90668575823430109, 0.89264943547312159,
	0.88019143903856223, 0.87030498124646194, 0.863052043364823,
	0.85834723287000947, 0.85626129904696979, 0.85673954503956296,
	0.8584235966260445, 0.85892172439386627, 0.85545830973842196,
	0.84667249161277036, 0.83384515485639232, 0.82016688418834871,
	0.80781226137323447, 0.79815865748092196, 0.79091971479718171,
	0.78619104838315257, 0.7840530152231916, 0.78425036687020133,
	0.78605918014923681, 0.78658447281722388, 0.78317923425918612
};

/* acf(h399, lag.max = 200, plot = FALSE)$acf[c(1, 24, 25, 168, 200) + 1] */
static const double h399_acf[5] = {
	0.78174777588720212, 0.7971750005672037, 0.63614598923555232,
	0.8034929656436538, -0.11357951162607179
};

/* M4 SeasonalityTest(x, m) (tcrit 1.645): |acf_m|, the bound clim[m] and the verdict.
 * synth: x = amplitude * sin(2 pi (0:119) / signal_period) + pm(120, seed), pm the Park-Miller
 * generator s <- (16807 * s) %% 2147483647, u <- s / 2147483647 - 0.5 */
typedef struct M4Case { const char *name; int m; int seed; double amplitude; int signal_period; double acf_m; double clim_m; bool seasonal; } M4Case;
static const M4Case m4_cases[] = {
	{"co2", 12, 0, 0, 0, 0.92838648117614853, 0.345954420223404, true},
	{"nottem", 12, 0, 0, 0, 0.88430614844429134, 0.31756833810650165, true},
	{"air", 12, 0, 0, 0, 0.76039504226255583, 0.50264901572310694, true},
	{"nile", 4, 0, 0, 0, 0.23919116994148587, 0.23308002382213994, true},
	{"nile", 12, 0, 0, 0, 0.21292222378886114, 0.2731613572172954, false},
	{"h399", 24, 0, 0, 0, 0.7971750005672037, 0.11720574749032242, true},
	{"h317", 24, 0, 0, 0, 0.96469985906124511, 0.2098843930315531, true},
	{"air", 5, 0, 0, 0, 0.71376997265196462, 0.35655396385967292, true},
	{"synth", 12, 7, 0, 12, 0.065061800771559819, 0.16560509858459577, false},
	{"synth", 12, 7, 0.050000000000000003, 12, 0.10898675073153902, 0.16845854850597108, false},
	{"synth", 12, 7, 0.10000000000000001, 12, 0.16983705396692042, 0.17700764220316795, false},
	{"synth", 12, 7, 0.12, 12, 0.19712047417095599, 0.18241370441147439, true},
	{"synth", 12, 7, 0.14999999999999999, 12, 0.23967085287406728, 0.1925539424836647, true},
	{"synth", 12, 7, 0.29999999999999999, 12, 0.44387281239260873, 0.26201103636204581, true},
	{"synth", 12, 1, 0.10000000000000001, 12, 0.066151586586792516, 0.16016387693795284, false},
	{"synth", 12, 1, 0.20000000000000001, 12, 0.20508046651626849, 0.18847316045472012, true},
	{"synth", 12, 1, 0.25, 12, 0.27762729575537604, 0.21079550503804256, true},
	{"synth", 12, 1, 0.29999999999999999, 12, 0.34638493194566283, 0.23507938406698853, true},
	{"synth", 12, 99, 0.29999999999999999, 24, 0.27248874613457552, 0.19164759933130873, true},
	{"synth", 12, 99, 0.29999999999999999, 12, 0.21421372824897142, 0.2069204485241847, true},
};

/* decompose(ts(x, frequency = m), type = ...)$figure */
static const double air_mult_figure[12] = {
	0.91023036737220087, 0.88362532069437572, 1.0073662876035454,
	0.97590601232284724, 0.98137802749512937, 1.1127758266792729,
	1.2265555429312014, 1.2199109694456249, 1.0604919326468183,
	0.92175724041049767, 0.80117808241347432, 0.89882438998501135
};

static const double air137_mult_figure[12] = {
	0.9090238680255539, 0.88642102399416645, 1.0171073584132493,
	0.97436170702185099, 0.97875781931680061, 1.1103929137591904,
	1.2256286538309442, 1.2189891015470371, 1.0596905352547914,
	0.92106068268496832, 0.80057264449732468, 0.89799369165412213
};

static const double air7_mult_figure[7] = {
	1.002764522318508, 1.0045495398166246, 0.99425655731507556,
	0.99982966013788255, 0.98645772429102874, 1.0041589880289827,
	1.0079830080918977
};

static const double nottem_add_figure[12] = {
	-9.3393640350877192, -9.8998903508771949, -6.9466008771929841,
	-2.7573464912280712, 3.4533991228070171, 8.9865131578947377,
	12.967214912280703, 11.459100877192984, 7.4001096491228058,
	0.65471491228070144, -6.6176535087719284, -9.3601973684210531
};

static const double h399_mult_figure[24] = {
	0.23189360842645146, 0.19216425391285522, 0.19513194954637159,
	0.2308995525382794, 0.29419364240987983, 0.66201255986648155,
	1.7843765173491928, 2.993795689935697, 2.2198486672966515,
	1.4381603435876886, 1.336766421304852, 1.2950510984350172,
	1.3357618305297034, 1.1945307054090779, 1.2758333128137629,
	1.2990854988203389, 1.4485833037084634, 1.3473942122615972,
	0.98072567100934516, 0.60764827427277102, 0.51604861467689611,
	0.42016165174103037, 0.38890894278727323, 0.31102367736032205
};

/* strength 1 - var(remainder) / var(seasonal + remainder) (feasts / tsfeatures) of
 * stl(nottem, "periodic") and of the two components of mstl(msts(h399, seasonal.periods = c(24, 168))) */
static const double nottem_strength = 0.94383342296931294;
static const double h399_strength24 = 0.97697825356270895;
static const double h399_strength168 = 0.93692585160120156;
/* findfrequency: co2 12, nottem 12, AirPassengers 12, Nile 1, h399 24, h317 24 */

#define PI 3.14159265358979323846

static void
checkf(bool ok, const char *fmt,...)
{
	char		buf[512];
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	check(ok, buf);
}

static double
rng_unit(void)
{
	return (double) (rng() >> 11) / 9007199254740992.0;
}

static double
rng_normal(void)
{
	double		u = rng_unit(),
				v = rng_unit();

	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2.0 * log(u)) * cos(2.0 * PI * v);
}

/* the series of an M4 case (synthetic ones as the R script's synth()) */
static const double *
case_series(const M4Case *c, double *buf, int *n)
{
	if (strcmp(c->name, "co2") == 0)
		*n = 468;
	else if (strcmp(c->name, "nottem") == 0)
		*n = 240;
	else if (strcmp(c->name, "air") == 0)
		*n = 144;
	else if (strcmp(c->name, "nile") == 0)
		*n = 100;
	else if (strcmp(c->name, "h399") == 0 || strcmp(c->name, "h317") == 0)
		*n = 960;
	else
	{
		int64_t		s = c->seed;
		int			t;

		for (t = 0; t < 120; t++)
		{
			s = (16807 * s) % 2147483647;
			buf[t] = c->amplitude * sin(2 * PI * t / c->signal_period) +
				((double) s / 2147483647 - 0.5);
		}
		*n = 120;
		return buf;
	}
	if (strcmp(c->name, "co2") == 0)
		return co2_data;
	if (strcmp(c->name, "nottem") == 0)
		return nottem_data;
	if (strcmp(c->name, "air") == 0)
		return air_data;
	if (strcmp(c->name, "nile") == 0)
		return nile_data;
	return strcmp(c->name, "h399") == 0 ? h399_data : h317_data;
}

static void
test_acf(void)
{
	double		acf[201],
				worst = 0.0,
				y[10];
	static const int lags[5] = {1, 24, 25, 168, 200};
	int			k;
	bool		ok;

	seasonality_acf(co2_data, 468, 36, acf);
	for (k = 0; k < 36; k++)
		worst = fmax(worst, fabs(acf[k] - co2_acf[k]));
	checkf(worst < 1e-12, "acf(co2, 36) as R (max |diff| %.2g)", worst);
	seasonality_acf(h399_data, 960, 200, acf);
	worst = 0.0;
	for (k = 0; k < 5; k++)
		worst = fmax(worst, fabs(acf[lags[k] - 1] - h399_acf[k]));
	checkf(worst < 1e-12, "acf(H399, 200) at lags 1, 24, 25, 168, 200 as R (max |diff| %.2g)", worst);

	for (k = 0; k < 10; k++)
		y[k] = k % 3;
	seasonality_acf(y, 10, 15, acf);
	ok = acf[8] != 0.0;
	for (k = 9; k < 15; k++)
		ok = ok && acf[k] == 0.0;
	check(ok, "acf: lags >= n are 0");
	for (k = 0; k < 10; k++)
		y[k] = 0.1;
	acf[0] = 5;
	seasonality_acf(y, 10, 5, acf);
	check(acf[0] == 0.0 && acf[4] == 0.0, "acf of a constant series is 0 (R: NaN)");
	y[3] = NAN;
	seasonality_acf(y, 10, 5, acf);
	check(acf[0] == 0.0, "acf of a series with NaN is 0");
	acf[0] = 5;
	seasonality_acf(NULL, 0, 3, acf);
	seasonality_acf(y, 1, 3, acf);
	check(acf[0] == 0.0, "acf of 0 and 1 points is 0");
	for (k = 0; k < 10; k++)
		y[k] = (k % 2 ? 1e300 : -1e300) + 1e284 * k;
	seasonality_acf(y, 10, 5, acf);
	check(isfinite(acf[0]) && fabs(acf[0] + 0.9) < 1e-12, "acf of values near 1e300: finite, -0.9 at lag 1 as for any alternating series of 10");
}

static void
test_m4_seasonality(void)
{
	int			c,
				disagree = 0;
	double		worst_acf = 0.0,
				worst_clim = 0.0;

	for (c = 0; c < (int) (sizeof(m4_cases) / sizeof(m4_cases[0])); c++)
	{
		const M4Case *mc = &m4_cases[c];
		double		buf[120],
					acf[24],
					sum = 0.0,
					clim;
		int			n,
					k;
		const double *y = case_series(mc, buf, &n);
		bool		ours = seasonality_test(y, n, mc->m, 1.645);

		seasonality_acf(y, n, mc->m, acf);
		for (k = 0; k < mc->m - 1; k++)
			sum += acf[k] * acf[k];
		clim = 1.645 * sqrt((1.0 + 2.0 * sum) / n);
		worst_acf = fmax(worst_acf, fabs(fabs(acf[mc->m - 1]) - mc->acf_m));
		worst_clim = fmax(worst_clim, fabs(clim - mc->clim_m));
		if (ours != mc->seasonal)
		{
			disagree++;
			printf("# %s m = %d amplitude %g: ours %d, R %d\n", mc->name, mc->m,
				   mc->amplitude, ours, mc->seasonal);
		}
	}
	checkf(disagree == 0, "M4 seasonality test: the same verdict as R on %d series (%d seasonal, %d not)",
		   (int) (sizeof(m4_cases) / sizeof(m4_cases[0])), 15, 5);
	checkf(worst_acf < 1e-12 && worst_clim < 1e-12,
		   "M4 seasonality test: |acf_m| and bound as R (max |diff| %.2g, %.2g)",
		   worst_acf, worst_clim);

	{
		double		y[100];
		int			t;

		for (t = 0; t < 100; t++)
			y[t] = sin(2 * PI * t / 12) + 0.1 * rng_normal();
		check(seasonality_test(y, 100, 12, 1.645), "a clear period-12 cycle is seasonal");
		check(!seasonality_test(y, 35, 12, 1.645), "n < 3m: not seasonal");
		check(!seasonality_test(y, 100, 1, 1.645) && !seasonality_test(y, 100, 0, 1.645) &&
			  !seasonality_test(y, 100, -12, 1.645), "m <= 1: not seasonal");
		check(!seasonality_test(y, 100, 12, -1.0) && !seasonality_test(y, 100, 12, NAN),
			  "a negative or NaN z: not seasonal");
		check(!seasonality_test(NULL, 0, 12, 1.645), "no data: not seasonal");
		for (t = 0; t < 100; t++)
			y[t] = 42.1;
		check(!seasonality_test(y, 100, 12, 1.645), "a constant series is not seasonal");
		for (t = 0; t < 100; t++)
			y[t] = 1e300 * sin(2 * PI * t / 12);
		check(seasonality_test(y, 100, 12, 1.645), "values near 1e300: still seasonal");
		y[50] = INFINITY;
		check(!seasonality_test(y, 100, 12, 1.645), "a non-finite value: not seasonal");
	}
}

static bool
figure_matches(const char *what, const double *y, int n, int m, bool mult,
			   const double *ref)
{
	double		index[24],
				worst = 0.0;
	int			k;
	bool		ok = seasonality_classical_indices(y, n, m, mult, index);

	for (k = 0; k < m; k++)
		worst = fmax(worst, fabs(index[k] - ref[k]));
	checkf(ok && worst < 1e-12, "%s as R's decompose()$figure (max |diff| %.2g)", what, worst);
	return ok;
}

static void
test_classical_indices(void)
{
	double		y[400],
				index[24],
				index2[24];
	int			t,
				k;
	bool		ok;

	figure_matches("AirPassengers, multiplicative", air_data, 144, 12, true, air_mult_figure);
	figure_matches("AirPassengers[1:137], multiplicative", air_data, 137, 12, true, air137_mult_figure);
	figure_matches("AirPassengers with frequency 7, multiplicative", air_data, 144, 7, true, air7_mult_figure);
	figure_matches("nottem, additive", nottem_data, 240, 12, false, nottem_add_figure);
	figure_matches("H399 with frequency 24, multiplicative", h399_data, 960, 24, true, h399_mult_figure);

	check(!seasonality_classical_indices(air_data, 23, 12, true, index), "n < 2m is refused");
	check(!seasonality_classical_indices(air_data, 144, 1, true, index), "m < 2 is refused");
	check(!seasonality_classical_indices(NULL, 0, 12, false, index), "no data is refused");
	ok = seasonality_classical_indices(air_data, 24, 12, true, index);
	for (k = 0; k < 12; k++)
		ok = ok && isfinite(index[k]);
	check(ok, "n = 2m: finite indices");
	for (t = 0; t < 100; t++)
		y[t] = 5.0 + sin(t);
	y[40] = 0.0;
	check(!seasonality_classical_indices(y, 100, 12, true, index), "multiplicative refuses a zero");
	check(seasonality_classical_indices(y, 100, 12, false, index), "additive accepts it");
	y[40] = NAN;
	check(!seasonality_classical_indices(y, 100, 12, false, index), "a NaN is refused");
	for (t = 0; t < 100; t++)
		y[t] = 7.5;
	ok = seasonality_classical_indices(y, 100, 12, true, index) &&
		seasonality_classical_indices(y, 100, 12, false, index2);
	for (k = 0; k < 12; k++)
		ok = ok && fabs(index[k] - 1.0) < 1e-15 && fabs(index2[k]) < 1e-14;
	check(ok, "a constant series: multiplicative indices 1, additive 0");
	for (t = 0; t < 144; t++)
		y[t] = air_data[t] * 1e300;
	ok = seasonality_classical_indices(y, 144, 12, true, index);
	for (k = 0; k < 12; k++)
		ok = ok && fabs(index[k] - air_mult_figure[k]) < 1e-12;
	check(ok, "values near 1e300: the same multiplicative indices");
	for (t = 0; t < 240; t++)
		y[t] = nottem_data[t] * 1e-300;
	ok = seasonality_classical_indices(y, 240, 12, false, index);
	for (k = 0; k < 12; k++)
		ok = ok && fabs(index[k] / 1e-300 - nottem_add_figure[k]) < 1e-10;
	check(ok, "values near 1e-300: the same additive indices, scaled");
}

static void
test_strength(void)
{
	double		s[400],
				t[400],
				r[400],
				zero[400] = {0};
	StlOptions	o;
	MstlResult	m;
	int			periods[2] = {24, 168},
				i;
	double		v;

	stl_default_options(&o);
	o.periodic = true;
	(void) stl_decompose(nottem_data, 240, 12, &o, s, t, r);
	v = seasonality_strength(s, r, 240);
	checkf(fabs(v - nottem_strength) < 1e-10, "strength of stl(nottem, periodic) as R (%.6f)", v);
	mstl_decompose(h399_data, 960, periods, 2, NULL, 2, &m);
	v = seasonality_strength(m.seasonal[0], m.remainder, 960);
	checkf(fabs(v - h399_strength24) < 1e-10, "strength of mstl(H399)'s daily component as R (%.6f)", v);
	v = seasonality_strength(m.seasonal[1], m.remainder, 960);
	checkf(fabs(v - h399_strength168) < 1e-10, "strength of mstl(H399)'s weekly component as R (%.6f)", v);
	mstl_free(&m);

	for (i = 0; i < 400; i++)
	{
		s[i] = sin(i);
		r[i] = rng_normal();
	}
	check(seasonality_strength(s, zero, 400) == 1.0, "no remainder: strength 1");
	check(seasonality_strength(zero, r, 400) == 0.0, "no seasonal: strength 0");
	for (i = 0; i < 400; i++)
		t[i] = -r[i];
	check(seasonality_strength(t, r, 400) == 0.0, "seasonal cancelling the remainder: 0");
	check(seasonality_strength(s, r, 1) == 0.0 && seasonality_strength(NULL, NULL, 0) == 0.0,
		  "n < 2: strength 0");
	v = seasonality_strength(s, r, 400);
	for (i = 0; i < 400; i++)
	{
		s[i] *= 1e300;
		r[i] *= 1e300;
	}
	check(fabs(seasonality_strength(s, r, 400) - v) < 1e-12, "values near 1e300: the same strength");
	r[7] = NAN;
	check(seasonality_strength(s, r, 400) == 0.0, "a NaN: strength 0");
}

/* detect into a string "24,168" */
static int
detect(const double *y, int n, int max_periods, char *text)
{
	int			p[8],
				k,
				i;

	k = seasonality_detect_periods(y, n, max_periods, p);
	text[0] = '\0';
	for (i = 0; i < k; i++)
		sprintf(text + strlen(text), "%s%d", i ? "," : "", p[i]);
	return k;
}

static void
expect_periods(const char *what, const double *y, int n, const char *expected)
{
	char		got[128];

	detect(y, n, 3, got);
	checkf(strcmp(got, expected) == 0, "%s: periods {%s} (expected {%s})", what, got, expected);
}

static void
test_detect_real(void)
{
	expect_periods("co2 (monthly)", co2_data, 468, "12");
	expect_periods("nottem (monthly)", nottem_data, 240, "12");
	expect_periods("AirPassengers (monthly)", air_data, 144, "12");
	expect_periods("M4 H399 (hourly, daily and weekly)", h399_data, 960, "24,168");
	expect_periods("M4 H317 (hourly, daily only)", h317_data, 960, "24");
	expect_periods("Nile (annual, none)", nile_data, 100, "");
}

static void
test_detect_generated(void)
{
	double	   *y = dl_alloc(sizeof(double) * 20000);
	int			t;
	double		level = 0.0;

	/* hourly, 6 weeks: a daily cycle, lower weekends, noise */
	for (t = 0; t < 1008; t++)
		y[t] = 2.0 * sin(2 * PI * t / 24) + ((t / 24) % 7 >= 5 ? -2.0 : 0.6) + rng_normal();
	expect_periods("hourly daily cycle + weekend dip + noise", y, 1008, "24,168");
	/* business hours on weekdays, on a random-walk level */
	for (t = 0; t < 1008; t++)
	{
		level += 0.3 * rng_normal();
		y[t] = ((t % 24) >= 8 && (t % 24) < 18 && (t / 24) % 7 < 5 ? 4.0 : 0.0) +
			level + 0.3 * rng_normal();
	}
	expect_periods("hourly business hours on a random walk", y, 1008, "24,168");
	/* half-hourly, 12 weeks, like R's taylor */
	for (t = 0; t < 4032; t++)
		y[t] = 30.0 + 5.0 * sin(2 * PI * t / 48) + 2.0 * sin(4 * PI * t / 48) +
			((t / 48) % 7 >= 5 ? -4.0 : 1.5) + rng_normal();
	expect_periods("half-hourly daily and weekly cycles", y, 4032, "48,336");
	/* daily data, two years: a weekly cycle and a trend */
	for (t = 0; t < 730; t++)
		y[t] = 100.0 + 0.05 * t + ((t % 7) >= 5 ? -6.0 : 2.0) + 2.0 * rng_normal();
	expect_periods("daily with a weekly cycle and a trend", y, 730, "7");
	/* monthly, 10 years, trend and multiplicative season */
	for (t = 0; t < 120; t++)
		y[t] = (100.0 + t) * (1.0 + 0.2 * sin(2 * PI * t / 12)) + 3.0 * rng_normal();
	expect_periods("monthly with a trend", y, 120, "12");
	/* quarterly, 20 years */
	for (t = 0; t < 80; t++)
		y[t] = 10.0 + (t % 4 == 3 ? 3.0 : 0.0) + 0.1 * t + 0.5 * rng_normal();
	expect_periods("quarterly with a Q4 peak", y, 80, "4");
	/* a sharp daily pattern (two short peaks): 24, not its harmonics */
	for (t = 0; t < 2000; t++)
	{
		int			h = t % 24;

		y[t] = (h == 8 || h == 9 ? 10.0 : 0.0) + (h >= 18 && h <= 20 ? 8.0 : 0.0) +
			0.5 * rng_normal();
	}
	expect_periods("a sharp two-peak daily pattern", y, 2000, "24");

	{
		int			p[4],
					k;

		for (t = 0; t < 1008; t++)
			y[t] = 2.0 * sin(2 * PI * t / 24) + ((t / 24) % 7 >= 5 ? -2.0 : 0.6) + rng_normal();
		k = seasonality_detect_periods(y, 1008, 1, p);
		check(k == 1 && p[0] == 24, "max_periods 1: only the shortest period");
		for (t = 0; t < 1008; t++)
			y[t] *= 1e300;
		k = seasonality_detect_periods(y, 1008, 4, p);
		check(k == 2 && p[0] == 24 && p[1] == 168, "values near 1e300: the same periods");
		for (t = 0; t < 1008; t++)
			y[t] *= 1e-300;
		for (t = 0; t < 1008; t++)
			y[t] *= 1e-300;
		k = seasonality_detect_periods(y, 1008, 4, p);
		check(k == 2 && p[0] == 24 && p[1] == 168, "values near 1e-300: the same periods");
	}
	dl_free(y);
}

static void
test_detect_nulls(void)
{
	static const int lengths[] = {30, 100, 500, 2000, 20000};
	static const char *const kinds[] = {
		"white noise", "random walk", "random walk with drift", "AR(1) 0.9",
		"AR(1) 0.5", "linear trend + noise", "exponential growth", "level shift"
	};
	double	   *y = dl_alloc(sizeof(double) * 20000);
	int			kind,
				li;

	for (kind = 0; kind < 8; kind++)
	{
		int			series = 0,
					found = 0;
		char		first[160] = "";

		for (li = 0; li < 5; li++)
		{
			int			n = lengths[li],
						rep;

			for (rep = 0; rep < (n > 2000 ? 2 : 8); rep++)
			{
				double		level = 0.0;
				char		got[128];
				int			t;

				for (t = 0; t < n; t++)
				{
					double		e = rng_normal();

					switch (kind)
					{
						case 0:
							y[t] = e;
							break;
						case 1:
							level += e;
							y[t] = level;
							break;
						case 2:
							level += e + 0.3;
							y[t] = level;
							break;
						case 3:
							level = 0.9 * level + e;
							y[t] = level;
							break;
						case 4:
							level = 0.5 * level + e;
							y[t] = level;
							break;
						case 5:
							y[t] = 0.01 * t + e;
							break;
						case 6:
							y[t] = exp(5.0 * t / n) + 0.1 * e;
							break;
						default:
							y[t] = (t > n / 3 ? 5.0 : 0.0) + e;
							break;
					}
				}
				series++;
				if (detect(y, n, 3, got) > 0)
				{
					if (found++ == 0)
						snprintf(first, sizeof(first), "n = %d: {%s}", n, got);
				}
			}
		}
		checkf(found == 0, "%s (%d series of 30 to 20,000 points): no period found%s%s",
			   kinds[kind], series, found ? " -- " : "", first);
	}
	dl_free(y);
}

static void
test_detect_edges(void)
{
	double		y[64];
	int			p[4] = {-1, -1, -1, -1},
				t,
				k;

	for (t = 0; t < 64; t++)
		y[t] = sin(2 * PI * t / 4);
	check(seasonality_detect_periods(y, 7, 3, p) == 0 && p[0] == -1, "n < 8: nothing, output untouched");
	check(seasonality_detect_periods(y, 64, 0, p) == 0 && p[0] == -1, "max_periods 0: nothing");
	check(seasonality_detect_periods(NULL, 0, 3, p) == 0 &&
		  seasonality_detect_periods(NULL, -5, 3, p) == 0 &&
		  seasonality_detect_periods(y, 64, 3, NULL) == 0, "NULL arrays, n <= 0: nothing");
	k = seasonality_detect_periods(y, 64, 3, p);
	check(k == 1 && p[0] == 4, "a noise-free period-4 cycle, 64 points: 4");
	k = seasonality_detect_periods(y, 15, 3, p);
	check(k == 0, "a period must fit four times: 15 points of period 4 give nothing");
	for (t = 0; t < 64; t++)
		y[t] = 3.25;
	check(seasonality_detect_periods(y, 64, 3, p) == 0, "a constant series: nothing");
	for (t = 0; t < 64; t++)
		y[t] = sin(2 * PI * t / 4);
	y[30] = NAN;
	check(seasonality_detect_periods(y, 64, 3, p) == 0, "a NaN: nothing");
	y[30] = -INFINITY;
	check(seasonality_detect_periods(y, 64, 3, p) == 0, "an infinity: nothing");
	for (t = 0; t < 64; t++)
		y[t] = (t % 2 ? 1.7e308 : -1.7e308);
	k = seasonality_detect_periods(y, 64, 3, p);
	check(k >= 0 && k <= 3, "values at +-DBL_MAX: no overflow trouble");

	/* random series of every length: sane output */
	{
		double	   *z = dl_alloc(sizeof(double) * 3000);
		bool		sane = true;
		int			trial;

		for (trial = 0; trial < 200; trial++)
		{
			int			n = 8 + (int) (rng() % 2000),
						period = 2 + (int) (rng() % 60),
						q[8],
						i;
			double		amp = rng_unit() * 3.0;

			for (t = 0; t < n; t++)
				z[t] = amp * ((t % period) < period / 3 ? 1.0 : 0.0) + rng_normal() +
					(trial % 4 == 0 ? 0.05 * t : 0.0);
			k = seasonality_detect_periods(z, n, 1 + trial % 4, q);
			sane = sane && k >= 0 && k <= 1 + trial % 4;
			for (i = 0; i < k; i++)
				sane = sane && q[i] >= 2 && q[i] <= n / 4 && (i == 0 || q[i] % q[i - 1] == 0);
		}
		check(sane, "200 random series: periods ascending, nested, at most n / 4");
		dl_free(z);
	}
}

static void
test_detect_large(void)
{
	int			n = 100000,
				t,
				p[4],
				k;
	double	   *y = dl_alloc(sizeof(double) * n);
	double		seconds;
	clock_t		start;

	for (t = 0; t < n; t++)
		y[t] = 2.0 * sin(2 * PI * t / 24) + ((t / 24) % 7 >= 5 ? -2.0 : 0.6) + rng_normal();
	start = clock();
	k = seasonality_detect_periods(y, n, 3, p);
	seconds = (double) (clock() - start) / CLOCKS_PER_SEC;
	printf("# period detection on %d hourly points: %.3f s\n", n, seconds);
	checkf(k == 2 && p[0] == 24 && p[1] == 168 && seconds < 3.0,
		   "100,000 hourly points: 24 and 168 in under 3 s (%.3f s)", seconds);
	for (t = 0; t < n; t++)
		y[t] = rng_normal();
	start = clock();
	k = seasonality_detect_periods(y, n, 3, p);
	seconds = (double) (clock() - start) / CLOCKS_PER_SEC;
	printf("# period detection on %d points of white noise: %.3f s\n", n, seconds);
	checkf(k == 0 && seconds < 3.0, "100,000 points of white noise: nothing, in under 3 s (%.3f s)",
		   seconds);
	dl_free(y);
}

int
main(void)
{
	test_acf();
	test_m4_seasonality();
	test_classical_indices();
	test_strength();
	test_detect_real();
	test_detect_generated();
	test_detect_nulls();
	test_detect_edges();
	test_detect_large();
	printf("1..%d\n", test_number);
	return failures == 0 ? 0 : 1;
}
