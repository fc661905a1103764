-- adopt_table(), part 2: a populated plain table becomes a pg_partman-managed
-- range-partitioned table of the same name, online and without copying rows.
--
-- The table itself (its relfilenode) becomes the oldest partition
-- [lower, upper) of a new parent. Steps, each its own transaction, each lock
-- taken under the driver's lock_timeout and retried within its time_budget:
--   constrain  CHECK (control IS NOT NULL AND lower <= control < upper)
--              NOT VALID: a brief ACCESS EXCLUSIVE lock, no scan. It applies
--              to new rows at once, so upper leaves room: the start of the
--              interval after next. lower is the interval boundary at or
--              before the older of the oldest row and one retention period
--              (at least a year) ago, so that devices re-syncing their
--              history are not refused while the adoption runs.
--   validate   VALIDATE CONSTRAINT: a scan under SHARE UPDATE EXCLUSIVE,
--              which blocks no reads or writes.
--   not-null   SET NOT NULL on control: no scan, the validated check implies it.
--   prepare    the new parent, empty, under a temporary name: CREATE TABLE
--              (LIKE ... INCLUDING ALL) PARTITION BY RANGE, its outgoing
--              foreign keys (nothing to validate in an empty table).
--   swap       one transaction: ACCESS EXCLUSIVE on the table, renames,
--              ATTACH (no scan: the validated check implies the bound; no
--              index build: the parent's indexes match the table's), then
--              identity, serial sequences, owner, grants, RLS and policies,
--              row triggers, comment, replica identity, statistics targets,
--              publications, and register_table(), which makes the future
--              partitions and the default partition.
-- Interrupted anywhere, a new call finds the step from the catalog (the
-- adopt constraint and whether it is validated, NOT NULL, the new parent)
-- and finishes; a swap interrupted is rolled back whole.

-- Tests hold adopt_table() before a step to kill it there: a setting no one
-- sets otherwise.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_pause(step text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF current_setting('fitbot_partman_test.adopt_pause_at', true) = step THEN
        RAISE NOTICE 'adopt_table: paused before step %', step;
        PERFORM pg_sleep(600);
    END IF;
END
$fn$;

-- One adoption of a table at a time. adopt_table() holds a session-level
-- advisory lock (@ADOPTION_LOCK_CLASS@, the table's OID) from its first
-- check to its end, across the commits between its steps; a second call,
-- from another session, is refused at once instead of racing the first
-- through the steps. The lock goes when the call ends, fails, or its session
-- ends (kill -9 and crashes included); a call cancelled mid-way leaves it to
-- its session, whose next adopt_table() of the table resumes the adoption.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_claim_key(tbl oid)
RETURNS integer
LANGUAGE sql IMMUTABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    -- the OID's 32 bits as an int4, so that pg_locks.objid shows the OID
    SELECT CASE WHEN tbl::bigint > 2147483647 THEN (tbl::bigint - 4294967296)::integer ELSE tbl::bigint::integer END
$$;

-- The backend holding the adoption of tbl, or NULL.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_claim_holder(tbl oid)
RETURNS integer
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT l.pid FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND l.classid = @ADOPTION_LOCK_CLASS@ AND l.objid = tbl
    LIMIT 1
$$;

-- Claims the adoption of tbl for this session, or refuses.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_claim(tbl regclass)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    holder integer := fitbot_partman_internal.adopt_claim_holder(tbl);
    holder_state text;
BEGIN
    IF holder = pg_backend_pid() THEN
        RETURN;  -- left by this session's cancelled call: resume
    END IF;
    IF pg_try_advisory_lock(@ADOPTION_LOCK_CLASS@, fitbot_partman_internal.adopt_claim_key(tbl)) THEN
        RETURN;
    END IF;
    holder := fitbot_partman_internal.adopt_claim_holder(tbl);
    SELECT a.state INTO holder_state FROM pg_stat_activity a WHERE a.pid = holder;
    RAISE EXCEPTION 'table % is being adopted by another session', tbl
        USING ERRCODE = 'object_in_use',
              DETAIL = format('Session %s (%s) holds the adoption of the table; it changed nothing yet or resumes where it stopped.',
                              coalesce(holder::text, 'unknown'), coalesce(holder_state, 'state not visible')),
              HINT = 'Wait for that call to finish. If it was cancelled, call adopt_table() again in that session or end it (pg_terminate_backend); any session can then resume the adoption.';
END
$fn$;

CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_release(tbl regclass)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_advisory_unlock(@ADOPTION_LOCK_CLASS@, fitbot_partman_internal.adopt_claim_key(tbl))
    WHERE fitbot_partman_internal.adopt_claim_holder(tbl) = pg_backend_pid()
$$;

-- Every lock below is waited for at most the driver's lock_timeout; the
-- caller retries within its time budget.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_lock_timeout()
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT set_config('lock_timeout', fitbot_partman_internal.maintenance_setting('lock_timeout'), true),
           set_config('statement_timeout', '0', true)
$$;

-- A time as a literal of the control column's type.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_literal(instant timestamptz, control_type regtype)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, YMD'
AS $fn$
DECLARE
    result text;
BEGIN
    EXECUTE format('SELECT $1::%s::text', control_type) INTO result USING instant;
    RETURN result;
END
$fn$;

-- Step constrain: the NOT VALID bound check (again, with a new upper bound,
-- if an interrupted adoption left one that leaves less than an interval of
-- room).
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_constrain(tbl regclass, control text, step interval, retention interval)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET DateStyle = 'ISO, YMD'
AS $fn$
DECLARE
    control_type regtype := (SELECT atttypid FROM pg_attribute WHERE attrelid = tbl AND attname = control);
    existing record := fitbot_partman_internal.adopt_bounds(tbl);
    lower_bound timestamptz;
    upper_bound timestamptz := fitbot_partman_internal.grid_boundary_at_or_before(now(), step) + 2 * step;
    note text;
BEGIN
    PERFORM fitbot_partman_internal.adopt_lock_timeout();
    IF existing.upper_bound IS NOT NULL THEN
        IF existing.upper_bound >= fitbot_partman_internal.grid_boundary_at_or_before(now(), step) + step THEN
            RETURN NULL;  -- done before
        END IF;
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', tbl, fitbot_partman_internal.adopt_bound_name());
        note := format('the bound check left by an interrupted adoption ended at %s; replaced', existing.upper_bound);
    END IF;
    lower_bound := fitbot_partman_internal.adopt_lower_bound(tbl, control, step, retention);
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (%I IS NOT NULL AND %I >= %L::%s AND %I < %L::%s) NOT VALID',
                   tbl, fitbot_partman_internal.adopt_bound_name(), control,
                   control, fitbot_partman_internal.adopt_literal(lower_bound, control_type), control_type,
                   control, fitbot_partman_internal.adopt_literal(upper_bound, control_type), control_type);
    RETURN concat_ws('; ', note, format('new rows must lie in [%s, %s) until the swap', lower_bound, upper_bound));
END
$fn$;

-- Step validate: a scan that blocks no writes.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_validate(tbl regclass)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    bounds record := fitbot_partman_internal.adopt_bounds(tbl);
    failure text;
BEGIN
    IF bounds.validated THEN
        RETURN NULL;
    END IF;
    PERFORM fitbot_partman_internal.adopt_lock_timeout();
    BEGIN
        EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT %I', tbl, fitbot_partman_internal.adopt_bound_name());
    EXCEPTION WHEN check_violation THEN
        GET STACKED DIAGNOSTICS failure = MESSAGE_TEXT;
        -- Rows outside [lower, upper) or NULLs came in before the check was
        -- added: take it away, so that nothing is refused meanwhile.
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', tbl, fitbot_partman_internal.adopt_bound_name());
        RAISE EXCEPTION 'rows of table % lie outside [%, %) or have no time', tbl, bounds.lower_bound, bounds.upper_bound
            USING ERRCODE = 'check_violation',
                  DETAIL = format('%s. They were written before the adoption''s check applied; the check has been removed again.', failure),
                  HINT = 'Call adopt_table() again: it chooses its bounds from the rows as they are then (delete or fix rows without a time first).';
    END;
    RETURN format('validated: every row lies in [%s, %s)', bounds.lower_bound, bounds.upper_bound);
END
$fn$;

-- Step not-null: no scan, the validated check implies it.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_set_not_null(tbl regclass, control text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    IF (SELECT attnotnull FROM pg_attribute WHERE attrelid = tbl AND attname = control) THEN
        RETURN NULL;
    END IF;
    PERFORM fitbot_partman_internal.adopt_lock_timeout();
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET NOT NULL', tbl, control);
    RETURN format('column %I set NOT NULL', control);
END
$fn$;

-- What the new parent was prepared from: its indexes must still be the
-- table's when the swap attaches it, or ATTACH would build one.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_fingerprint(tbl regclass)
RETURNS text
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT format('fitbot_partman adopt_table: new parent for table %s, indexes {%s}', tbl::oid,
                  (SELECT string_agg(indexrelid::text, ',' ORDER BY indexrelid) FROM pg_index WHERE indrelid = tbl))
$$;

-- Step prepare: the new parent under a temporary name, made anew on every
-- call (it is empty; a leftover of an interrupted call is dropped).
CREATE OR REPLACE FUNCTION fitbot_partman_internal.adopt_prepare(tbl regclass, control text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    schema_name name;
    table_name name;
    temp_name name;
    leftover regclass;
    new_parent regclass;
    foreign_key record;
BEGIN
    SELECT n.nspname, c.relname INTO schema_name, table_name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = tbl;
    temp_name := fitbot_partman_internal.adopt_new_parent_name(table_name);
    PERFORM fitbot_partman_internal.adopt_lock_timeout();
    leftover := to_regclass(format('%I.%I', schema_name, temp_name));
    IF leftover IS NOT NULL THEN
        IF coalesce(obj_description(leftover, 'pg_class'), '') NOT LIKE format('fitbot_partman adopt_table: new parent for table %s,%%', tbl::oid) THEN
            RAISE EXCEPTION 'table % exists', leftover
                USING ERRCODE = 'duplicate_table',
                      DETAIL = 'adopt_table() prepares the new partitioned table under that name.',
                      HINT = format('Rename or drop %s, then call adopt_table() again.', leftover);
        END IF;
        EXECUTE format('DROP TABLE %s', leftover);
    END IF;
    -- LIKE ... INCLUDING ALL: columns, defaults, identity, generated
    -- columns, CHECK constraints, indexes (as partitioned indexes, matched
    -- by ATTACH to the table's own), storage, compression, comments and
    -- extended statistics. Not the adopt check: it would bound the parent.
    EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING ALL) PARTITION BY RANGE (%I)', schema_name, temp_name, tbl, control);
    new_parent := format('%I.%I', schema_name, temp_name)::regclass;
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', new_parent, fitbot_partman_internal.adopt_bound_name());
    -- Outgoing foreign keys, as the table has them: ATTACH then adopts the
    -- table's own constraint without validating it again.
    FOR foreign_key IN
        SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint
        WHERE conrelid = tbl AND contype = 'f' ORDER BY conname
    LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', new_parent, foreign_key.conname, foreign_key.definition);
    END LOOP;
    EXECUTE format('COMMENT ON TABLE %s IS %L', new_parent, fitbot_partman_internal.adopt_fingerprint(tbl));
    RETURN format('prepared the new parent as %I.%I', schema_name, temp_name);
END
$fn$;
