#include "health_text.h"

#include <cstdio>
#include <cstdlib>

namespace fitbot::core::text {

std::string format_utc(Micros instant) {
    const std::int64_t seconds = floor_div(instant, kMicrosPerSecond);
    const std::int64_t days = floor_div(seconds, 86400);
    const std::int64_t second_of_day = seconds - days * 86400;
    const CivilDate date = civil_from_days(days);
    const int hour = static_cast<int>(second_of_day / 3600);
    const int minute = static_cast<int>(second_of_day / 60 % 60);
    const int second = static_cast<int>(second_of_day % 60);
    char buffer[64];
    if (second != 0) {
        std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d %02d:%02d:%02d UTC", date.year, date.month, date.day, hour,
                      minute, second);
    } else {
        std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d %02d:%02d UTC", date.year, date.month, date.day, hour,
                      minute);
    }
    return buffer;
}

std::string format_in_zone(Micros instant, const ZoneRules &zone) {
    const std::int64_t offset = zone.utc_offset_seconds(floor_div(instant, kMicrosPerSecond));
    const std::string name = zone.name();
    if (offset == 0 && (name == "UTC" || name == "GMT" || name == "Etc/UTC" || name == "Etc/GMT" || name == "Z")) {
        return format_utc(instant);
    }
    std::string local = format_utc(instant + offset * kMicrosPerSecond);
    local.replace(local.size() - 3, 3, name);  // its wall-clock reading, named by the zone
    return local + " = " + format_utc(instant);
}

std::string describe_duration(Micros duration) {
    // Magnitude as unsigned, so that INT64_MIN does not overflow.
    const std::uint64_t magnitude =
        duration < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(duration) : static_cast<std::uint64_t>(duration);
    const std::uint64_t seconds = magnitude / kMicrosPerSecond;
    if (seconds >= 2 * 86400) return count_of(static_cast<std::int64_t>(seconds / 86400), "day");
    if (seconds >= 2 * 3600) return count_of(static_cast<std::int64_t>(seconds / 3600), "hour");
    if (seconds >= 2 * 60) return count_of(static_cast<std::int64_t>(seconds / 60), "minute");
    return count_of(static_cast<std::int64_t>(seconds), "second");
}

std::string describe_interval(const Interval &interval) {
    std::string out;
    auto part = [&out](std::int64_t value, const char *noun) {
        if (value == 0) return;
        if (!out.empty()) out += ' ';
        out += count_of(value, noun);
    };
    part(interval.months / 12, "year");
    part(interval.months % 12, "month");
    part(interval.days, "day");
    if (interval.micros != 0) {
        std::int64_t micros = interval.micros;
        const bool negative = micros < 0;
        if (negative) micros = -micros;
        const std::int64_t total_seconds = micros / kMicrosPerSecond;
        const std::int64_t fraction = micros % kMicrosPerSecond;
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%s%02lld:%02lld:%02lld", negative ? "-" : "",
                      static_cast<long long>(total_seconds / 3600), static_cast<long long>(total_seconds / 60 % 60),
                      static_cast<long long>(total_seconds % 60));
        std::string clock = buffer;
        if (fraction != 0) {
            std::snprintf(buffer, sizeof buffer, ".%06lld", static_cast<long long>(fraction));
            std::string digits = buffer;
            while (digits.back() == '0') digits.pop_back();
            clock += digits;
        }
        if (!out.empty()) out += ' ';
        out += clock;
    }
    return out.empty() ? "0" : out;
}

std::string count_of(std::int64_t count, std::string_view noun) {
    std::string out = std::to_string(count);
    out += ' ';
    out += noun;
    if (count != 1 && count != -1) out += 's';
    return out;
}

std::string sql_literal(std::string_view value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\'') out += '\'';
        out += c;
    }
    out += '\'';
    return out;
}

std::string cut_utf8(std::string_view value, std::size_t max_bytes) {
    if (value.size() <= max_bytes) return std::string(value);
    std::size_t end = max_bytes;
    // Back up over continuation bytes (10xxxxxx) to the start of a character.
    while (end > 0 && (static_cast<unsigned char>(value[end]) & 0xC0) == 0x80) --end;
    return std::string(value.substr(0, end));
}

std::string one_line(std::string_view value, std::size_t max_bytes) {
    std::string flat;
    flat.reserve(value.size());
    for (char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        const bool space = byte < 0x20 || byte == 0x7F || c == ' ';
        if (space) {
            if (!flat.empty() && flat.back() != ' ') flat += ' ';
        } else {
            flat += c;
        }
    }
    while (!flat.empty() && flat.back() == ' ') flat.pop_back();
    if (flat.size() <= max_bytes) return flat;
    static const std::string ellipsis = "\u2026";
    if (max_bytes < ellipsis.size()) return cut_utf8(flat, max_bytes);
    std::string cut = cut_utf8(flat, max_bytes - ellipsis.size());
    while (!cut.empty() && cut.back() == ' ') cut.pop_back();
    return cut + ellipsis;
}

}  // namespace fitbot::core::text
