// decode_partition_bound(): relpartbound's node text, decoded as the
// extension reads the same Datums (strings copied from a PostgreSQL 15 catalog).
#include <gtest/gtest.h>

#include "companion/system_zone.h"
#include "core/partition_bound.h"

using namespace fitbot::core;

namespace {

const FixedOffsetZone utc;

// The instant `seconds` after the epoch; `iso` says which one it is, for the reader.
Micros at(const char *iso, std::int64_t seconds) {
    (void)iso;
    return seconds * kMicrosPerSecond;
}

std::string constant(int type, int length, const char *bytes) {
    return std::string("{CONST :consttype ") + std::to_string(type) + " :consttypmod -1 :constcollid 0 :constlen " +
           std::to_string(length) + " :constbyval true :constisnull false :location 109 :constvalue " +
           std::to_string(length) + " [ " + bytes + " ]}";
}

std::string range(const std::string &lower, const std::string &upper) {
    return "{PARTITIONBOUNDSPEC :strategy r :is_default false :modulus 0 :remainder 0 :listdatums <> :lowerdatums (" +
           lower + ") :upperdatums (" + upper + ") :location 103}";
}

std::string value(const std::string &constant_node) {
    return "{PARTITIONRANGEDATUM :kind 0 :value " + constant_node + " :location 109}";
}

const std::string kMinValue = "{PARTITIONRANGEDATUM :kind -1 :value <> :location 130}";
const std::string kMaxValue = "{PARTITIONRANGEDATUM :kind 1 :value <> :location 130}";
const char *kNovember = "0 96 -86 122 42 2 3 0";    // 2026-11-01 00:00 as micros since 2000
const char *kDecember = "0 -96 -25 -7 -123 4 3 0";  // 2026-12-01 00:00

}  // namespace

TEST(PartitionBound, TimestamptzMonth) {
    DecodedRangeBound bound =
        decode_partition_bound(range(value(constant(1184, 8, kNovember)), value(constant(1184, 8, kDecember))), utc);
    EXPECT_FALSE(bound.is_default);
    EXPECT_EQ(bound.start, at("2026-11-01T00:00:00Z", 1793491200));
    EXPECT_EQ(bound.end, at("2026-12-01T00:00:00Z", 1796083200));
    EXPECT_FALSE(bound.wall_clock);
}

TEST(PartitionBound, DefaultAndUnbounded) {
    EXPECT_TRUE(decode_partition_bound("{PARTITIONBOUNDSPEC :strategy r :is_default true :modulus 0 :remainder 0 "
                                       ":listdatums <> :lowerdatums <> :upperdatums <> :location 306}",
                                       utc)
                    .is_default);
    DecodedRangeBound open = decode_partition_bound(range(value(constant(1114, 8, kNovember)), kMaxValue), utc);
    EXPECT_EQ(open.start, at("2026-11-01T00:00:00Z", 1793491200));
    EXPECT_FALSE(open.end);
    EXPECT_FALSE(decode_partition_bound(range(kMinValue, value(constant(1184, 8, kDecember))), utc).start);
    // timestamptz 'infinity' is INT64_MAX
    EXPECT_FALSE(
        decode_partition_bound(
            range(value(constant(1184, 8, kNovember)), value(constant(1184, 8, "-1 -1 -1 -1 -1 -1 -1 127"))), utc)
            .end);
}

TEST(PartitionBound, DateAndTimestampAreLocalTime) {
    auto seoul = fitbot::companion::load_system_zone("Asia/Seoul");
    // date 2026-11-01 = 9801 days after 2000-01-01: bytes 73 38
    DecodedRangeBound dates = decode_partition_bound(
        range(value(constant(1082, 4, "73 38 0 0 0 0 0 0")), value(constant(1082, 4, "103 38 0 0 0 0 0 0"))), *seoul);
    EXPECT_EQ(dates.start, at("2026-10-31T15:00:00Z", 1793458800));
    EXPECT_EQ(dates.end, at("2026-11-30T15:00:00Z", 1796050800));
    EXPECT_TRUE(dates.wall_clock);
    DecodedRangeBound timestamps =
        decode_partition_bound(range(value(constant(1114, 8, kNovember)), value(constant(1114, 8, kDecember))), *seoul);
    EXPECT_EQ(timestamps.start, at("2026-10-31T15:00:00Z", 1793458800));
    EXPECT_TRUE(timestamps.wall_clock);
}

TEST(PartitionBound, RejectsWhatItCannotRead) {
    const std::string november = value(constant(1184, 8, kNovember));
    const std::string december = value(constant(1184, 8, kDecember));
    const std::string bad[] = {
        "",
        "{PARTITIONBOUNDSPEC :strategy l :is_default false :listdatums ({CONST}) :lowerdatums <> :upperdatums <>}",
        range(november + " " + november, december + " " + december),  // two columns
        range(value(constant(23, 4, "1 0 0 0 0 0 0 0")), december),   // int4 bound
        range(december, november),                                    // empty range
        range(value(constant(1184, 8, "0 96 -86")), december),        // too few bytes
        range(value(constant(1184, 8, "0 96 -86 999 42 2 3 0")), december),
        range(value(constant(1184, 8, kNovember)), december).substr(0, 80),  // truncated
        range("{PARTITIONRANGEDATUM :kind 0 :value {CONST :consttype 1184 :constisnull true :constvalue <>}}",
              december),
    };
    for (const std::string &node : bad) {
        EXPECT_THROW(decode_partition_bound(node, utc), std::invalid_argument) << node;
    }
}

// PostgreSQL 17 and 18 no longer keep parse locations in stored nodes: every
// :location is -1 (14 to 16 store the offset in the CREATE statement). Strings
// copied from an 18.4 catalog, where 2026-01-01 and 2026-02-01 are the bounds
// (test/versions runs the agentless companion on each).
TEST(PartitionBound, LocationsOfSeventeenAndLater) {
    const DecodedRangeBound open = decode_partition_bound(
        "{PARTITIONBOUNDSPEC :strategy r :is_default false :modulus 0 :remainder 0 :listdatums <> :lowerdatums "
        "({PARTITIONRANGEDATUM :kind 0 :value {CONST :consttype 1184 :consttypmod -1 :constcollid 0 :constlen 8 "
        ":constbyval true :constisnull false :location -1 :constvalue 8 [ 0 96 -24 10 71 -22 2 0 ]} :location -1}) "
        ":upperdatums ({PARTITIONRANGEDATUM :kind 1 :value <> :location -1}) :location -1}",
        utc);
    EXPECT_EQ(open.start, at("2026-01-01T00:00:00Z", 1767225600));
    EXPECT_FALSE(open.end);
    const DecodedRangeBound month = decode_partition_bound(
        "{PARTITIONBOUNDSPEC :strategy r :is_default false :modulus 0 :remainder 0 :listdatums <> :lowerdatums "
        "({PARTITIONRANGEDATUM :kind 0 :value {CONST :consttype 1082 :consttypmod -1 :constcollid 0 :constlen 4 "
        ":constbyval true :constisnull false :location -1 :constvalue 4 [ 25 37 0 0 0 0 0 0 ]} :location -1}) "
        ":upperdatums ({PARTITIONRANGEDATUM :kind 0 :value {CONST :consttype 1082 :consttypmod -1 :constcollid 0 "
        ":constlen 4 :constbyval true :constisnull false :location -1 :constvalue 4 [ 56 37 0 0 0 0 0 0 ]} "
        ":location -1}) :location -1}",
        utc);
    EXPECT_EQ(month.start, at("2026-01-01T00:00:00Z", 1767225600));
    EXPECT_EQ(month.end, at("2026-02-01T00:00:00Z", 1769904000));
    EXPECT_TRUE(month.wall_clock);
}
