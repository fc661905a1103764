// Connection strings, read by libpq's own parser (PQconninfoParse), so that
// what the companion masks is exactly what libpq takes for a password.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace fitbot::companion {

// A connection string libpq cannot parse. The message never quotes a value
// from the string (a fragment of a password must not reach a log).
class DsnError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

struct ConninfoOption {
    std::string keyword;
    std::string value;
    bool secret = false;  // libpq's dispchar "*": password, sslpassword
};

// The options set by a conninfo string or a postgres:// URI, in libpq's
// order (unset options and libpq's defaults are left out). Throws DsnError.
std::vector<ConninfoOption> parse_dsn(const std::string &dsn);

// The DSN as conninfo "keyword=value ..." with every secret replaced by
// "********", for messages and logs. An empty DSN (libpq defaults) reads
// "(PG* environment)"; one that does not parse reads
// "(a connection string that does not parse)".
std::string masked_dsn(const std::string &dsn);

// The password in a DSN, as libpq reads it ("" when none).
std::string dsn_password(const std::string &dsn);

// Every text a secret of this DSN may appear as in a message: the parsed
// passwords, their spellings in the string itself (quoted, escaped,
// percent-encoded) and PGPASSWORD.
std::vector<std::string> dsn_secrets(const std::string &dsn);

// The values of the DSN's other fields as they may appear in a message: the
// user, database, host, port... it sets, and libpq's defaults for those it
// leaves out (PGUSER or the login name, PGDATABASE or the user). A password
// may equal one of them (user=postgres password=postgres): masking it there
// would corrupt the field, and say what the password is.
std::vector<std::string> dsn_visible_values(const std::string &dsn);

// Removes every occurrence of `secret` (when not empty) from a message.
std::string without_secret(std::string message, const std::string &secret);
// ... of each of `secrets`, longest first, except where it is part of an
// occurrence of one of `visible` (dsn_visible_values()).
std::string without_secrets(const std::string &message, std::vector<std::string> secrets,
                            const std::vector<std::string> &visible = {});

struct ConnectDefaults {
    int connect_timeout_seconds = 5;  // unless the DSN or PGCONNECT_TIMEOUT sets one
};

// The conninfo string the companion connects with: the DSN's own options
// (a URI becomes conninfo), plus connect_timeout when neither the DSN nor
// PGCONNECT_TIMEOUT sets one, plus fallback_application_name=fitbot-partman.
// Throws DsnError.
std::string effective_conninfo(const std::string &dsn, const ConnectDefaults &defaults);

// The DSN's own options (parsed by libpq, a URI included) as conninfo, with
// dbname replaced by `dbname`: the same server, user and credentials (the PG*
// environment and service files fill the rest, as for the DSN itself), in
// another database. Throws DsnError.
std::string dsn_with_dbname(const std::string &dsn, const std::string &dbname);

// `value` quoted for a conninfo string: 'it\'s'.
std::string conninfo_quote(const std::string &value);

}  // namespace fitbot::companion
