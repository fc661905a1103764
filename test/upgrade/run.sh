#!/usr/bin/env bash
# The 1.0 -> 1.1 upgrade path, as a user with a set-up 1.0 database meets it.
#
# A database is set up on 1.0 (the frozen script as shipped) with readings,
# the maintenance job, a monitoring role, an administrator's grants and user
# views on our functions. With the 1.1 library already installed (a package
# upgrade before ALTER EXTENSION UPDATE), the 1.0 SQL keeps answering. The
# update is refused, changing nothing, while a user view depends on a function
# 1.1 replaces; once that view is gone it succeeds, and then:
# - the extension's member objects are identical to a fresh 1.1 install
#   (signatures, results, volatility, SECURITY DEFINER, settings, grants,
#   comments, source);
# - data, registration and cron job are untouched, health answers the same,
#   and the user view on partition_health() still works.
set -u
cd "$(dirname "$0")/../.."
source test/lib/cluster.sh
source test/lib/suite.sh
source test/lib/sql.sh

work=$(mktemp -d /tmp/fitbot-upgrade.XXXXXX)
chmod 755 "$work"
trap 'cluster_stop "$work/pg"; rm -rf "$work"' EXIT

cluster_start "$work/pg" fitbot >/dev/null || { not_ok "start PostgreSQL"; suite_result; exit 1; }

# ---------------------------------------------------------------- a set-up 1.0 database
sql -d fitbot <<'SQL' >/dev/null
CREATE ROLE monitor LOGIN IN ROLE pg_monitor;
CREATE ROLE admin LOGIN;
CREATE EXTENSION fitbot_partman VERSION '1.0' CASCADE;
SELECT * FROM fitbot_partman.setup();
INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm)
SELECT u, now() - g * interval '1 hour', 60 + (g % 50) FROM generate_series(1, 500) g, generate_series(1, 4) u;
INSERT INTO public.heart_rate_readings (user_id, measured_at, bpm) VALUES (9, '2001-01-01', 70);  -- in the default partition
-- An administrator allowed to run setup(), as the 1.0 README suggested.
GRANT USAGE ON SCHEMA fitbot_partman TO admin;
GRANT EXECUTE ON FUNCTION fitbot_partman.setup(text), fitbot_partman.do_setup(text) TO admin;
-- A user's dashboard view on the health function.
CREATE VIEW public.partition_dashboard AS SELECT parent, status, future_partitions FROM fitbot_partman.partition_health();
SQL
check "1.0 installed from the frozen script" test "$(sql -d fitbot -c "SELECT extversion FROM pg_extension WHERE extname = 'fitbot_partman'")" = 1.0

# What a user sees; compared after the upgrade.
snapshot() {
    sql -d fitbot -c "
        SELECT 'rows', count(*), sum(hashtext(user_id || measured_at::text || bpm)) FROM public.heart_rate_readings;
        SELECT 'config', parent_table, control, partition_interval, premake, retention, retention_keep_table, infinite_time_partitions
          FROM part_config;
        SELECT 'job', jobid, jobname, schedule, command, database, username, active FROM cron.job ORDER BY jobid;
        SELECT 'partitions', count(*) FROM pg_inherits WHERE inhparent = 'public.heart_rate_readings'::regclass;
        SELECT 'health', parent, partition_interval, premake, retention, partitions, future_partitions, runway_until,
               oldest_start, expired_partitions, gaps, default_rows, detached_tables, status, reasons
          FROM fitbot_partman.partition_health();
        SELECT 'maintenance', jobid, jobname, schedule, active, timezone, next_run, status, reasons
          FROM fitbot_partman.maintenance_status();
        SELECT 'check', * FROM fitbot_partman.check();
        SELECT 'view', * FROM public.partition_dashboard;"
}
# ---------------------------------------------------------------- 1.1 library under 1.0 SQL
snapshot >"$work/before.txt" 2>"$work/before.err"
check "1.1 library under 1.0 SQL: every health function answers" test ! -s "$work/before.err"
cat "$work/before.err"
check "1.1 library under 1.0 SQL: the default partition's row is reported" grep -q "^health|heart_rate_readings|.*|0|0|1|0|critical|" "$work/before.txt"
# fitbot_partman_info's version label: the installed SQL's version, not the library's.
reported_version() { sql -d fitbot -c "SELECT fitbot_partman.metrics()" | sed -n 's/^fitbot_partman_info{version="\([^"]*\)".*/\1/p'; }
check "1.1 library under 1.0 SQL: metrics() reports the installed version, 1.0" test "$(reported_version)" = 1.0
check "1.1 library under 1.0 SQL: partitions() and facts() answer" \
    sql -d fitbot -c "SELECT count(*) > 0 FROM fitbot_partman.partitions('public.heart_rate_readings'); SELECT fitbot_partman.facts() IS NOT NULL"
check "1.1 library under 1.0 SQL: the monitor reads check()" \
    sql -d fitbot -U monitor -c "SELECT code FROM fitbot_partman.check()"

# A C entry point refuses SQL whose OUT list it was not written for, rather
# than answering with columns silently NULL.
sql -d fitbot -c "CREATE FUNCTION public.check_of_another_shape(OUT code integer, OUT status text) RETURNS record
                  AS '\$libdir/fitbot_partman', 'fitbot_check' LANGUAGE C" >/dev/null
sql -d fitbot -c "SELECT * FROM public.check_of_another_shape()" >"$work/shape.txt" 2>&1
check "a C entry point refuses an OUT list of another shape" \
    grep -q "has 2 result columns where the fitbot_partman library expects 3" "$work/shape.txt"
cat "$work/shape.txt"
sql -d fitbot -c "DROP FUNCTION public.check_of_another_shape()"

# ---------------------------------------------------------------- a user object on a replaced function
sql -d fitbot -c "CREATE VIEW public.cron_where AS SELECT fitbot_partman.cron_location() AS location"
sql -d fitbot -c "ALTER EXTENSION fitbot_partman UPDATE" >"$work/refused.txt" 2>&1
check "the update is refused while a user view depends on a function 1.1 moves" test $? -ne 0
cat "$work/refused.txt"
check "  ... with an error naming the view and the function" \
    grep -q 'ERROR:  cannot update extension fitbot_partman: view public.cron_where depends on function fitbot_partman.cron_location()' "$work/refused.txt"
check "  ... and a hint saying what to do" grep -q 'HINT:  Save the definition of view public.cron_where and drop it, run ALTER EXTENSION fitbot_partman UPDATE again' "$work/refused.txt"
check "  ... leaving 1.0, the view and the old function in place" \
    test "$(sql -d fitbot -c "SELECT extversion FROM pg_extension WHERE extname = 'fitbot_partman'; SELECT location FROM public.cron_where")" = "1.0
here"
sql -d fitbot -c "DROP VIEW public.cron_where"

# ---------------------------------------------------------------- the update
check "ALTER EXTENSION fitbot_partman UPDATE succeeds" sql -d fitbot -c "ALTER EXTENSION fitbot_partman UPDATE"
check "  ... to 1.1" test "$(sql -d fitbot -c "SELECT extversion FROM pg_extension WHERE extname = 'fitbot_partman'")" = 1.1
snapshot >"$work/after.txt" 2>&1
check "data, registration, cron job and health are as before; the user view on partition_health() works" \
    diff -u "$work/before.txt" "$work/after.txt"
check "metrics() now reports version 1.1" test "$(reported_version)" = 1.1
check "the administrator's grant on a moved helper followed it" \
    test "$(sql -d fitbot -c "SELECT has_function_privilege('admin', 'fitbot_partman_internal.do_setup(text)', 'EXECUTE')
                                     AND has_schema_privilege('admin', 'fitbot_partman_internal', 'USAGE')")" = t
check "the monitor still reads health, and still cannot run setup()" \
    test "$(sql -d fitbot -U monitor -c "SELECT code IN (0, 1, 2, 3) FROM fitbot_partman.check();
                                           SELECT has_function_privilege('fitbot_partman.setup(text)', 'EXECUTE')")" = "t
f"
check "the update left the 1.0 job as it was" \
    test "$(sql -d fitbot -c "SELECT command FROM cron.job")" = "CALL public.run_maintenance_proc();"
sql -d fitbot -c "SELECT step, action, detail FROM fitbot_partman.setup()" >"$work/setup-after.txt"
cat "$work/setup-after.txt"
check "setup() after the upgrade switches the job to the driver, and says so" \
    grep -q "^schedule|updated|pg_cron job 1 run_pg_partman_maintenance_monthly: '0 2 20 \* \*' runs CALL fitbot_partman.run_maintenance() .*; it ran CALL public.run_maintenance_proc(); before$" "$work/setup-after.txt"
check "  ... and changes nothing else" test "$(cut -d'|' -f2 "$work/setup-after.txt" | tr '\n' ,)" = "unchanged,unchanged,updated,scheduled,"
check "the upgraded database records maintenance in its new ledger" \
    test "$(sql -d fitbot -c "CALL fitbot_partman.run_maintenance()" -c "SELECT outcome, tables_succeeded FROM fitbot_partman.maintenance_runs")" = "succeeded|1"

# ---------------------------------------------------------------- same objects as a fresh 1.1
sql -d postgres -c "CREATE DATABASE fresh" >/dev/null
sql -d fresh <<'SQL' >/dev/null
CREATE EXTENSION fitbot_partman CASCADE;
GRANT USAGE ON SCHEMA fitbot_partman TO admin;
GRANT EXECUTE ON FUNCTION fitbot_partman.setup(text) TO admin;
GRANT USAGE ON SCHEMA fitbot_partman_internal TO admin;
GRANT EXECUTE ON FUNCTION fitbot_partman_internal.do_setup(text) TO admin;
SQL
# Every member object of the extension with everything a caller depends on.
members() {
    sql -d "$1" -c "
        SELECT 'function', p.oid::regprocedure::text, pg_get_function_result(p.oid), p.prokind, p.provolatile, p.proisstrict,
               p.prosecdef, p.proparallel, l.lanname, p.proconfig, p.proacl, md5(p.prosrc), p.probin,
               pg_get_function_arguments(p.oid), obj_description(p.oid, 'pg_proc')
          FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid JOIN pg_language l ON l.oid = p.prolang
         WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'fitbot_partman') AND d.deptype = 'e'
           AND d.classid = 'pg_proc'::regclass
        UNION ALL
        SELECT 'schema', n.nspname::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, n.nspacl, NULL, NULL, NULL,
               obj_description(n.oid, 'pg_namespace')
          FROM pg_depend d JOIN pg_namespace n ON n.oid = d.objid
         WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'fitbot_partman') AND d.deptype = 'e'
           AND d.classid = 'pg_namespace'::regclass
        UNION ALL
        SELECT 'other', pg_describe_object(d.classid, d.objid, d.objsubid), NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               NULL, NULL, NULL, NULL, NULL, NULL
          FROM pg_depend d
         WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'fitbot_partman') AND d.deptype = 'e'
           AND d.classid NOT IN ('pg_proc'::regclass, 'pg_namespace'::regclass)
        UNION ALL
        SELECT 'schema acl', n.nspname::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, n.nspacl, NULL, NULL, NULL, NULL
          FROM pg_namespace n WHERE n.nspname = 'fitbot_partman'
        ORDER BY 1, 2"
}
members fitbot >"$work/upgraded.members"
members fresh >"$work/fresh.members"
check "a fresh 1.1 install has its schemas and functions as members" \
    test "$(grep -c '^function|' "$work/fresh.members")" -gt 30 -a "$(grep -c '^schema|fitbot_partman_internal|' "$work/fresh.members")" -eq 1
check "the upgraded extension has $(wc -l <"$work/fresh.members") member objects, identical to a fresh 1.1 install" \
    diff -u "$work/fresh.members" "$work/upgraded.members"
check "no private helper is left in schema fitbot_partman" \
    test "$(sql -d fitbot -c "SELECT count(*) FROM pg_proc WHERE pronamespace = 'fitbot_partman'::regnamespace
                                AND proname IN ('do_setup', 'do_register_table', 'cron_location', 'checked_schedule')")" = 0
check "every function of ours is closed to PUBLIC except next_run and validate_schedule" \
    test "$(sql -d fitbot -c "SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc
                                WHERE pronamespace IN ('fitbot_partman'::regnamespace, 'fitbot_partman_internal'::regnamespace)
                                  AND has_function_privilege('public', oid, 'EXECUTE')")" \
         = "next_run,validate_schedule"

# ---------------------------------------------------------------- DROP EXTENSION after the upgrade
sql -d fitbot -c "DROP VIEW public.partition_dashboard; DROP EXTENSION fitbot_partman"
check "DROP EXTENSION after the upgrade succeeds" test $? -eq 0
check "DROP EXTENSION after the upgrade keeps every reading and leaves none of our functions" \
    test "$(sql -d fitbot -c "SELECT count(*) FROM public.heart_rate_readings;
                              SELECT count(*) FROM pg_namespace WHERE nspname = 'fitbot_partman_internal';
                              SELECT count(*) FROM pg_proc WHERE pronamespace = 'fitbot_partman'::regnamespace")" = "2001
0
0"
suite_result
