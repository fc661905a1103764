-- Privileges: changing things is for superusers (and whom they grant);
-- reading health is for pg_monitor.
--
-- Every function of ours starts closed to PUBLIC. A function's ACL is NULL
-- until its first GRANT or REVOKE, so this closes exactly the functions that
-- are new in this install or upgrade, and leaves the grants an administrator
-- made on existing ones as they are. (A one-off REVOKE ... ON ALL FUNCTIONS
-- would not reach a function added by a later version, and would undo such
-- grants if it ran again.)
DO $privileges$
DECLARE
    new_function regprocedure;
BEGIN
    FOR new_function IN
        SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
        WHERE p.pronamespace IN ('fitbot_partman'::regnamespace, 'fitbot_partman_internal'::regnamespace)
          AND p.proacl IS NULL
    LOOP
        EXECUTE format('REVOKE ALL ON ROUTINE %s FROM PUBLIC', new_function);
    END LOOP;
END
$privileges$;

GRANT USAGE ON SCHEMA fitbot_partman TO pg_monitor;
-- The maintenance ledger and settings are readable by monitors (dashboards).
GRANT SELECT ON fitbot_partman.maintenance_runs, fitbot_partman.maintenance_run_tables,
                fitbot_partman.maintenance_settings, fitbot_partman.wide_partitions TO pg_monitor;
GRANT EXECUTE ON FUNCTION fitbot_partman.maintenance_config() TO pg_monitor;
