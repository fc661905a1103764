// expand-sql: builds one SQL script from the SQL sources by feature.
//
//   expand-sql OUTPUT SOURCE...
//
// Concatenates the sources in the order given, each under a line naming it,
// and replaces every @TOKEN@ (capital letters and underscores) with the SQL
// literal of the shared fact of that name from src/core/shared_facts.h, so
// that the SQL, the backend glue and the companion agree on one value. An
// unknown token is an error: a typo must not reach an install script.
// Lower-case @words@ (PostgreSQL's own @extschema@) are left alone.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>

#include "core/shared_facts.h"

namespace {

namespace shared = fitbot::core::shared;

// 'text' with quotes doubled, as PostgreSQL's quote_literal() writes it
// (standard_conforming_strings is on in every supported version).
std::string sql_literal(const std::string &text) {
    std::string quoted = "'";
    for (char c : text) {
        if (c == '\'') quoted += '\'';
        quoted += c;
    }
    return quoted + "'";
}

// A multi-line literal: dollar-quoted, so it reads as it is written.
std::string dollar_literal(const std::string &text, const std::string &tag) {
    if (text.find("$" + tag + "$") != std::string::npos)
        throw std::runtime_error("dollar tag $" + tag + "$ occurs in the text");
    return "$" + tag + "$" + text + "$" + tag + "$";
}

const std::map<std::string, std::string> &tokens() {
    static const std::map<std::string, std::string> values = {
        {"JOB_NAME", sql_literal(shared::kJobName)},
        {"DEFAULT_SCHEDULE", sql_literal(shared::kDefaultSchedule)},
        {"MAINTENANCE_COMMAND_PATTERN", sql_literal(shared::kMaintenanceCommandPattern)},
        {"RUNS_PER_JOB", std::to_string(shared::kRunsPerJob)},
        {"CRON_FIRINGS_WINDOW", std::to_string(shared::kCronFiringsWindow)},
        {"DRIVER_COMMAND_MARKER", sql_literal(shared::kDriverCommandMarker)},
        {"HISTORY_JOB_NAME", sql_literal(shared::kHistoryJobName)},
        {"PG_CRON_PRELOAD_PATTERN", sql_literal(shared::kPgCronPreloadPattern)},
        {"PG_CRON_LAUNCHER", sql_literal(shared::kPgCronLauncher)},
        {"CONFIGURATION_LOCK", std::to_string(shared::kLockClass) + ", " + std::to_string(shared::kConfigurationLock)},
        {"MAINTENANCE_LOCK", std::to_string(shared::kLockClass) + ", " + std::to_string(shared::kMaintenanceLock)},
        {"ADOPTION_LOCK_CLASS", std::to_string(shared::kAdoptionLockClass)},
        {"PARTMAN_MAINTENANCE_LOCK", sql_literal(shared::kPartmanMaintenanceLock)},
        {"HISTORY_SCHEDULE", sql_literal(shared::kHistorySchedule)},
        {"CITUS_CONNECT_TIMEOUT_MS", std::to_string(shared::kCitusConnectTimeoutMs)},
        {"READINGS_TABLE_DDL", dollar_literal(shared::kReadingsTableDdl, "ddl")},
        {"ROUTINE_TRUST_CHECK", sql_literal(shared::kRoutineTrustCheck)},
    };
    return values;
}

std::string expand(const std::string &text, const std::string &source) {
    static const std::regex token(R"(@([A-Z][A-Z_]*)@)");
    std::string out;
    std::size_t copied = 0;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), token); it != std::sregex_iterator(); ++it) {
        auto value = tokens().find((*it)[1]);
        if (value == tokens().end()) {
            throw std::runtime_error(source + ": unknown shared fact @" + (*it)[1].str() +
                                     "@ (see src/core/shared_facts.h)");
        }
        out.append(text, copied, it->position() - copied);
        out += value->second;
        copied = it->position() + it->length();
    }
    out.append(text, copied, std::string::npos);
    return out;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 3) {
        std::cerr << "usage: expand-sql OUTPUT SOURCE...\n";
        return 2;
    }
    try {
        std::ostringstream script;
        for (int i = 2; i < argc; i++) {
            std::ifstream source(argv[i]);
            if (!source) throw std::runtime_error(std::string(argv[i]) + ": cannot read");
            std::stringstream text;
            text << source.rdbuf();
            if (i > 2) script << "\n";
            script << "-- ---- " << argv[i] << " ----\n\n" << expand(text.str(), argv[i]);
        }
        std::ofstream output(argv[1], std::ios::trunc);
        output << script.str();
        if (!output.flush()) throw std::runtime_error(std::string(argv[1]) + ": cannot write");
    } catch (const std::exception &error) {
        std::cerr << "expand-sql: " << error.what() << "\n";
        std::remove(argv[1]);
        return 1;
    }
    return 0;
}
