-- run_maintenance(): pg_partman's maintenance, one table per transaction,
-- that never stalls ingest for longer than lock_timeout, isolates a failing
-- table from the others, and records every run in the ledger.
--
-- Why it is built the way it is:
-- * It commits after every table. A procedure with a SET clause or SECURITY
--   DEFINER cannot COMMIT, so this one has neither: it runs with the caller's
--   rights and search_path, and names every object with its schema.
-- * COMMIT is not allowed inside a block with an EXCEPTION clause. Each attempt
--   runs in such a block (a subtransaction); the COMMIT follows outside it.
-- * pg_partman re-raises every error as P0001, so a lock timeout inside it
--   would look like any other failure. The driver therefore takes the locks
--   first, under lock_timeout: LOCK TABLE on the parent takes ACCESS
--   EXCLUSIVE on it and on every partition, among them the default partition
--   (scanned when a partition is created) and the expired ones (dropped by
--   retention). Inserts queue behind a waiting lock request, so lock_timeout
--   is also the longest an insert can stall. A table that times out is tried
--   again, with backoff, within the time budget.
-- * pg_partman's run_maintenance() returns silently when its advisory lock is
--   held elsewhere. The driver takes that lock itself in the same transaction,
--   and never records such a skip as a success.
-- * Overlap: every transaction of a run holds the advisory lock
--   (@MAINTENANCE_LOCK@), the backoff sleeps included. A run that cannot take it does
--   nothing and records "skipped". A transaction lock ends with the
--   transaction, so a cancelled run never leaves it behind; its ledger row,
--   left "running", is closed as interrupted by the next run whose session
--   is gone or has moved on. (Between two transactions of a run, another run
--   may take the lock: it closes nothing of a run still in progress, and the
--   first run yields the tables it cannot lock.)
-- * pg_partman sets search_path for the session; the caller's is put back.
-- * Each attempt is bounded by the budget left, so premake-sized work cannot
--   hold ACCESS EXCLUSIVE past it (issue 19). SET LOCAL statement_timeout
--   would not do it: PostgreSQL arms that timer when a top-level statement
--   starts, and the run is one CALL. Where our library is loaded,
--   limit_attempt() arms a timer of its own (native/27_attempt_deadline.sql);
--   agentless, nothing can stop a statement inside the CALL, and only
--   lock_timeout and premake's bound limit an attempt.

-- The partitions of a table, by name (to count what maintenance created and
-- dropped).
CREATE OR REPLACE FUNCTION fitbot_partman_internal.partition_names(parent regclass)
RETURNS text[]
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(array_agg(i.inhrelid::regclass::text), '{}') FROM pg_inherits i WHERE i.inhparent = parent
$$;

-- A part_config.parent_table (schema and table, unquoted, joined by a dot)
-- as a regclass, or NULL when there is no such table.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.parent_table_oid(parent_table text)
RETURNS regclass
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT c.oid::regclass FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = split_part(parent_table, '.', 1) AND c.relname = substr(parent_table, length(split_part(parent_table, '.', 1)) + 2)
$$;

-- Removes the oldest runs beyond the ledger's bounds.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.prune_maintenance_ledger(current_run bigint)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    DELETE FROM fitbot_partman.maintenance_runs r
    WHERE r.run_id <> current_run
      AND (r.started_at < now() - make_interval(days => fitbot_partman_internal.maintenance_setting('ledger_keep_days')::int)
           OR r.run_id < (SELECT min(k.run_id) FROM (SELECT run_id FROM fitbot_partman.maintenance_runs
                                                      ORDER BY run_id DESC
                                                      LIMIT fitbot_partman_internal.maintenance_setting('ledger_keep_runs')::int) k))
$$;

-- Agentless stand-ins for the native timer (see above): the attempt is not
-- cut off, and never was.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.limit_attempt(deadline timestamptz)
RETURNS boolean
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT false $$;

CREATE OR REPLACE FUNCTION fitbot_partman_internal.attempt_cut_off()
RETURNS boolean
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT false $$;

CREATE OR REPLACE PROCEDURE fitbot_partman.run_maintenance(
    parent regclass DEFAULT NULL,
    lock_timeout interval DEFAULT NULL,
    time_budget interval DEFAULT NULL,
    run_trigger text DEFAULT 'manual')
LANGUAGE plpgsql
AS $proc$
DECLARE
    caller_search_path text := pg_catalog.current_setting('search_path');
    partman name := fitbot_partman_internal.partman_schema();
    lock_wait_limit interval;
    budget interval;
    setting_problem record;
    deadline timestamptz;
    run bigint;
    parents text[];
    parent_table text;
    parent_oid regclass;
    table_started timestamptz;
    lock_requested timestamptz;
    attempt_started timestamptz;
    attempts integer;
    lock_waits integer;
    lock_wait_seconds double precision;
    backoff interval;
    table_outcome text;
    table_message text;
    before_partitions text[];
    after_partitions text[];
    created integer;
    dropped integer;
    yielded boolean := false;
    rows_expired bigint;
    from_block bigint;
    wide_steps integer;
    wide_step record;
    -- On a Citus coordinator, the parent's partitions have shards on the
    -- workers, and dropping or creating a partition waits for locks there.
    -- Citus sends a SET LOCAL statement (not set_config()) to the workers
    -- when citus.propagate_set_commands is 'local', so the lock wait below
    -- is bounded on every node.
    citus boolean := EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus');
BEGIN
    -- Arguments are held to the bounds of the settings they override.
    SELECT a.setting, fitbot_partman_internal.maintenance_setting_problem(a.setting, a.value) AS problem INTO setting_problem
    FROM (VALUES ('lock_timeout', lock_timeout::text), ('time_budget', time_budget::text)) a (setting, value)
    WHERE a.value IS NOT NULL AND fitbot_partman_internal.maintenance_setting_problem(a.setting, a.value) IS NOT NULL
    LIMIT 1;
    IF setting_problem.problem IS NOT NULL THEN
        RAISE EXCEPTION '%', replace(setting_problem.problem, 'maintenance setting', 'argument')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = fitbot_partman_internal.maintenance_setting_hint(setting_problem.setting)
                         || ' Omit it to use fitbot_partman.maintenance_config().';
    END IF;
    IF run_trigger IS NULL OR run_trigger NOT IN ('manual', 'pg_cron') THEN
        RAISE EXCEPTION 'run_trigger must be ''manual'' or ''pg_cron'', not %', coalesce(quote_literal(run_trigger), 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Omit it when you run maintenance by hand.';
    END IF;
    IF partman IS NULL THEN
        RAISE EXCEPTION 'extension "pg_partman" is not installed'
            USING ERRCODE = 'undefined_object', HINT = 'Run CREATE EXTENSION pg_partman, then register a table.';
    END IF;
    IF pg_catalog.pg_is_in_recovery() THEN
        -- pg_partman does the same: a standby replays the primary's maintenance.
        RAISE NOTICE 'this server is a standby; maintenance runs on the primary';
        RETURN;
    END IF;
    IF NOT pg_catalog.pg_try_advisory_xact_lock(@MAINTENANCE_LOCK@) THEN
        INSERT INTO fitbot_partman.maintenance_runs (trigger, application_name, outcome, finished_at, message)
        VALUES (run_trigger, pg_catalog.current_setting('application_name'), 'skipped', pg_catalog.clock_timestamp(),
                'another run of fitbot_partman.run_maintenance() was in progress');
        RAISE NOTICE 'another run of fitbot_partman.run_maintenance() is in progress; nothing done';
        RETURN;
    END IF;

    -- Close the rows of runs that were cut short. Only those: another run
    -- lets the lock go between two of its transactions (a COMMIT ends a
    -- transaction lock), and is in progress all the same. As health judges
    -- it (core/ledger_liveness.h): its session is gone, or is not the run's
    -- (started after it), or is idle, or has moved on to a later statement.
    UPDATE fitbot_partman.maintenance_runs r
    SET outcome = 'failed', finished_at = pg_catalog.clock_timestamp(),
        message = 'interrupted before it finished (cancelled, timed out, or its session ended)'
    WHERE r.outcome = 'running'
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a
                      WHERE a.pid = r.backend_pid
                        AND (a.backend_start IS NULL OR a.backend_start <= r.started_at)
                        AND a.state IS DISTINCT FROM 'idle'
                        AND (a.query_start IS NULL OR a.query_start <= r.started_at));
    INSERT INTO fitbot_partman.maintenance_runs (trigger, application_name)
    VALUES (run_trigger, pg_catalog.current_setting('application_name'))
    RETURNING run_id INTO run;
    -- A stored setting out of bounds (written with triggers disabled, or
    -- restored from a dump) fails the run in the ledger, where health sees
    -- it, instead of failing before the run's row commits.
    SELECT s.setting, fitbot_partman_internal.maintenance_setting_problem(s.setting, s.value) AS problem INTO setting_problem
    FROM fitbot_partman.maintenance_settings s
    WHERE fitbot_partman_internal.maintenance_setting_problem(s.setting, s.value) IS NOT NULL
    ORDER BY s.setting LIMIT 1;
    IF setting_problem.problem IS NOT NULL THEN
        UPDATE fitbot_partman.maintenance_runs
        SET outcome = 'failed', finished_at = pg_catalog.clock_timestamp(),
            message = setting_problem.problem || '; ' || fitbot_partman_internal.maintenance_setting_hint(setting_problem.setting)
        WHERE run_id = run;
        COMMIT;
        RAISE EXCEPTION 'maintenance not run: %', setting_problem.problem
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = fitbot_partman_internal.maintenance_setting_hint(setting_problem.setting)
                         || ' Correct it in fitbot_partman.maintenance_settings.';
    END IF;
    lock_wait_limit := coalesce(lock_timeout, fitbot_partman_internal.maintenance_setting('lock_timeout')::interval);
    budget := coalesce(time_budget, fitbot_partman_internal.maintenance_setting('time_budget')::interval);
    deadline := pg_catalog.clock_timestamp() + budget;
    -- pg_partman's own order and filters (maintenance_order exists from 5.0).
    EXECUTE pg_catalog.format(
        'SELECT pg_catalog.array_agg(parent_table ORDER BY %s parent_table) FROM %I.part_config
          WHERE NOT undo_in_progress AND automatic_maintenance = ''on'' %s',
        CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_attribute
                          WHERE attrelid = pg_catalog.format('%I.part_config', partman)::regclass
                            AND attname = 'maintenance_order' AND NOT attisdropped)
             THEN 'maintenance_order NULLS LAST,' ELSE '' END,
        partman,
        CASE WHEN parent IS NULL THEN '' ELSE 'AND parent_table = $1' END)
        INTO parents USING fitbot_partman_internal.partman_parent_name(parent);
    IF parent IS NOT NULL AND parents IS NULL THEN
        RAISE EXCEPTION 'table % is not maintained by pg_partman', parent
            USING ERRCODE = 'undefined_object',
                  HINT = 'Register it with fitbot_partman.register_table(); pg_partman skips tables whose automatic_maintenance is off.';
    END IF;
    COMMIT;  -- the run is in the ledger while it goes on

    FOREACH parent_table IN ARRAY coalesce(parents, '{}') LOOP
        table_started := pg_catalog.clock_timestamp();
        attempts := 0;
        lock_waits := 0;
        lock_wait_seconds := 0;
        backoff := interval '1 second';
        created := 0;
        dropped := 0;
        LOOP
            IF yielded OR NOT pg_catalog.pg_try_advisory_xact_lock(@MAINTENANCE_LOCK@) THEN
                yielded := true;
                table_outcome := 'skipped';
                table_message := 'another run of fitbot_partman.run_maintenance() took over';
                EXIT;
            END IF;
            IF pg_catalog.clock_timestamp() >= deadline THEN
                table_outcome := 'skipped';
                table_message := pg_catalog.format('the time budget of %s was used up', budget);
                EXIT;
            END IF;
            attempts := attempts + 1;
            attempt_started := pg_catalog.clock_timestamp();
            lock_requested := NULL;
            BEGIN
                IF citus THEN
                    EXECUTE 'SET LOCAL citus.propagate_set_commands = ''local''';
                END IF;
                EXECUTE pg_catalog.format('SET LOCAL lock_timeout = %L',
                                          (extract(epoch FROM lock_wait_limit) * 1000)::bigint || 'ms');
                parent_oid := fitbot_partman_internal.parent_table_oid(parent_table);
                IF parent_oid IS NULL THEN
                    RAISE EXCEPTION 'table % in pg_partman''s configuration does not exist', parent_table
                        USING ERRCODE = 'undefined_table';
                END IF;
                PERFORM fitbot_partman_internal.limit_attempt(deadline);
                lock_requested := pg_catalog.clock_timestamp();
                EXECUTE pg_catalog.format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', parent_oid);
                lock_wait_seconds := lock_wait_seconds + extract(epoch FROM pg_catalog.clock_timestamp() - lock_requested);
                lock_requested := NULL;
                IF NOT pg_catalog.pg_try_advisory_xact_lock(pg_catalog.hashtext(@PARTMAN_MAINTENANCE_LOCK@)) THEN
                    RAISE EXCEPTION 'pg_partman''s maintenance is running in another session'
                        USING ERRCODE = 'lock_not_available';
                END IF;
                before_partitions := fitbot_partman_internal.partition_names(parent_oid);
                -- pg_partman takes more locks itself (a new partition's, an
                -- expired one's, and on Citus the shards' on the workers):
                -- should one of them time out, this attempt's time in
                -- pg_partman counts as the lock wait.
                lock_requested := pg_catalog.clock_timestamp();
                EXECUTE pg_catalog.format('SELECT %I.run_maintenance(p_parent_table := $1, p_analyze := false, p_jobmon := true)', partman)
                    USING parent_table;
                lock_requested := NULL;
                after_partitions := fitbot_partman_internal.partition_names(parent_oid);
                created := (SELECT count(*) FROM pg_catalog.unnest(after_partitions) p WHERE p <> ALL (before_partitions));
                dropped := (SELECT count(*) FROM pg_catalog.unnest(before_partitions) p WHERE p <> ALL (after_partitions));
                table_outcome := 'succeeded';
                table_message := NULL;
                PERFORM fitbot_partman_internal.limit_attempt(NULL);
            EXCEPTION WHEN query_canceled THEN
                -- Our timer's cancel, or a real one (which ends the run).
                IF NOT fitbot_partman_internal.attempt_cut_off() THEN
                    RAISE;
                END IF;
                table_outcome := 'failed';
                table_message := pg_catalog.format('cut off when the time budget of %s ran out, %s s into the attempt; nothing it did was kept',
                                                   budget, pg_catalog.round(extract(epoch FROM pg_catalog.clock_timestamp() - attempt_started)::numeric, 1));
            WHEN OTHERS THEN
                PERFORM fitbot_partman_internal.limit_attempt(NULL);
                -- pg_partman re-raises with its context folded into the
                -- message: its first line says what went wrong.
                table_message := pg_catalog.split_part(SQLERRM, E'\n', 1);
                -- A lock timeout: ours (55P03), or one pg_partman re-raised as
                -- P0001. On Citus, a lock timeout on a worker during a
                -- command Citus must run on every node ends the command as
                -- "failure on connection marked as essential" (with the
                -- timeout as a warning): retried the same way.
                table_outcome := CASE WHEN SQLSTATE = '55P03' OR SQLERRM ~ 'lock timeout' THEN 'lock wait'
                                      WHEN citus AND SQLERRM ~ 'failure on connection marked as essential' THEN 'lock wait'
                                      ELSE 'failed' END;
            END;
            PERFORM pg_catalog.set_config('search_path', caller_search_path, false);
            IF table_outcome <> 'lock wait' THEN
                EXIT;
            END IF;
            lock_waits := lock_waits + 1;
            IF lock_requested IS NOT NULL THEN
                lock_wait_seconds := lock_wait_seconds + extract(epoch FROM pg_catalog.clock_timestamp() - lock_requested);
            END IF;
            IF pg_catalog.clock_timestamp() + backoff >= deadline THEN
                table_outcome := 'failed';
                table_message := pg_catalog.format('gave up after %s attempts within the time budget of %s: %s', attempts, budget, table_message);
                EXIT;
            END IF;
            COMMIT;  -- lets the sessions we waited for go on
            PERFORM pg_catalog.pg_try_advisory_xact_lock(@MAINTENANCE_LOCK@);  -- still this run's while it sleeps
            PERFORM pg_catalog.pg_sleep(extract(epoch FROM backoff));
            backoff := least(backoff * 2, interval '1 minute');
        END LOOP;

        -- An adopted wide partition: pg_partman's retention is off for this
        -- table while it exists, so the driver expires it, one step per
        -- transaction (fitbot_partman_internal.expire_wide_partition_step()).
        rows_expired := 0;
        IF table_outcome = 'succeeded' AND parent_oid IS NOT NULL
           AND EXISTS (SELECT 1 FROM fitbot_partman.wide_partitions w WHERE w.parent = parent_table) THEN
            from_block := 0;
            wide_steps := 0;
            LOOP
                IF NOT pg_catalog.pg_try_advisory_xact_lock(@MAINTENANCE_LOCK@) THEN
                    yielded := true;
                    table_message := 'wide partition: another run of fitbot_partman.run_maintenance() took over';
                    EXIT;
                END IF;
                IF pg_catalog.clock_timestamp() >= deadline THEN
                    table_message := pg_catalog.format('wide partition: %s rows older than the retention deleted, the rest is left for the next run (time budget %s used up)',
                                                       rows_expired, budget);
                    EXIT;
                END IF;
                lock_requested := NULL;
                BEGIN
                    EXECUTE pg_catalog.format('SET LOCAL lock_timeout = %L',
                                              (extract(epoch FROM lock_wait_limit) * 1000)::bigint || 'ms');
                    lock_requested := pg_catalog.clock_timestamp();
                    wide_step := fitbot_partman_internal.expire_wide_partition_step(parent_oid, from_block);
                    lock_requested := NULL;
                EXCEPTION WHEN OTHERS THEN
                    IF SQLSTATE = '55P03' THEN
                        lock_waits := lock_waits + 1;
                        lock_wait_seconds := lock_wait_seconds + extract(epoch FROM pg_catalog.clock_timestamp() - lock_requested);
                        table_message := pg_catalog.format('wide partition: %s rows expired; not dropped this run: %s', rows_expired, SQLERRM);
                    ELSE
                        table_outcome := 'failed';
                        table_message := pg_catalog.format('wide partition: %s', pg_catalog.split_part(SQLERRM, E'\n', 1));
                    END IF;
                    EXIT;
                END;
                rows_expired := rows_expired + wide_step.rows_deleted;
                wide_steps := wide_steps + 1;
                from_block := wide_step.next_block;
                table_message := coalesce(wide_step.note, 'wide partition: rows older than the retention deleted')
                                 || pg_catalog.format(' (this run: %s rows in %s steps)', rows_expired, wide_steps);
                IF wide_step.outcome IN ('dropped', 'detached') THEN
                    dropped := dropped + 1;
                END IF;
                IF wide_step.outcome <> 'deleted' THEN
                    IF wide_step.outcome = 'none' THEN
                        table_message := NULL;
                    END IF;
                    EXIT;
                END IF;
                COMMIT;  -- each step's deletes are kept, and their row locks let go
            END LOOP;
        END IF;

        INSERT INTO fitbot_partman.maintenance_run_tables
            (run_id, parent, started_at, finished_at, outcome, message, attempts, lock_waits, lock_wait_seconds,
             partitions_created, partitions_dropped, rows_expired)
        VALUES (run, parent_table, table_started, pg_catalog.clock_timestamp(), table_outcome, table_message, attempts, lock_waits,
                lock_wait_seconds, created, dropped, rows_expired);
        UPDATE fitbot_partman.maintenance_runs
        SET tables_succeeded = tables_succeeded + (table_outcome = 'succeeded')::int,
            tables_failed = tables_failed + (table_outcome = 'failed')::int,
            tables_skipped = tables_skipped + (table_outcome = 'skipped')::int
        WHERE run_id = run;
        IF table_outcome = 'failed' THEN
            RAISE WARNING 'maintenance of % failed: %', parent_table, table_message;
        END IF;
        COMMIT;
    END LOOP;

    UPDATE fitbot_partman.maintenance_runs
    SET finished_at = pg_catalog.clock_timestamp(),
        outcome = CASE WHEN tables_failed > 0 THEN 'failed'
                       WHEN tables_skipped > 0 AND tables_succeeded = 0 THEN 'skipped'
                       ELSE 'succeeded' END,
        message = CASE WHEN tables_failed > 0 THEN pg_catalog.format('%s of %s table(s) failed; see fitbot_partman.maintenance_run_tables',
                                                                     tables_failed, tables_succeeded + tables_failed + tables_skipped)
                       WHEN tables_skipped > 0 THEN pg_catalog.format('%s table(s) skipped', tables_skipped) END
    WHERE run_id = run;
    PERFORM fitbot_partman_internal.prune_maintenance_ledger(run);
    COMMIT;
    IF (SELECT r.outcome FROM fitbot_partman.maintenance_runs r WHERE r.run_id = run) = 'failed' THEN
        -- The job's run is then a failure in cron.job_run_details too.
        RAISE EXCEPTION 'maintenance failed for %',
                        (SELECT string_agg(t.parent, ', ' ORDER BY t.parent) FROM fitbot_partman.maintenance_run_tables t
                         WHERE t.run_id = run AND t.outcome = 'failed')
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = (SELECT r.message FROM fitbot_partman.maintenance_runs r WHERE r.run_id = run),
                  HINT = pg_catalog.format('See SELECT * FROM fitbot_partman.maintenance_run_tables WHERE run_id = %s; tables that did not fail were maintained.', run);
    END IF;
END
$proc$;

COMMENT ON PROCEDURE fitbot_partman.run_maintenance(regclass, interval, interval, text) IS
'Runs pg_partman''s maintenance for every table it manages (or one), one table per transaction with bounded lock waits and retries, and records the run in fitbot_partman.maintenance_runs';
