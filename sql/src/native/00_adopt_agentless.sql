-- A database set up agentless (`fitbot-partman setup` where the extension
-- was not installed) holds the maintenance ledger, its settings, the driver
-- and their helpers, made with plain SQL in this extension's schemas
-- (sql/src/agentless/). CREATE EXTENSION adopts them: the ledger's rows and
-- the settings carry over, and the script below then replaces the functions
-- as its own. Only what those sources create is adopted: the helpers'
-- schema, the functions in both schemas, and the ledger's tables. (In an
-- upgrade, everything is already a member: nothing to do.)
DO $adopt_agentless$
DECLARE
    adopted record;
BEGIN
    FOR adopted IN
        WITH candidates (classid, objid) AS (
            SELECT 'pg_catalog.pg_namespace'::pg_catalog.regclass, n.oid
            FROM pg_catalog.pg_namespace n WHERE n.nspname = 'fitbot_partman_internal'
            UNION ALL
            SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid
            FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname IN ('fitbot_partman', 'fitbot_partman_internal')
            UNION ALL
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, c.oid
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'fitbot_partman'
              AND c.relname IN ('maintenance_settings', 'maintenance_runs', 'maintenance_runs_run_id_seq',
                                'maintenance_run_tables'))
        SELECT o.type, o.identity
        FROM candidates c, pg_catalog.pg_identify_object(c.classid, c.objid, 0) o
        WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = c.classid AND d.objid = c.objid AND d.deptype = 'e')
        ORDER BY o.type = 'schema' DESC, o.type, o.identity
    LOOP
        EXECUTE pg_catalog.format('ALTER EXTENSION fitbot_partman ADD %s %s', adopted.type, adopted.identity);
    END LOOP;
END
$adopt_agentless$;
