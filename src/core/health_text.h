// Small text helpers shared by the health rules, the check summary and the
// exposition formatter. Private to src/core (not part of any contract).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "health.h"
#include "time_types.h"
#include "zone.h"

namespace fitbot::core::text {

// "2027-03-01 00:00 UTC"; seconds are shown only when not zero
// ("2027-03-01 00:00:30 UTC"); sub-second digits are dropped.
std::string format_utc(Micros instant);

// An instant as pg_cron's users read it: in `zone` (pg_cron's cron.timezone)
// and in UTC, "2026-12-20 02:00 Asia/Seoul = 2026-12-19 17:00 UTC"; just
// format_utc() where the zone is UTC itself.
std::string format_in_zone(Micros instant, const ZoneRules &zone);

// A rough human length of |duration|, rounded down: "3 days", "1 day",
// "5 hours", "12 minutes", "40 seconds".
std::string describe_duration(Micros duration);

// A PostgreSQL-like rendering of an interval: "1 month", "1 year 2 months",
// "7 days", "1 day 12:00:00", "00:30:00", "0" for the empty interval.
std::string describe_interval(const Interval &interval);

// "1 row", "12 rows" (the noun is pluralised by appending "s").
std::string count_of(std::int64_t count, std::string_view noun);

// A SQL string literal: 'public.x', with embedded quotes doubled.
std::string sql_literal(std::string_view value);

// One line: control characters (newlines, tabs...) become spaces, runs of
// spaces collapse, and text longer than max_bytes is cut at a UTF-8 character
// boundary and ends with "…".
std::string one_line(std::string_view value, std::size_t max_bytes);

// Cuts `value` to at most max_bytes bytes without splitting a UTF-8 character.
std::string cut_utf8(std::string_view value, std::size_t max_bytes);

// A Finding appended to a report's findings and reasons, raising `status`.
template <typename Report>
void add_finding(Report &report, Status status, std::string brief, std::string reason) {
    report.status = worst(report.status, status);
    report.reasons.push_back(reason);
    report.findings.push_back(Finding{status, std::move(brief), std::move(reason)});
}

}  // namespace fitbot::core::text
