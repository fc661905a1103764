-- The maintenance ledger and its settings: every run of run_maintenance(),
-- scheduled or by hand, with one row per table it maintained. Health reads
-- it, so it knows what ran even where pg_cron lives in another database, and
-- a successful manual run is seen at once.
--
-- These are the extension's only tables. They hold our own records, never a
-- user's data: DROP EXTENSION drops them, pg_dump keeps their rows
-- (native/98_ledger_dump.sql marks them).

-- The default of each setting, and what it means.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.maintenance_setting_defaults(
    OUT setting text, OUT default_value text, OUT description text)
RETURNS SETOF record
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    VALUES ('lock_timeout', '2s', 'longest wait for one table''s locks; inserts queue behind a waiting lock for at most this long'),
           ('time_budget', '15min', 'a run starts no new attempt after this long; tables left are recorded as skipped'),
           ('ledger_keep_runs', '200', 'runs kept in the ledger'),
           ('ledger_keep_days', '400', 'runs older than this many days are removed from the ledger'),
           ('cron_history_keep', '7 days', 'cron.job_run_details rows older than this are purged (the last 20 runs of each job stay)'),
           ('purge_other_roles_history', 'off', 'also purge the history of other roles'' jobs, where the purging role may'),
           ('job_command', 'driver', 'what setup() schedules: driver (fitbot_partman.run_maintenance()) or pg_partman (its own run_maintenance_proc())'),
           ('job_schedule', @DEFAULT_SCHEDULE@, 'the schedule setup() last gave the maintenance job; where pg_cron lives in another database, health judges the job''s runs by it')
$$;

-- What each setting accepts, as the hint of a refusal says it. The bounds
-- (valid_maintenance_setting below) keep every run able to do its work:
-- * lock_timeout: PostgreSQL's lock_timeout takes whole milliseconds up to
--   INT_MAX; under 1ms it would round to 0, which means wait forever.
-- * time_budget: a run starts no table once it is used up, so under 1 second
--   every table is skipped and nothing is maintained; a day is far more than
--   any run needs, and keeps each attempt's statement timeout (the budget
--   left, in milliseconds) far from PostgreSQL's INT_MAX ms.
-- * ledger_keep_days, cron_history_keep: now() minus them must stay a valid
--   timestamp (100 years); cron_history_keep under an hour would purge the
--   history health reads before it is read.
-- * ledger_keep_runs: a million runs is plenty.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.maintenance_setting_range(setting text)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE setting
        WHEN 'lock_timeout' THEN 'an interval from 1ms to 2147483647ms (about 24 days, PostgreSQL''s largest lock_timeout)'
        WHEN 'time_budget' THEN 'an interval from 1s to 1 day'
        WHEN 'cron_history_keep' THEN 'an interval from 1 hour to 100 years'
        WHEN 'ledger_keep_runs' THEN 'a whole number from 1 to 1000000'
        WHEN 'ledger_keep_days' THEN 'a whole number from 1 to 36500'
        WHEN 'purge_other_roles_history' THEN 'on or off'
        WHEN 'job_command' THEN 'driver or pg_partman'
        WHEN 'job_schedule' THEN 'a pg_cron schedule such as ''0 2 20 * *'''
    END
$$;

CREATE OR REPLACE FUNCTION fitbot_partman_internal.valid_maintenance_setting(setting text, value text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    CASE setting
        WHEN 'lock_timeout' THEN
            RETURN value::interval BETWEEN interval '1 millisecond' AND interval '2147483647 milliseconds';
        WHEN 'time_budget' THEN
            RETURN value::interval BETWEEN interval '1 second' AND interval '1 day';
        WHEN 'cron_history_keep' THEN
            RETURN value::interval BETWEEN interval '1 hour' AND interval '100 years';
        WHEN 'ledger_keep_runs' THEN
            RETURN value::integer BETWEEN 1 AND 1000000;
        WHEN 'ledger_keep_days' THEN
            RETURN value::integer BETWEEN 1 AND 36500;
        WHEN 'purge_other_roles_history' THEN
            RETURN value::boolean IS NOT NULL;
        WHEN 'job_command' THEN
            RETURN value IN ('driver', 'pg_partman');
        WHEN 'job_schedule' THEN
            RETURN length(trim(value)) > 0;
        ELSE
            RETURN false;
    END CASE;
EXCEPTION WHEN data_exception THEN
    RETURN false;
END
$fn$;

-- Why a setting's value cannot be used, as a sentence, or NULL when it can.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.maintenance_setting_problem(setting text, value text)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
        WHEN fitbot_partman_internal.maintenance_setting_range(setting) IS NULL
            THEN format('unknown maintenance setting %s', coalesce(quote_literal(setting), 'NULL'))
        WHEN value IS NULL
            THEN format('maintenance setting %s cannot be NULL', setting)
        WHEN NOT fitbot_partman_internal.valid_maintenance_setting(setting, value)
            THEN format('invalid value %s for maintenance setting %s', quote_literal(value), setting)
    END
$$;

-- The hint that goes with a problem above.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.maintenance_setting_hint(setting text)
RETURNS text
LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT coalesce(setting || ' takes ' || fitbot_partman_internal.maintenance_setting_range(setting) || '.',
                    'The settings are: ' || (SELECT string_agg(d.setting, ', ' ORDER BY d.setting)
                                             FROM fitbot_partman_internal.maintenance_setting_defaults() d) || '.')
$$;

-- Refuses a setting that would break runs when it is written, not when the
-- job next runs (issue 19: time_budget = '1000000 years' made every run fail
-- before its ledger row committed). A BEFORE trigger rather than a CHECK
-- constraint, so the refusal is 22023 with a hint naming the range.
CREATE OR REPLACE FUNCTION fitbot_partman_internal.check_maintenance_setting()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
    problem text := fitbot_partman_internal.maintenance_setting_problem(NEW.setting, NEW.value);
BEGIN
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION '%', problem
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = fitbot_partman_internal.maintenance_setting_hint(NEW.setting);
    END IF;
    RETURN NEW;
END
$fn$;

CREATE TABLE IF NOT EXISTS fitbot_partman.maintenance_settings (
    setting text PRIMARY KEY
        CONSTRAINT maintenance_settings_known CHECK (setting IN ('lock_timeout', 'time_budget', 'ledger_keep_runs',
                                                                 'ledger_keep_days', 'cron_history_keep',
                                                                 'purge_other_roles_history', 'job_command',
                                                                 'job_schedule')),
    value text NOT NULL
);
CREATE OR REPLACE TRIGGER maintenance_settings_valid
    BEFORE INSERT OR UPDATE ON fitbot_partman.maintenance_settings
    FOR EACH ROW EXECUTE FUNCTION fitbot_partman_internal.check_maintenance_setting();
-- Agentless installs made by an earlier 1.1 build checked values with a CHECK
-- constraint of that name (23514, no hint): the trigger replaces it.
ALTER TABLE fitbot_partman.maintenance_settings DROP CONSTRAINT IF EXISTS maintenance_settings_valid;

CREATE TABLE IF NOT EXISTS fitbot_partman.maintenance_runs (
    run_id bigserial PRIMARY KEY,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    run_by name NOT NULL DEFAULT current_user,
    trigger text NOT NULL CHECK (trigger IN ('pg_cron', 'manual')),
    application_name text,
    backend_pid integer NOT NULL DEFAULT pg_backend_pid(),
    outcome text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'succeeded', 'failed', 'skipped')),
    message text,
    tables_succeeded integer NOT NULL DEFAULT 0,
    tables_failed integer NOT NULL DEFAULT 0,
    tables_skipped integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS maintenance_runs_started_at ON fitbot_partman.maintenance_runs (started_at);

CREATE TABLE IF NOT EXISTS fitbot_partman.maintenance_run_tables (
    run_id bigint NOT NULL REFERENCES fitbot_partman.maintenance_runs ON DELETE CASCADE,
    parent text NOT NULL,
    started_at timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'skipped')),
    message text,
    attempts integer NOT NULL,
    lock_waits integer NOT NULL,
    lock_wait_seconds double precision NOT NULL,
    partitions_created integer NOT NULL,
    partitions_dropped integer NOT NULL,
    PRIMARY KEY (run_id, parent)
);
-- Rows the run deleted from an adopted wide partition (26_wide_partitions.sql);
-- added after 1.0, so added the same way on a fresh install and an upgrade.
ALTER TABLE fitbot_partman.maintenance_run_tables ADD COLUMN IF NOT EXISTS rows_expired bigint NOT NULL DEFAULT 0;

COMMENT ON TABLE fitbot_partman.maintenance_settings IS
'Settings of run_maintenance() that differ from their defaults (see fitbot_partman.maintenance_config()); arguments of run_maintenance() override them';
COMMENT ON TABLE fitbot_partman.maintenance_runs IS
'Every run of fitbot_partman.run_maintenance(), scheduled or by hand, newest kept (ledger_keep_runs, ledger_keep_days)';
COMMENT ON TABLE fitbot_partman.maintenance_run_tables IS
'One row per table and run of fitbot_partman.run_maintenance(): outcome, retries, lock waits, partitions created and dropped';

CREATE OR REPLACE FUNCTION fitbot_partman.maintenance_config(OUT setting text, OUT value text, OUT is_default boolean,
                                                             OUT description text)
RETURNS SETOF record
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT d.setting, coalesce(s.value, d.default_value), s.value IS NULL, d.description
    FROM fitbot_partman_internal.maintenance_setting_defaults() d
    LEFT JOIN fitbot_partman.maintenance_settings s ON s.setting = d.setting
    ORDER BY d.setting
$$;

COMMENT ON FUNCTION fitbot_partman.maintenance_config() IS
'The settings of run_maintenance() in force; change one with INSERT INTO fitbot_partman.maintenance_settings VALUES (setting, value) ON CONFLICT (setting) DO UPDATE SET value = excluded.value';

-- Records the maintenance job's schedule (see job_schedule above).
CREATE OR REPLACE FUNCTION fitbot_partman_internal.record_job_schedule(schedule text)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    INSERT INTO fitbot_partman.maintenance_settings VALUES ('job_schedule', schedule)
    ON CONFLICT (setting) DO UPDATE SET value = excluded.value
$$;

CREATE OR REPLACE FUNCTION fitbot_partman_internal.maintenance_setting(name text)
RETURNS text
LANGUAGE sql STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT value FROM fitbot_partman.maintenance_config() WHERE setting = name
$$;
