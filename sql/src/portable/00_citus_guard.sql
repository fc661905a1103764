-- On a Citus coordinator, Citus sends CREATE EXTENSION and ALTER EXTENSION
-- UPDATE to every worker unless DDL propagation is off. This extension,
-- pg_partman and pg_cron belong on the coordinator only (docs/citus.md: Beyond one
-- machine): pg_cron is not loaded on a worker, so the command fails there
-- with a confusing error, and an extension Citus marks distributed is also
-- created on every node added later, which then needs its files. Stop
-- before anything happens, and say how to run it.
DO $citus_guard$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus')
       AND pg_catalog.current_setting('citus.enable_ddl_propagation', true) IS DISTINCT FROM 'off' THEN
        RAISE EXCEPTION 'Citus would send this command to every worker node'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'fitbot_partman, pg_partman and pg_cron belong on the Citus coordinator only; pg_cron is not loaded on the workers.',
                  HINT = 'In the same session run SET citus.enable_ddl_propagation TO off; then repeat the command, and RESET citus.enable_ddl_propagation; afterwards.';
    END IF;
END
$citus_guard$;
