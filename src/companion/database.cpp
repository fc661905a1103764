#include "database.h"

#include <iostream>
#include <mutex>
#include <sstream>
#include <vector>

#include "dsn.h"
#include "server_versions.h"

namespace fitbot::companion {

namespace {

ConnectSettings g_settings;

std::vector<std::string> lines_of(const std::string &text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        for (char &c : line) {
            if (c == '\t' || c == '\r') c = ' ';
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        std::size_t start = line.find_first_not_of(' ');
        if (start == std::string::npos) continue;
        lines.push_back(line.substr(start));
    }
    return lines;
}

bool contains(const std::string &text, const char *needle) { return text.find(needle) != std::string::npos; }

// What to do about a failed connection, by libpq's message.
std::string connection_hint(const std::string &message, const ConnectSettings &settings) {
    if (contains(message, "timeout expired"))
        return "the server did not answer within connect_timeout (" + std::to_string(settings.connect_timeout_seconds) +
               " s unless the DSN sets one): check the host, port and firewall, or raise connect_timeout in the DSN";
    if (contains(message, "Connection refused") || contains(message, "No such file or directory"))
        return "is PostgreSQL running there? Check the host and port (--dsn, or PGHOST and PGPORT), e.g. with pg_isready";
    if (contains(message, "password authentication failed"))
        return "check the user and the password in the password file (PGPASSFILE or passfile=..., default ~/.pgpass)";
    if (contains(message, "no password supplied"))
        return "the server wants a password: put it in a password file (PGPASSFILE or passfile=..., default ~/.pgpass)";
    if (contains(message, "does not exist")) return "check dbname and user in --dsn (or PGDATABASE and PGUSER)";
    if (contains(message, "no pg_hba.conf entry"))
        return "the server's pg_hba.conf does not let this user in from this host: ask its administrator";
    if (contains(message, "could not translate host name")) return "check the host name in --dsn (or PGHOST)";
    if (contains(message, "definition of service"))
        return "check the service name and the service file (PGSERVICEFILE, default ~/.pg_service.conf)";
    return "";
}

// Refuses a server outside the versions tested before any query of ours
// reads its catalogs; an untested newer one the user allowed is named once
// per process on stderr (the exporter reconnects at every refresh).
void check_server_version(pqxx::connection &connection, const std::string &dsn, const ConnectSettings &settings) {
    const ServerSupport support = server_support(connection.server_version());
    if (support == ServerSupport::tested) return;
    const std::string version = scrubbed(dsn, [&] {
        pqxx::nontransaction query(connection);
        return query.exec("SHOW server_version")[0][0].as<std::string>();
    });
    const bool allowed = support == ServerSupport::untested_newer && settings.allow_untested_server;
    const std::string message = server_support_message(support, version, allowed);
    if (!allowed) throw DatabaseError(message);
    static std::once_flag warned;
    std::call_once(warned, [&] { std::cerr << "fitbot-partman: " << message << "\n"; });
}

}  // namespace

void set_connect_settings(const ConnectSettings &settings) { g_settings = settings; }
const ConnectSettings &connect_settings() { return g_settings; }

const char *mode_name(Mode mode) { return mode == Mode::extension ? "extension" : "agentless"; }

std::string error_text(const std::exception &error, const std::string &dsn) {
    std::string text;
    for (const std::string &line : lines_of(without_secrets(error.what(), dsn_secrets(dsn), dsn_visible_values(dsn)))) {
        if (!text.empty()) text += '\n';
        text += line;
    }
    return text.empty() ? std::string("unknown error") : text;
}

std::string one_line_error(const std::exception &error, const std::string &dsn) {
    std::string text = error_text(error, dsn);
    for (std::size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at)) text.replace(at, 1, "; ");
    return text;
}

Connection connect(const std::string &dsn, bool force_agentless) {
    Connection result;
    std::string conninfo;
    try {
        conninfo = effective_conninfo(dsn, ConnectDefaults{g_settings.connect_timeout_seconds});
    } catch (const DsnError &error) {
        throw DatabaseError(std::string(error.what()) +
                            "\nhint: write --dsn as key=value pairs (host=db dbname=fitbot user=monitor) or as a "
                            "URI (postgresql://monitor@db/fitbot); quote values with blanks in single quotes");
    }
    try {
        result.connection = std::make_unique<pqxx::connection>(conninfo);
    } catch (const std::exception &error) {
        std::string message = error_text(error, dsn);
        std::string hint = connection_hint(message, g_settings);
        throw DatabaseError("cannot connect to " + masked_dsn(dsn) + ": " + message +
                            (hint.empty() ? "" : "\nhint: " + hint));
    }
    check_server_version(*result.connection, dsn, g_settings);
    result.mode = Mode::agentless;
    scrubbed(dsn, [&] {
        pqxx::nontransaction query(*result.connection);
        if (g_settings.statement_timeout_ms > 0)
            query.exec("SET statement_timeout = " + std::to_string(g_settings.statement_timeout_ms));
        if (!force_agentless) {
            pqxx::result rows = query.exec("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'fitbot_partman'");
            if (!rows.empty()) result.mode = Mode::extension;
        }
        return 0;
    });
    return result;
}

std::optional<core::Micros> optional_micros(const pqxx::field &field) {
    if (field.is_null()) return std::nullopt;
    return field.as<core::Micros>();
}

std::string function_definitions(pqxx::transaction_base &txn, const std::vector<std::string> &schemas) {
    std::string names;
    for (const std::string &schema : schemas) names += (names.empty() ? "" : ", ") + txn.quote(schema);
    return txn
        .exec(
            "SELECT coalesce(string_agg(p.oid::regprocedure::text || md5(p.prosrc) || p.proowner::text, ','"
            "                           ORDER BY p.oid::regprocedure::text), '')"
            "  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname IN (" +
            names + ")")[0][0]
        .as<std::string>();
}

std::string installed_extension_version(pqxx::connection &connection) {
    pqxx::nontransaction query(connection);
    pqxx::result rows = query.exec("SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'fitbot_partman'");
    return rows.empty() ? std::string() : rows[0][0].as<std::string>();
}

}  // namespace fitbot::companion
