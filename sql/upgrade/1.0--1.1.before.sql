-- 1.0 -> 1.1, before the 1.1 sources run: the private helpers move from
-- schema fitbot_partman to fitbot_partman_internal. Each is dropped here (only
-- if nothing of the user's depends on it) and created there by the sources;
-- grants on it are replayed by 1.0--1.1.after.sql.
SELECT fitbot_partman_internal.drop_function_for_upgrade(
           ('fitbot_partman.' || helper)::regprocedure, 'fitbot_partman_internal.' || helper,
           'private helpers moved to schema fitbot_partman_internal')
FROM unnest(ARRAY[
    'checked_schedule(text)',
    'partman_schema()',
    'partman_major_version()',
    'partman_parent_name(regclass)',
    'maintenance_command()',
    'lock_configuration()',
    'cron_preloaded()',
    'cron_location()',
    'raise_cron_not_loaded()',
    'schedule_in_database_statement(text)',
    'default_partition(regclass)',
    'column_list(regclass)',
    'ensure_maintenance_job(text)',
    'do_setup(text)'
]) AS helper;

-- do_register_table() moved and gained retention_given (register_table()
-- tells an argument left out from one given; its own signature is unchanged,
-- only its defaults are new).
SELECT fitbot_partman_internal.drop_function_for_upgrade(
           'fitbot_partman.do_register_table(regclass, text, interval, integer, interval, boolean)',
           'fitbot_partman_internal.do_register_table(regclass, text, interval, integer, interval, boolean, boolean)',
           'private helpers moved to schema fitbot_partman_internal');

-- rescue_default() gained partition_all: the two-argument function goes (a
-- call with one or two arguments reaches the new one), its grants follow.
SELECT fitbot_partman_internal.drop_function_for_upgrade(
           'fitbot_partman.rescue_default(regclass, integer)', 'fitbot_partman.rescue_default(regclass, integer, boolean)',
           'rescue_default() gained the argument partition_all');

-- next_run() gained pg_cron_version (and tz became NULL by default: pg_cron's
-- own zone). The three-argument function goes; a call with up to three
-- arguments reaches the new one, and its grants (PUBLIC, pg_monitor) follow.
SELECT fitbot_partman_internal.drop_function_for_upgrade(
           'fitbot_partman.next_run(text, timestamptz, text)', 'fitbot_partman.next_run(text, timestamptz, text, text)',
           'next_run() gained the argument pg_cron_version');
