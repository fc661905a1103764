// Local-time resolution (src/core/zone) and the system tz database
// (src/companion/system_zone). Expected instants were cross-checked with
// python3's zoneinfo and `date -u -d`.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "companion/system_zone.h"
#include "core/zone.h"

namespace fitbot::core {
namespace {

using Kind = LocalTimeResolution::Kind;
using companion::load_system_zone;

std::int64_t local_time(int year, int month, int day, int hour, int minute, int second = 0) {
    return days_from_civil({year, month, day}) * 86400 + hour * 3600 + minute * 60 + second;
}

// A zone with one transition, to test resolution without the tz database.
class OneTransitionZone final : public ZoneRules {
public:
    OneTransitionZone(std::int64_t transition, std::int64_t before, std::int64_t after)
        : transition_(transition), before_(before), after_(after) {}
    std::int64_t utc_offset_seconds(std::int64_t utc_seconds) const override {
        return utc_seconds < transition_ ? before_ : after_;
    }
    std::string name() const override { return "test"; }

private:
    std::int64_t transition_, before_, after_;
};

TEST(ZoneResolve, FixedOffsetIsAlwaysUnique) {
    const FixedOffsetZone seoul(9 * 3600, "KST");
    const LocalTimeResolution resolution = resolve_local_time(seoul, local_time(2026, 12, 20, 2, 0));
    EXPECT_EQ(resolution.kind, Kind::unique);
    EXPECT_EQ(resolution.earliest_utc_seconds, 1797699600);  // 2026-12-19T17:00:00Z
    EXPECT_EQ(local_seconds_at(seoul, 1797699600), local_time(2026, 12, 20, 2, 0));
    EXPECT_EQ(seoul.name(), "KST");
    EXPECT_EQ(FixedOffsetZone().name(), "UTC");
}

TEST(ZoneResolve, SyntheticSpringForwardGap) {
    // At 1000000 UTC the offset goes from +1h to +2h: wall times
    // [1000000 + 3600, 1000000 + 7200) do not exist.
    const OneTransitionZone zone(1000000, 3600, 7200);
    const LocalTimeResolution in_gap = resolve_local_time(zone, 1000000 + 3600 + 1800);
    EXPECT_EQ(in_gap.kind, Kind::skipped);
    EXPECT_EQ(in_gap.gap_end_utc_seconds, 1000000);
    const LocalTimeResolution gap_start = resolve_local_time(zone, 1000000 + 3600);
    EXPECT_EQ(gap_start.kind, Kind::skipped);
    EXPECT_EQ(gap_start.gap_end_utc_seconds, 1000000);
    const LocalTimeResolution gap_end = resolve_local_time(zone, 1000000 + 7200);
    EXPECT_EQ(gap_end.kind, Kind::unique);
    EXPECT_EQ(gap_end.earliest_utc_seconds, 1000000);
    const LocalTimeResolution just_before = resolve_local_time(zone, 1000000 + 3599);
    EXPECT_EQ(just_before.kind, Kind::unique);
    EXPECT_EQ(just_before.earliest_utc_seconds, 999999);
}

TEST(ZoneResolve, SyntheticFallBackOverlap) {
    // At 1000000 UTC the offset goes from +2h to +1h: wall times
    // [1000000 + 3600, 1000000 + 7200) happen twice.
    const OneTransitionZone zone(1000000, 7200, 3600);
    const LocalTimeResolution repeated = resolve_local_time(zone, 1000000 + 3600 + 60);
    EXPECT_EQ(repeated.kind, Kind::ambiguous);
    EXPECT_EQ(repeated.earliest_utc_seconds, 1000000 - 3600 + 60);
    EXPECT_EQ(repeated.latest_utc_seconds, 1000000 + 60);
    EXPECT_EQ(resolve_local_time(zone, 1000000 + 7200).kind, Kind::unique);
    EXPECT_EQ(resolve_local_time(zone, 1000000 + 3599).kind, Kind::unique);
}

TEST(ZoneResolve, BerlinSpringForward) {
    const auto berlin = load_system_zone("Europe/Berlin");
    // 2026-03-29: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
    const LocalTimeResolution skipped = resolve_local_time(*berlin, local_time(2026, 3, 29, 2, 30));
    EXPECT_EQ(skipped.kind, Kind::skipped);
    EXPECT_EQ(skipped.gap_end_utc_seconds, 1774746000);  // 2026-03-29T01:00:00Z = 03:00 CEST
    const LocalTimeResolution after = resolve_local_time(*berlin, local_time(2026, 3, 29, 3, 0));
    EXPECT_EQ(after.kind, Kind::unique);
    EXPECT_EQ(after.earliest_utc_seconds, 1774746000);
    const LocalTimeResolution before = resolve_local_time(*berlin, local_time(2026, 3, 29, 1, 59));
    EXPECT_EQ(before.kind, Kind::unique);
    EXPECT_EQ(before.earliest_utc_seconds, 1774746000 - 60);
}

TEST(ZoneResolve, BerlinFallBack) {
    const auto berlin = load_system_zone("Europe/Berlin");
    // 2026-10-25: 03:00 CEST becomes 02:00 CET at 01:00 UTC; 02:30 happens twice.
    const LocalTimeResolution repeated = resolve_local_time(*berlin, local_time(2026, 10, 25, 2, 30));
    EXPECT_EQ(repeated.kind, Kind::ambiguous);
    EXPECT_EQ(repeated.earliest_utc_seconds, 1792890000 - 1800);  // 00:30Z, CEST
    EXPECT_EQ(repeated.latest_utc_seconds, 1792890000 + 1800);    // 01:30Z, CET
}

TEST(ZoneResolve, NewYorkTransitions) {
    const auto new_york = load_system_zone("America/New_York");
    const LocalTimeResolution skipped = resolve_local_time(*new_york, local_time(2026, 3, 8, 2, 30));
    EXPECT_EQ(skipped.kind, Kind::skipped);
    EXPECT_EQ(skipped.gap_end_utc_seconds, 1772953200);  // 2026-03-08T07:00:00Z = 03:00 EDT
    const LocalTimeResolution repeated = resolve_local_time(*new_york, local_time(2026, 11, 1, 1, 30));
    EXPECT_EQ(repeated.kind, Kind::ambiguous);
    EXPECT_EQ(repeated.earliest_utc_seconds, 1793511000);  // 05:30Z, EDT
    EXPECT_EQ(repeated.latest_utc_seconds, 1793514600);    // 06:30Z, EST
}

TEST(ZoneResolve, HalfHourShiftOnLordHowe) {
    const auto lord_howe = load_system_zone("Australia/Lord_Howe");
    // 2026-10-04: 02:00 +10:30 becomes 02:30 +11:00 at 2026-10-03T15:30:00Z.
    const LocalTimeResolution skipped = resolve_local_time(*lord_howe, local_time(2026, 10, 4, 2, 15));
    EXPECT_EQ(skipped.kind, Kind::skipped);
    EXPECT_EQ(skipped.gap_end_utc_seconds, 1791041400);
    // 2026-04-05: 02:00 +11:00 becomes 01:30 +10:30; 01:45 happens twice.
    const LocalTimeResolution repeated = resolve_local_time(*lord_howe, local_time(2026, 4, 5, 1, 45));
    EXPECT_EQ(repeated.kind, Kind::ambiguous);
    EXPECT_EQ(repeated.latest_utc_seconds - repeated.earliest_utc_seconds, 1800);
    EXPECT_EQ(repeated.earliest_utc_seconds, 1775314800 - 900);
}

TEST(ZoneResolve, SamoaSkippedAWholeDay) {
    // Pacific/Apia jumped from -10:00 to +14:00 at 2011-12-30T10:00:00Z:
    // there was no 30 December 2011.
    const auto apia = load_system_zone("Pacific/Apia");
    const LocalTimeResolution skipped = resolve_local_time(*apia, local_time(2011, 12, 30, 12, 0));
    EXPECT_EQ(skipped.kind, Kind::skipped);
    EXPECT_EQ(skipped.gap_end_utc_seconds, 1325239200);
}

TEST(ZonePostgres, GapUsesOffsetBeforeTransition) {
    // PostgreSQL reads 02:30 on the spring-forward day with the offset before
    // the jump: '2026-03-29 02:30' in Europe/Berlin is 03:30 CEST = 01:30Z.
    const auto berlin = load_system_zone("Europe/Berlin");
    EXPECT_EQ(postgres_utc_from_local(*berlin, local_time(2026, 3, 29, 2, 30)), 1774746000 + 1800);
    const auto new_york = load_system_zone("America/New_York");
    // '2026-03-08 02:30' America/New_York = 03:30 EDT = 07:30Z.
    EXPECT_EQ(postgres_utc_from_local(*new_york, local_time(2026, 3, 8, 2, 30)), 1772953200 + 1800);
}

TEST(ZonePostgres, RepeatedTimeTakesLaterOccurrence) {
    const auto new_york = load_system_zone("America/New_York");
    // '2026-11-01 01:30' America/New_York = 01:30 EST = 06:30Z.
    EXPECT_EQ(postgres_utc_from_local(*new_york, local_time(2026, 11, 1, 1, 30)), 1793514600);
    const auto berlin = load_system_zone("Europe/Berlin");
    EXPECT_EQ(postgres_utc_from_local(*berlin, local_time(2026, 10, 25, 2, 30)), 1792890000 + 1800);
    // Unambiguous times are unchanged.
    EXPECT_EQ(postgres_utc_from_local(*berlin, local_time(2026, 7, 15, 14, 0)), 1784116800);
}

struct OffsetCase {
    const char *zone;
    std::int64_t utc_seconds;
    std::int64_t offset;
};

TEST(ZoneSystem, OffsetsMatchPythonZoneinfo) {
    // python3: datetime.fromtimestamp(t, ZoneInfo(zone)).utcoffset()
    const OffsetCase cases[] = {
        {"Europe/Berlin", 1768478400, 3600},         // 2026-01-15T12:00:00Z
        {"Europe/Berlin", 1784116800, 7200},         // 2026-07-15T12:00:00Z
        {"America/New_York", 1768478400, -18000},    // 2026-01-15T12:00:00Z
        {"America/New_York", 1784116800, -14400},    // 2026-07-15T12:00:00Z
        {"America/New_York", 2225016000, -14400},    // 2040-07-04T12:00:00Z (POSIX footer)
        {"America/New_York", 4101883200, -18000},    // 2099-12-25T12:00:00Z
        {"Australia/Sydney", 2368051200, 39600},     // 2045-01-15T00:00:00Z
        {"Australia/Sydney", 2383689600, 36000},     // 2045-07-15T00:00:00Z
        {"Asia/Seoul", 1797699600, 32400},           // 2026-12-19T17:00:00Z
        {"Asia/Kolkata", 1893456000, 19800},         // 2030-01-01T00:00:00Z
        {"Australia/Lord_Howe", 2208988800, 39600},  // 2040-01-01T00:00:00Z
        {"Europe/London", 2537654400, 3600},         // 2050-06-01T00:00:00Z
        {"America/Sao_Paulo", 2840140800, -10800},   // 2060-01-01T00:00:00Z
        {"Pacific/Apia", 1325160000, -36000},        // 2011-12-29T12:00:00Z
        {"Pacific/Apia", 1325332800, 50400},         // 2011-12-31T12:00:00Z
        {"UTC", 1784116800, 0},
        {"GMT", 1784116800, 0},
    };
    for (const OffsetCase &c : cases) {
        const auto zone = load_system_zone(c.zone);
        EXPECT_EQ(zone->utc_offset_seconds(c.utc_seconds), c.offset) << c.zone << " at " << c.utc_seconds;
        EXPECT_EQ(zone->name(), c.zone);
    }
}

TEST(ZoneSystem, NamesAreMatchedLikePostgres) {
    EXPECT_EQ(load_system_zone("asia/seoul")->name(), "Asia/Seoul");
    EXPECT_EQ(load_system_zone("utc")->utc_offset_seconds(0), 0);
    // A link of the tz database.
    EXPECT_EQ(load_system_zone("US/Eastern")->utc_offset_seconds(1784116800), -14400);
}

TEST(ZoneSystem, UnknownZoneIsRejected) {
    for (const char *name : {"Mars/Olympus_Mons", "", "../etc/passwd", "/etc/localtime", "Europe/"}) {
        try {
            load_system_zone(name);
            ADD_FAILURE() << "accepted " << name;
        } catch (const std::invalid_argument &error) {
            EXPECT_NE(std::string(error.what()).find("not recognized"), std::string::npos) << error.what();
        }
    }
}

}  // namespace
}  // namespace fitbot::core
