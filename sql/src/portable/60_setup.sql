-- setup(): the seed's recipe in one idempotent call.

CREATE OR REPLACE FUNCTION fitbot_partman_internal.do_setup(schedule text)
RETURNS TABLE(step text, action text, detail text)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    -- Checked before any change; left out (NULL), the job's schedule is kept.
    normalized text := CASE WHEN schedule IS NOT NULL THEN fitbot_partman_internal.checked_schedule(schedule) END;
    cron_where text := fitbot_partman_internal.cron_location();
    outcome text;
    job record;
BEGIN
    IF cron_where = 'not loaded' THEN
        PERFORM fitbot_partman_internal.raise_cron_not_loaded();
    END IF;
    PERFORM fitbot_partman_internal.lock_configuration();

    step := 'table';
    -- A plain table that exists (it grew before anyone partitioned it) is
    -- not rewritten implicitly: adopting it takes locks, a scan and a swap
    -- of the table's name, which its owner should start knowingly, at a
    -- quiet time, outside a transaction (adopt_table() commits per step).
    IF (SELECT c.relkind FROM pg_class c WHERE c.oid = to_regclass('public.heart_rate_readings')) = 'r' THEN
        RAISE EXCEPTION 'table public.heart_rate_readings is not partitioned'
            USING ERRCODE = 'wrong_object_type',
                  DETAIL = 'setup() never converts an existing table implicitly; nothing was changed.',
                  HINT = 'Adopt it online, without copying rows (outside a transaction block): CALL fitbot_partman.adopt_table(''public.heart_rate_readings'', ''measured_at''); then run setup() again.';
    END IF;
    IF to_regclass('public.heart_rate_readings') IS NULL THEN
        EXECUTE @READINGS_TABLE_DDL@;
        action := 'created';
        detail := 'public.heart_rate_readings (user_id, measured_at, bpm, source, ingested_at), partitioned by range on measured_at; re-synced samples can be skipped with ON CONFLICT (user_id, measured_at) DO NOTHING';
    ELSE
        action := 'unchanged';
        detail := 'public.heart_rate_readings already exists';
    END IF;
    RETURN NEXT;

    step := 'partitioning';
    -- Arguments left out: a registered table keeps its settings (setup()
    -- never turns on deletion that was off); a new one gets the defaults.
    outcome := fitbot_partman_internal.do_register_table('public.heart_rate_readings'::text::regclass, 'measured_at', NULL, NULL, NULL, false, NULL);
    action := split_part(outcome, ':', 1);
    detail := CASE action
        WHEN 'registered' THEN format('registered with pg_partman %s (schema %I): %s%s',
                                      (SELECT extversion FROM pg_extension WHERE extname = 'pg_partman'), fitbot_partman_internal.partman_schema(),
                                      fitbot_partman_internal.registration_summary('public.heart_rate_readings'::text::regclass),
                                      coalesce('; ' || nullif(trim(substr(outcome, length('registered:') + 1)), ''), ''))
        WHEN 'unchanged' THEN 'already registered: ' || fitbot_partman_internal.registration_summary('public.heart_rate_readings'::text::regclass)
        ELSE trim(substr(outcome, length(action) + 2)) END;
    RETURN NEXT;

    step := 'schedule';
    IF cron_where = 'elsewhere' THEN
        -- Recorded here so that health can judge the job's runs even where
        -- it cannot see the job itself; left out, the last one is kept.
        normalized := coalesce(normalized, fitbot_partman_internal.maintenance_setting('job_schedule'));
        PERFORM fitbot_partman_internal.record_job_schedule(normalized);
        action := 'manual';
        detail := format('pg_cron runs jobs from database %I; connect there as %I and run: %s%s',
                         fitbot_partman_internal.cron_database(), current_user,
                         fitbot_partman_internal.schedule_in_database_grant(),
                         fitbot_partman_internal.schedule_in_database_statement(normalized));
    ELSE
        SELECT * INTO job FROM fitbot_partman_internal.ensure_maintenance_job(normalized);  -- records it
        normalized := (SELECT j.schedule FROM cron.job j WHERE j.jobid = job.jobid);
        action := job.action;
        -- next_run() without a zone evaluates in pg_cron's own (cron.timezone).
        detail := format('pg_cron job %s %s: %L runs %s (next run %s)%s', job.jobid,
                         (SELECT j.jobname FROM cron.job j WHERE j.jobid = job.jobid), normalized,
                         fitbot_partman_internal.job_command_summary(fitbot_partman_internal.maintenance_command()),
                         fitbot_partman_internal.cron_time_text(fitbot_partman.next_run(normalized, now())),
                         CASE WHEN job.previous_command IS NOT NULL
                              THEN format('; it ran %s before', fitbot_partman_internal.job_command_summary(job.previous_command)) END);
    END IF;
    RETURN NEXT;

    step := 'history';
    IF cron_where = 'elsewhere' THEN
        action := 'manual';
        detail := format('pg_cron keeps its run history in database %I; to purge it there daily, run there: %s',
                         fitbot_partman_internal.cron_database(), fitbot_partman_internal.history_purge_statement());
    ELSE
        SELECT * INTO job FROM fitbot_partman_internal.ensure_history_job();
        action := job.action;
        detail := format('pg_cron job %s %s: %L deletes cron.job_run_details rows older than %s, keeping every job''s last %s runs',
                         job.jobid, @HISTORY_JOB_NAME@, @HISTORY_SCHEDULE@,
                         fitbot_partman_internal.maintenance_setting('cron_history_keep'), @RUNS_PER_JOB@);
    END IF;
    RETURN NEXT;
END
$fn$;

-- No SET clause here either: see register_table().
CREATE OR REPLACE FUNCTION fitbot_partman.setup(schedule text DEFAULT NULL)
RETURNS TABLE(step text, action text, detail text)
LANGUAGE plpgsql
AS $fn$
DECLARE
    caller_search_path text := pg_catalog.current_setting('search_path');
BEGIN
    RETURN QUERY SELECT * FROM fitbot_partman_internal.do_setup(schedule);
    PERFORM pg_catalog.set_config('search_path', caller_search_path, false);
END
$fn$;

COMMENT ON FUNCTION fitbot_partman.setup(text) IS
'Creates public.heart_rate_readings if missing, partitions it monthly with pg_partman (3 ahead, 1 year kept; a registered table keeps its settings, existing partitions are kept) and schedules maintenance with pg_cron (at 02:00 on the 20th unless given a schedule; a schedule left out keeps the job''s); idempotent';
