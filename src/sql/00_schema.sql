-- The datalayer schema itself is created by CREATE EXTENSION (the control
-- file names it).  Everything here is schema-qualified so that the script
-- does not depend on search_path.

COMMENT ON SCHEMA datalayer IS 'datalayer: metric tables, columnar storage, scheduling, lineage and analytics';
GRANT USAGE ON SCHEMA datalayer TO PUBLIC;
