-- Reading health is for pg_monitor; schedule arithmetic is for everyone.
-- (After portable/95_privileges.sql, which closes every new function.)
GRANT EXECUTE ON FUNCTION
    fitbot_partman.facts(),
    fitbot_partman.facts(boolean),
    fitbot_partman.partition_health(),
    fitbot_partman.partitions(regclass),
    fitbot_partman.maintenance_status(),
    fitbot_partman.check(),
    fitbot_partman.check(json),
    fitbot_partman.metrics(),
    fitbot_partman.metrics(json),
    fitbot_partman.next_run(text, timestamptz, text, text),
    fitbot_partman.validate_schedule(text)
TO pg_monitor;
GRANT EXECUTE ON FUNCTION fitbot_partman.next_run(text, timestamptz, text, text), fitbot_partman.validate_schedule(text) TO PUBLIC;
