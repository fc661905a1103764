// The system tz database through Howard Hinnant's date/tz library (Debian:
// libhowardhinnant-date-dev, built with USE_OS_TZDB=1, linked as -ldate-tz).
//
// date 3.0.1 reads the transitions of the zoneinfo files but not their POSIX
// TZ footer, so on its own it would keep the last transition's offset forever
// (New York would stay on EST after 2037). The footer is read here and
// evaluated with the library's own Posix::time_zone for instants after the
// last transition.

// These must match how Debian built libdate-tz (see its dateTargets.cmake).
#define USE_OS_TZDB 1
#define HAS_STRING_VIEW 1
#define ONLY_C_LOCALE 1

#include "system_zone.h"

#include <date/ptz.h>
#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace fitbot::companion {

namespace {

constexpr const char *kZoneinfoDirectory = "/usr/share/zoneinfo";

// Instants are clamped to roughly years -30000..30000: date's year type stops
// at ±32767 and no schedule or partition bound comes near.
constexpr std::int64_t kMaxAbsSeconds = 30000LL * 366 * 86400;

bool equals_ignoring_case(const std::string &a, const std::string &b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// date::locate_zone throws std::runtime_error for an unknown name; it also
// resolves links ("US/Eastern").
const date::time_zone *find_zone(const std::string &name) { return date::locate_zone(name); }

// The POSIX TZ string at the end of a version 2+ TZif file ("EST5EDT,M3.2.0,M11.1.0"),
// or nothing.
std::optional<std::string> tzif_footer(const std::string &path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) return std::nullopt;
    std::string data((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (data.size() < 2 || data.compare(0, 4, "TZif") != 0 || data.back() != '\n') return std::nullopt;
    const std::size_t start = data.rfind('\n', data.size() - 2);
    if (start == std::string::npos) return std::nullopt;
    std::string footer = data.substr(start + 1, data.size() - start - 2);
    if (footer.empty() || footer.size() > 100) return std::nullopt;
    for (char ch : footer) {
        if (static_cast<unsigned char>(ch) < 0x20 || static_cast<unsigned char>(ch) >= 0x7f) return std::nullopt;
    }
    return footer;
}

class SystemZone final : public core::ZoneRules {
public:
    SystemZone(std::string name, const date::time_zone *zone, std::optional<Posix::time_zone> rule,
               std::int64_t rule_from)
        : name_(std::move(name)), zone_(zone), rule_(std::move(rule)), rule_from_(rule_from) {}

    std::int64_t utc_offset_seconds(std::int64_t utc_seconds) const override {
        const std::int64_t clamped = std::clamp(utc_seconds, -kMaxAbsSeconds, kMaxAbsSeconds);
        const date::sys_seconds instant{std::chrono::seconds{clamped}};
        if (rule_ && clamped >= rule_from_) return rule_->get_info(instant).offset.count();
        return zone_->get_info(instant).offset.count();
    }

    std::string name() const override { return name_; }

private:
    std::string name_;
    const date::time_zone *zone_;
    std::optional<Posix::time_zone> rule_;
    std::int64_t rule_from_;
};

}  // namespace

std::unique_ptr<core::ZoneRules> load_system_zone(const std::string &name) {
    const auto unknown = [&name]() {
        return std::invalid_argument("time zone \"" + name +
                                     "\" not recognized: use a name from the tz database such as \"UTC\" or "
                                     "\"Asia/Seoul\"");
    };
    if (name.empty() || name.size() > 200 || name.front() == '/' || name.find("..") != std::string::npos) {
        throw unknown();
    }
    std::string canonical = name;
    const date::time_zone *zone = nullptr;
    try {
        zone = find_zone(name);
    } catch (const std::exception &) {
        zone = nullptr;
    }
    if (zone == nullptr) {
        // PostgreSQL matches zone names ignoring case ("utc", "asia/seoul").
        try {
            const date::tzdb &database = date::get_tzdb();
            for (const date::time_zone &candidate : database.zones) {
                if (equals_ignoring_case(std::string(candidate.name()), name)) {
                    zone = &candidate;
                    canonical = std::string(candidate.name());
                    break;
                }
            }
        } catch (const std::exception &error) {
            throw std::invalid_argument("cannot read the time zone database in " + std::string(kZoneinfoDirectory) +
                                        ": " + error.what());
        }
    }
    if (zone == nullptr) throw unknown();

    // The POSIX rule for instants after the last transition of the file.
    std::optional<Posix::time_zone> rule;
    std::int64_t rule_from = 0;
    const date::sys_info last = zone->get_info(date::sys_seconds{std::chrono::seconds{kMaxAbsSeconds}});
    if (std::optional<std::string> footer = tzif_footer(std::string(kZoneinfoDirectory) + "/" + canonical)) {
        try {
            rule.emplace(*footer);
            rule_from = last.begin.time_since_epoch().count();
        } catch (const std::exception &) {
            // Footers that date 3.0.1 cannot read (RFC 8536 extensions such as
            // America/Nuuk's negative transition times): keep date's answer.
            rule.reset();
        }
    }
    return std::make_unique<SystemZone>(canonical, zone, std::move(rule), rule_from);
}

}  // namespace fitbot::companion
