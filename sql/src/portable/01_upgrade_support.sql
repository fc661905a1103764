-- What upgrade scripts use to replace a function safely (see sql/README.md).
--
-- CREATE OR REPLACE keeps a function's grants, but cannot change its OUT list
-- or move it to another schema: such a function is dropped and created
-- anew. An upgrade never CASCADEs a user's object away: it stops and names
-- the object instead. Grants made on the dropped function are saved and
-- replayed on its successor once the new version's functions exist.

CREATE OR REPLACE FUNCTION fitbot_partman_internal.drop_function_for_upgrade(
    old_function regprocedure, successor text, reason text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    extension_oid oid := (SELECT oid FROM pg_extension WHERE extname = 'fitbot_partman');
    dependents text;
BEGIN
    -- Objects outside the extension that need the function: views (through
    -- their rewrite rules), other functions' defaults, constraints, ...
    SELECT string_agg(DISTINCT CASE WHEN d.classid = 'pg_rewrite'::regclass
                                    THEN format('view %s', (SELECT r.ev_class::regclass FROM pg_rewrite r WHERE r.oid = d.objid))
                                    ELSE pg_describe_object(d.classid, d.objid, d.objsubid) END, ', ')
    INTO dependents
    FROM pg_depend d
    WHERE d.refclassid = 'pg_proc'::regclass AND d.refobjid = old_function AND d.deptype = 'n'
      AND NOT EXISTS (SELECT 1 FROM pg_depend m
                      WHERE m.classid = d.classid AND m.objid = d.objid AND m.deptype = 'e'
                        AND m.refclassid = 'pg_extension'::regclass AND m.refobjid = extension_oid);
    IF dependents IS NOT NULL THEN
        RAISE EXCEPTION 'cannot update extension fitbot_partman: % depends on function %', dependents, old_function
            USING ERRCODE = 'dependent_objects_still_exist',
                  DETAIL = format('This version replaces %s with %s (%s). Nothing was changed.', old_function, successor, reason),
                  HINT = format('Save the definition of %s and drop it, run ALTER EXTENSION fitbot_partman UPDATE again, then create it again using %s.',
                                dependents, successor);
    END IF;

    CREATE TEMP TABLE IF NOT EXISTS fitbot_partman_saved_grants (successor text, acl aclitem[], old_schema oid)
        ON COMMIT DROP;
    INSERT INTO fitbot_partman_saved_grants
    SELECT successor, p.proacl, p.pronamespace FROM pg_proc p WHERE p.oid = old_function AND p.proacl IS NOT NULL;
    EXECUTE format('DROP ROUTINE %s', old_function);
END
$fn$;

-- Replays the grants saved by drop_function_for_upgrade() on the successors,
-- with USAGE on their schema for a grantee that had USAGE on the old
-- function's schema, so that what a role could call before the upgrade it
-- can call after it, and no more (PUBLIC's EXECUTE on next_run() does not
-- open schema fitbot_partman to PUBLIC).
CREATE OR REPLACE FUNCTION fitbot_partman_internal.restore_grants_after_upgrade()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    saved record;
BEGIN
    IF to_regclass('pg_temp.fitbot_partman_saved_grants') IS NULL THEN
        RETURN;
    END IF;
    FOR saved IN
        SELECT s.successor::regprocedure AS successor, a.grantee, a.privilege_type, a.is_grantable,
               (SELECT p.pronamespace::regnamespace FROM pg_proc p WHERE p.oid = s.successor::regprocedure) AS successor_schema,
               s.old_schema
        FROM pg_temp.fitbot_partman_saved_grants s CROSS JOIN LATERAL aclexplode(s.acl) a
        WHERE a.grantee <> (SELECT p.proowner FROM pg_proc p WHERE p.oid = s.successor::regprocedure)
    LOOP
        EXECUTE format('GRANT %s ON ROUTINE %s TO %s%s', saved.privilege_type, saved.successor,
                       CASE WHEN saved.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(saved.grantee::regrole::text) END,
                       CASE WHEN saved.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
        IF has_schema_privilege(CASE WHEN saved.grantee = 0 THEN 'public' ELSE saved.grantee::regrole::text END,
                                saved.old_schema, 'USAGE') THEN
            EXECUTE format('GRANT USAGE ON SCHEMA %s TO %s', saved.successor_schema,
                           CASE WHEN saved.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(saved.grantee::regrole::text) END);
        END IF;
    END LOOP;
    DROP TABLE pg_temp.fitbot_partman_saved_grants;
END
$fn$;
