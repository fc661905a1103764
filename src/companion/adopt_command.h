// `fitbot-partman adopt TABLE --control COLUMN`: turns a populated plain
// table into a pg_partman-managed partitioned table of the same name, online
// and without copying rows, by calling the portable procedure
// fitbot_partman.adopt_table() (sql/src/portable/45..47_adoption*.sql). Where
// the extension is not installed (--agentless, managed services) it first
// installs that SQL as setup does.
#pragma once

#include <optional>
#include <ostream>
#include <string>

namespace fitbot::companion {

struct AdoptOptions {
    std::string table;
    std::string control;
    std::optional<std::string> partition_interval;
    std::optional<int> premake;
    // "none" keeps every partition; unset keeps register_table()'s default.
    std::optional<std::string> retention;
    bool keep_table = false;
};

// The CALL statement for these options (quoted with `quote`).
template <typename Quote>
std::string adopt_statement(const AdoptOptions &options, Quote quote) {
    std::string call =
        "CALL fitbot_partman.adopt_table(" + quote(options.table) + "::regclass, " + quote(options.control);
    if (options.partition_interval)
        call += ", partition_interval => " + quote(*options.partition_interval) + "::interval";
    if (options.premake) call += ", premake => " + std::to_string(*options.premake);
    if (options.retention) {
        call += ", retention => " + (*options.retention == "none" ? std::string("NULL") : quote(*options.retention)) +
                "::interval";
    }
    if (options.keep_table) call += ", keep_table => true";
    return call + ")";
}

// Prints adopt_table()'s notices (one per step) on `out`; exits 0 when
// adopted (or already partitioned and registered), 1 on a refusal or error.
int adopt(const std::string &dsn, bool agentless, const AdoptOptions &options, std::ostream &out);

}  // namespace fitbot::companion
