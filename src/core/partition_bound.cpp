#include "partition_bound.h"

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

namespace fitbot::core {

namespace {

// PostgreSQL's type OIDs and epochs (src/include/catalog/pg_type.dat,
// src/include/datatype/timestamp.h).
constexpr long kTimestampTzOid = 1184;
constexpr long kTimestampOid = 1114;
constexpr long kDateOid = 1082;
constexpr std::int64_t kPostgresEpochDays = 10957;  // 2000-01-01 - 1970-01-01
constexpr Micros kPostgresEpochMicros = kPostgresEpochDays * kMicrosPerDay;

[[noreturn]] void reject(std::string_view node, const char *why) {
    throw std::invalid_argument(std::string("cannot decode partition bound \"") + std::string(node.substr(0, 120)) +
                                "\": " + why);
}

// The text right after ":<field> " up to the next space or brace.
std::optional<std::string_view> field(std::string_view text, std::string_view name) {
    std::string key = ":" + std::string(name) + " ";
    std::size_t at = text.find(key);
    if (at == std::string_view::npos) return std::nullopt;
    std::string_view rest = text.substr(at + key.size());
    std::size_t end = rest.find_first_of(" }");
    return rest.substr(0, end);
}

std::optional<long> integer_field(std::string_view text, std::string_view name) {
    std::optional<std::string_view> value = field(text, name);
    if (!value || value->empty() || value->size() > 18) return std::nullopt;
    long result = 0;
    bool negative = (*value)[0] == '-';
    for (std::size_t i = negative ? 1 : 0; i < value->size(); ++i) {
        char c = (*value)[i];
        if (c < '0' || c > '9') return std::nullopt;
        result = result * 10 + (c - '0');
    }
    if (negative && value->size() == 1) return std::nullopt;
    return negative ? -result : result;
}

// The balanced {...} or (...) group that starts at text[0].
std::string_view group(std::string_view text, std::string_view node) {
    if (text.empty() || (text[0] != '{' && text[0] != '(')) reject(node, "expected a node or list");
    int depth = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '{' || c == '(') ++depth;
        if (c == '}' || c == ')') {
            if (--depth == 0) return text.substr(0, i + 1);
        }
    }
    reject(node, "unbalanced braces");
}

// "8 [ 0 96 -86 122 42 2 3 0 ]" -> the little-endian signed bytes as an integer.
std::int64_t datum_bytes(std::string_view text, std::string_view node) {
    std::size_t open = text.find('[');
    std::size_t close = text.find(']');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open)
        reject(node, "no Datum bytes");
    std::uint64_t value = 0;
    int count = 0;
    std::string_view bytes = text.substr(open + 1, close - open - 1);
    std::size_t position = 0;
    while (position < bytes.size()) {
        while (position < bytes.size() && bytes[position] == ' ') ++position;
        if (position == bytes.size()) break;
        std::size_t start = position;
        while (position < bytes.size() && bytes[position] != ' ') ++position;
        std::string_view token = bytes.substr(start, position - start);
        bool negative = token[0] == '-';
        if (token.size() > 4 || (negative && token.size() == 1)) reject(node, "bad Datum byte");
        int byte = 0;
        for (std::size_t i = negative ? 1 : 0; i < token.size(); ++i) {
            if (token[i] < '0' || token[i] > '9') reject(node, "bad Datum byte");
            byte = byte * 10 + (token[i] - '0');
        }
        if (negative) byte = -byte;
        if (byte < -128 || byte > 255 || count >= 8) reject(node, "bad Datum bytes");
        value |= std::uint64_t(std::uint8_t(byte)) << (8 * count);
        ++count;
    }
    if (count != 8) reject(node, "expected 8 Datum bytes");
    return std::int64_t(value);
}

// One PARTITIONRANGEDATUM: MINVALUE/MAXVALUE (nullopt) or its instant.
// Sets `wall_clock` for a timestamp or date value.
std::optional<Micros> range_datum(std::string_view list, std::string_view node, const ZoneRules &zone,
                                  bool &wall_clock) {
    // A single-column bound is "({PARTITIONRANGEDATUM ...})".
    if (list.size() < 2 || list.front() != '(' || list.back() != ')') reject(node, "expected a list of bounds");
    std::string_view datum = list.substr(1, list.size() - 2);
    constexpr std::string_view kRangeDatum = "{PARTITIONRANGEDATUM";
    if (datum.rfind(kRangeDatum, 0) != 0 || datum.back() != '}') reject(node, "expected PARTITIONRANGEDATUM");
    if (datum.find(kRangeDatum, 1) != std::string_view::npos) reject(node, "more than one partition key column");
    std::optional<long> kind = integer_field(datum, "kind");
    if (!kind) reject(node, "no bound kind");
    if (*kind == -1 || *kind == 1) return std::nullopt;  // MINVALUE, MAXVALUE
    if (*kind != 0) reject(node, "unknown bound kind");

    std::size_t value_at = datum.find(":value {CONST");
    if (value_at == std::string_view::npos) reject(node, "bound value is not a constant");
    std::string_view constant = group(datum.substr(value_at + 7), node);
    if (field(constant, "constisnull") != std::optional<std::string_view>("false")) reject(node, "NULL bound");
    std::optional<long> type = integer_field(constant, "consttype");
    std::size_t value_field = constant.find(":constvalue ");
    if (!type || value_field == std::string_view::npos) reject(node, "incomplete constant");
    std::int64_t raw = datum_bytes(constant.substr(value_field), node);
    wall_clock = *type != kTimestampTzOid;

    switch (*type) {
        case kTimestampTzOid:
        case kTimestampOid: {
            if (raw == std::numeric_limits<std::int64_t>::max() || raw == std::numeric_limits<std::int64_t>::min())
                return std::nullopt;  // 'infinity', '-infinity'
            if (raw > std::numeric_limits<std::int64_t>::max() - kPostgresEpochMicros)
                reject(node, "timestamp out of range");
            Micros unix_micros = raw + kPostgresEpochMicros;
            if (*type == kTimestampTzOid) return unix_micros;
            std::int64_t local_seconds = floor_div(unix_micros, kMicrosPerSecond);
            Micros fraction = unix_micros - local_seconds * kMicrosPerSecond;
            return postgres_utc_from_local(zone, local_seconds) * kMicrosPerSecond + fraction;
        }
        case kDateOid: {
            std::int32_t days = std::int32_t(std::uint32_t(std::uint64_t(raw) & 0xffffffffu));
            if (days == std::numeric_limits<std::int32_t>::max() || days == std::numeric_limits<std::int32_t>::min())
                return std::nullopt;  // 'infinity', '-infinity'
            std::int64_t local_seconds = (std::int64_t(days) + kPostgresEpochDays) * 86400;
            return postgres_utc_from_local(zone, local_seconds) * kMicrosPerSecond;
        }
        default:
            reject(node, "not a timestamptz, timestamp or date bound");
    }
}

// The lower and upper bound lists. They are the last fields of a
// PARTITIONBOUNDSPEC, in this order, followed only by its :location
// (outfuncs.c), so each is the text between two keys: found by searching,
// not by walking every character, which a fresh backend would pay for at
// every one of thousands of partitions.
std::pair<std::string_view, std::string_view> bound_lists(std::string_view node) {
    constexpr std::string_view kLower = " :lowerdatums ", kUpper = " :upperdatums ", kLocation = " :location ";
    std::size_t lower = node.find(kLower);
    std::size_t upper = lower == std::string_view::npos ? lower : node.find(kUpper, lower);
    std::size_t location = node.rfind(kLocation);
    if (upper == std::string_view::npos || location == std::string_view::npos || location < upper)
        reject(node, "missing bound list");
    lower += kLower.size();
    std::size_t upper_start = upper + kUpper.size();
    return {node.substr(lower, upper - lower), node.substr(upper_start, location - upper_start)};
}

}  // namespace

DecodedRangeBound decode_partition_bound(std::string_view node, const ZoneRules &zone) {
    if (node.rfind("{PARTITIONBOUNDSPEC ", 0) != 0 || node.back() != '}') reject(node, "not a PARTITIONBOUNDSPEC");
    DecodedRangeBound bound;
    std::optional<std::string_view> is_default = field(node, "is_default");
    if (is_default == std::optional<std::string_view>("true")) {
        bound.is_default = true;
        return bound;
    }
    if (is_default != std::optional<std::string_view>("false")) reject(node, "no is_default");
    if (field(node, "strategy") != std::optional<std::string_view>("r")) reject(node, "not a range partition");
    auto [lower, upper] = bound_lists(node);
    bound.start = range_datum(lower, node, zone, bound.wall_clock);
    bound.end = range_datum(upper, node, zone, bound.wall_clock);
    if (bound.start && bound.end && *bound.start >= *bound.end) reject(node, "empty range");
    return bound;
}

}  // namespace fitbot::core
