-- Before anything is created or adopted: the extension's schemas, where they
-- exist already, must be the installing role's alone (sql/src/shared/schema_guard.sql).
-- CREATE EXTENSION uses an existing fitbot_partman whoever owns it.
SELECT pg_temp.fitbot_partman_refuse_unsafe_schemas('{fitbot_partman,fitbot_partman_internal}');
DROP FUNCTION pg_temp.fitbot_partman_refuse_unsafe_schemas(name[]);
