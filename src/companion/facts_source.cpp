#include "facts_source.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/citus_estimate.h"
#include "core/facts_json.h"
#include "core/ledger_liveness.h"
#include "core/partition_bound.h"
#include "core/shared_facts.h"
#include "cron_jobs.h"
#include "database.h"
#include "system_zone.h"

namespace fitbot::companion {

namespace {

// An interval column as months, days and micros, the way PostgreSQL stores it.
std::string interval_parts(const std::string &expression) {
    return "(extract(year FROM " + expression + ") * 12 + extract(month FROM " + expression + "))::int4, " +
           "extract(day FROM " + expression + ")::int4, " + "(extract(hour FROM " + expression +
           ") * 3600000000 + extract(minute FROM " + expression + ") * 60000000 + extract(microseconds FROM " +
           expression + "))::int8";
}

core::Interval interval_at(const pqxx::row &row, int first) {
    return core::Interval{row[first].as<std::int32_t>(), row[first + 1].as<std::int32_t>(),
                          row[first + 2].as<std::int64_t>()};
}

struct Parent {
    std::string oid;
    core::ParentFact fact;
    std::string quarantine;  // <parent>_quarantine when it exists, quoted; else empty
    bool quarantine_readable = true;
};

// The monitor reader `fitbot-partman setup` installs in this database
// (sql/src/app_database/): pg_partman's config and the default partitions'
// row counts for roles that may not read them (pg_monitor alone may not).
constexpr const char *kPartmanReaderSchema = "fitbot_partman_monitor";

struct PartmanAccess {
    bool config_readable = false;  // USAGE on pg_partman's schema and SELECT on part_config
    bool reader_usable = false;    // fitbot_partman_monitor's functions, executable by this role
};

PartmanAccess probe_partman_access(pqxx::transaction_base &txn, const std::string &partman_schema) {
    pqxx::row row = txn.exec(
        "SELECT coalesce((SELECT pg_catalog.has_schema_privilege(n.oid, 'USAGE')"
        "                        AND pg_catalog.has_table_privilege(c.oid, 'SELECT')"
        "                   FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        "                  WHERE n.nspname = " +
        txn.quote(partman_schema) +
        " AND c.relname = 'part_config'), false),"
        "       coalesce((SELECT count(*) = 2 AND bool_and(pg_catalog.has_function_privilege(p.oid, 'EXECUTE'))"
        "                        AND bool_and(pg_catalog.has_schema_privilege(n.oid, 'USAGE'))"
        "                   FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
        "                  WHERE n.nspname = " +
        txn.quote(kPartmanReaderSchema) +
        "                    AND p.proname IN ('part_config', 'rows_in')), false)")[0];
    return PartmanAccess{row[0].as<bool>(), row[1].as<bool>()};
}

std::vector<Parent> read_parents(pqxx::transaction_base &txn, const std::string &partman_schema,
                                 const PartmanAccess &access) {
    const std::string config = access.config_readable ? txn.quote_name(partman_schema) + ".part_config"
                                                      : std::string(kPartmanReaderSchema) + ".part_config()";
    const std::string sql =
        "SELECT c.oid::text, format('%I.%I', n.nspname, c.relname), p.control, " +
        interval_parts("iv.partition_interval") + ", p.premake, iv.retention IS NOT NULL, " +
        interval_parts("coalesce(iv.retention, interval '0')") +
        ", p.retention_keep_table, p.infinite_time_partitions,"
        "  CASE WHEN iv.retention IS NULL THEN 0 ELSE"
        "    (SELECT count(*)::int4 FROM pg_catalog.pg_class d"
        "      WHERE d.relnamespace = coalesce(rs.oid, n.oid) AND d.relkind = 'r' AND NOT d.relispartition"
        "        AND starts_with(d.relname::text, c.relname || '_p')) END,"
        // rescue_default()'s quarantine table beside the parent, as the
        // extension finds it: from pg_class, since to_regclass() needs USAGE
        // on the schema, which a pg_monitor role may not have.
        "  (SELECT q.oid::regclass::text FROM pg_catalog.pg_class q"
        "    WHERE q.relnamespace = n.oid AND q.relname = left(c.relname, 52) || '_quarantine'),"
        "  (SELECT pg_catalog.has_table_privilege(q.oid, 'SELECT') FROM pg_catalog.pg_class q"
        "    WHERE q.relnamespace = n.oid AND q.relname = left(c.relname, 52) || '_quarantine')"
        "  FROM " +
        config +
        " p"
        "  JOIN pg_catalog.pg_namespace n ON n.nspname = split_part(p.parent_table, '.', 1)"
        "  JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid"
        "                           AND c.relname = substr(p.parent_table, length(n.nspname) + 2)"
        "  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = p.control AND NOT a.attisdropped"
        "  LEFT JOIN pg_catalog.pg_namespace rs ON rs.nspname = p.retention_schema"
        "  CROSS JOIN LATERAL (SELECT p.partition_interval::interval AS partition_interval,"
        "                             p.retention::interval AS retention) iv"
        " WHERE a.atttypid IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype)"
        " ORDER BY 2";
    std::vector<Parent> parents;
    for (const pqxx::row &row : txn.exec(sql)) {
        Parent parent;
        parent.oid = row[0].as<std::string>();
        parent.fact.parent = row[1].as<std::string>();
        parent.fact.control = row[2].as<std::string>();
        parent.fact.partition_interval = interval_at(row, 3);
        parent.fact.premake = row[6].as<int>();
        if (row[7].as<bool>()) parent.fact.retention = interval_at(row, 8);
        parent.fact.retention_keep_table = row[11].as<bool>();
        parent.fact.infinite_time_partitions = row[12].as<bool>();
        parent.fact.detached_retention_tables = row[13].as<int>();
        if (!row[14].is_null()) parent.quarantine = row[14].as<std::string>();
        if (!row[15].is_null()) parent.quarantine_readable = row[15].as<bool>();
        parents.push_back(std::move(parent));
    }
    return parents;
}

// Adopted wide oldest partitions as fitbot_partman.wide_partitions records
// them, as the extension reads them (src/pg/wide_partitions.cpp). Absent where
// fitbot_partman's SQL was never installed; unreadable is left unread.
void read_wide_partitions(pqxx::transaction_base &txn, std::vector<Parent> &parents) {
    const bool readable =
        txn.exec(
               "SELECT coalesce((SELECT pg_catalog.has_schema_privilege(n.oid, 'USAGE')"
               "                        AND pg_catalog.has_table_privilege(c.oid, 'SELECT')"
               "                   FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
               "                  WHERE n.nspname = 'fitbot_partman' AND c.relname = 'wide_partitions'), false)")[0][0]
            .as<bool>();
    if (!readable) return;
    std::map<std::string, core::WidePartitionFact> by_parent;
    for (const pqxx::row &row :
         txn.exec("SELECT format('%I.%I', s.nspname, substr(w.parent, length(s.nspname) + 2)),"
                  "       (extract(epoch FROM w.range_start) * 1000000)::int8,"
                  "       (extract(epoch FROM w.range_end) * 1000000)::int8, w.retention IS NOT NULL, " +
                  interval_parts("coalesce(w.retention, interval '0')") +
                  ", w.retention_keep_table, w.rows_deleted"
                  "  FROM fitbot_partman.wide_partitions w"
                  "  CROSS JOIN LATERAL (SELECT split_part(w.parent, '.', 1) AS nspname) s")) {
        core::WidePartitionFact wide;
        wide.range_start = row[1].as<core::Micros>();
        wide.range_end = row[2].as<core::Micros>();
        if (row[3].as<bool>()) wide.retention = interval_at(row, 4);
        wide.keep_table = row[7].as<bool>();
        wide.rows_expired = row[8].as<std::int64_t>();
        by_parent.emplace(row[0].as<std::string>(), wide);
    }
    for (Parent &parent : parents) {
        auto found = by_parent.find(parent.fact.parent);
        if (found != by_parent.end()) parent.fact.wide_partition = found->second;
    }
}

// Relations other sessions hold ACCESS EXCLUSIVE on, as the extension sees them.
std::set<std::string> exclusively_locked(pqxx::transaction_base &txn) {
    std::set<std::string> locked;
    for (const pqxx::row &row :
         txn.exec("SELECT relation::text FROM pg_catalog.pg_locks"
                  " WHERE locktype = 'relation' AND mode = 'AccessExclusiveLock' AND granted"
                  "   AND pid <> pg_backend_pid()"
                  "   AND database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())")) {
        locked.insert(row[0].as<std::string>());
    }
    return locked;
}

struct RowsAndRange {
    std::int64_t rows = 0;
    std::optional<core::Micros> oldest, newest;
};

// Rows in a table (a default partition, a quarantine table), and the range of
// its time column when one is named, if its lock can be had at once (NOWAIT),
// as the extension reads them.
std::optional<RowsAndRange> rows_if_unlocked(pqxx::dbtransaction &txn, const std::string &qualified_name,
                                             const std::string &time_column = {}) {
    try {
        pqxx::subtransaction attempt(txn, "count_rows");
        attempt.exec("LOCK TABLE " + qualified_name + " IN ACCESS SHARE MODE NOWAIT");
        const std::string column =
            time_column.empty() ? "NULL::timestamptz" : attempt.quote_name(time_column) + "::timestamptz";
        pqxx::row row = attempt.exec("SELECT count(*), (extract(epoch FROM min(" + column +
                                     ")) * 1000000)::int8,"
                                     " (extract(epoch FROM max(" +
                                     column + ")) * 1000000)::int8 FROM " + qualified_name)[0];
        attempt.commit();
        return RowsAndRange{row[0].as<std::int64_t>(), optional_micros(row[1]), optional_micros(row[2])};
    } catch (const pqxx::sql_error &error) {
        if (error.sqlstate() == "55P03") return std::nullopt;  // lock_not_available
        throw;
    }
}

// The same through the monitor reader, for a role that may not read the
// table itself: `what` is "default" or "quarantine" of the parent `parent_oid`.
std::optional<RowsAndRange> rows_through_reader(pqxx::transaction_base &txn, const std::string &parent_oid,
                                                const char *what) {
    pqxx::result rows = txn.exec(
        "SELECT row_count, (extract(epoch FROM oldest) * 1000000)::int8,"
        "       (extract(epoch FROM newest) * 1000000)::int8 FROM " +
        std::string(kPartmanReaderSchema) + ".rows_in(" + txn.quote(parent_oid) + "::oid::regclass, " +
        txn.quote(what) + ")");
    if (rows.empty()) return std::nullopt;  // locked (or gone) this time
    return RowsAndRange{rows[0][0].as<std::int64_t>(), optional_micros(rows[0][1]), optional_micros(rows[0][2])};
}

// Partitions read per round trip (see read_partitions).
constexpr std::size_t kPartitionBatchRows = 500;

// A Citus distributed default partition's rows, estimated on the nodes
// (core/citus_estimate.h) as the extension does; nullopt when the table is
// not distributed. Any error of Citus or a node is an unknown answer.
std::optional<core::RowEstimate> distributed_row_estimate(pqxx::dbtransaction &txn, unsigned long relation,
                                                          const std::string &qualified_name) {
    if (!txn.exec("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition WHERE logicalrelid = " +
                  std::to_string(relation) + "::oid)")[0][0]
             .as<bool>()) {
        return std::nullopt;
    }
    try {
        pqxx::subtransaction ask(txn, "citus_estimate");
        ask.exec("SET LOCAL citus.node_connection_timeout = " + std::to_string(core::shared::kCitusConnectTimeoutMs));
        std::vector<core::NodeAnswer> answers;
        for (const pqxx::row &row : ask.exec(core::citus_row_estimate_sql(qualified_name))) {
            answers.push_back(
                {row[0].as<std::string>(""), !row[1].is_null() && row[1].as<bool>(), row[2].as<std::string>("")});
        }
        ask.commit();
        return core::sum_node_estimates(answers);
    } catch (const pqxx::sql_error &error) {
        return core::RowEstimate{std::nullopt,
                                 std::string("the coordinator could not ask the nodes: ") + one_line_error(error, "")};
    }
}

void read_partitions(pqxx::dbtransaction &txn, std::vector<Parent> &parents, const core::ZoneRules &session_zone,
                     const PartmanAccess &access, bool citus) {
    if (parents.empty()) return;
    std::string oid_list;
    std::map<std::string, core::ParentFact *> by_oid;
    std::map<const core::ParentFact *, std::string> oid_of;
    for (Parent &parent : parents) {
        oid_of[&parent.fact] = parent.oid;
        oid_list += (oid_list.empty() ? "" : ",") + parent.oid;
        by_oid[parent.oid] = &parent.fact;
        parent.fact.default_rows = 0;
    }
    const std::set<std::string> locked = exclusively_locked(txn);
    // Bytes as the extension counts them: heap, TOAST, and the partition's
    // indexes that are partitions of the parent's partitioned indexes (an
    // index that is a partition can only be one of its table's parent's).
    // Hash joins over whole catalogs: at thousands of partitions a lookup
    // per partition costs more.
    const std::string sql =
        "WITH index_pages AS ("
        "  SELECT pix.indrelid AS partition, sum(ic.relpages)::int8 AS pages"
        "    FROM pg_catalog.pg_index pix"
        "    JOIN pg_catalog.pg_class ic ON ic.oid = pix.indexrelid AND ic.relispartition"
        "   GROUP BY pix.indrelid)"
        "SELECT i.inhparent::text, c.oid::text, format('%I.%I', cn.nspname, c.relname),"
        "       c.relpartbound::text, c.reltuples::float8,"
        "       (c.relpages::int8 + coalesce(t.relpages, 0) + coalesce(ip.pages, 0))"
        "       * current_setting('block_size')::int8"
        "  FROM pg_catalog.pg_inherits i"
        "  JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid"
        "  JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace"
        "  LEFT JOIN pg_catalog.pg_class t ON t.oid = c.reltoastrelid"
        "  LEFT JOIN index_pages ip ON ip.partition = c.oid"
        " WHERE i.inhparent IN (" +
        oid_list + ")";
    struct Child {
        core::ParentFact *parent;
        unsigned long parent_oid;
        unsigned long oid;
        core::PartitionFact fact;
    };
    std::vector<Child> children;
    // Sized once: at thousands of partitions, a growing vector's copies
    // would be a check's peak memory.
    children.reserve(txn.exec("SELECT count(*) FROM pg_catalog.pg_inherits WHERE inhparent IN (" + oid_list + ")")[0][0]
                         .as<std::size_t>());
    // Through a cursor, a batch at a time: each row carries relpartbound's
    // text (about 550 bytes), so at thousands of partitions one result would
    // hold megabytes that the decoded facts do not need.
    txn.exec("DECLARE fitbot_partitions NO SCROLL CURSOR FOR " + sql);
    for (;;) {
        pqxx::result batch =
            txn.exec("FETCH FORWARD " + std::to_string(kPartitionBatchRows) + " FROM fitbot_partitions");
        for (const pqxx::row &row : batch) {
            Child child{
                by_oid.at(row[0].as<std::string>()), row[0].as<unsigned long>(), row[1].as<unsigned long>(), {}};
            child.fact.name = row[2].as<std::string>();
            core::DecodedRangeBound bound = core::decode_partition_bound(row[3].c_str(), session_zone);
            child.fact.is_default = bound.is_default;
            child.fact.range_start = bound.start;
            child.fact.range_end = bound.end;
            child.fact.estimated_rows = row[4].as<double>();
            child.fact.bytes = row[5].as<std::int64_t>();
            child.fact.locked = locked.count(row[1].as<std::string>()) > 0;
            children.push_back(std::move(child));
        }
        if (batch.size() < kPartitionBatchRows) break;
    }
    txn.exec("CLOSE fitbot_partitions");
    // The extension's order: by parent, then partition (both by OID).
    std::sort(children.begin(), children.end(), [](const Child &a, const Child &b) {
        return std::make_pair(a.parent_oid, a.oid) < std::make_pair(b.parent_oid, b.oid);
    });
    for (Child &child : children) {
        std::optional<core::RowEstimate> estimate;
        if (child.fact.is_default && citus) estimate = distributed_row_estimate(txn, child.oid, child.fact.name);
        if (estimate) {
            child.parent->default_rows = estimate->rows;
            child.parent->default_rows_estimated = estimate->rows.has_value();
            child.parent->default_rows_unknown = estimate->failure;
        } else if (child.fact.is_default) {
            std::optional<RowsAndRange> rows;
            if (!child.fact.locked) {
                const bool readable = txn.exec("SELECT pg_catalog.has_table_privilege(" + std::to_string(child.oid) +
                                               "::oid, 'SELECT')")[0][0]
                                          .as<bool>();
                rows = readable || !access.reader_usable ? rows_if_unlocked(txn, child.fact.name, child.parent->control)
                                                         : rows_through_reader(txn, oid_of.at(child.parent), "default");
            }
            if (rows) {
                child.parent->default_rows = rows->rows;
                child.parent->default_oldest = rows->oldest;
                child.parent->default_newest = rows->newest;
            } else {
                child.parent->default_rows = std::nullopt;
                child.fact.locked = true;
            }
        }
        child.parent->partitions.push_back(std::move(child.fact));
    }
    for (Parent &parent : parents) {
        if (parent.quarantine.empty()) continue;
        std::optional<RowsAndRange> rows = parent.quarantine_readable || !access.reader_usable
                                               ? rows_if_unlocked(txn, parent.quarantine)
                                               : rows_through_reader(txn, parent.oid, "quarantine");
        if (rows) {
            parent.fact.quarantined_rows = rows->rows;
        }
    }
}

// pg_cron's scheduler and the maintenance ledger, as the extension reads them.
void read_scheduler_and_ledger(pqxx::transaction_base &txn, core::MaintenanceFacts &maintenance) {
    pqxx::row scheduler = txn.exec(
        "SELECT (SELECT setting FROM pg_catalog.pg_settings WHERE name = 'shared_preload_libraries') ~ " +
        txn.quote(core::shared::kPgCronPreloadPattern) +
        ", pg_is_in_recovery(),"
        " EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity WHERE backend_type = " +
        txn.quote(core::shared::kPgCronLauncher) +
        "),"
        "       to_regclass('fitbot_partman.maintenance_runs') IS NOT NULL,"
        "       coalesce((SELECT setting FROM pg_catalog.pg_settings WHERE name = 'cron.database_name'), 'postgres')")
                              [0];
    maintenance.in_recovery = scheduler[1].as<bool>();
    // shared_preload_libraries is hidden (NULL) from roles without
    // pg_read_all_settings: then whether pg_cron should run is unknown.
    const bool preloaded = !scheduler[0].is_null() && scheduler[0].as<bool>();
    if (preloaded && !maintenance.in_recovery) maintenance.scheduler_running = scheduler[2].as<bool>();
    // Where pg_cron runs its jobs from, as the extension reports it.
    if (preloaded) maintenance.cron_database = scheduler[4].as<std::string>();
    maintenance.ledger_available = scheduler[3].as<bool>();
    if (!maintenance.ledger_available) return;
    for (const pqxx::row &row :
         txn.exec("SELECT r.run_id, r.trigger, r.outcome, coalesce(r.message, ''),"
                  "       (extract(epoch FROM r.started_at) * 1000000)::int8,"
                  "       (extract(epoch FROM r.finished_at) * 1000000)::int8,"
                  // The run's backend, for core::ledger_run_in_progress(): without
                  // pg_read_all_stats another role's backend shows its pid only.
                  "       a.pid IS NOT NULL, (extract(epoch FROM a.backend_start) * 1000000)::int8, a.state,"
                  "       (extract(epoch FROM a.query_start) * 1000000)::int8, r.backend_pid"
                  "  FROM fitbot_partman.maintenance_runs r"
                  "  LEFT JOIN LATERAL (SELECT s.pid, s.backend_start, s.state, s.query_start"
                  "                       FROM pg_catalog.pg_stat_activity s"
                  "                      WHERE r.outcome = 'running' AND s.pid = r.backend_pid LIMIT 1) a ON true"
                  " ORDER BY r.run_id DESC LIMIT " +
                  std::to_string(core::shared::kRunsPerJob))) {
        core::LedgerRunFact run;
        run.run_id = row[0].as<std::int64_t>();
        run.trigger = row[1].as<std::string>();
        run.outcome = row[2].as<std::string>();
        run.message = row[3].as<std::string>();
        run.started_at = row[4].as<core::Micros>();
        run.finished_at = optional_micros(row[5]);
        // pg_cron's job_pid of the firing that started it (core matches them).
        run.backend_pid = row[10].as<std::int32_t>(0);
        std::optional<core::BackendFact> backend;
        if (row[6].as<bool>()) {
            backend.emplace();
            backend->backend_start = optional_micros(row[7]);
            backend->query_start = optional_micros(row[9]);
            if (!row[8].is_null()) {
                // 'disabled' (track_activities off) says nothing either way.
                const std::string state = row[8].as<std::string>();
                if (state == "active")
                    backend->state = core::BackendState::active;
                else if (state != "disabled")
                    backend->state = core::BackendState::idle;
            }
        }
        run.alive = run.outcome == "running" && core::ledger_run_in_progress(run.started_at, backend);
        maintenance.ledger_runs.push_back(std::move(run));
    }
}

}  // namespace

core::DatabaseFacts read_facts_from_extension(pqxx::connection &connection) {
    pqxx::read_transaction txn(connection);
    return core::facts_from_json(txn.exec("SELECT fitbot_partman.facts()::text")[0][0].as<std::string>());
}

core::DatabaseFacts read_facts_agentless(pqxx::connection &connection) {
    pqxx::read_transaction txn(connection);
    core::DatabaseFacts facts;
    pqxx::row context = txn.exec(
        "SELECT (extract(epoch FROM now()) * 1000000)::int8, current_setting('TimeZone'),"
        // pg_settings, not current_setting(): pg_cron's settings are
        // superuser-only, and current_setting() raises for them in a role
        // without pg_read_all_settings (pg_monitor has it).
        "       coalesce((SELECT setting FROM pg_catalog.pg_settings WHERE name = 'cron.timezone'), 'GMT'),"
        "       (SELECT n.nspname::text FROM pg_catalog.pg_extension e"
        "          JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_partman'),"
        "       (SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'pg_partman'),"
        // Not to_regclass('cron.job'): that fails without USAGE on schema
        // cron, which pg_cron grants to no one.
        "       EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron'),"
        "       EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus'),"
        "       EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'fitbot_partman'),"
        "       current_database()::text")[0];
    facts.now = context[0].as<core::Micros>();
    facts.session_timezone = context[1].as<std::string>();
    facts.maintenance.cron_timezone = context[2].as<std::string>();
    // The pg_cron release whose rules read the schedules, as
    // src/pg/pg_cron_rules.cpp finds it: its settings tell 1.4, 1.5 and 1.6
    // apart from any database, else pg_cron's extversion here, else unknown.
    facts.maintenance.pg_cron_version =
        txn.exec(
               "WITH s AS (SELECT name FROM pg_catalog.pg_settings WHERE name LIKE 'cron.%')"
               "SELECT CASE WHEN 'cron.launch_active_jobs' IN (SELECT name FROM s) THEN '1.6'"
               "            WHEN 'cron.timezone' IN (SELECT name FROM s) THEN '1.5'"
               "            WHEN 'cron.database_name' IN (SELECT name FROM s) THEN '1.4'"
               "            ELSE coalesce((SELECT extversion FROM pg_catalog.pg_extension"
               "                           WHERE extname = 'pg_cron'), '') END")[0][0]
            .as<std::string>();
    if (context[3].is_null()) {
        throw DatabaseError("pg_partman is not installed in this database (CREATE EXTENSION pg_partman)");
    }
    facts.partman_schema = context[3].as<std::string>();
    facts.partman_version = context[4].as<std::string>();
    facts.maintenance.cron_installed = context[5].as<bool>();
    facts.maintenance.extension_installed = context[7].as<bool>();
    facts.maintenance.database = context[8].as<std::string>();

    // Bounds come as relpartbound's node text (Datums), never through
    // pg_get_expr(), which opens the partition and waits behind its locks;
    // timestamp and date bounds are read in the session's zone, as the
    // extension does.
    auto session_zone = load_system_zone(facts.session_timezone);

    const PartmanAccess access = probe_partman_access(txn, facts.partman_schema);
    if (!access.config_readable && !access.reader_usable) {
        // Unreadable is unknown, never "nothing configured".
        throw DatabaseError("role " + std::string(txn.exec("SELECT current_user::text")[0][0].c_str()) +
                            " may not read " + facts.partman_schema +
                            ".part_config, so which tables pg_partman manages is unknown here"
                            "\nhint: run `fitbot-partman setup` as the database's admin: it installs " +
                            kPartmanReaderSchema + ".part_config(), which pg_monitor may execute");
    }
    std::vector<Parent> parents = read_parents(txn, facts.partman_schema, access);
    read_wide_partitions(txn, parents);
    read_partitions(txn, parents, *session_zone, access, context[6].as<bool>());
    for (Parent &parent : parents) facts.parents.push_back(std::move(parent.fact));
    read_scheduler_and_ledger(txn, facts.maintenance);
    // pg_cron here: its jobs are read here, as any monitor may (cron_jobs.h).
    // pg_cron elsewhere: read_and_evaluate() reads them there.
    if (facts.maintenance.cron_installed) read_cron_jobs(txn, connection.dbname(), facts.maintenance);
    return facts;
}

core::DatabaseFacts read_facts(pqxx::connection &connection, Mode mode) {
    return mode == Mode::extension ? read_facts_from_extension(connection) : read_facts_agentless(connection);
}

}  // namespace fitbot::companion
