// Mapping wall-clock times back onto UTC through a ZoneRules.
#include "zone.h"

#include <algorithm>
#include <array>

namespace fitbot::core {

namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

bool maps_to(const ZoneRules &zone, std::int64_t utc_seconds, std::int64_t local_seconds) {
    return utc_seconds + zone.utc_offset_seconds(utc_seconds) == local_seconds;
}

}  // namespace

LocalTimeResolution resolve_local_time(const ZoneRules &zone, std::int64_t local_seconds) {
    // Offsets are less than a day, so every instant that can show this wall
    // time lies strictly between these two probes; with at most one
    // transition in between, it carries one of their two offsets.
    const std::int64_t offset_before = zone.utc_offset_seconds(local_seconds - kSecondsPerDay);
    const std::int64_t offset_after = zone.utc_offset_seconds(local_seconds + kSecondsPerDay);

    // Candidates from the probes, plus the offsets found at the candidates
    // themselves, which covers zones that break the one-transition assumption
    // as well as it can be covered without scanning.
    std::array<std::int64_t, 4> offsets{offset_before, offset_after, 0, 0};
    offsets[2] = zone.utc_offset_seconds(local_seconds - offset_before);
    offsets[3] = zone.utc_offset_seconds(local_seconds - offset_after);

    std::array<std::int64_t, 4> valid{};
    std::size_t valid_count = 0;
    for (std::int64_t offset : offsets) {
        const std::int64_t candidate = local_seconds - offset;
        if (std::find(valid.begin(), valid.begin() + valid_count, candidate) != valid.begin() + valid_count) {
            continue;
        }
        if (maps_to(zone, candidate, local_seconds)) valid[valid_count++] = candidate;
    }

    LocalTimeResolution result;
    if (valid_count > 0) {
        const auto [earliest, latest] = std::minmax_element(valid.begin(), valid.begin() + valid_count);
        result.earliest_utc_seconds = *earliest;
        result.latest_utc_seconds = *latest;
        result.kind = valid_count == 1 ? LocalTimeResolution::Kind::unique : LocalTimeResolution::Kind::ambiguous;
        return result;
    }

    // Skipped: the wall clock jumped over this time. Between the instant read
    // with the larger offset (still before the jump) and the one read with the
    // smaller offset (already after it) lies the transition: the first instant
    // whose wall time is later than local_seconds.
    const auto [min_offset, max_offset] = std::minmax_element(offsets.begin(), offsets.end());
    std::int64_t low = local_seconds - *max_offset;   // wall time <= local_seconds
    std::int64_t high = local_seconds - *min_offset;  // wall time > local_seconds
    if (low >= high || low + zone.utc_offset_seconds(low) > local_seconds ||
        high + zone.utc_offset_seconds(high) <= local_seconds) {
        // Not a gap after all (inconsistent rules): answer like a fixed zone.
        result.kind = LocalTimeResolution::Kind::unique;
        result.earliest_utc_seconds = result.latest_utc_seconds = local_seconds - offset_before;
        return result;
    }
    while (high - low > 1) {
        const std::int64_t middle = low + (high - low) / 2;
        if (middle + zone.utc_offset_seconds(middle) > local_seconds) {
            high = middle;
        } else {
            low = middle;
        }
    }
    result.kind = LocalTimeResolution::Kind::skipped;
    result.gap_end_utc_seconds = high;
    result.earliest_utc_seconds = result.latest_utc_seconds = high;
    return result;
}

std::int64_t local_seconds_at(const ZoneRules &zone, std::int64_t utc_seconds) {
    return utc_seconds + zone.utc_offset_seconds(utc_seconds);
}

std::int64_t postgres_utc_from_local(const ZoneRules &zone, std::int64_t local_seconds) {
    const LocalTimeResolution resolution = resolve_local_time(zone, local_seconds);
    switch (resolution.kind) {
        case LocalTimeResolution::Kind::unique:
            return resolution.earliest_utc_seconds;
        case LocalTimeResolution::Kind::ambiguous:
            return resolution.latest_utc_seconds;
        case LocalTimeResolution::Kind::skipped:
            break;
    }
    const std::int64_t offset_before_gap = zone.utc_offset_seconds(resolution.gap_end_utc_seconds - 1);
    return local_seconds - offset_before_gap;
}

}  // namespace fitbot::core
