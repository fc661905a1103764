#include "maintain.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "core/calendar.h"
#include "core/shared_facts.h"
#include "database.h"
#include "dsn.h"
#include "evaluate.h"
#include "facts_source.h"
#include "system_zone.h"
#include "time_format.h"

namespace fitbot::companion {

namespace {

std::set<std::string> partition_names(pqxx::transaction_base &txn) {
    std::set<std::string> names;
    for (
        const pqxx::row &row : txn.exec(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_inherits i"
            "  JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'p')")) {
        names.insert(row[0].as<std::string>());
    }
    return names;
}

}  // namespace

std::vector<std::string> planned_maintenance(const core::DatabaseFacts &facts) {
    auto zone = load_system_zone(facts.session_timezone);
    std::vector<std::string> plan;
    for (const core::ParentFact &parent : facts.parents) {
        // pg_partman's rule (run_maintenance): keep adding partitions after the
        // newest one until the newest starts about premake intervals after now
        // (the distance rounded to whole intervals of 30-day months).
        std::optional<core::Micros> newest_start, newest_end;
        for (const core::PartitionFact &partition : parent.partitions) {
            if (partition.is_default || !partition.range_start || !partition.range_end) continue;
            if (!newest_start || *partition.range_start > *newest_start) {
                newest_start = partition.range_start;
                newest_end = partition.range_end;
            }
        }
        const double interval_length = double(core::approximate_length(parent.partition_interval));
        while (newest_start && interval_length > 0 &&
               std::llround(double(*newest_start - facts.now) / interval_length) < parent.premake) {
            core::Micros end = core::add_interval(*newest_end, parent.partition_interval, *zone);
            plan.push_back("would create: " + parent.parent + " [" + iso_utc(*newest_end) + ", " + iso_utc(end) + ")");
            newest_start = newest_end;
            newest_end = end;
        }
        if (parent.retention) {
            core::Interval back{-parent.retention->months, -parent.retention->days, -parent.retention->micros};
            core::Micros cutoff = core::add_interval(facts.now, back, *zone);
            for (const core::PartitionFact &partition : parent.partitions) {
                if (!partition.is_default && partition.range_end && *partition.range_end <= cutoff)
                    plan.push_back("would drop: " + partition.name + " (older than " + iso_utc(cutoff) + ")");
            }
        }
    }
    return plan;
}

namespace {

// The sessions holding the locks a maintenance run holds: our driver's
// (core::shared::kMaintenanceLock, in every transaction of a run) and
// pg_partman's own (kPartmanMaintenanceLock), session-wide in 4.x's
// run_maintenance_proc(), per call in run_maintenance()).
std::string maintenance_lock_holders(pqxx::transaction_base &session) {
    return session
        .exec(
            "SELECT coalesce(string_agg(DISTINCT pid::text, ', '), '?') FROM pg_catalog.pg_locks"
            " WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()"
            "   AND ((classid = " +
            std::to_string(core::shared::kLockClass) +
            "         AND objid = " + std::to_string(core::shared::kMaintenanceLock) +
            " AND objsubid = 2)"
            "        OR (objsubid = 1 AND objid = (hashtext(" +
            session.quote(core::shared::kPartmanMaintenanceLock) + ")::int8 & 4294967295)::oid))")[0][0]
        .as<std::string>();
}

// The two locks a run holds, as SQL arguments.
std::string maintenance_lock() {
    return std::to_string(core::shared::kLockClass) + ", " + std::to_string(core::shared::kMaintenanceLock);
}
std::string partman_lock(pqxx::transaction_base &session) {
    return "hashtext(" + session.quote(core::shared::kPartmanMaintenanceLock) + ")";
}

// Whether every routine NAME in SCHEMA, and SCHEMA, belong to a superuser or
// to the connected role (core::shared::kRoutineTrustCheck, issue 19): another
// role's routine, or an overload it added, would run its code as ours.
// Nothing when there is no such routine.
std::optional<bool> routine_trusted(pqxx::transaction_base &session, const std::string &schema,
                                    const std::string &name) {
    const std::string check = session
                                  .exec("SELECT format(" + session.quote(core::shared::kRoutineTrustCheck) + ", " +
                                        session.quote(schema) + ", " + session.quote(name) + ")")[0][0]
                                  .as<std::string>();
    pqxx::field trusted = session.exec("SELECT " + check)[0][0];
    if (trusted.is_null()) return std::nullopt;
    return trusted.as<bool>();
}

int refuse_untrusted(pqxx::transaction_base &session, const std::string &routine, std::ostream &err) {
    const std::string role = session.exec("SELECT current_user")[0][0].as<std::string>();
    err << "fitbot-partman maintain: not calling " << routine << ": it, an overload of it or its schema belongs to a"
        << " role that is neither " << role << " nor a superuser, so it could run that role's code as " << role
        << "\nHINT: find who made it (\\df+ " << routine.substr(0, routine.find('(')) << ", \\dn+), drop what is not"
        << " yours, then run maintain again\n";
    return 1;
}

// fitbot_partman.run_maintenance(), the scheduled job's own code (the
// extension's, or the agentless install's: agentless_install.h), then its
// ledger row for this run.
int run_driver(pqxx::nontransaction &session, std::ostream &out, std::ostream &err) {
    std::string failure;
    try {
        session.exec("CALL fitbot_partman.run_maintenance()");
    } catch (const pqxx::sql_error &error) {
        // A table failed: the run is in the ledger all the same.
        failure = error.what();
    }
    pqxx::result run = session.exec(
        "SELECT run_id, outcome, coalesce(message, '') FROM fitbot_partman.maintenance_runs"
        " WHERE backend_pid = pg_backend_pid() ORDER BY run_id DESC LIMIT 1");
    if (run.empty()) {
        err << "fitbot-partman maintain: " << (failure.empty() ? "the run left no ledger row" : failure) << "\n";
        return 1;
    }
    const std::string outcome = run[0][1].as<std::string>();
    if (outcome == "skipped" && run[0][2].as<std::string>().find("in progress") != std::string::npos) {
        err << "fitbot-partman maintain: maintenance is already running (pid " << maintenance_lock_holders(session)
            << "); not starting a second one\n";
        return 1;
    }
    int changes = 0;
    for (const pqxx::row &table :
         session.exec("SELECT parent, outcome, partitions_created, partitions_dropped, attempts, coalesce(message, ''),"
                      "       lock_waits, lock_wait_seconds"
                      "  FROM fitbot_partman.maintenance_run_tables WHERE run_id = " +
                      run[0][0].as<std::string>() + " ORDER BY parent")) {
        const int created = table[2].as<int>(), dropped = table[3].as<int>();
        changes += created + dropped;
        out << table[0].as<std::string>() << ": " << table[1].as<std::string>();
        if (created > 0) out << ", " << created << " partition(s) created";
        if (dropped > 0) out << ", " << dropped << " dropped";
        if (table[4].as<int>() > 1) out << " (" << table[4].as<int>() << " attempts)";
        if (const int waits = table[6].as<int>(); waits > 0)
            out << ", waited " << readable_seconds(table[7].as<double>()) << " for locks (" << waits
                << (waits == 1 ? " time)" : " times)");
        if (!table[5].as<std::string>().empty()) out << ": " << table[5].as<std::string>();
        out << "\n";
    }
    out << "run " << run[0][0].as<std::string>() << " " << outcome
        << (changes == 0 && outcome == "succeeded" ? ": nothing to do" : "") << " (fitbot_partman.maintenance_runs)\n";
    return outcome == "succeeded" ? 0 : 1;
}

// Without the driver (agentless, before `fitbot-partman setup` installed it):
// pg_partman's run_maintenance_proc(), with the locks the driver and
// pg_partman take held for the whole run, so it never overlaps either.
int run_partman_procedure(pqxx::nontransaction &session, std::ostream &out, std::ostream &err) {
    // A database without pg_partman has nothing to maintain: say so (an
    // empty result indexed at [0] crashed the companion).
    pqxx::result partman_rows = session.exec(
        "SELECT quote_ident(n.nspname), n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n"
        "    ON n.oid = e.extnamespace WHERE e.extname = 'pg_partman'");
    if (partman_rows.empty()) {
        throw DatabaseError("pg_partman is not installed in database " + std::string(session.conn().dbname()) +
                            "\nhint: connect to the database that holds the partitioned tables (--dsn dbname=...),"
                            " or install pg_partman there and register them first");
    }
    const std::string schema = partman_rows[0][0].as<std::string>(), schema_name = partman_rows[0][1].as<std::string>();
    if (!session
             .exec("SELECT pg_try_advisory_lock(" + maintenance_lock() +
                   ") AND"
                   "       (pg_try_advisory_lock(" +
                   partman_lock(session) +
                   ")"
                   "        OR NOT pg_advisory_unlock(" +
                   maintenance_lock() + "))")[0][0]
             .as<bool>()) {
        err << "fitbot-partman maintain: maintenance is already running (pid " << maintenance_lock_holders(session)
            << "); not starting a second one\n";
        return 1;
    }
    if (routine_trusted(session, schema_name, "run_maintenance_proc") != true) {
        session.exec("SELECT pg_advisory_unlock(" + partman_lock(session) + "), pg_advisory_unlock(" +
                     maintenance_lock() + ")");
        return refuse_untrusted(session, schema + ".run_maintenance_proc()", err);
    }
    std::set<std::string> before = partition_names(session);
    // run_maintenance_proc() commits between tables, so it runs outside
    // any transaction block (nontransaction = autocommit). The session's
    // locks go with the connection whatever happens.
    session.exec("CALL " + schema + ".run_maintenance_proc()");
    std::set<std::string> after = partition_names(session);
    session.exec("SELECT pg_advisory_unlock(" + partman_lock(session) + "), pg_advisory_unlock(" + maintenance_lock() +
                 ")");
    int changes = 0;
    for (const std::string &name : after)
        if (!before.count(name)) out << "created: " << name << "\n", ++changes;
    for (const std::string &name : before)
        if (!after.count(name)) out << "dropped: " << name << "\n", ++changes;
    if (changes == 0) out << "nothing to do\n";
    return 0;
}

}  // namespace

int maintain(const std::string &dsn, bool agentless, bool dry_run, std::ostream &out, std::ostream &err) {
    Connection connection = connect(dsn, agentless);
    return scrubbed(dsn, [&]() -> int {
        if (dry_run) {
            Evaluation evaluation = read_and_evaluate(*connection.connection, connection.mode, dsn);
            std::vector<std::string> plan = planned_maintenance(evaluation.facts);
            for (const std::string &line : plan) out << line << "\n";
            if (plan.empty()) out << "nothing to do\n";
            return 0;
        }
        pqxx::nontransaction session(*connection.connection);
        // Only routines no other role can swap (the job's command checks the same).
        const std::optional<bool> driver = routine_trusted(session, "fitbot_partman", "run_maintenance");
        if (driver == false) return refuse_untrusted(session, "fitbot_partman.run_maintenance()", err);
        return driver.has_value() ? run_driver(session, out, err) : run_partman_procedure(session, out, err);
    });
}

}  // namespace fitbot::companion
