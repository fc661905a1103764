-- The ledger and the settings are the extension's own tables: pg_dump keeps
-- their rows (a restored database knows its maintenance history), and
-- DROP EXTENSION drops them with the extension. Agentless installs have no
-- extension to mark them for.
SELECT pg_catalog.pg_extension_config_dump('fitbot_partman.maintenance_settings', '');
SELECT pg_catalog.pg_extension_config_dump('fitbot_partman.maintenance_runs', '');
SELECT pg_catalog.pg_extension_config_dump('fitbot_partman.maintenance_runs_run_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('fitbot_partman.maintenance_run_tables', '');
SELECT pg_catalog.pg_extension_config_dump('fitbot_partman.wide_partitions', '');
