#include "maintain.h"

#include <algorithm>
#include <cmath>
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

// Session-level advisory lock held while this command runs maintenance, so
// two `maintain` runs never overlap (pg_try_advisory_lock(4242, 21)).
constexpr const char *kTryLock = "SELECT pg_try_advisory_lock(4242, 21)";

std::set<std::string> partition_names(pqxx::transaction_base &txn) {
    std::set<std::string> names;
    for (const pqxx::row &row : txn.exec(
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

int maintain(const std::string &dsn, bool agentless, bool dry_run, std::ostream &out, std::ostream &err) {
    Connection connection = connect(dsn, agentless);
    return scrubbed(dsn, [&]() -> int {
        if (dry_run) {
            Evaluation evaluation = read_and_evaluate(*connection.connection, connection.mode);
            std::vector<std::string> plan = planned_maintenance(evaluation.facts);
            for (const std::string &line : plan) out << line << "\n";
            if (plan.empty()) out << "nothing to do\n";
            return 0;
        }
        pqxx::nontransaction session(*connection.connection);
        if (!session.exec(kTryLock)[0][0].as<bool>()) {
            err << "fitbot-partman maintain: another fitbot-partman maintain is running; not starting a second one\n";
            return 1;
        }
        pqxx::result running = session.exec(
            "SELECT pid FROM pg_catalog.pg_stat_activity WHERE pid <> pg_backend_pid() AND state <> 'idle'"
            "   AND query ~* " + session.quote(core::shared::kMaintenanceCommandPattern) + " AND datname = current_database()");
        if (!running.empty()) {
            err << "fitbot-partman maintain: pg_partman maintenance is already running (pid "
                << running[0][0].as<std::string>() << "); not starting a second one\n";
            return 1;
        }
        std::string schema = session.exec(
            "SELECT quote_ident(n.nspname) FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n"
            "    ON n.oid = e.extnamespace WHERE e.extname = 'pg_partman'")[0][0].as<std::string>();
        std::set<std::string> before = partition_names(session);
        // run_maintenance_proc() commits between tables, so it runs outside
        // any transaction block (nontransaction = autocommit).
        session.exec("CALL " + schema + ".run_maintenance_proc()");
        std::set<std::string> after = partition_names(session);
        session.exec("SELECT pg_advisory_unlock(4242, 21)");
        int changes = 0;
        for (const std::string &name : after)
            if (!before.count(name)) out << "created: " << name << "\n", ++changes;
        for (const std::string &name : before)
            if (!after.count(name)) out << "dropped: " << name << "\n", ++changes;
        if (changes == 0) out << "nothing to do\n";
        return 0;
    });
}

}  // namespace fitbot::companion
