-- adopt_table(), part 3: the swap (one transaction) and the procedure that
-- runs the steps of 46_adoption.sql with a commit after each.

-- Step swap. Everything the catalog ties to the table's OID stays with the
-- adopted partition; what the parent must have too is carried here, under
-- the table's ACCESS EXCLUSIVE lock, with no cost that grows with its size.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_swap(
    tbl regclass, control text, partition_interval interval, premake integer, retention interval, keep_table boolean)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, YMD'
AS $fn$
DECLARE
    step interval := coalesce(partition_interval, interval '1 month');
    rel record;
    bounds record;
    control_type regtype := (SELECT atttypid FROM pg_attribute WHERE attrelid = tbl AND attname = control);
    new_parent regclass;
    partition_name name;
    item record;
    trigger_definitions text[] := '{}';
    trigger_states text[] := '{}';
    policy_statements text[] := '{}';
    statement text;
    next_value bigint;
    suffix text;
    child_name text;
    notes text[] := '{}';
    outcome text;
BEGIN
    PERFORM fitbot_partman_internal.adopt_lock_timeout();
    SELECT n.nspname AS schema_name, c.relname AS table_name, c.relowner, c.relrowsecurity, c.relforcerowsecurity,
           c.relreplident, obj_description(c.oid, 'pg_class') AS table_comment
    INTO rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
    new_parent := to_regclass(format('%I.%I', rel.schema_name, fitbot_partman_internal.adopt_new_parent_name(rel.table_name)));

    EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', tbl);
    -- Under the lock nothing can change any more: check again.
    PERFORM fitbot_partman_internal.adopt_refusals(tbl, control, false);
    bounds := fitbot_partman_internal.adopt_bounds(tbl);
    IF NOT coalesce(bounds.validated, false) OR new_parent IS NULL
       OR obj_description(new_parent, 'pg_class') IS DISTINCT FROM fitbot_partman_internal.adopt_fingerprint(tbl) THEN
        RAISE EXCEPTION 'table % changed while it was being adopted', tbl
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Its indexes or its adoption check are not those the new parent was prepared for; nothing was swapped.',
                  HINT = 'Call adopt_table() again: it prepares the new parent anew.';
    END IF;
    partition_name := fitbot_partman_internal.partition_name(
        rel.table_name, fitbot_partman_internal.partition_suffix_format(step), bounds.lower_bound);

    -- Row and statement triggers move to the parent (a copy left on the
    -- partition would fire twice). Their definitions name the table, which
    -- is the parent's name once the renames are done.
    FOR item IN
        SELECT tgname, pg_get_triggerdef(oid) AS definition, tgenabled FROM pg_trigger
        WHERE tgrelid = tbl AND NOT tgisinternal ORDER BY tgname
    LOOP
        trigger_definitions := trigger_definitions || item.definition;
        trigger_states := trigger_states || format('ALTER TABLE %I.%I %s TRIGGER %I', rel.schema_name, rel.table_name,
                                                   CASE item.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE REPLICA'
                                                                       WHEN 'A' THEN 'ENABLE ALWAYS' ELSE 'ENABLE' END, item.tgname);
        EXECUTE format('DROP TRIGGER %I ON %s', item.tgname, tbl);
    END LOOP;
    -- Policies stay on the partition too (they guard direct access to it).
    FOR item IN
        SELECT p.polname, p.polpermissive, p.polcmd, pg_get_expr(p.polqual, p.polrelid) AS qual,
               pg_get_expr(p.polwithcheck, p.polrelid) AS with_check,
               CASE WHEN p.polroles = '{0}' THEN 'PUBLIC'
                    ELSE (SELECT string_agg(quote_ident(r.rolname), ', ') FROM pg_roles r WHERE r.oid = ANY (p.polroles)) END AS roles
        FROM pg_policy p WHERE p.polrelid = tbl ORDER BY p.polname
    LOOP
        policy_statements := policy_statements || format('CREATE POLICY %I ON %I.%I AS %s FOR %s TO %s%s%s',
            item.polname, rel.schema_name, rel.table_name, CASE WHEN item.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
            CASE item.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
            item.roles, ' USING (' || item.qual || ')', ' WITH CHECK (' || item.with_check || ')');
    END LOOP;

    EXECUTE format('ALTER TABLE %s RENAME TO %I', tbl, partition_name);
    EXECUTE format('ALTER TABLE %s RENAME TO %I', new_parent, rel.table_name);
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%L) TO (%L)', new_parent, tbl,
                   fitbot_partman_internal.adopt_literal(bounds.lower_bound, control_type),
                   fitbot_partman_internal.adopt_literal(bounds.upper_bound, control_type));
    PERFORM fitbot_partman_internal.adopt_pause('swap-attached');
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', tbl, fitbot_partman_internal.adopt_bound_name());

    -- The parent's indexes take the table's index names (ON CONFLICT ON
    -- CONSTRAINT names them); the partition's get its own.
    FOR item IN
        SELECT pi.oid AS parent_index, ci.oid AS child_index, ci.relname AS original
        FROM pg_index x JOIN pg_class ci ON ci.oid = x.indexrelid
             JOIN pg_inherits h ON h.inhrelid = ci.oid JOIN pg_class pi ON pi.oid = h.inhparent
        WHERE x.indrelid = tbl ORDER BY ci.relname
    LOOP
        IF starts_with(item.original, rel.table_name || '_') THEN
            suffix := substr(item.original, length(rel.table_name) + 2);
            child_name := left(partition_name, 62 - length(suffix)) || '_' || suffix;
        ELSE
            child_name := left(item.original, 55) || '_adopted';
        END IF;
        IF to_regclass(format('%I.%I', rel.schema_name, child_name)) IS NULL THEN
            EXECUTE format('ALTER INDEX %s RENAME TO %I', item.child_index::regclass, child_name);
            EXECUTE format('ALTER INDEX %s RENAME TO %I', item.parent_index::regclass, item.original);
        END IF;
    END LOOP;

    -- Identity: the parent's own sequence continues after the table's.
    FOR item IN
        SELECT a.attname, pg_get_serial_sequence(format('%I.%I', rel.schema_name, partition_name), a.attname) AS sequence_name
        FROM pg_attribute a WHERE a.attrelid = tbl AND a.attidentity <> '' AND NOT a.attisdropped
    LOOP
        EXECUTE format('SELECT CASE WHEN s.is_called THEN s.last_value + q.seqincrement ELSE s.last_value END
                        FROM %s s, pg_sequence q WHERE q.seqrelid = %L::regclass', item.sequence_name, item.sequence_name)
            INTO next_value;
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I RESTART WITH %s', new_parent, item.attname, next_value);
        notes := notes || format('identity %I continues at %s', item.attname, next_value);
    END LOOP;
    -- A serial column's default keeps calling its sequence: the sequence
    -- belongs to the parent now, and goes only when the parent does.
    FOR item IN
        SELECT d.objid::regclass AS sequence_name, a.attname
        FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = tbl
          AND d.deptype = 'a' AND (SELECT relkind FROM pg_class WHERE oid = d.objid) = 'S'
    LOOP
        EXECUTE format('ALTER SEQUENCE %s OWNED BY %s.%I', item.sequence_name, new_parent, item.attname);
    END LOOP;

    IF (SELECT relowner FROM pg_class WHERE oid = new_parent) <> rel.relowner THEN
        EXECUTE format('ALTER TABLE %s OWNER TO %I', new_parent, pg_get_userbyid(rel.relowner));
    END IF;
    FOR item IN
        SELECT a.privilege_type, a.grantee, a.is_grantable, NULL::name AS column_name
        FROM pg_class c, aclexplode(c.relacl) a WHERE c.oid = tbl AND a.grantee <> c.relowner
        UNION ALL
        SELECT a.privilege_type, a.grantee, a.is_grantable, t.attname
        FROM pg_attribute t, aclexplode(t.attacl) a WHERE t.attrelid = tbl AND t.attacl IS NOT NULL AND NOT t.attisdropped
    LOOP
        EXECUTE format('GRANT %s%s ON TABLE %s TO %s%s', item.privilege_type, ' (' || quote_ident(item.column_name) || ')', new_parent,
                       CASE WHEN item.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(item.grantee)) END,
                       CASE WHEN item.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
    IF rel.relrowsecurity THEN
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', new_parent);
    END IF;
    IF rel.relforcerowsecurity THEN
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', new_parent);
    END IF;
    FOREACH statement IN ARRAY policy_statements || trigger_definitions || trigger_states LOOP
        EXECUTE statement;
    END LOOP;
    IF rel.table_comment IS NOT NULL OR obj_description(new_parent, 'pg_class') IS NOT NULL THEN
        EXECUTE format('COMMENT ON TABLE %s IS %L', new_parent, rel.table_comment);
    END IF;
    IF rel.relreplident = 'f' THEN
        EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', new_parent);
    ELSIF rel.relreplident = 'n' THEN
        EXECUTE format('ALTER TABLE %s REPLICA IDENTITY NOTHING', new_parent);
    ELSIF rel.relreplident = 'i' THEN
        EXECUTE format('ALTER TABLE %s REPLICA IDENTITY USING INDEX %I', new_parent,
                       (SELECT pi.relname FROM pg_index x JOIN pg_inherits h ON h.inhrelid = x.indexrelid
                               JOIN pg_class pi ON pi.oid = h.inhparent
                        WHERE x.indrelid = tbl AND x.indisreplident));
    END IF;
    FOR item IN
        SELECT attname, attstattarget FROM pg_attribute
        WHERE attrelid = tbl AND attnum > 0 AND NOT attisdropped AND attstattarget >= 0
    LOOP
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STATISTICS %s', new_parent, item.attname, item.attstattarget);
    END LOOP;
    -- Publication membership: the parent publishes the new rows; a
    -- subscriber applies them to a table of this name only with
    -- publish_via_partition_root, which holds for the whole publication.
    FOR item IN
        SELECT p.pubname, p.pubviaroot FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid
        WHERE pr.prrelid = tbl ORDER BY p.pubname
    LOOP
        EXECUTE format('ALTER PUBLICATION %I ADD TABLE %s', item.pubname, new_parent);
        notes := notes || format('added to publication %I%s', item.pubname,
                                 CASE WHEN NOT item.pubviaroot THEN ' (subscribers need it to publish_via_partition_root: ALTER PUBLICATION ' || quote_ident(item.pubname) || ' SET (publish_via_partition_root = true))' ELSE '' END);
    END LOOP;

    outcome := fitbot_partman.register_table(new_parent, control, partition_interval, premake,
                                             retention, keep_table);
    -- register_table() (pg_partman's create_parent()) leaves its own
    -- search_path in this session; the procedure puts the caller's back.
    RETURN format('%s became partition %s [%s, %s) of the new partitioned table %s; %s%s',
                  rel.table_name, partition_name, bounds.lower_bound, bounds.upper_bound, new_parent::oid::pg_catalog.regclass, outcome,
                  coalesce('; ' || pg_catalog.array_to_string(notes, '; '), ''));
END
$fn$;

CREATE OR REPLACE PROCEDURE fitbot_partman.adopt_table(
    tbl regclass,
    control text,
    partition_interval interval DEFAULT NULL,
    premake integer DEFAULT NULL,
    retention interval DEFAULT interval '-1 microsecond',
    keep_table boolean DEFAULT NULL)
LANGUAGE plpgsql
-- No SET clause: a procedure with one cannot commit between its steps. So
-- every name below is schema-qualified, and the caller's search_path (which
-- create_parent() changes) is put back at the end.
AS $fn$
DECLARE
    caller_search_path text := pg_catalog.current_setting('search_path');
    table_oid oid;
    step_interval interval := coalesce(partition_interval, interval '1 month');
    step text;
    outcome text;
    deadline timestamptz;
    pause float8;
BEGIN
    IF tbl IS NULL OR control IS NULL THEN
        RAISE EXCEPTION 'tbl and control must not be null'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass the table to partition and its time column.';
    END IF;
    table_oid := tbl;
    IF (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) table_oid) OPERATOR(pg_catalog.=) 'p'
       AND fitbot_partman_internal.partman_schema() IS NOT NULL
       AND fitbot_partman_internal.is_registered(tbl) THEN
        RAISE NOTICE 'table % is partitioned and registered already: nothing to adopt', tbl
            USING HINT = pg_catalog.format('Change its settings with fitbot_partman.register_table(%L, %L, ...).', tbl::text, control);
        RETURN;
    END IF;
    -- Claimed before the refusals (one of which scans the table), released
    -- on every error below: nothing is left held but by a cancel.
    PERFORM fitbot_partman_internal.adopt_claim(table_oid);
    BEGIN
        PERFORM fitbot_partman_internal.adopt_option_refusals(partition_interval, premake, retention);
        PERFORM fitbot_partman_internal.adopt_refusals(tbl, control, (fitbot_partman_internal.adopt_bounds(tbl)).validated IS NOT TRUE);
        PERFORM fitbot_partman_internal.adopt_name_refusals(tbl, control, step_interval, retention);
    EXCEPTION WHEN OTHERS THEN
        PERFORM fitbot_partman_internal.adopt_release(table_oid);
        RAISE;
    END;

    deadline := pg_catalog.clock_timestamp() OPERATOR(pg_catalog.+)
                fitbot_partman_internal.maintenance_setting('time_budget')::interval;
    FOREACH step IN ARRAY ARRAY['constrain', 'validate', 'not-null', 'prepare', 'swap'] LOOP
        PERFORM fitbot_partman_internal.adopt_pause(step);
        pause := 0.05;
        LOOP
            BEGIN
                outcome := CASE step
                    WHEN 'constrain' THEN fitbot_partman_internal.adopt_constrain(table_oid, control, step_interval, retention)
                    WHEN 'validate' THEN fitbot_partman_internal.adopt_validate(table_oid)
                    WHEN 'not-null' THEN fitbot_partman_internal.adopt_set_not_null(table_oid, control)
                    WHEN 'prepare' THEN fitbot_partman_internal.adopt_prepare(table_oid, control)
                    ELSE fitbot_partman_internal.adopt_swap(table_oid, control, partition_interval, premake, retention, keep_table) END;
                EXIT;
            EXCEPTION WHEN lock_not_available THEN
                -- Lock waits are bounded, retried with a growing pause
                -- (other sessions' statements go first meanwhile).
                IF pg_catalog.clock_timestamp() OPERATOR(pg_catalog.>=) deadline THEN
                    PERFORM fitbot_partman_internal.adopt_release(table_oid);
                    RAISE EXCEPTION 'adopt_table: no lock on % for step % within the time budget', tbl, step
                        USING ERRCODE = 'lock_not_available',
                              DETAIL = 'Each attempt waits at most the driver''s lock_timeout; long transactions on the table kept it locked.',
                              HINT = 'Call adopt_table() again when the table is quieter: it resumes at this step (settings lock_timeout and time_budget in fitbot_partman.maintenance_settings).';
                END IF;
                WHEN OTHERS THEN
                    PERFORM fitbot_partman_internal.adopt_release(table_oid);
                    RAISE;
            END;
            PERFORM pg_catalog.pg_sleep(pause);
            pause := least(pause OPERATOR(pg_catalog.*) 2, 1);
        END LOOP;
        IF outcome IS NOT NULL THEN
            RAISE NOTICE 'adopt_table %: %', step, outcome;
        END IF;
        COMMIT;
    END LOOP;
    PERFORM fitbot_partman_internal.adopt_release(table_oid);
    PERFORM pg_catalog.set_config('search_path', caller_search_path, false);
END
$fn$;

COMMENT ON PROCEDURE fitbot_partman.adopt_table(regclass, text, interval, integer, interval, boolean) IS
'Turns a populated plain table into a pg_partman-managed range-partitioned table of the same name, online and without copying rows (the table becomes its oldest partition); resumable; call outside a transaction block; options as register_table()';
