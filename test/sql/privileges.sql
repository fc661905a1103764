-- Least privilege: a monitoring role with nothing but pg_monitor reads
-- health; it cannot change registrations or cron jobs through our functions.
CREATE ROLE fitbot_monitor LOGIN IN ROLE pg_monitor;
CREATE ROLE fitbot_app LOGIN;
GRANT USAGE ON SCHEMA fitbot_partman TO fitbot_app;  -- even with schema access

SET ROLE fitbot_monitor;
SELECT parent, status FROM fitbot_partman.partition_health() WHERE parent = 'public.heart_rate_readings'::regclass;
SELECT count(*) > 0 AS sees_partitions FROM fitbot_partman.partitions('public.heart_rate_readings');
SELECT jobname, active FROM fitbot_partman.maintenance_status();
SELECT code >= 0 AS answered FROM fitbot_partman.check();
SELECT fitbot_partman.metrics() LIKE '%fitbot_partman_partitions{parent="public.heart_rate_readings"}%' AS metrics_visible;
SELECT fitbot_partman.facts()::jsonb ? 'parents' AS facts_visible;
\set VERBOSITY terse
SELECT * FROM fitbot_partman.setup();
SELECT fitbot_partman.register_table('public.heart_rate_readings', 'measured_at');
SELECT fitbot_partman.schedule_maintenance();
SELECT * FROM fitbot_partman.teardown('public.heart_rate_readings');
SELECT fitbot_partman.rescue_default('public.heart_rate_readings');
SELECT * FROM fitbot_partman.preflight();
-- nor through pg_partman's or pg_cron's tables directly
UPDATE part_config SET premake = 1;
SELECT count(*) FROM cron.job;
RESET ROLE;

SET ROLE fitbot_app;
SELECT * FROM fitbot_partman.setup();
SELECT fitbot_partman.schedule_maintenance('* * * * *');
SELECT * FROM fitbot_partman.teardown('public.heart_rate_readings');
SELECT * FROM fitbot_partman.partition_health();
SELECT fitbot_partman.next_run('0 2 20 * *', '2026-11-24 00:00+00') IS NOT NULL AS next_run_is_public;
RESET ROLE;
\set VERBOSITY default

-- Nothing changed.
SELECT premake FROM part_config WHERE parent_table = 'public.heart_rate_readings';
SELECT schedule, active FROM cron.job;

-- search_path tricks: a hostile schema first on the path, with functions and
-- operators named like ours and pg_catalog's, changes nothing.
CREATE SCHEMA hostile;
CREATE FUNCTION hostile.now() RETURNS timestamptz LANGUAGE sql AS $$ SELECT '1999-01-01'::timestamptz $$;
CREATE FUNCTION hostile.format(text, text) RETURNS text LANGUAGE sql AS $$ SELECT 'DROP TABLE public.heart_rate_readings' $$;
CREATE FUNCTION hostile.split_part(text, text, integer) RETURNS text LANGUAGE sql AS $$ SELECT 'hostile' $$;
CREATE FUNCTION hostile.current_database() RETURNS name LANGUAGE sql AS $$ SELECT 'nope'::name $$;
CREATE FUNCTION hostile.text_eq(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT false $$;
CREATE OPERATOR hostile.= (LEFTARG = text, RIGHTARG = text, FUNCTION = hostile.text_eq);
CREATE FUNCTION hostile.validate_schedule(text) RETURNS text LANGUAGE sql AS $$ SELECT '* * * * *' $$;
CREATE TABLE hostile.part_config (parent_table text);
SET search_path = hostile, public, pg_catalog;
SELECT step, action FROM fitbot_partman.setup();
SELECT parent, status FROM fitbot_partman.partition_health() WHERE parent = 'public.heart_rate_readings'::regclass;
SELECT fitbot_partman.register_table('public.heart_rate_readings', 'measured_at');
SHOW search_path;
RESET search_path;
SELECT schedule, command FROM cron.job;
SELECT count(*) AS readings_table_intact FROM public.heart_rate_readings;
DROP SCHEMA hostile CASCADE;
-- pg_cron's settings are superuser-only (current_setting() raises for them,
-- missing_ok or not, without pg_read_all_settings): an administrator granted
-- our internal functions reads them through cron_setting(), which reads
-- nothing but pg_cron's settings, and which PUBLIC may not call.
CREATE ROLE fitbot_admin_plain;
GRANT USAGE ON SCHEMA fitbot_partman_internal TO fitbot_admin_plain;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA fitbot_partman_internal TO fitbot_admin_plain;  -- as docs/setup.md grants
SET ROLE fitbot_admin_plain;
\set VERBOSITY terse
SELECT current_setting('cron.database_name', true) AS raw_read_raises;
\set VERBOSITY default
SELECT fitbot_partman_internal.cron_database() = current_database() AS reads_cron_database_name,
       fitbot_partman_internal.cron_location() AS cron_location,
       fitbot_partman_internal.cron_setting('shared_preload_libraries') IS NULL AS other_settings_unreadable;
RESET ROLE;
SET ROLE fitbot_app;
\set VERBOSITY terse
SELECT fitbot_partman_internal.cron_setting('cron.host');
\set VERBOSITY default
RESET ROLE;
REVOKE ALL ON SCHEMA fitbot_partman_internal FROM fitbot_admin_plain;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA fitbot_partman_internal FROM fitbot_admin_plain;
DROP ROLE fitbot_admin_plain;
-- Every SECURITY DEFINER routine of the extension is attack surface (issue
-- 19): each pins its search_path, and who may call it is listed here, so a
-- new one, or a new grant, changes this output and gets reviewed.
SELECT p.oid::regprocedure AS routine,
       coalesce((SELECT c FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%'), 'NOT PINNED') AS search_path,
       coalesce((SELECT string_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, ', '
                                   ORDER BY 1)
                 FROM aclexplode(p.proacl) a
                 WHERE a.privilege_type = 'EXECUTE' AND a.grantee <> p.proowner), '') AS callers
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'fitbot_partman') AND p.prosecdef
ORDER BY p.oid::regprocedure::text;
REVOKE USAGE ON SCHEMA fitbot_partman FROM fitbot_app;
DROP ROLE fitbot_monitor, fitbot_app;
