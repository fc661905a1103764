// Which pg_cron release follows which schedule rules (PgCronRules in cron.h),
// and which zone it evaluates schedules in.
#include <cstdlib>

#include "cron.h"

namespace fitbot::core {

std::string pg_cron_rules_name(PgCronRules rules) {
    switch (rules) {
        case PgCronRules::v1_4:
            return "pg_cron 1.4";
        case PgCronRules::v1_5_0:
            return "pg_cron 1.5.0";
        case PgCronRules::v1_5:
            return "pg_cron 1.5.1 or 1.5.2";
        case PgCronRules::v1_6_0:
            return "pg_cron 1.6.0 or 1.6.1";
        case PgCronRules::v1_6_2:
            return "pg_cron 1.6.2 to 1.6.4";
        case PgCronRules::v1_6_5:
            return "pg_cron 1.6.5 or later";
    }
    return "pg_cron";
}

namespace {

// "1", "1.6", "1.6.3": up to three dot-separated numbers; anything else
// (a suffix such as "1.6-beta") is not a version we know.
bool split_version(std::string_view text, int parts[3], int &count) {
    count = 0;
    std::size_t i = 0;
    while (count < 3) {
        if (i >= text.size() || text[i] < '0' || text[i] > '9') return false;
        long value = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            value = value * 10 + (text[i] - '0');
            if (value > 100000) return false;
            ++i;
        }
        parts[count++] = static_cast<int>(value);
        if (i == text.size()) return true;
        if (text[i] != '.') return false;
        ++i;
    }
    return false;
}

}  // namespace

std::optional<PgCronRulesChoice> pg_cron_rules_for_version(std::string_view version) {
    int parts[3] = {0, 0, 0};
    int count = 0;
    if (!split_version(version, parts, count) || count < 2) return std::nullopt;
    const int major = parts[0];
    const int minor = parts[1];
    const bool has_patch = count == 3;
    const int patch = parts[2];
    PgCronRulesChoice choice;
    if (major < 1) return std::nullopt;
    if (major == 1 && minor <= 4) {
        choice.rules = PgCronRules::v1_4;
    } else if (major == 1 && minor == 5) {
        choice.rules = has_patch && patch == 0 ? PgCronRules::v1_5_0 : PgCronRules::v1_5;
        if (!has_patch) {
            choice.assumed =
                "pg_cron 1.5 without a patch level is taken as 1.5.1 or later (1.5.0, which read "
                "\"30 2 * * *\" as every 30 seconds, was replaced two days after its release).";
        }
    } else if (major == 1 && minor == 6) {
        if (!has_patch) {
            choice.rules = PgCronRules::v1_6_5;
            choice.assumed =
                "pg_cron 1.6 without a patch level (pg_extension says only 1.6) is taken as 1.6.5 or "
                "later; pass the full version, such as '1.6.4', for an older library.";
        } else if (patch <= 1) {
            choice.rules = PgCronRules::v1_6_0;
        } else if (patch <= 4) {
            choice.rules = PgCronRules::v1_6_2;
        } else {
            choice.rules = PgCronRules::v1_6_5;
        }
    } else {
        choice.rules = kNewestPgCronRules;
        choice.assumed = "pg_cron " + std::string(version) +
                         " is newer than the versions whose rules are known (up to 1.6.7); the 1.6.5 rules are "
                         "assumed.";
    }
    return choice;
}

std::string cron_zone_name(PgCronRules rules, std::string_view cron_timezone_setting) {
    if (rules == PgCronRules::v1_4 || cron_timezone_setting.empty()) return "GMT";
    return std::string(cron_timezone_setting);
}

}  // namespace fitbot::core
