-- Issue 19: a role with CREATE on the database (eve) must not get her code
-- run as the installer or the job's owner through a schema of ours.
CREATE DATABASE fitbot_hostile;
\c fitbot_hostile
CREATE ROLE eve LOGIN;
GRANT CREATE ON DATABASE fitbot_hostile TO eve;
CREATE SCHEMA partman;
CREATE EXTENSION pg_partman SCHEMA partman;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- (a) eve pre-creates the extension's schema: CREATE EXTENSION refuses
-- (42501, with a hint) and creates nothing.
SET ROLE eve;
CREATE SCHEMA fitbot_partman;
RESET ROLE;
CREATE EXTENSION fitbot_partman;
\echo SQLSTATE :LAST_ERROR_SQLSTATE
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'fitbot_partman';
SELECT nspname FROM pg_namespace WHERE nspname LIKE 'fitbot_partman%' ORDER BY 1;
DROP SCHEMA fitbot_partman;

-- (b) eve pre-creates the helpers' schema: refused.
SET ROLE eve;
CREATE SCHEMA fitbot_partman_internal;
RESET ROLE;
CREATE EXTENSION fitbot_partman;
DROP SCHEMA fitbot_partman_internal;

-- The installer's own schema, but eve (or PUBLIC) may create in it: refused.
CREATE SCHEMA fitbot_partman;
GRANT CREATE ON SCHEMA fitbot_partman TO eve;
CREATE EXTENSION fitbot_partman;
GRANT CREATE ON SCHEMA fitbot_partman TO PUBLIC;
CREATE EXTENSION fitbot_partman;
REVOKE CREATE ON SCHEMA fitbot_partman FROM eve, PUBLIC;

-- Adoption of an agentless install takes only the installer's objects: eve
-- once could create in the helpers' schema and left a function there.
CREATE SCHEMA fitbot_partman_internal;
GRANT CREATE ON SCHEMA fitbot_partman_internal TO eve;
SET ROLE eve;
CREATE FUNCTION fitbot_partman_internal.maintenance_setting_defaults() RETURNS text
LANGUAGE sql AS 'ALTER ROLE eve SUPERUSER; SELECT ''''';
RESET ROLE;
REVOKE CREATE ON SCHEMA fitbot_partman_internal FROM eve;
CREATE EXTENSION fitbot_partman;
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'fitbot_partman';
DROP SCHEMA fitbot_partman_internal CASCADE;

-- The happy path: the installer's own empty schema (as CREATE EXTENSION
-- makes it) installs as before, and leaves no helper behind in pg_temp.
CREATE EXTENSION fitbot_partman;
SELECT pg_get_userbyid(nspowner) AS owner, nspname FROM pg_namespace WHERE nspname LIKE 'fitbot_partman%' ORDER BY 2;
SELECT count(*) AS guard_left FROM pg_proc WHERE proname = 'fitbot_partman_refuse_unsafe_schemas';

-- The job's command, run as its owner would run it, calls the driver.
SELECT fitbot_partman_internal.maintenance_command() AS command \gset
:command
SELECT trigger, outcome FROM fitbot_partman.maintenance_runs;

-- The history purge job's command likewise calls purge_cron_history() (which
-- says pg_cron lives elsewhere: this database is not cron.database_name).
SELECT fitbot_partman_internal.history_command() AS history_command \gset
:history_command

-- fitbot_partman dropped and its name taken by eve: the command does not
-- call her procedure; it fails, so pg_cron records a failed run.
DROP EXTENSION fitbot_partman;
DROP SCHEMA fitbot_partman;
SET ROLE eve;
CREATE SCHEMA fitbot_partman;
CREATE PROCEDURE fitbot_partman.run_maintenance(parent regclass DEFAULT NULL, lock_timeout interval DEFAULT NULL,
                                                time_budget interval DEFAULT NULL, run_trigger text DEFAULT NULL)
LANGUAGE sql AS 'ALTER ROLE eve SUPERUSER';
CREATE FUNCTION fitbot_partman.purge_cron_history() RETURNS bigint
LANGUAGE sql AS 'ALTER ROLE eve SUPERUSER; SELECT 0::bigint';
RESET ROLE;
:command
-- The purge job's command neither calls her function.
:history_command
SELECT rolsuper AS eve_is_superuser FROM pg_roles WHERE rolname = 'eve';
DROP SCHEMA fitbot_partman CASCADE;
-- With no purge_cron_history() at all it does nothing, as before.
:history_command

-- With fitbot_partman gone the command falls back to pg_partman's procedure,
-- but not to an overload eve may add where she can create.
:command
GRANT CREATE ON SCHEMA partman TO eve;
SET ROLE eve;
CREATE PROCEDURE partman.run_maintenance_proc() LANGUAGE sql AS 'ALTER ROLE eve SUPERUSER';
RESET ROLE;
:command
SELECT rolsuper AS eve_is_superuser FROM pg_roles WHERE rolname = 'eve';

\c fitbot_regress
DROP DATABASE fitbot_hostile;
DROP ROLE eve;
