-- A database set up agentless (`fitbot-partman setup` where the extension
-- was not installed) holds the maintenance ledger, its settings, the driver
-- and their helpers, made with plain SQL in this extension's schemas
-- (sql/src/agentless/). CREATE EXTENSION adopts them: the ledger's rows and
-- the settings carry over, and the script below then replaces the functions
-- as its own. Only what those sources create is adopted: the helpers'
-- schema, the functions in both schemas, and the ledger's tables. (In an
-- upgrade, everything is already a member: nothing to do.)
--
-- Only objects the installing role owns are adopted (issue 19): ALTER
-- EXTENSION ADD would make another role's function ours, and a superuser
-- calling it would run that role's code. Anything else stops the install.
DO $adopt_agentless$
DECLARE
    adopted record;
BEGIN
    FOR adopted IN
        WITH candidates (classid, objid, owner) AS (
            SELECT 'pg_catalog.pg_namespace'::pg_catalog.regclass, n.oid, n.nspowner
            FROM pg_catalog.pg_namespace n WHERE n.nspname = 'fitbot_partman_internal'
            UNION ALL
            SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass, p.oid, p.proowner
            FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname IN ('fitbot_partman', 'fitbot_partman_internal')
            UNION ALL
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass, c.oid, c.relowner
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'fitbot_partman'
              AND c.relname IN ('maintenance_settings', 'maintenance_runs', 'maintenance_runs_run_id_seq',
                                'maintenance_run_tables', 'wide_partitions'))
        SELECT o.type, o.identity, pg_catalog.pg_get_userbyid(c.owner) AS owner,
               c.owner OPERATOR(pg_catalog.<>) (SELECT r.oid FROM pg_catalog.pg_roles r
                                                WHERE r.rolname OPERATOR(pg_catalog.=) current_user) AS foreign_owner
        FROM candidates c, pg_catalog.pg_identify_object(c.classid, c.objid, 0) o
        WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid = c.classid AND d.objid = c.objid AND d.deptype = 'e')
        ORDER BY foreign_owner DESC, o.type = 'schema' DESC, o.type, o.identity
    LOOP
        IF adopted.foreign_owner THEN
            RAISE EXCEPTION '% % belongs to role %, not to %: it cannot become part of fitbot_partman',
                            adopted.type, adopted.identity, adopted.owner, current_user
                USING ERRCODE = 'insufficient_privilege',
                      DETAIL = 'CREATE EXTENSION adopts what an agentless install (fitbot-partman setup) made, but only objects the installing role owns: another role''s function would run its code as whoever calls it. Nothing was installed.',
                      HINT = pg_catalog.format('Check who made %s %s. If it is not the agentless install''s, drop it; if it is, run CREATE EXTENSION as role %I, or give it to %I (ALTER %s %s OWNER TO %I), then run this again.',
                                               adopted.type, adopted.identity, adopted.owner, current_user,
                                               pg_catalog.upper(adopted.type), adopted.identity, current_user);
        END IF;
        EXECUTE pg_catalog.format('ALTER EXTENSION fitbot_partman ADD %s %s', adopted.type, adopted.identity);
    END LOOP;
END
$adopt_agentless$;
