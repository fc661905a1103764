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

CREATE OR REPLACE FUNCTION fitbot_partman_internal.valid_maintenance_setting(setting text, value text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    CASE setting
        WHEN 'lock_timeout', 'time_budget', 'cron_history_keep' THEN
            RETURN value::interval > interval '0';
        WHEN 'ledger_keep_runs', 'ledger_keep_days' THEN
            RETURN value::integer >= 1;
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

CREATE TABLE IF NOT EXISTS fitbot_partman.maintenance_settings (
    setting text PRIMARY KEY
        CONSTRAINT maintenance_settings_known CHECK (setting IN ('lock_timeout', 'time_budget', 'ledger_keep_runs',
                                                                 'ledger_keep_days', 'cron_history_keep',
                                                                 'purge_other_roles_history', 'job_command',
                                                                 'job_schedule')),
    value text NOT NULL
        CONSTRAINT maintenance_settings_valid CHECK (fitbot_partman_internal.valid_maintenance_setting(setting, value))
);

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
