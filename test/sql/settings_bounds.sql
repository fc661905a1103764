-- Settings that would break runs are refused when written (22023, a hint with
-- the range, nothing changed), arguments of run_maintenance() likewise; a bad
-- value stored anyway (triggers disabled, a restored dump) fails the run in
-- the ledger, where health sees it (issue 19: time_budget = '1000000 years'
-- made every run fail before its ledger row committed, unseen).
\getenv abs_srcdir PG_ABS_SRCDIR
\set include :abs_srcdir '/sql/include/try.sql'
\i :include
CREATE TEMP TABLE settings_before AS SELECT * FROM fitbot_partman.maintenance_settings;
CREATE TEMP TABLE runs_before AS SELECT coalesce(max(run_id), 0) AS last_run FROM fitbot_partman.maintenance_runs;

\pset format unaligned
\pset fieldsep ' | '
SELECT v.setting, v.value, t.*
FROM (VALUES ('time_budget', '1000000 years'), ('time_budget', '1 microsecond'), ('time_budget', '0'),
             ('time_budget', '25 hours'), ('time_budget', 'soon'),
             ('lock_timeout', '2147483648ms'), ('lock_timeout', '0'), ('lock_timeout', '-1s'), ('lock_timeout', '0.5ms'),
             ('ledger_keep_runs', '0'), ('ledger_keep_runs', '1000001'), ('ledger_keep_runs', '99999999999'),
             ('ledger_keep_days', '36501'), ('ledger_keep_days', '2.5'),
             ('cron_history_keep', '1 second'), ('cron_history_keep', '1000000 years'),
             ('purge_other_roles_history', 'maybe'), ('job_command', 'rm -rf'), ('job_schedule', ' '),
             ('no_such_setting', '1')) v (setting, value),
     LATERAL pg_temp.try(format('INSERT INTO fitbot_partman.maintenance_settings VALUES (%L, %L)', v.setting, v.value)) t;
-- An UPDATE is checked as an INSERT is.
INSERT INTO fitbot_partman.maintenance_settings VALUES ('time_budget', '10min');
SELECT * FROM pg_temp.try($$UPDATE fitbot_partman.maintenance_settings SET value = '1000000 years' WHERE setting = 'time_budget'$$);
SELECT * FROM pg_temp.try($$INSERT INTO fitbot_partman.maintenance_settings VALUES ('time_budget', '0.1s')
                            ON CONFLICT (setting) DO UPDATE SET value = excluded.value$$);
SELECT value FROM fitbot_partman.maintenance_settings WHERE setting = 'time_budget';
DELETE FROM fitbot_partman.maintenance_settings WHERE setting = 'time_budget';
-- The bounds themselves are accepted.
SELECT v.setting, v.value, t.state
FROM (VALUES ('time_budget', '1s'), ('time_budget', '1 day'), ('lock_timeout', '1ms'), ('lock_timeout', '2147483647ms'),
             ('ledger_keep_runs', '1000000'), ('ledger_keep_days', '36500'), ('cron_history_keep', '1 hour')) v (setting, value),
     LATERAL pg_temp.try(format('INSERT INTO fitbot_partman.maintenance_settings VALUES (%L, %L)
                                 ON CONFLICT (setting) DO UPDATE SET value = excluded.value', v.setting, v.value)) t;
DELETE FROM fitbot_partman.maintenance_settings;
INSERT INTO fitbot_partman.maintenance_settings SELECT * FROM settings_before;

-- Arguments of run_maintenance() are held to the same bounds.
SELECT * FROM pg_temp.try($$CALL fitbot_partman.run_maintenance(time_budget => '1000000 years')$$);
SELECT * FROM pg_temp.try($$CALL fitbot_partman.run_maintenance(time_budget => '1 microsecond')$$);
SELECT * FROM pg_temp.try($$CALL fitbot_partman.run_maintenance(lock_timeout => '2147483648ms')$$);
SELECT * FROM pg_temp.try($$CALL fitbot_partman.run_maintenance(lock_timeout => '0')$$);
\pset format aligned

-- Nothing changed.
SELECT (SELECT count(*) FROM fitbot_partman.maintenance_settings) = (SELECT count(*) FROM settings_before)
       AND NOT EXISTS (SELECT * FROM fitbot_partman.maintenance_settings EXCEPT SELECT * FROM settings_before) AS settings_unchanged,
       NOT EXISTS (SELECT 1 FROM fitbot_partman.maintenance_runs, runs_before WHERE run_id > last_run) AS no_run_recorded;

-- A bad value stored past the trigger: the scheduled run fails in the ledger,
-- with the setting and its range, and health says failed.
SET session_replication_role = replica;
INSERT INTO fitbot_partman.maintenance_settings VALUES ('time_budget', '1000000 years');
RESET session_replication_role;
\set SHOW_CONTEXT never
CALL fitbot_partman.run_maintenance(run_trigger => 'pg_cron');
\set SHOW_CONTEXT errors
SELECT trigger, outcome, message, finished_at IS NOT NULL AS finished
FROM fitbot_partman.maintenance_runs, runs_before WHERE run_id > last_run ORDER BY run_id;
SELECT last_run_status, last_run_message, status FROM fitbot_partman.maintenance_status();

DELETE FROM fitbot_partman.maintenance_settings WHERE setting = 'time_budget';
INSERT INTO fitbot_partman.maintenance_settings SELECT * FROM settings_before WHERE setting = 'time_budget';
DELETE FROM fitbot_partman.maintenance_runs USING runs_before WHERE run_id > last_run;
