#!/usr/bin/env bash
# The time-sensitive suites with the server's clock on hard dates, in several
# zones (libfaketime through test/lib/cluster.sh's FITBOT_TEST_CLOCK and
# FITBOT_TEST_ZONE). Every suite must pass on any date: the dates are those
# where a tool about months, a monthly job and DST breaks first.
#
# The dates lie in the years after the real one (computed, never written
# down), so that no run meets the real clock; DST days are the zone's own
# transitions of that year, found with Python's zoneinfo.
set -u
cd "$(dirname "$0")/../.."
source test/lib/suite.sh

year=$(($(date -u +%Y) + 1))
# ZONE|LOCAL START|WHY, one per line: pg_regress and the isolation specs run
# at every one; the maintenance and layout scripts at those marked with +.
dates=$(python3 - "$year" <<'PY'
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

year = int(sys.argv[1])
leap = next(y for y in range(year, year + 4) if y % 4 == 0 and (y % 100 or y % 400 == 0))

def transitions(zone):
    """Two minutes before this year's two DST changes, in local time."""
    tz, found = ZoneInfo(zone), []
    t = datetime(year, 1, 1, tzinfo=ZoneInfo("UTC"))
    offset = t.astimezone(tz).utcoffset()
    while t.year == year:
        nxt = t + timedelta(hours=1)
        if nxt.astimezone(tz).utcoffset() != offset:
            found.append((t.astimezone(tz) + timedelta(minutes=58)).strftime("%Y-%m-%d %H:%M:00"))
            offset = nxt.astimezone(tz).utcoffset()
        t = nxt
    return found

ny_spring, ny_fall = transitions("America/New_York")
berlin_spring, berlin_fall = transitions("Europe/Berlin")
rows = [
    ("UTC", f"{year}-01-31 23:50:00", "a month's last minutes (31 days)", "+"),
    ("Asia/Seoul", f"{year}-02-19 23:50:00", "the 19th, late, east of UTC", ""),
    ("UTC", f"{year}-02-20 01:58:00", "two minutes before the job's firing (02:00 in pg_cron's GMT)", ""),
    ("UTC", f"{year}-02-20 02:01:00", "a minute after the firing", ""),
    ("Asia/Seoul", f"{year}-03-20 10:59:00", "before the firing, which is 11:00 in Seoul", ""),
    ("Europe/Berlin", f"{year}-03-20 03:30:00", "within the hour after the firing (03:00 in Berlin)", ""),
    ("Asia/Seoul", f"{year}-03-21 00:10:00", "the 21st, just after midnight", ""),
    ("America/New_York", ny_spring, "two minutes before the US spring-forward", ""),
    ("America/New_York", ny_fall, "two minutes before the US fall-back (the hour repeats)", ""),
    ("Europe/Berlin", berlin_spring, "two minutes before the EU spring-forward", ""),
    ("Europe/Berlin", berlin_fall, "two minutes before the EU fall-back (the hour repeats)", ""),
    ("UTC", f"{leap}-02-29 12:00:00", "a leap day", ""),
    ("America/New_York", f"{leap}-02-29 23:50:00", "a leap day's last minutes, west of UTC", ""),
    ("Asia/Kolkata", f"{year}-04-30 23:50:00", "a 30-day month's end, half-hour offset", ""),
    ("Asia/Seoul", f"{year}-12-31 23:50:00", "New Year's Eve, east of UTC", "+"),
    ("Europe/Berlin", f"{year}-06-15 12:00:00", "an ordinary day in summer time", ""),
]
for zone, start, why, more in rows:
    print(f"{zone}|{start}|{why}|{more}")
PY
) || { not_ok "compute the dates"; suite_result; exit 1; }

mkdir -p build/logs/dated
# run_dated SUITE ZONE START WHY: the suite with the server's clock moved;
# one line here, its whole log kept in build/logs/dated.
run_dated() {
    local suite=$1 zone=$2 start=$3 why=$4 log result
    log="build/logs/dated/$(basename "$(dirname "$suite")")-${zone//\//_}-${start//[ :]/_}.log"
    [ "$suite" = test/regress.sh ] && log="build/logs/dated/regress-${zone//\//_}-${start//[ :]/_}.log"
    FITBOT_TEST_ZONE=$zone FITBOT_TEST_CLOCK="@$start" "$suite" >"$log" 2>&1
    result=$(grep -E '^# suite-result: ' "$log" | tail -1)
    # pg_regress's log also says which clock the server had: it must be the moved one.
    clock_moved=true
    [ "$suite" = test/regress.sh ] && ! grep -q "^# server clock: ${start:0:10}" "$log" && clock_moved=false
    if $clock_moved && [[ "$result" =~ \ 0\ failed$ ]]; then
        ok "$suite at $start $zone ($why): ${result#\# suite-result: }"
    else
        not_ok "$suite at $start $zone ($why): ${result:-no result}; $(grep -E '^not ok' "$log" | head -5 | tr '\n' ';')"
        [ -s build/regress/regression.diffs ] && [ "$suite" = test/regress.sh ] &&
            cp build/regress/regression.diffs "${log%.log}.diffs" && head -60 "${log%.log}.diffs"
    fi
}

while IFS='|' read -r zone start why more; do
    run_dated test/regress.sh "$zone" "$start" "$why"
    if [ "$more" = + ]; then
        run_dated test/maintenance/run.sh "$zone" "$start" "$why"
    fi
done <<<"$dates"
# The layouts (pg_cron in another database, a non-superuser admin) once, on
# the date where the month and the schedule meet.
run_dated test/layouts/run.sh Asia/Seoul "$year-02-19 23:50:00" "the 19th, late, east of UTC"
suite_result
