-- pg_cron can only live in cron.database_name. From another database,
-- setup() still partitions the table and says exactly what to run there.
CREATE DATABASE fitbot_other;
\c fitbot_other
SET client_min_messages = warning;
CREATE EXTENSION fitbot_partman CASCADE;
RESET client_min_messages;
SELECT current_setting('cron.database_name') AS cron_database;
SELECT step, action, detail FROM fitbot_partman.setup() WHERE step <> 'partitioning';
SELECT parent_table FROM part_config;
-- schedule_maintenance() itself cannot do it from here: an error with the statement as hint.
\set SHOW_CONTEXT never
SELECT fitbot_partman.schedule_maintenance();
\c fitbot_regress
DROP DATABASE fitbot_other;
