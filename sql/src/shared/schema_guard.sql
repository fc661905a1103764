-- Refuse to install into a schema someone else controls (issue 19).
--
-- A role that owns one of our schemas, or may CREATE in it, can replace or
-- shadow what we install there (PostgreSQL 15 installs an extension into an
-- existing schema whoever owns it) and so run its own code as whoever calls
-- it: the job's owner, a superuser. PostgreSQL's rule for extension scripts is
-- to install only where untrusted roles have not, and will not get, CREATE.
-- So before anything is created or adopted, every schema of ours that already
-- exists must belong to the installing role and grant CREATE to no one else.
--
-- The one copy of that check, shared by the extension's install script, the
-- agentless install and the readers `fitbot-partman setup` installs (see the
-- Makefile). It is a function in pg_temp, the session's own schema that no
-- other role can reach, because the schemas it checks are the ones not to be
-- trusted yet; each caller drops it after the call.
CREATE FUNCTION pg_temp.fitbot_partman_refuse_unsafe_schemas(schemas name[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $guard$
DECLARE
    unsafe record;
BEGIN
    FOR unsafe IN
        SELECT n.nspname, pg_get_userbyid(n.nspowner) AS owner, n.nspowner <> r.oid AS foreign_owner,
               (SELECT string_agg(CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                                  ', ' ORDER BY a.grantee)
                FROM aclexplode(n.nspacl) a
                WHERE a.privilege_type = 'CREATE' AND a.grantee <> r.oid) AS creators
        FROM pg_namespace n, pg_roles r
        WHERE n.nspname = ANY (schemas) AND r.rolname = current_user
        ORDER BY n.nspname
    LOOP
        IF unsafe.foreign_owner THEN
            RAISE EXCEPTION 'schema % already exists and belongs to role %, not to %', unsafe.nspname, unsafe.owner, current_user
                USING ERRCODE = 'insufficient_privilege',
                      DETAIL = 'The owner of a schema can replace anything installed in it, and so run its own code as whoever calls it. Nothing was installed.',
                      HINT = format('Check what schema %1$I holds and who made it. If it is not yours, drop it (DROP SCHEMA %1$I CASCADE) or take it over (ALTER SCHEMA %1$I OWNER TO %2$I), then run this again as %2$I.',
                                    unsafe.nspname, current_user);
        ELSIF unsafe.creators IS NOT NULL THEN
            RAISE EXCEPTION 'role(s) % may create objects in schema %', unsafe.creators, unsafe.nspname
                USING ERRCODE = 'insufficient_privilege',
                      DETAIL = 'A role that may create in a schema can shadow the functions installed in it, and so run its own code as whoever calls them. Nothing was installed.',
                      HINT = format('Run REVOKE CREATE ON SCHEMA %I FROM %s; then run this again.', unsafe.nspname, unsafe.creators);
        END IF;
    END LOOP;
END
$guard$;
