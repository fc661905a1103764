// One libpqxx connection, and what the companion asks of the database first.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "core/time_types.h"

namespace fitbot::companion {

// A failure to reach or read the database, with the password scrubbed. The
// message may hold several lines: the cause first, then the server's DETAIL
// and HINT lines, or a "hint:" line of ours naming the fix.
class DatabaseError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class Mode { extension, agentless };
const char *mode_name(Mode mode);

struct Connection {
    std::unique_ptr<pqxx::connection> connection;
    Mode mode = Mode::agentless;
};

// How every connection of this process is made (main() sets it once).
struct ConnectSettings {
    // libpq's connect_timeout, unless the DSN or PGCONNECT_TIMEOUT sets one.
    int connect_timeout_seconds = 5;
    // SET statement_timeout on every session (0: none).
    int statement_timeout_ms = 10000;
    // --cron-dsn: how to reach pg_cron's database when it is not the
    // application's; empty means the application's DSN with dbname replaced
    // by cron.database_name.
    std::string cron_dsn;
    // --allow-untested-server: connect to a server newer than the versions
    // tested (server_versions.h), with a warning, instead of refusing it.
    bool allow_untested_server = false;
};
void set_connect_settings(const ConnectSettings &settings);
const ConnectSettings &connect_settings();

// Connects (libpq conninfo/URI, or the PG* environment when empty) and picks
// the mode: the extension when fitbot_partman is installed here, unless
// `force_agentless`. Throws DatabaseError naming the cause and the fix,
// without the password, and for a server outside the versions tested
// (server_versions.h).
Connection connect(const std::string &dsn, bool force_agentless);

// Runs `work` and turns libpqxx errors into DatabaseError without secrets.
template <typename Work>
auto scrubbed(const std::string &dsn, Work work) -> decltype(work());

// A libpqxx/libpq error as text for a person: every secret of `dsn` (and
// PGPASSWORD) removed, the server's DETAIL/HINT/CONTEXT lines kept one per
// line, blank lines and trailing blanks dropped.
std::string error_text(const std::exception &error, const std::string &dsn);
// The same as one line ("; " between the lines), for a log line that must
// stay one line.
std::string one_line_error(const std::exception &error, const std::string &dsn);

// A nullable column of UTC microseconds (the companion's queries compute
// (extract(epoch FROM t) * 1000000)::int8) as an optional instant.
std::optional<core::Micros> optional_micros(const pqxx::field &field);

// A fingerprint of the functions in `schemas` (signature, source, owner),
// "" when there are none: setup compares it before and after running a
// script to say "installed", "updated" or "unchanged".
std::string function_definitions(pqxx::transaction_base &txn, const std::vector<std::string> &schemas);

// The installed fitbot_partman extension's version, "" when not installed.
std::string installed_extension_version(pqxx::connection &connection);

}  // namespace fitbot::companion

#include "database_impl.h"
