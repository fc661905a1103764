// One libpqxx connection, and what the companion asks of the database first.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include <pqxx/pqxx>

namespace fitbot::companion {

// A failure to reach or read the database, with the password scrubbed.
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

// Connects (libpq conninfo/URI, or the PG* environment when empty) and picks
// the mode: the extension when fitbot_partman is installed here, unless
// `force_agentless`. Throws DatabaseError with a one-line, password-free message.
Connection connect(const std::string &dsn, bool force_agentless);

// Runs `work` and turns libpqxx errors into DatabaseError without secrets.
template <typename Work>
auto scrubbed(const std::string &dsn, Work work) -> decltype(work());

// A libpqxx/libpq error as one line, password removed.
std::string one_line_error(const std::exception &error, const std::string &dsn);

}  // namespace fitbot::companion

#include "database_impl.h"
