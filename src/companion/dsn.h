// Connection strings, shown without their passwords.
#pragma once

#include <string>

namespace fitbot::companion {

// The conninfo string or URI with any password replaced by "********", for
// error messages and logs. An empty DSN (libpq defaults) reads "(PG* environment)".
std::string masked_dsn(const std::string &dsn);

// Removes every occurrence of `secret` (when not empty) from a message, e.g.
// a libpq error that quotes the connection string.
std::string without_secret(std::string message, const std::string &secret);

// The password in a DSN, if it has one (to scrub it from libpq's messages).
std::string dsn_password(const std::string &dsn);

}  // namespace fitbot::companion
