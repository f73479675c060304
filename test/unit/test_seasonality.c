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
#include "r_datasets.h"

/* input data: M4 H317 training part (960); co2, nottem, AirPassengers, Nile
 * and H399 are in r_datasets.h */
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
		*n = R_CO2_N;
	else if (strcmp(c->name, "nottem") == 0)
		*n = R_NOTTEM_N;
	else if (strcmp(c->name, "air") == 0)
		*n = R_AIRPASSENGERS_N;
	else if (strcmp(c->name, "nile") == 0)
		*n = R_NILE_N;
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
		return r_co2;
	if (strcmp(c->name, "nottem") == 0)
		return r_nottem;
	if (strcmp(c->name, "air") == 0)
		return r_AirPassengers;
	if (strcmp(c->name, "nile") == 0)
		return r_Nile;
	return strcmp(c->name, "h399") == 0 ? m4_H399 : h317_data;
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

	seasonality_acf(r_co2, R_CO2_N, 36, acf);
	for (k = 0; k < 36; k++)
		worst = fmax(worst, fabs(acf[k] - co2_acf[k]));
	checkf(worst < 1e-12, "acf(co2, 36) as R (max |diff| %.2g)", worst);
	seasonality_acf(m4_H399, M4_H399_N, 200, acf);
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

	figure_matches("AirPassengers, multiplicative", r_AirPassengers, R_AIRPASSENGERS_N, 12, true, air_mult_figure);
	figure_matches("AirPassengers[1:137], multiplicative", r_AirPassengers, 137, 12, true, air137_mult_figure);
	figure_matches("AirPassengers with frequency 7, multiplicative", r_AirPassengers, R_AIRPASSENGERS_N, 7, true, air7_mult_figure);
	figure_matches("nottem, additive", r_nottem, R_NOTTEM_N, 12, false, nottem_add_figure);
	figure_matches("H399 with frequency 24, multiplicative", m4_H399, M4_H399_N, 24, true, h399_mult_figure);

	check(!seasonality_classical_indices(r_AirPassengers, 23, 12, true, index), "n < 2m is refused");
	check(!seasonality_classical_indices(r_AirPassengers, R_AIRPASSENGERS_N, 1, true, index), "m < 2 is refused");
	check(!seasonality_classical_indices(NULL, 0, 12, false, index), "no data is refused");
	ok = seasonality_classical_indices(r_AirPassengers, 24, 12, true, index);
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
		y[t] = r_AirPassengers[t] * 1e300;
	ok = seasonality_classical_indices(y, 144, 12, true, index);
	for (k = 0; k < 12; k++)
		ok = ok && fabs(index[k] - air_mult_figure[k]) < 1e-12;
	check(ok, "values near 1e300: the same multiplicative indices");
	for (t = 0; t < 240; t++)
		y[t] = r_nottem[t] * 1e-300;
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
	(void) stl_decompose(r_nottem, R_NOTTEM_N, 12, &o, s, t, r);
	v = seasonality_strength(s, r, 240);
	checkf(fabs(v - nottem_strength) < 1e-10, "strength of stl(nottem, periodic) as R (%.6f)", v);
	mstl_decompose(m4_H399, M4_H399_N, periods, 2, NULL, 2, &m);
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
	expect_periods("co2 (monthly)", r_co2, R_CO2_N, "12");
	expect_periods("nottem (monthly)", r_nottem, R_NOTTEM_N, "12");
	expect_periods("AirPassengers (monthly)", r_AirPassengers, R_AIRPASSENGERS_N, "12");
	expect_periods("M4 H399 (hourly, daily and weekly)", m4_H399, M4_H399_N, "24,168");
	expect_periods("M4 H317 (hourly, daily only)", h317_data, 960, "24");
	expect_periods("Nile (annual, none)", r_Nile, R_NILE_N, "");
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
