-- pg_cron can only live in cron.database_name. From another database,
-- setup() still partitions the table and says exactly what to run there.
-- Here pg_partman lives in a schema of its own, as many installations have it.
-- (pg_partman 4.7 itself fails in a schema whose name needs quoting.)
CREATE DATABASE fitbot_other;
\c fitbot_other
CREATE SCHEMA partman;
CREATE EXTENSION pg_partman SCHEMA partman;
CREATE EXTENSION fitbot_partman;
SELECT current_setting('cron.database_name') AS cron_database;
SELECT step, action, detail FROM fitbot_partman.setup() WHERE step <> 'partitioning';
SELECT parent_table, premake, retention, retention_keep_table FROM partman.part_config;
SELECT fitbot_partman_internal.maintenance_command();
SELECT partitions, future_partitions FROM fitbot_partman.partition_health();
-- schedule_maintenance() itself cannot do it from here: an error with the statement as hint.
\set SHOW_CONTEXT never
SELECT fitbot_partman.schedule_maintenance();
\c fitbot_regress
DROP DATABASE fitbot_other;
