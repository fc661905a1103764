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
    std::string schema;
    std::string sql;      // the embedded source, for that schema
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
        create_on_this_node_only(txn, [&] { txn.exec(reader.sql.c_str()); });
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
                        reader.schema + " could not be installed in database " + database + " (" + message +
                            "), so a pg_monitor role cannot see " + reader.purpose + ": " + *fix);
        return StepOutcome::manual;
    }
    const std::string action = before.empty() ? "installed" : before == after ? "unchanged" : "updated";
    print_setup_row(out, reader.step, action,
                    std::string(reader.schema) + " in database " + database + ", owned by " + role +
                        ": pg_monitor reads " + reader.purpose + " through it");
    return StepOutcome::done;
}

// The job reader of the connected role: fitbot_partman_cron for the first
// administrator that sets one up, fitbot_partman_cron_<role> (lower-case,
// needing no quotes, bounded to 63 bytes) for each other one, so that no
// administrator's setup replaces or drops another's (issue 21).
std::string job_reader_schema(pqxx::connection &cron_database) {
    pqxx::read_transaction txn(cron_database);
    return txn
        .exec(
            "SELECT CASE WHEN coalesce((SELECT n.nspowner = r.oid FROM pg_catalog.pg_namespace n, pg_catalog.pg_roles r"
            "                             WHERE n.nspname = " +
            txn.quote(kCronReaderSchema) + " AND r.rolname = current_user), true) THEN " +
            txn.quote(kCronReaderSchema) + "  ELSE (SELECT CASE WHEN octet_length(s) <= 63 AND s = " +
            txn.quote(std::string(kCronReaderSchema) + "_") +
            " || current_user THEN s ELSE left(s, 54) || '_' || left(md5(current_user), 8) END"
            "          FROM (SELECT " +
            txn.quote(std::string(kCronReaderSchema) + "_") +
            " || lower(regexp_replace(current_user, '[^A-Za-z0-9_]', '_', 'g')) AS s) x) END")[0][0]
        .as<std::string>();
}

// The reader's source with its schema renamed (the source names only
// fitbot_partman_cron, never a longer identifier starting so).
std::string for_schema(const std::string &sql, const std::string &schema) {
    std::string result;
    const std::string from = kCronReaderSchema;
    std::size_t at = 0;
    for (std::size_t hit; (hit = sql.find(from, at)) != std::string::npos; at = hit + from.size())
        result += sql.substr(at, hit - at) + schema;
    return result + sql.substr(at);
}

}  // namespace

StepOutcome install_job_reader(pqxx::connection &cron_database, std::ostream &out) {
    const std::string schema = job_reader_schema(cron_database);
    return install(cron_database,
                   Reader{"job-reader", schema, for_schema(kCronDatabaseSql, schema),
                          "the maintenance jobs pg_cron's row-level security hides from it", true},
                   out);
}

StepOutcome remove_job_readers(pqxx::connection &cron_database, std::ostream &out) {
    if (role_has_maintenance_jobs(cron_database)) {
        print_setup_row(out, "job-reader", "kept",
                        "the role's job reader still serves its maintenance jobs of other databases");
        return StepOutcome::done;
    }
    pqxx::work txn(cron_database);
    pqxx::result mine = txn.exec(
        "SELECT quote_ident(n.nspname) FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_roles r ON r.oid = n.nspowner"
        " WHERE r.rolname = current_user AND (n.nspname = " +
        txn.quote(kCronReaderSchema) + " OR n.nspname LIKE " + txn.quote(std::string(kCronReaderSchema) + "\\_%") +
        ") ORDER BY 1");
    if (mine.empty()) {
        print_setup_row(out, "job-reader", "unchanged", "the role owns no job reader in this database");
        return StepOutcome::done;
    }
    std::string dropped;
    for (const pqxx::row &schema : mine) {
        txn.exec("DROP SCHEMA " + schema[0].as<std::string>() + " CASCADE");
        dropped += (dropped.empty() ? "" : ", ") + schema[0].as<std::string>();
    }
    txn.commit();
    print_setup_row(out, "job-reader", "removed", dropped + ": the role has no maintenance job left");
    return StepOutcome::done;
}

StepOutcome remove_partman_reader(pqxx::connection &app_database, std::ostream &out) {
    pqxx::work txn(app_database);
    pqxx::result owner = txn.exec(
        "SELECT pg_get_userbyid(nspowner) = current_user, quote_ident(pg_get_userbyid(nspowner))"
        "  FROM pg_catalog.pg_namespace WHERE nspname = 'fitbot_partman_monitor'");
    if (owner.empty()) {
        print_setup_row(out, "config-reader", "unchanged", "fitbot_partman_monitor is not installed");
        return StepOutcome::done;
    }
    if (!owner[0][0].as<bool>()) {
        print_setup_row(out, "config-reader", "manual",
                        "fitbot_partman_monitor belongs to role " + owner[0][1].as<std::string>() +
                            ": that role runs DROP SCHEMA fitbot_partman_monitor CASCADE;");
        return StepOutcome::manual;
    }
    txn.exec("DROP SCHEMA fitbot_partman_monitor CASCADE");
    txn.commit();
    print_setup_row(out, "config-reader", "removed",
                    "fitbot_partman_monitor: pg_monitor no longer reads pg_partman's config through it");
    return StepOutcome::done;
}

StepOutcome install_partman_reader(pqxx::connection &app_database, std::ostream &out) {
    return install(app_database,
                   Reader{"config-reader", "fitbot_partman_monitor", kAppDatabaseSql,
                          "pg_partman's config and the default partitions' row counts", false},
                   out);
}

}  // namespace fitbot::companion
