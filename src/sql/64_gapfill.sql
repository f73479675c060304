-- time_bucket_gapfill(), locf() and interpolate() (src/time/gapfill.c).
-- In a GROUP BY, the planner puts a GapFill node above the aggregation that
-- adds the missing buckets; elsewhere time_bucket_gapfill() is time_bucket().

CREATE FUNCTION datalayer.time_bucket_gapfill(bucket_width interval, ts timestamptz,
                                              start timestamptz DEFAULT NULL, finish timestamptz DEFAULT NULL)
RETURNS timestamptz AS 'MODULE_PATHNAME', 'time_bucket_gapfill_timestamptz'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION datalayer.time_bucket_gapfill(bucket_width interval, ts timestamp,
                                              start timestamp DEFAULT NULL, finish timestamp DEFAULT NULL)
RETURNS timestamp AS 'MODULE_PATHNAME', 'time_bucket_gapfill_timestamp'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- markers read by the GapFill node; the identity anywhere else
CREATE FUNCTION datalayer.locf(value anyelement) RETURNS anyelement
AS 'MODULE_PATHNAME', 'gapfill_marker' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION datalayer.interpolate(value float8) RETURNS float8
AS 'MODULE_PATHNAME', 'gapfill_marker' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
