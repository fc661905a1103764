// decode_range_bound(): pg_get_expr's text of a partition bound, decoded as
// the extension reads the same bound from the catalogs.
#include <gtest/gtest.h>

#include "companion/system_zone.h"
#include "core/bound_text.h"

using namespace fitbot::core;

namespace {

const FixedOffsetZone utc;

// The instant `seconds` after the epoch; `iso` says which one it is, for the reader.
Micros at(const char *iso, std::int64_t seconds) {
    (void)iso;
    return seconds * kMicrosPerSecond;
}

}  // namespace

TEST(BoundText, TimestamptzMonthInUtc) {
    DecodedRangeBound bound = decode_range_bound(
        "FOR VALUES FROM ('2026-11-01 00:00:00+00') TO ('2026-12-01 00:00:00+00')", utc);
    EXPECT_FALSE(bound.is_default);
    EXPECT_EQ(bound.start, at("2026-11-01T00:00:00Z", 1793491200));
    EXPECT_EQ(bound.end, at("2026-12-01T00:00:00Z", 1796083200));
}

TEST(BoundText, OffsetsAndFractions) {
    DecodedRangeBound bound = decode_range_bound(
        "FOR VALUES FROM ('2026-11-01 00:00:00.25+09') TO ('2026-11-01 00:00:00-03:30')", utc);
    EXPECT_EQ(bound.start, at("2026-10-31T15:00:00Z", 1793458800) + 250000);
    EXPECT_EQ(bound.end, at("2026-11-01T03:30:00Z", 1793503800));
}

TEST(BoundText, DefaultAndUnbounded) {
    EXPECT_TRUE(decode_range_bound("DEFAULT", utc).is_default);
    DecodedRangeBound open = decode_range_bound("FOR VALUES FROM (MINVALUE) TO ('2026-01-01')", utc);
    EXPECT_FALSE(open.start);
    EXPECT_EQ(open.end, at("2026-01-01T00:00:00Z", 1767225600));
    DecodedRangeBound infinite = decode_range_bound("FOR VALUES FROM ('2026-01-01') TO ('infinity')", utc);
    EXPECT_FALSE(infinite.end);
    EXPECT_FALSE(decode_range_bound("FOR VALUES FROM ('2026-01-01') TO (MAXVALUE)", utc).end);
}

TEST(BoundText, DateAndTimestampBoundsAreLocalTime) {
    auto seoul = fitbot::companion::load_system_zone("Asia/Seoul");
    DecodedRangeBound bound = decode_range_bound("FOR VALUES FROM ('2026-11-01') TO ('2026-12-01 00:00:00')", *seoul);
    EXPECT_EQ(bound.start, at("2026-10-31T15:00:00Z", 1793458800));
    EXPECT_EQ(bound.end, at("2026-11-30T15:00:00Z", 1796050800));
}

TEST(BoundText, SkippedLocalTimeReadsAsPostgresDoes) {
    // 2027-03-14 02:30 does not exist in New York; PostgreSQL reads it with
    // the offset before the jump (-05), i.e. 07:30Z = 03:30 EDT.
    auto new_york = fitbot::companion::load_system_zone("America/New_York");
    DecodedRangeBound bound =
        decode_range_bound("FOR VALUES FROM ('2027-03-14 02:30:00') TO ('2027-03-15 00:00:00')", *new_york);
    EXPECT_EQ(bound.start, at("2027-03-14T07:30:00Z", 1805009400));
}

TEST(BoundText, QuotesInsideLiteralsAndRejections) {
    const char *bad[] = {
        "",
        "FOR VALUES IN ('a')",
        "FOR VALUES WITH (modulus 4, remainder 0)",
        "FOR VALUES FROM ('2026-01-01', 1) TO ('2026-02-01', 1)",
        "FOR VALUES FROM ('2026-01-01') TO ('2026-02-01') trailing",
        "FOR VALUES FROM ('2026-02-30') TO ('2026-03-01')",
        "FOR VALUES FROM ('Sun Nov 01 00:00:00 2026 PST') TO ('2026-03-01')",
        "FOR VALUES FROM ('2026-01-01 BC') TO ('2026-03-01')",
        "FOR VALUES FROM ('2026-03-01') TO ('2026-01-01')",
        "FOR VALUES FROM (MAXVALUE) TO ('2026-01-01')",
        "FOR VALUES FROM ('2026-01-01 25:00:00') TO ('2026-03-01')",
        "FOR VALUES FROM ('2026-01-01 00:00:00.1234567') TO ('2026-03-01')",
        "FOR VALUES FROM ('2026-01-01'",
        "FOR VALUES FROM ('it''s') TO ('2026-03-01')",
        "FOR VALUES FROM ('402026-12-01 00:00:00+00') TO (MAXVALUE)",  // found by fuzz_bound
    };
    for (const char *expression : bad) {
        EXPECT_THROW(decode_range_bound(expression, utc), std::invalid_argument) << expression;
    }
}
