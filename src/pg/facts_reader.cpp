// read_backend_facts() (facts_reader.h): the SPI queries for pg_partman's
// config and pg_cron's jobs and runs, and the assembly of partition facts
// from the lock-free catalog readers, with a per-backend cache of what the
// catalogs said, keyed by catalog generation.
#include "facts_reader.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "backend_activity.h"
#include "catalog_generation.h"
#include "catalog_scan.h"
#include "citus_rows.h"
#include "convert.h"
#include "core/shared_facts.h"
#include "detached_tables.h"
#include "extension_version.h"
#include "guard.h"
#include "partition_reader.h"
#include "partition_tree.h"
#include "pg_cron_rules.h"
#include "relation_locks.h"
#include "row_count_if_unlocked.h"
#include "spi.h"
#include "sql_text.h"
#include "wide_partitions.h"
#include "zone.h"

extern "C" {
#include "access/xlog.h"
#include "catalog/pg_collation.h"
#include "utils/builtins.h"
}

namespace fitbot::pg {

namespace {

core::Interval interval_of(const std::optional<Datum> &value) { return interval_from_pg(DatumGetIntervalP(*value)); }

struct ParentConfigRow {
    Oid oid;
    Oid retention_namespace;      // where detached partitions are kept
    Oid quarantine = InvalidOid;  // <parent>_quarantine, made by rescue_default()
    std::string relname;
    core::ParentFact fact;
};

// What the catalogs say about one parent's partitions, remembered per
// backend until one of the relations it was read from changes (the parent,
// a partition, a partition's TOAST table or index: catalog_generation.h), the
// schemas change, or the session TimeZone does (it converts timestamp and
// date bounds). So an ANALYZE or a new partition elsewhere costs nothing
// here, and one here costs re-reading this parent only. Locks, rows, detached
// and quarantined tables are never cached.
struct CatalogPartitions {
    std::uint64_t generation = 0;
    pg_tz *zone = nullptr;
    ParentCatalog catalog;
};

std::unordered_map<Oid, CatalogPartitions> catalog_partitions_cache;

// Drops the cached parents that a changed relation belongs to: those whose
// sorted read_from list holds it. A search per cached parent rather than a
// map from every relation to its parent, which at thousands of partitions
// would cost a fresh backend more memory than the facts themselves. Runs
// after the SPI queries, which took locks and so processed pending
// invalidations.
void forget_changed_parents() {
    const std::vector<Oid> changed = changed_relations();
    if (changed.empty()) return;
    for (auto cached = catalog_partitions_cache.begin(); cached != catalog_partitions_cache.end();) {
        const std::vector<Oid> &read_from = cached->second.catalog.read_from;
        bool touched = std::any_of(changed.begin(), changed.end(), [&read_from](Oid relation) {
            return std::binary_search(read_from.begin(), read_from.end(), relation);
        });
        cached = touched ? catalog_partitions_cache.erase(cached) : std::next(cached);
    }
}

// ---- C-style: resolves a part_config row's names through the syscache. May
// ---- ereport, holds no C++ objects, called through pg_call() only.
struct ResolvedParent {
    Oid relid;
    Oid namespace_oid;
    Oid retention_namespace;
    Oid quarantine;
    bool time_control;  // the control column is timestamptz, timestamp or date
};

void resolve_parent(const char *nspname, const char *relname, const char *control, const char *retention_schema,
                    ResolvedParent *out) {
    out->relid = InvalidOid;
    out->namespace_oid = get_namespace_oid(nspname, true);
    if (!OidIsValid(out->namespace_oid)) return;
    out->relid = get_relname_relid(relname, out->namespace_oid);
    if (!OidIsValid(out->relid)) return;
    // One lookup for the column and its type (never a dropped column).
    out->time_control = false;
    HeapTuple column = SearchSysCacheAttName(out->relid, control);
    if (HeapTupleIsValid(column)) {
        Oid type = ((Form_pg_attribute)GETSTRUCT(column))->atttypid;
        out->time_control = type == TIMESTAMPTZOID || type == TIMESTAMPOID || type == DATEOID;
        ReleaseSysCache(column);
    }
    out->retention_namespace = retention_schema == NULL ? InvalidOid : get_namespace_oid(retention_schema, true);
    if (!OidIsValid(out->retention_namespace)) out->retention_namespace = out->namespace_oid;
    // rescue_default()'s quarantine table beside the parent: the parent's
    // name cut to 52 characters, then "_quarantine", cut to NAMEDATALEN as
    // any identifier (sql/src/portable/80_rescue.sql).
    char quarantine[NAMEDATALEN * 2];
    int kept = pg_mbcharcliplen(relname, strlen(relname), 52);
    snprintf(quarantine, sizeof quarantine, "%.*s_quarantine", kept, relname);
    truncate_identifier(quarantine, strlen(quarantine), false);
    out->quarantine = get_relname_relid(quarantine, out->namespace_oid);
}

// pg_partman's config, time-partitioned parents only (control column of a
// time type). A plain read of part_config with the names split as the
// extension's SQL splits them (schema up to the first dot); the names are
// resolved through the syscache, not by joining catalogs, which in a fresh
// backend costs more to plan than to run.
std::vector<ParentConfigRow> read_part_config(SpiSession &spi, const std::string &partman_schema) {
    struct ConfigRow {
        ParentConfigRow parent;
        std::string nspname, retention_schema;
        bool has_retention_schema;
    };
    std::string sql =
        "SELECT format('%I.%I', s.nspname, s.relname), p.control, p.partition_interval::interval,"
        "       p.premake, p.retention::interval, p.retention_keep_table, p.infinite_time_partitions,"
        "       s.nspname, s.relname, p.retention_schema"
        "  FROM " +
        quoted_identifier(partman_schema) +
        ".part_config p"
        "  CROSS JOIN LATERAL (SELECT split_part(p.parent_table, '.', 1) AS nspname) n"
        "  CROSS JOIN LATERAL (SELECT n.nspname, substr(p.parent_table, length(n.nspname) + 2) AS relname) s"
        " ORDER BY 1";
    auto rows = spi.query<ConfigRow>(sql, [](const SpiRow &row) {
        ConfigRow config;
        config.parent.fact.parent = spi_string(row.values[0]);
        config.parent.fact.control = spi_string(row.values[1]);
        config.parent.fact.partition_interval = interval_of(row.values[2]);
        config.parent.fact.premake = DatumGetInt32(*row.values[3]);
        if (row.values[4]) config.parent.fact.retention = interval_of(row.values[4]);
        config.parent.fact.retention_keep_table = DatumGetBool(*row.values[5]);
        config.parent.fact.infinite_time_partitions = DatumGetBool(*row.values[6]);
        config.nspname = spi_string(row.values[7]);
        config.parent.relname = spi_string(row.values[8]);
        config.has_retention_schema = row.values[9].has_value();
        config.retention_schema = spi_string(row.values[9]);
        return config;
    });
    std::vector<ParentConfigRow> parents;
    for (ConfigRow &config : rows) {
        ResolvedParent resolved{};
        pg_call(resolve_parent, config.nspname.c_str(), config.parent.relname.c_str(),
                config.parent.fact.control.c_str(),
                config.has_retention_schema ? config.retention_schema.c_str() : static_cast<const char *>(nullptr),
                &resolved);
        if (!OidIsValid(resolved.relid) || !resolved.time_control) continue;
        config.parent.oid = resolved.relid;
        config.parent.retention_namespace = resolved.retention_namespace;
        config.parent.quarantine = resolved.quarantine;
        parents.push_back(std::move(config.parent));
    }
    return parents;
}

// One parent through the syscache: cheap when the catalog caches are warm,
// as they are for a parent that changed in a backend that read it before.
ParentCatalog read_catalog_partitions(Oid parent) {
    ParentCatalog result;
    result.read_from.push_back(parent);
    std::unordered_map<Oid, std::int64_t> index_bytes;
    for (const PartitionIndex &index : partition_indexes(parent)) {
        index_bytes[index.table] += index.bytes;
        result.read_from.push_back(index.index);
    }
    PartitionReader reader;
    for (Oid child : partition_children(parent)) {
        Oid toast = InvalidOid;
        std::optional<core::PartitionFact> partition = reader.read(child, &toast);
        if (!partition) continue;  // dropped since pg_inherits was read
        partition->bytes += index_bytes[child];
        result.oids.push_back(child);
        result.partitions.push_back(std::move(*partition));
        result.read_from.push_back(child);
        if (OidIsValid(toast)) result.read_from.push_back(toast);
    }
    return result;
}

bool cached_and_current(Oid parent, std::uint64_t generation) {
    auto cached = catalog_partitions_cache.find(parent);
    return cached != catalog_partitions_cache.end() && cached->second.generation == generation &&
           cached->second.zone == session_timezone;
}

void remember_parent(Oid parent, std::uint64_t generation, ParentCatalog catalog) {
    std::sort(catalog.read_from.begin(), catalog.read_from.end());  // for forget_changed_parents()
    CatalogPartitions &entry = catalog_partitions_cache[parent];
    entry.generation = generation;
    entry.zone = session_timezone;
    entry.catalog = std::move(catalog);
}

// From this many parents to re-read on, one pass over the catalogs
// (catalog_scan.h) beats a syscache lookup per partition: a fresh backend,
// the schemas changed, or the TimeZone. One or two changed parents of a
// warm backend are re-read through the syscache.
constexpr std::size_t kParentsForOnePass = 3;

void refresh_catalog_partitions(const std::vector<ParentConfigRow> &parents) {
    const std::uint64_t generation = catalog_generation();
    std::vector<Oid> stale;
    for (const ParentConfigRow &parent : parents) {
        if (!cached_and_current(parent.oid, generation)) stale.push_back(parent.oid);
    }
    if (stale.size() >= kParentsForOnePass) {
        for (auto &[parent, catalog] : scan_parent_catalogs(stale))
            remember_parent(parent, generation, std::move(catalog));
    } else {
        for (Oid parent : stale) remember_parent(parent, generation, read_catalog_partitions(parent));
    }
}

// A Citus distributed default partition: its rows are in its shards, so
// they are estimated on the nodes (citus_rows.h). False when it is not one.
bool read_distributed_default(Oid relation, const std::string &name, core::ParentFact &fact) {
    std::optional<core::RowEstimate> estimate = distributed_row_estimate(relation, name);
    if (!estimate) return false;
    fact.default_rows = estimate->rows;
    fact.default_rows_estimated = estimate->rows.has_value();
    fact.default_rows_unknown = estimate->failure;
    return true;
}

// After refresh_catalog_partitions(). `citus`: Citus is installed here.
void read_partitions(const ParentConfigRow &parent, core::ParentFact &fact, const std::unordered_set<Oid> &locked,
                     bool citus) {
    const ParentCatalog &catalog = catalog_partitions_cache.at(parent.oid).catalog;
    fact.partitions = catalog.partitions;
    // Only retention detaches partitions (and keeps them when
    // retention_keep_table is true); without it there is nothing to find. An
    // index range scan by name, each time: such a table can appear without
    // touching the parent.
    if (fact.retention) {
        fact.detached_retention_tables = count_detached_tables(parent.retention_namespace, parent.relname + "_p");
    }
    fact.default_rows = 0;
    for (std::size_t i = 0; i < catalog.oids.size(); i++) {
        core::PartitionFact &partition = fact.partitions[i];
        partition.locked = locked.count(catalog.oids[i]) > 0;
        if (partition.is_default) {
            if (citus && read_distributed_default(catalog.oids[i], partition.name, fact)) continue;
            std::optional<RowsAndRange> rows;
            if (!partition.locked) rows = rows_and_range_if_unlocked(catalog.oids[i], fact.control);
            if (rows) {
                fact.default_rows = rows->rows;
                fact.default_oldest = rows->oldest;
                fact.default_newest = rows->newest;
            } else {
                fact.default_rows = std::nullopt;
                partition.locked = true;
            }
        }
    }
    if (OidIsValid(parent.quarantine) && locked.count(parent.quarantine) == 0) {
        fact.quarantined_rows = count_rows_if_unlocked(parent.quarantine);
    }
}

// ---- C-style helpers for the facts that need no SQL: may ereport, hold no
// ---- C++ objects, called through pg_call() only. In a fresh backend a
// ---- catalog lookup is far cheaper than planning a query.

// Whether schema.name exists, as to_regclass() says (the functions run as
// their owner, so no USAGE check applies).
bool relation_exists(const char *schema, const char *name) {
    Oid namespace_oid = get_namespace_oid(schema, true);
    return OidIsValid(namespace_oid) && OidIsValid(get_relname_relid(name, namespace_oid));
}

// shared_preload_libraries matched with the shared pattern by PostgreSQL's
// own regular expressions, as the companion's SQL matches it.
bool pg_cron_preloaded() {
    const char *libraries = GetConfigOption("shared_preload_libraries", false, false);
    return DatumGetBool(DirectFunctionCall2Coll(textregexeq, DEFAULT_COLLATION_OID,
                                                PointerGetDatum(cstring_to_text(libraries ? libraries : "")),
                                                PointerGetDatum(cstring_to_text(core::shared::kPgCronPreloadPattern))));
}

bool cron_tables_visible() {
    return pg_call(relation_exists, "cron", "job") && pg_call(relation_exists, "cron", "job_run_details");
}

std::optional<core::Micros> optional_instant(const std::optional<Datum> &value) {
    if (!value) return std::nullopt;
    return micros_from_timestamptz(DatumGetTimestampTz(*value));
}

// pg_cron's scheduler: its launcher is a background worker visible in
// pg_stat_activity (backend_activity.h). It runs only where pg_cron is
// preloaded, and on a standby only after promotion.
void read_scheduler(core::MaintenanceFacts &maintenance) {
    const bool preloaded = pg_call(pg_cron_preloaded);
    maintenance.in_recovery = pg_call(RecoveryInProgress);
    if (preloaded && !maintenance.in_recovery) {
        maintenance.scheduler_running = background_worker_running(core::shared::kPgCronLauncher);
    }
    if (preloaded) {
        const char *database = GetConfigOption("cron.database_name", true, false);
        maintenance.cron_database = database != nullptr ? database : "postgres";  // pg_cron's default
    }
}

// Where pg_cron lives in another database, this one cannot read its jobs: a
// SQL function cannot look into another database (and a backend-internal
// connection on a monitor's behalf would be a security and blocking risk).
// What it knows is the schedule setup() recorded, and the ledger's runs.
void read_unseen_job(SpiSession &spi, core::MaintenanceFacts &maintenance) {
    const std::string &here = maintenance.database;
    if (maintenance.cron_installed || maintenance.cron_database.empty() || maintenance.cron_database == here) return;
    maintenance.jobs_visible = false;
    maintenance.jobs_hidden_reason =
        "pg_cron runs jobs from database " + quoted_identifier(maintenance.cron_database) +
        ", and this database cannot read cron.job there, so whether the maintenance job exists and is active is "
        "unknown here (its runs, recorded by fitbot_partman.run_maintenance(), are judged below); "
        "fitbot-partman status or check reads both databases, or run SELECT * FROM cron.job WHERE database = " +
        quoted_literal(here) + " in " + quoted_identifier(maintenance.cron_database) + ".";
    maintenance.driver_firings_unseen = "pg_cron records its firings in database " +
                                        quoted_identifier(maintenance.cron_database) +
                                        ", which this database cannot read (fitbot-partman status or check reads them)";
    if (!maintenance.ledger_available) return;
    auto recorded =
        spi.query<std::string>("SELECT value FROM fitbot_partman.maintenance_settings WHERE setting = 'job_schedule'",
                               [](const SpiRow &row) { return spi_string(row.values[0]); });
    if (!recorded.empty()) maintenance.recorded_schedule = recorded.front();
}

// The newest runs of fitbot_partman.run_maintenance() from its ledger (absent
// under 1.0 SQL). A run marked running whose backend is gone, or no longer
// runs the run's statement, was interrupted (core/ledger_liveness.h).
void read_ledger(SpiSession &spi, core::MaintenanceFacts &maintenance) {
    maintenance.ledger_available = pg_call(relation_exists, "fitbot_partman", "maintenance_runs");
    if (!maintenance.ledger_available) return;
    struct LedgerRow {
        core::LedgerRunFact run;
        TimestampTz started_at;
        int backend_pid;
    };
    auto rows = spi.query<LedgerRow>(
        "SELECT r.run_id, r.trigger, r.outcome, coalesce(r.message, ''), r.started_at, r.finished_at,"
        "       coalesce(r.backend_pid, 0)"
        "  FROM fitbot_partman.maintenance_runs r ORDER BY r.run_id DESC LIMIT " +
            std::to_string(core::shared::kRunsPerJob),
        [](const SpiRow &row) {
            LedgerRow ledger;
            ledger.run.run_id = DatumGetInt64(*row.values[0]);
            ledger.run.trigger = spi_string(row.values[1]);
            ledger.run.outcome = spi_string(row.values[2]);
            ledger.run.message = spi_string(row.values[3]);
            ledger.started_at = DatumGetTimestampTz(*row.values[4]);
            ledger.run.started_at = micros_from_timestamptz(ledger.started_at);
            ledger.run.finished_at = optional_instant(row.values[5]);
            ledger.backend_pid = DatumGetInt32(*row.values[6]);
            ledger.run.backend_pid = ledger.backend_pid;
            return ledger;
        });
    for (LedgerRow &ledger : rows) {
        ledger.run.alive = ledger.run.outcome == "running" &&
                           core::ledger_run_in_progress(ledger.run.started_at, backend_with_pid(ledger.backend_pid));
        maintenance.ledger_runs.push_back(std::move(ledger.run));
    }
}

// pg_cron's own record of the firings of jobs that run the driver, to see a
// firing that failed before the driver's ledger row committed
// (core/maintenance_rules.cpp). Bounded by the newest kCronFiringsWindow
// runids: cron.job_run_details has no index but its primary key (runid), so
// this is one index range however long the history is.
void read_driver_firings(SpiSession &spi, const std::string &maintenance_job_filter,
                         core::MaintenanceFacts &maintenance) {
    const char *log_run = GetConfigOption("cron.log_run", true, false);
    if (log_run != nullptr && strcmp(log_run, "off") == 0) {
        maintenance.driver_firings_unseen = "cron.log_run is off, so pg_cron records no firing";
        return;
    }
    std::vector<core::CronRunFact> firings = spi.query<core::CronRunFact>(
        "SELECT r.jobid, r.status, coalesce(r.return_message, ''), r.start_time, r.end_time, r.runid, r.job_pid"
        "  FROM cron.job j CROSS JOIN LATERAL ("
        "       SELECT d.jobid, d.status, d.return_message, d.start_time, d.end_time, d.runid, d.job_pid"
        "         FROM cron.job_run_details d"
        "        WHERE d.jobid = j.jobid"
        "          AND d.runid > (SELECT coalesce(max(m.runid), 0) FROM cron.job_run_details m) - " +
            std::to_string(core::shared::kCronFiringsWindow) + " ORDER BY d.runid DESC LIMIT " +
            std::to_string(core::shared::kRunsPerJob) + ") r WHERE" + maintenance_job_filter +
            " AND strpos(j.command, " + quoted_literal(core::shared::kDriverCommandMarker) + ") > 0",
        [](const SpiRow &row) {
            core::CronRunFact run;
            run.jobid = DatumGetInt64(*row.values[0]);
            run.status = spi_string(row.values[1]);
            run.return_message = spi_string(row.values[2]);
            run.start_time = optional_instant(row.values[3]);
            run.end_time = optional_instant(row.values[4]);
            run.runid = DatumGetInt64(*row.values[5]);
            if (row.values[6]) run.job_pid = DatumGetInt32(*row.values[6]);
            return run;
        });
    maintenance.runs.insert(maintenance.runs.end(), firings.begin(), firings.end());
    maintenance.driver_firings_read = true;
}

core::MaintenanceFacts read_maintenance(SpiSession &spi) {
    core::MaintenanceFacts maintenance;
    const char *cron_zone = GetConfigOption("cron.timezone", true, false);
    maintenance.cron_timezone = cron_zone != nullptr ? cron_zone : "GMT";
    maintenance.pg_cron_version = installed_pg_cron().version;
    maintenance.database = pg_call(get_database_name, MyDatabaseId);
    maintenance.extension_installed = true;  // these facts are its own
    read_scheduler(maintenance);
    read_ledger(spi, maintenance);
    maintenance.cron_installed = cron_tables_visible();
    read_unseen_job(spi, maintenance);
    if (!maintenance.cron_installed) return maintenance;

    // The maintenance-job filter and the runs read per job are shared facts
    // (core/shared_facts.h): the SQL functions and the companion use them too.
    const std::string maintenance_job_filter = " j.command ~* " +
                                               quoted_literal(core::shared::kMaintenanceCommandPattern) +
                                               " AND j.database = current_database()";
    maintenance.jobs = spi.query<core::CronJobFact>(
        "SELECT j.jobid, coalesce(j.jobname, '')::text, j.schedule, j.command, j.database, j.username::text, j.active,"
        // pg_cron 1.4 keeps no creation time; with track_commit_timestamp the
        // commit time of the job's row is a lower bound of how long it existed.
        "       CASE WHEN current_setting('track_commit_timestamp')::bool"
        "            THEN pg_xact_commit_timestamp(j.xmin) END"
        "  FROM cron.job j WHERE" +
            maintenance_job_filter + " ORDER BY j.jobid",
        [](const SpiRow &row) {
            core::CronJobFact job;
            job.jobid = DatumGetInt64(*row.values[0]);
            job.jobname = spi_string(row.values[1]);
            job.schedule = spi_string(row.values[2]);
            job.command = spi_string(row.values[3]);
            job.database = spi_string(row.values[4]);
            job.username = spi_string(row.values[5]);
            job.active = DatumGetBool(*row.values[6]);
            job.known_since = optional_instant(row.values[7]);
            return job;
        });
    // A job that runs the driver has its runs in the ledger (read above):
    // cron.job_run_details, which pg_cron never purges, is not walked for it.
    const std::string runs_in_ledger =
        maintenance.ledger_available
            ? " AND strpos(j.command, " + quoted_literal(core::shared::kDriverCommandMarker) + ") = 0"
            : std::string();
    maintenance.runs = spi.query<core::CronRunFact>(
        "SELECT r.jobid, r.status, coalesce(r.return_message, ''), r.start_time, r.end_time"
        "  FROM cron.job j CROSS JOIN LATERAL ("
        "       SELECT d.jobid, d.status, d.return_message, d.start_time, d.end_time, d.runid"
        "         FROM cron.job_run_details d WHERE d.jobid = j.jobid ORDER BY d.runid DESC LIMIT " +
            std::to_string(core::shared::kRunsPerJob) +
            ") r"
            " WHERE" +
            maintenance_job_filter + runs_in_ledger + " ORDER BY r.start_time DESC NULLS LAST, r.runid DESC",
        [](const SpiRow &row) {
            core::CronRunFact run;
            run.jobid = DatumGetInt64(*row.values[0]);
            run.status = spi_string(row.values[1]);
            run.return_message = spi_string(row.values[2]);
            run.start_time = optional_instant(row.values[3]);
            run.end_time = optional_instant(row.values[4]);
            return run;
        });
    if (maintenance.ledger_available) read_driver_firings(spi, maintenance_job_filter, maintenance);
    return maintenance;
}

}  // namespace

BackendFacts read_backend_facts(FactsScope scope) {
    BackendFacts result;
    core::DatabaseFacts &facts = result.facts;
    facts.now = micros_from_timestamptz(GetCurrentTransactionStartTimestamp());
    facts.session_timezone = session_zone().name();

    std::optional<InstalledExtension> partman = installed_extension("pg_partman");
    if (!partman) {
        throw SqlError(ERRCODE_UNDEFINED_OBJECT, "extension \"pg_partman\" is not installed", {},
                       "Run CREATE EXTENSION pg_partman, or CREATE EXTENSION fitbot_partman CASCADE.");
    }
    facts.partman_schema = partman->schema;
    facts.partman_version = partman->version;

    SpiSession spi;
    std::vector<ParentConfigRow> parents = read_part_config(spi, facts.partman_schema);
    if (pg_call(relation_exists, "fitbot_partman", "wide_partitions")) {
        std::map<std::string, core::WidePartitionFact> wide = read_wide_partitions(spi);
        for (ParentConfigRow &parent : parents) {
            auto found = wide.find(parent.fact.parent);
            if (found != wide.end()) parent.fact.wide_partition = found->second;
        }
    }
    facts.maintenance = read_maintenance(spi);
    spi.finish();

    forget_changed_parents();
    const bool with_partitions = scope == FactsScope::everything;
    if (with_partitions) refresh_catalog_partitions(parents);
    std::unordered_set<Oid> locked;
    if (with_partitions) locked = relations_locked_exclusively();
    const bool citus = with_partitions && citus_installed();
    for (ParentConfigRow &parent : parents) {
        if (with_partitions) read_partitions(parent, parent.fact, locked, citus);
        result.parent_oids.push_back(parent.oid);
        facts.parents.push_back(std::move(parent.fact));
    }
    return result;
}

}  // namespace fitbot::pg
