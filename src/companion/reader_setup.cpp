#include "reader_setup.h"

#include <optional>

#include "app_database_sql.h"  // generated from sql/src/app_database/ (Makefile)
#include "coordinator_only.h"
#include "cron_database_sql.h"  // generated from sql/src/cron_database/ (Makefile)
#include "cron_jobs.h"
#include "database.h"

namespace fitbot::companion {

namespace {

struct Reader {
    const char *step;  // the setup row's step
    const char *schema;
    const char *sql;      // the embedded source
    const char *purpose;  // what pg_monitor gains, for the row's detail
    bool needs_cron;      // its functions read schema cron
};

// Who must do what when the connected role may not install the reader;
// nothing when no missing privilege explains the failure.
std::optional<std::string> privilege_fix(pqxx::connection &connection, const Reader &reader, const std::string &role,
                                         const std::string &database) {
    pqxx::read_transaction txn(connection);
    pqxx::row why = txn.exec(
        "SELECT has_database_privilege(current_database(), 'CREATE'),"
        "       (SELECT quote_ident(pg_get_userbyid(nspowner)) FROM pg_namespace WHERE nspname = " +
        txn.quote(reader.schema) +
        "),"
        "       coalesce((SELECT has_schema_privilege(oid, 'USAGE') FROM pg_namespace WHERE nspname = 'cron'), false)")
                        [0];
    if (!why[1].is_null() && why[1].as<std::string>() != role) {
        // Never "run setup as that role": a schema someone else made is
        // not to be trusted with SECURITY DEFINER functions (issue 19).
        return "schema " + std::string(reader.schema) + " there belongs to role " + why[1].as<std::string>() +
               ", whose functions would run as whoever calls them; check who made it, and if it is not yours run "
               "DROP SCHEMA " +
               reader.schema + " CASCADE; (or ALTER SCHEMA " + reader.schema + " OWNER TO " + role +
               ";), then run fitbot-partman setup again";
    }
    if (why[1].is_null() && !why[0].as<bool>()) {
        return "a superuser or the owner of database " + database + " runs GRANT CREATE ON DATABASE " + database +
               " TO " + role + "; then run fitbot-partman setup again";
    }
    if (reader.needs_cron && !why[2].as<bool>()) {
        return "a superuser runs in database " + database + " GRANT USAGE ON SCHEMA cron TO " + role +
               "; then run fitbot-partman setup again";
    }
    return std::nullopt;
}

StepOutcome install(pqxx::connection &connection, const Reader &reader, std::ostream &out) {
    std::string before, after, role, database;
    try {
        pqxx::work txn(connection);
        pqxx::row who = txn.exec("SELECT quote_ident(current_user), quote_ident(current_database())")[0];
        role = who[0].as<std::string>();
        database = who[1].as<std::string>();
        before = function_definitions(txn, {reader.schema});
        create_on_this_node_only(txn, [&] { txn.exec(reader.sql); });
        after = function_definitions(txn, {reader.schema});
        txn.commit();
    } catch (const pqxx::sql_error &error) {
        // A missing privilege is for someone else to grant: say who must do
        // what. (The SQLSTATE is not to be relied on here: libpqxx 6 leaves
        // it empty for a script of several statements.)
        const std::optional<std::string> fix = privilege_fix(connection, reader, role, database);
        if (!fix) throw;
        std::string message = error.what();
        message = message.substr(0, message.find('\n'));
        if (message.rfind("ERROR:", 0) == 0) message = message.substr(message.find_first_not_of(' ', 6));
        print_setup_row(out, reader.step, "manual",
                        std::string(reader.schema) + " could not be installed in database " + database + " (" +
                            message + "), so a pg_monitor role cannot see " + reader.purpose + ": " + *fix);
        return StepOutcome::manual;
    }
    const std::string action = before.empty() ? "installed" : before == after ? "unchanged" : "updated";
    print_setup_row(out, reader.step, action,
                    std::string(reader.schema) + " in database " + database + ", owned by " + role +
                        ": pg_monitor reads " + reader.purpose + " through it");
    return StepOutcome::done;
}

}  // namespace

StepOutcome install_job_reader(pqxx::connection &cron_database, std::ostream &out) {
    return install(cron_database,
                   Reader{"job-reader", kCronReaderSchema, kCronDatabaseSql,
                          "the maintenance jobs pg_cron's row-level security hides from it", true},
                   out);
}

StepOutcome install_partman_reader(pqxx::connection &app_database, std::ostream &out) {
    return install(app_database,
                   Reader{"config-reader", "fitbot_partman_monitor", kAppDatabaseSql,
                          "pg_partman's config and the default partitions' row counts", false},
                   out);
}

}  // namespace fitbot::companion
