#include "database.h"

#include "dsn.h"

namespace fitbot::companion {

const char *mode_name(Mode mode) { return mode == Mode::extension ? "extension" : "agentless"; }

std::string one_line_error(const std::exception &error, const std::string &dsn) {
    std::string message = without_secret(error.what(), dsn_password(dsn));
    for (char &c : message) {
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    while (!message.empty() && message.back() == ' ') message.pop_back();
    return message;
}

Connection connect(const std::string &dsn, bool force_agentless) {
    Connection result;
    try {
        result.connection = std::make_unique<pqxx::connection>(dsn);
    } catch (const std::exception &error) {
        throw DatabaseError("cannot connect to " + masked_dsn(dsn) + ": " + one_line_error(error, dsn));
    }
    result.mode = Mode::agentless;
    if (!force_agentless) {
        scrubbed(dsn, [&] {
            pqxx::nontransaction query(*result.connection);
            pqxx::result rows = query.exec(
                "SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'fitbot_partman'");
            if (!rows.empty()) result.mode = Mode::extension;
            return 0;
        });
    }
    return result;
}

}  // namespace fitbot::companion
