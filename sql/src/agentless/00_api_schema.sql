-- Agentless installs (`fitbot-partman setup` where the extension cannot be
-- installed): the maintenance ledger, its settings and the driver, from the
-- same portable sources as the extension (Makefile: AGENTLESS_SQL), in the
-- same schemas. CREATE EXTENSION makes fitbot_partman from its control file;
-- here it is made by hand. A later CREATE EXTENSION adopts all of it
-- (sql/src/native/00_adopt_agentless.sql).
-- Refuse a schema of ours another role owns or may create in
-- (sql/src/shared/schema_guard.sql, run just before this file).
SELECT pg_temp.fitbot_partman_refuse_unsafe_schemas('{fitbot_partman,fitbot_partman_internal}');
DROP FUNCTION pg_temp.fitbot_partman_refuse_unsafe_schemas(name[]);

CREATE SCHEMA IF NOT EXISTS fitbot_partman;
