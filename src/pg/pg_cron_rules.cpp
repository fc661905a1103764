// installed_pg_cron(): pg_cron's schedules are parsed by its library in the
// server's launcher, so the library's release decides the rules. The library
// is not asked for its version (it has no such function); its settings tell
// the minor release apart, and are visible from every database whatever
// cron.database_name says: cron.timezone exists from 1.5.0,
// cron.launch_active_jobs from 1.6.0 (src/pg_cron.c, _PG_init, at each tag).
// A patch level is never visible, so 1.6 means 1.6.5 or later (see
// core::pg_cron_rules_for_version). Where the library is not loaded in this
// backend, pg_extension's extversion (the SQL objects' version, which may lag
// the library until ALTER EXTENSION pg_cron UPDATE) is the next best answer.
#include "pg_cron_rules.h"

#include "extension_version.h"
#include "guard.h"
#include "pg_headers.h"

extern "C" {
#include "utils/guc.h"
}

namespace fitbot::pg {

namespace {

// C-style: GetConfigOptionFlags may ereport only with missing_ok false.
bool setting_defined(const char *name) {
    const int flags = GetConfigOptionFlags(name, true);
    // A placeholder is a cron.* line in postgresql.conf with no library
    // behind it: not evidence of a release.
    if (flags == 0 && GetConfigOption(name, true, false) == nullptr) return false;
    return (flags & GUC_CUSTOM_PLACEHOLDER) == 0;
}

std::string loaded_library_generation() {
    if (!setting_defined("cron.database_name")) return {};
    if (setting_defined("cron.launch_active_jobs")) return "1.6";
    if (setting_defined("cron.timezone")) return "1.5";
    return "1.4";
}

}  // namespace

InstalledPgCron installed_pg_cron() {
    InstalledPgCron installed;
    installed.version = loaded_library_generation();
    std::string source = "the pg_cron library loaded in this server";
    if (installed.version.empty()) {
        if (std::optional<std::string> extversion = installed_version_of("pg_cron")) {
            installed.version = *extversion;
            source = "pg_cron's extension version in this database (the library is not loaded here)";
        }
    }
    if (installed.version.empty()) {
        installed.choice.rules = core::kNewestPgCronRules;
        installed.choice.assumed =
            "pg_cron is neither loaded in this server nor installed in this database; the "
            "rules of " +
            core::pg_cron_rules_name(core::kNewestPgCronRules) + " are assumed.";
        return installed;
    }
    std::optional<core::PgCronRulesChoice> choice = core::pg_cron_rules_for_version(installed.version);
    if (!choice) {
        installed.choice.rules = core::kNewestPgCronRules;
        installed.choice.assumed = "pg_cron version \"" + installed.version + "\" (from " + source +
                                   ") is not a version number; the rules of " +
                                   core::pg_cron_rules_name(core::kNewestPgCronRules) + " are assumed.";
        return installed;
    }
    installed.choice = *choice;
    return installed;
}

core::PgCronRules pg_cron_rules_for_argument(const std::string *version) {
    if (version == nullptr) return installed_pg_cron().choice.rules;
    std::optional<core::PgCronRulesChoice> choice = core::pg_cron_rules_for_version(*version);
    if (!choice) {
        throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid pg_cron version \"" + *version + "\"", {},
                       "Pass a version such as '1.4', '1.6' or '1.6.4', or NULL for the pg_cron of this server.");
    }
    return choice->rules;
}

}  // namespace fitbot::pg
