# Section of test/maintenance/run.sh (sourced; uses its sql, check and
# $partman): an adopted wide partition (issue 20) under pg_partman's own
# procedure and under our driver. Fixtures are relative to now().
#  - public.wide_readings: one partition [month -24, month +2) with a row every
#    hour of the last 24 months, retention 1 year;
#  - public.wide_empty: the same bounds, rows only older than a year;
#  - public.wide_old / public.wide_old_kept: a wide partition wholly older
#    than a year (dropped / detached with keep_table).
month() { echo "date_trunc('month', now()) + interval '$1 months'"; }
wide_table() {  # wide_table NAME FROM_MONTH TO_MONTH ROWS_SQL [REGISTER_OPTIONS]
    sql -c "CREATE TABLE public.$1 (id bigserial, at timestamptz NOT NULL) PARTITION BY RANGE (at)" \
        -c "DO \$\$ BEGIN EXECUTE format('CREATE TABLE public.%I PARTITION OF public.%I FOR VALUES FROM (%L) TO (%L)',
                                         '$1_adopted', '$1', $(month "$2"), $(month "$3")); END \$\$" \
        -c "INSERT INTO public.$1 (at) $4" \
        -c "SELECT count(*) FROM fitbot_partman.register_table('public.$1', 'at', retention => '1 year'${5:-})" >/dev/null
}
wide_table wide_readings -24 2 "SELECT g FROM generate_series(now() - interval '24 months', now(), interval '1 hour') g"
wide_table wide_empty -24 2 "SELECT g FROM generate_series(now() - interval '24 months', now() - interval '13 months', interval '1 day') g"
wide_table wide_old -30 -14 "SELECT g FROM generate_series($(month -30), $(month -14) - interval '1 day', interval '1 day') g"
wide_table wide_old_kept -30 -14 "SELECT g FROM generate_series($(month -30), $(month -14) - interval '1 day', interval '1 day') g" ", keep_table => true"
sql -c "CREATE TABLE public.wide_readings_copy AS SELECT * FROM public.wide_readings"
wide_tables="'public.wide_readings', 'public.wide_empty', 'public.wide_old', 'public.wide_old_kept'"
partman_retentions() { sql -c "SELECT string_agg(parent_table || '=' || coalesce(retention, 'none'), ' ' ORDER BY parent_table) FROM $partman.part_config WHERE parent_table IN ($wide_tables)"; }
wide_rows() { sql -c "SELECT string_agg(format('%s=%s', t, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %s', t), false, true, '')))[1]), ' ' ORDER BY t) FROM unnest(ARRAY[$wide_tables]) t"; }
rows_before=$(wide_rows)
echo "# registered: $(partman_retentions); held: $(sql -c "SELECT string_agg(parent || '=' || retention, ' ' ORDER BY parent) FROM fitbot_partman.wide_partitions")"
check "wide partitions registered: pg_partman's retention none for all four, 1 year held in fitbot_partman.wide_partitions" \
    test "$(partman_retentions)" = "public.wide_empty=none public.wide_old=none public.wide_old_kept=none public.wide_readings=none" \
         -a "$(sql -c "SELECT count(*) FILTER (WHERE retention = interval '1 year') FROM fitbot_partman.wide_partitions WHERE parent IN ($wide_tables)")" = 4

# Health: a wide partition is neither a gap nor an error, and says when it goes
# (its upper bound plus the retention); one whose time passed more than a
# maintenance period ago, still attached, warns.
wide_health() { sql -c "SELECT status || '|' || gaps || '|' || array_to_string(reasons, ' ') FROM fitbot_partman.partition_health() WHERE parent = 'public.$1'::regclass"; }
planned=$(sql -c "SELECT to_char(($(month 2) + interval '1 year') AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC'")
check "health of wide_readings: ok, no gap, dropped at the first run from its upper bound + 1 year ($planned)" \
    bash -c "[[ \"\$1\" == ok\|0\|*'drops it at its first run from $planned'* ]]" _ "$(wide_health wide_readings)"
for t in wide_old wide_old_kept; do
    check "health of $t (wholly expired, never maintained by our driver): warning, no gap, not dropped since its time" \
        bash -c "[[ \"\$1\" == warning\|0\|*'is wider than its partition interval'*'more than one maintenance period ago'* ]]" _ "$(wide_health $t)"
done

sql -c "CALL $partman.run_maintenance_proc()"
check "pg_partman's own run_maintenance_proc() drops nothing while the wide partitions exist ($rows_before)" \
    test "$(wide_rows)" = "$rows_before" \
         -a "$(sql -c "SELECT count(*) FROM pg_class WHERE relname IN ('wide_readings_adopted', 'wide_empty_adopted', 'wide_old_adopted', 'wide_old_kept_adopted')")" = 4

run_before=$(last_run); run_before=${run_before:-0}
sql -c "CALL fitbot_partman.run_maintenance()" 2>&1 | sed 's/^/# /'
sql -c "SELECT parent, outcome, rows_expired, partitions_dropped, message FROM fitbot_partman.maintenance_run_tables
        WHERE run_id > $run_before AND parent IN ($wide_tables) ORDER BY parent" | sed 's/^/# ledger: /'
echo "# rows after the driver: $(wide_rows)"
# Every row of the last 12 months (as of after the run) is there, month by month.
months_kept=$(sql -c "SELECT count(*) FROM (SELECT date_trunc('month', at) m, count(*) n FROM public.wide_readings_copy WHERE at >= now() - interval '1 year' GROUP BY 1) c
                      FULL JOIN (SELECT date_trunc('month', at) m, count(*) n FROM public.wide_readings WHERE at >= now() - interval '1 year' GROUP BY 1) r USING (m)
                      WHERE c.n IS DISTINCT FROM r.n")
lost=$(sql -c "SELECT count(*) FROM public.wide_readings_copy c WHERE c.at >= now() - interval '1 year'
               AND NOT EXISTS (SELECT 1 FROM public.wide_readings r WHERE r.id = c.id)")
check "driver: every row of the last 12 months kept, counted month by month (months differing: $months_kept, rows missing: $lost)" \
    test "$months_kept" = 0 -a "$lost" = 0
check "... and no row older than the retention is left in wide_readings" \
    test "$(sql -c "SELECT count(*) FROM public.wide_readings WHERE at < now() - interval '1 year' - interval '1 minute'")" = 0
expired=$(sql -c "SELECT rows_expired FROM fitbot_partman.maintenance_run_tables WHERE run_id > $run_before AND parent = 'public.wide_readings'")
check "... the ledger counts the $expired rows deleted, in steps of at most 5000 rows (rows now + expired = rows before)" \
    test "$(sql -c "SELECT (SELECT count(*) FROM public.wide_readings) + $expired = (SELECT count(*) FROM public.wide_readings_copy) AND $expired > 5000
                    AND (SELECT (regexp_match(message, 'in (\d+) steps'))[1]::int >= $expired / 5000 + 1 FROM fitbot_partman.maintenance_run_tables
                         WHERE run_id > $run_before AND parent = 'public.wide_readings')")" = t
check "... wide_readings keeps its wide partition (it holds this year's rows) and pg_partman's retention stays none" \
    test "$(sql -c "SELECT to_regclass('public.wide_readings_adopted') IS NOT NULL")" = t \
         -a "$(sql -c "SELECT coalesce(retention, 'none') FROM $partman.part_config WHERE parent_table = 'public.wide_readings'")" = none
check "wide_empty (only rows older than a year): emptied, dropped, pg_partman's retention back to 1 year" \
    test "$(sql -c "SELECT to_regclass('public.wide_empty_adopted') IS NULL")" = t \
         -a "$(sql -c "SELECT retention FROM $partman.part_config WHERE parent_table = 'public.wide_empty'")" = "1 year" \
         -a "$(sql -c "SELECT count(*) FROM fitbot_partman.wide_partitions WHERE parent = 'public.wide_empty'")" = 0
check "wide_old (wholly older than a year): dropped, pg_partman's retention back to 1 year, in the ledger" \
    test "$(sql -c "SELECT to_regclass('public.wide_old_adopted') IS NULL")" = t \
         -a "$(sql -c "SELECT retention FROM $partman.part_config WHERE parent_table = 'public.wide_old'")" = "1 year" \
         -a "$(sql -c "SELECT count(*) FROM fitbot_partman.maintenance_run_tables WHERE run_id > $run_before AND parent = 'public.wide_old'
                       AND outcome = 'succeeded' AND partitions_dropped >= 1 AND message ~ 'dropped'")" = 1
check "health of wide_old after the driver dropped it: no gap, and no wide partition said any more" \
    bash -c "[[ \"\$1\" == *\|0\|* && \"\$1\" != *'wider than its partition interval'* && \"\$1\" != *'wide partition'* ]]" _ "$(wide_health wide_old)"
check "wide_old_kept (keep_table): detached with every row, not emptied; retention back to 1 year" \
    test "$(sql -c "SELECT count(*) FROM public.wide_old_kept_adopted")" = "$(sql -c "SELECT count(*) FROM generate_series($(month -30), $(month -14) - interval '1 day', interval '1 day')")" \
         -a "$(sql -c "SELECT count(*) FROM pg_inherits WHERE inhrelid = 'public.wide_old_kept_adopted'::regclass")" = 0 \
         -a "$(sql -c "SELECT retention FROM $partman.part_config WHERE parent_table = 'public.wide_old_kept'")" = "1 year"

run_before=$(last_run); run_before=${run_before:-0}
sql -c "CALL fitbot_partman.run_maintenance()" >/dev/null 2>&1
sql -c "CALL $partman.run_maintenance_proc()"
check "a second driver run and pg_partman's procedure again: this year's rows of wide_readings still all there" \
    test "$(sql -c "SELECT count(*) FROM public.wide_readings_copy c WHERE c.at >= now() - interval '1 year'
                    AND NOT EXISTS (SELECT 1 FROM public.wide_readings r WHERE r.id = c.id)")" = 0 \
         -a "$(sql -c "SELECT rows_expired FROM fitbot_partman.maintenance_run_tables WHERE run_id > $run_before AND parent = 'public.wide_readings'")" -le 2

for t in wide_readings wide_empty wide_old wide_old_kept; do
    sql -c "SELECT count(*) FROM fitbot_partman.teardown('public.$t')" >/dev/null
done
# pg_partman's retention, back on, detached wide_old_kept's oldest months (keep_table).
sql -c "DO \$\$DECLARE t regclass; BEGIN
            FOR t IN SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
                     AND c.relname ~ '^wide_(readings|empty|old)' AND NOT c.relispartition ORDER BY c.relkind DESC LOOP
                EXECUTE format('DROP TABLE IF EXISTS %s CASCADE', t);
            END LOOP; END\$\$" 2>&1 | grep -v NOTICE
