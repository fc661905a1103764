// libFuzzer target: decode_partition_bound() on arbitrary text, in UTC and in
// a zone with DST steps. It must either throw std::invalid_argument or return
// a bound whose start lies before its end.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "core/partition_bound.h"

namespace {

// A one-hour DST step every 180 days, so that skipped and repeated local
// times occur without a tz database.
class SteppingZone final : public fitbot::core::ZoneRules {
public:
    std::int64_t utc_offset_seconds(std::int64_t utc_seconds) const override {
        std::int64_t period = 180 * 86400;
        std::int64_t phase = ((utc_seconds % period) + period) % period;
        return phase < period / 2 ? 3600 : 7200;
    }
    std::string name() const override { return "stepping"; }
};

void check(std::string_view text, const fitbot::core::ZoneRules &zone) {
    try {
        fitbot::core::DecodedRangeBound bound = fitbot::core::decode_partition_bound(text, zone);
        if (bound.start && bound.end && *bound.start >= *bound.end) std::abort();
        if (bound.is_default && (bound.start || bound.end)) std::abort();
    } catch (const std::invalid_argument &) {}
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char *>(data), size);
    static const fitbot::core::FixedOffsetZone utc;
    static const SteppingZone stepping;
    check(text, utc);
    check(text, stepping);
    return 0;
}
