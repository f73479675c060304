# datalayer: PGXS build.
#
# Layout (docs/development.md explains it in full):
#   src/<area>/*.c         the extension's C code, one concern per file
#   src/sql/NN_*.sql       the install script, one file per feature, concatenated
#                          in name order into datalayer--$(EXTVERSION).sql
#   src/sql/updates/       upgrade scripts datalayer--A--B.sql
#   sql/, expected/        pg_regress tests and their expected output
#   test/isolation/        isolation specs; test/t/ TAP tests; test/unit/ and
#                          test/fuzz/ for the pure-C cores

EXTENSION   = datalayer
EXTVERSION  = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" datalayer.control)

MODULE_big  = datalayer
# Every object is listed: a file joins the build when it is ready, not when
# it appears in the tree.
OBJS = \
	src/datalayer.o \
	src/columnar/columnar_aggregate.o \
	src/columnar/columnar_customscan.o \
	src/columnar/columnar_deleted.o \
	src/columnar/columnar_format.o \
	src/columnar/columnar_functions.o \
	src/columnar/columnar_indexscan.o \
	src/columnar/columnar_logical.o \
	src/columnar/columnar_meta.o \
	src/columnar/columnar_meta_format.o \
	src/columnar/columnar_freespace.o \
	src/columnar/columnar_reader.o \
	src/columnar/columnar_slot.o \
	src/columnar/columnar_storage.o \
	src/columnar/columnar_tableam.o \
	src/columnar/columnar_writer.o \
	src/aggregates/counter.o \
	src/aggregates/counter_agg.o \
	src/aggregates/first_last.o \
	src/aggregates/hll_agg.o \
	src/aggregates/hyperloglog.o \
	src/aggregates/percentile_agg.o \
	src/aggregates/series_agg.o \
	src/aggregates/stats_agg.o \
	src/aggregates/stats_moments.o \
	src/aggregates/summary_io.o \
	src/aggregates/time_weight.o \
	src/aggregates/time_weight_agg.o \
	src/aggregates/uddsketch.o \
	src/analytics/anomaly.o \
	src/analytics/anomaly_auto.o \
	src/analytics/anomaly_changepoint.o \
	src/analytics/anomaly_ewma.o \
	src/analytics/anomaly_forecast.o \
	src/analytics/anomaly_functions.o \
	src/analytics/anomaly_holt_winters.o \
	src/analytics/anomaly_likelihood.o \
	src/analytics/anomaly_robust_z.o \
	src/analytics/anomaly_seasonal.o \
	src/analytics/anomaly_seasonal_esd.o \
	src/analytics/anomaly_stats.o \
	src/analytics/anomaly_stream.o \
	src/analytics/anomaly_stream_functions.o \
	src/analytics/arima.o \
	src/analytics/arima_auto.o \
	src/analytics/downsample.o \
	src/analytics/ets.o \
	src/analytics/forecast.o \
	src/analytics/forecast_baselines.o \
	src/analytics/forecast_engine.o \
	src/analytics/forecast_residuals.o \
	src/analytics/isolation_forest.o \
	src/analytics/isolation_forest_functions.o \
	src/analytics/forecast_stats.o \
	src/analytics/lttb.o \
	src/analytics/nelder_mead.o \
	src/analytics/seasonality.o \
	src/analytics/stl.o \
	src/analytics/timeseries_format.o \
	src/analytics/timeseries_type.o \
	src/lineage/lineage_capture.o \
	src/lineage/lineage_resolve.o \
	src/scheduler/database_ddl.o \
	src/scheduler/db_scheduler.o \
	src/scheduler/cron_expr.o \
	src/scheduler/job_api.o \
	src/scheduler/job_cron.o \
	src/scheduler/job_result.o \
	src/scheduler/job_worker.o \
	src/scheduler/launcher.o \
	src/scheduler/scheduler_shmem.o \
	src/storage/bitpack.o \
	src/storage/codec.o \
	src/storage/codec_access.o \
	src/storage/codec_alp.o \
	src/storage/codec_bitmap.o \
	src/storage/codec_buf.o \
	src/storage/codec_delta.o \
	src/storage/codec_dict.o \
	src/storage/codec_float_delta.o \
	src/storage/codec_plain.o \
	src/storage/codec_xor.o \
	src/storage/codec_zstd.o \
	src/storage/metric_table.o \
	src/time/gapfill.o \
	src/time/time_bucket.o \
	src/time/time_value.o

SRCS        = $(OBJS:.o=.c)
HEADERS     = $(wildcard src/*.h src/*/*.h)

SQL_SOURCES = $(sort $(wildcard src/sql/[0-9]*.sql))
DATA_built  = datalayer--$(EXTVERSION).sql
# install scripts of released versions (frozen) and the upgrade scripts between them
DATA        = $(wildcard src/sql/updates/datalayer--*--*.sql) $(wildcard src/sql/releases/datalayer--*.sql)

REGRESS     = $(patsubst sql/%.sql,%,$(sort $(wildcard sql/*.sql)))
REGRESS_OPTS = --inputdir=. --load-extension=datalayer
ISOLATION   = $(patsubst test/isolation/specs/%.spec,%,$(sort $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation

SHLIB_LINK  = -lzstd

# Warnings are errors.  -Wextra minus what PostgreSQL's own headers and macros
# trigger (unused parameters in fmgr signatures, signed/unsigned in list macros,
# partially initialised structs in designated initialisers).
PG_CPPFLAGS = -I$(srcdir)/src
PG_CFLAGS   = -std=gnu99 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-sign-compare \
              -Wno-missing-field-initializers -Wno-clobbered -Wno-cast-function-type \
              $(DATALAYER_EXTRA_CFLAGS)
SHLIB_LINK += $(DATALAYER_EXTRA_LDFLAGS)

EXTRA_CLEAN = $(DATA_built) test/unit/build test/fuzz/build results regression.* \
              output_iso tmp_check

# No LLVM bitcode: JIT inlining of our functions is not worth a clang dependency.
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifeq ($(wildcard $(PGXS)),)
$(error PostgreSQL server headers not found (pg_config --pgxs); run scripts/demo.sh or install postgresql-server-dev-15)
endif
include $(PGXS)

$(OBJS): $(HEADERS)

$(DATA_built): $(SQL_SOURCES) datalayer.control
	( echo "-- datalayer $(EXTVERSION): generated from src/sql/*.sql by the Makefile; edit those files."; \
	  printf '%s\n' '\echo Use "CREATE EXTENSION datalayer" to load this file. \quit'; \
	  for f in $(SQL_SOURCES); do echo; echo "-- ---- $$f"; cat $$f; done ) > $@

.PHONY: unit fuzz cppcheck test-asan
unit:
	test/unit/run.sh

fuzz:
	test/fuzz/run.sh $(FUZZ_SECONDS)

# The quick suite against a server that runs datalayer built with
# AddressSanitizer and UndefinedBehaviorSanitizer (see docs/development.md).
test-asan:
	DATALAYER_ASAN=1 bash scripts/test.sh --quick

cppcheck:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --inline-suppr \
	  --suppress=missingIncludeSystem --suppress=missingInclude \
	  --include=test/cppcheck/pg_macros.h -I src $(SRCS)
