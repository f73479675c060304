-- time_bucket: the start of the bucket a time value falls in (src/time/time_bucket.c).
-- Every variant is IMMUTABLE: it can be indexed and used in materialised rollups.

CREATE FUNCTION datalayer.time_bucket(bucket_width interval, ts timestamptz)
RETURNS timestamptz AS 'MODULE_PATHNAME', 'time_bucket_timestamptz'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer.time_bucket(bucket_width interval, ts timestamptz, origin timestamptz)
RETURNS timestamptz AS 'MODULE_PATHNAME', 'time_bucket_timestamptz_origin'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer.time_bucket(bucket_width interval, ts timestamptz, "offset" interval)
RETURNS timestamptz AS 'MODULE_PATHNAME', 'time_bucket_timestamptz_offset'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer.time_bucket(bucket_width interval, ts timestamptz, timezone text,
                                      origin timestamptz DEFAULT NULL, "offset" interval DEFAULT NULL)
RETURNS timestamptz AS 'MODULE_PATHNAME', 'time_bucket_timestamptz_timezone'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION datalayer.time_bucket(bucket_width interval, ts timestamp)
RETURNS timestamp AS 'MODULE_PATHNAME', 'time_bucket_timestamp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer.time_bucket(bucket_width interval, ts timestamp, origin timestamp)
RETURNS timestamp AS 'MODULE_PATHNAME', 'time_bucket_timestamp_origin'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer.time_bucket(bucket_width interval, ts timestamp, "offset" interval)
RETURNS timestamp AS 'MODULE_PATHNAME', 'time_bucket_timestamp_offset'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer.time_bucket(bucket_width interval, ts date)
RETURNS date AS 'MODULE_PATHNAME', 'time_bucket_date'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer.time_bucket(bucket_width interval, ts date, origin date)
RETURNS date AS 'MODULE_PATHNAME', 'time_bucket_date_origin'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer.time_bucket(bucket_width interval, ts date, "offset" interval)
RETURNS date AS 'MODULE_PATHNAME', 'time_bucket_date_offset'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer.time_bucket(bucket_width smallint, ts smallint)
RETURNS smallint AS 'MODULE_PATHNAME', 'time_bucket_int2'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer.time_bucket(bucket_width integer, ts integer)
RETURNS integer AS 'MODULE_PATHNAME', 'time_bucket_int4'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer.time_bucket(bucket_width bigint, ts bigint)
RETURNS bigint AS 'MODULE_PATHNAME', 'time_bucket_int8'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer.time_bucket(bucket_width smallint, ts smallint, "offset" smallint)
RETURNS smallint AS 'MODULE_PATHNAME', 'time_bucket_int2_offset'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer.time_bucket(bucket_width integer, ts integer, "offset" integer)
RETURNS integer AS 'MODULE_PATHNAME', 'time_bucket_int4_offset'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION datalayer.time_bucket(bucket_width bigint, ts bigint, "offset" bigint)
RETURNS bigint AS 'MODULE_PATHNAME', 'time_bucket_int8_offset'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
