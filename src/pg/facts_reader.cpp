// read_backend_facts() (facts_reader.h): the SPI queries for pg_partman's
// config and pg_cron's jobs and runs, and the assembly of partition facts
// from the lock-free catalog readers, with a per-backend cache of what the
// catalogs said, keyed by catalog generation.
#include "facts_reader.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "catalog_generation.h"
#include "convert.h"
#include "core/shared_facts.h"
#include "detached_tables.h"
#include "guard.h"
#include "partition_reader.h"
#include "partition_tree.h"
#include "pg_cron_rules.h"
#include "relation_locks.h"
#include "row_count_if_unlocked.h"
#include "spi.h"
#include "sql_text.h"
#include "zone.h"

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
    std::vector<Oid> oids;  // parallel to partitions
    std::vector<core::PartitionFact> partitions;
    std::vector<Oid> read_from;  // every relation these facts came from
};

std::unordered_map<Oid, CatalogPartitions> catalog_partitions_cache;
// Which cached parent each relation in a read_from list belongs to.
std::unordered_map<Oid, Oid> cached_parent_of;

void forget_cached_parent(Oid parent) {
    auto cached = catalog_partitions_cache.find(parent);
    if (cached == catalog_partitions_cache.end()) return;
    for (Oid relation : cached->second.read_from) cached_parent_of.erase(relation);
    catalog_partitions_cache.erase(cached);
}

// Drops the cached parents that a changed relation belongs to. Runs after the
// SPI queries, which took locks and so processed pending invalidations.
void forget_changed_parents() {
    for (Oid relation : changed_relations()) {
        auto owner = cached_parent_of.find(relation);
        if (owner != cached_parent_of.end()) forget_cached_parent(owner->second);
    }
}

std::vector<ParentConfigRow> read_part_config(SpiSession &spi, const std::string &partman_schema) {
    // Only time-partitioned parents (control column of a time type); the
    // stored text interval and retention are cast server-side.
    std::string sql =
        "SELECT c.oid, format('%I.%I', n.nspname, c.relname), p.control, p.partition_interval::interval,"
        "       p.premake, p.retention::interval, p.retention_keep_table, p.infinite_time_partitions,"
        "       coalesce(rs.oid, n.oid), c.relname::text,"
        // rescue_default()'s quarantine table beside the parent (to_regclass
        // takes no lock).
        "       coalesce(to_regclass(format('%I.%I', n.nspname, left(c.relname, 52) || '_quarantine'))::oid, 0)"
        "  FROM " +
        quoted_identifier(partman_schema) +
        ".part_config p"
        "  JOIN pg_namespace n ON n.nspname = split_part(p.parent_table, '.', 1)"
        "  JOIN pg_class c ON c.relnamespace = n.oid"
        "                 AND c.relname = substr(p.parent_table, length(n.nspname) + 2)"
        "  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = p.control AND NOT a.attisdropped"
        "  LEFT JOIN pg_namespace rs ON rs.nspname = p.retention_schema"
        " WHERE a.atttypid IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype)"
        " ORDER BY 2";
    return spi.query<ParentConfigRow>(sql, [](const SpiRow &row) {
        ParentConfigRow parent;
        parent.oid = DatumGetObjectId(*row.values[0]);
        parent.fact.parent = spi_string(row.values[1]);
        parent.fact.control = spi_string(row.values[2]);
        parent.fact.partition_interval = interval_of(row.values[3]);
        parent.fact.premake = DatumGetInt32(*row.values[4]);
        if (row.values[5]) parent.fact.retention = interval_of(row.values[5]);
        parent.fact.retention_keep_table = DatumGetBool(*row.values[6]);
        parent.fact.infinite_time_partitions = DatumGetBool(*row.values[7]);
        parent.retention_namespace = DatumGetObjectId(*row.values[8]);
        parent.relname = spi_string(row.values[9]);
        parent.quarantine = DatumGetObjectId(*row.values[10]);
        return parent;
    });
}

CatalogPartitions read_catalog_partitions(const ParentConfigRow &parent, std::uint64_t generation) {
    CatalogPartitions result;
    result.generation = generation;
    result.zone = session_timezone;
    result.read_from.push_back(parent.oid);
    std::unordered_map<Oid, std::int64_t> index_bytes;
    for (const PartitionIndex &index : partition_indexes(parent.oid)) {
        index_bytes[index.table] += index.bytes;
        result.read_from.push_back(index.index);
    }
    PartitionReader reader;
    for (Oid child : partition_children(parent.oid)) {
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

const CatalogPartitions &catalog_partitions(const ParentConfigRow &parent) {
    std::uint64_t generation = catalog_generation();
    auto cached = catalog_partitions_cache.find(parent.oid);
    if (cached != catalog_partitions_cache.end() && cached->second.generation == generation &&
        cached->second.zone == session_timezone)
        return cached->second;
    forget_cached_parent(parent.oid);
    CatalogPartitions fresh = read_catalog_partitions(parent, generation);
    for (Oid relation : fresh.read_from) cached_parent_of[relation] = parent.oid;
    return catalog_partitions_cache[parent.oid] = std::move(fresh);
}

void read_partitions(const ParentConfigRow &parent, core::ParentFact &fact, const std::unordered_set<Oid> &locked) {
    const CatalogPartitions &catalog = catalog_partitions(parent);
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

bool cron_tables_visible(SpiSession &spi) {
    auto rows = spi.query<bool>(
        "SELECT to_regclass('cron.job') IS NOT NULL AND to_regclass('cron.job_run_details') IS NOT NULL",
        [](const SpiRow &row) { return DatumGetBool(*row.values[0]); });
    return !rows.empty() && rows.front();
}

std::optional<core::Micros> optional_instant(const std::optional<Datum> &value) {
    if (!value) return std::nullopt;
    return micros_from_timestamptz(DatumGetTimestampTz(*value));
}

// pg_cron's scheduler: its launcher is a background worker visible in
// pg_stat_activity. It runs only where pg_cron is preloaded, and on a standby
// only after promotion.
void read_scheduler(SpiSession &spi, core::MaintenanceFacts &maintenance) {
    struct Scheduler {
        bool preloaded, in_recovery, launcher;
    };
    auto rows = spi.query<Scheduler>(
        "SELECT current_setting('shared_preload_libraries') ~ " + quoted_literal(core::shared::kPgCronPreloadPattern) +
            ", pg_is_in_recovery(),"
            " EXISTS (SELECT 1 FROM pg_stat_activity WHERE backend_type = " +
            quoted_literal(core::shared::kPgCronLauncher) + ")",
        [](const SpiRow &row) {
            return Scheduler{DatumGetBool(*row.values[0]), DatumGetBool(*row.values[1]), DatumGetBool(*row.values[2])};
        });
    const Scheduler &scheduler = rows.front();
    maintenance.in_recovery = scheduler.in_recovery;
    if (scheduler.preloaded && !scheduler.in_recovery) maintenance.scheduler_running = scheduler.launcher;
    if (scheduler.preloaded) {
        const char *database = GetConfigOption("cron.database_name", true, false);
        maintenance.cron_database = database != nullptr ? database : "postgres";  // pg_cron's default
    }
}

// Where pg_cron lives in another database, this one cannot read its jobs: a
// SQL function cannot look into another database (and a backend-internal
// connection on a monitor's behalf would be a security and blocking risk).
// What it knows is the schedule setup() recorded, and the ledger's runs.
void read_unseen_job(SpiSession &spi, core::MaintenanceFacts &maintenance) {
    const std::string here = pg_call(get_database_name, MyDatabaseId);
    if (maintenance.cron_installed || maintenance.cron_database.empty() || maintenance.cron_database == here) return;
    maintenance.jobs_visible = false;
    maintenance.jobs_hidden_reason =
        "pg_cron runs jobs from database " + quoted_identifier(maintenance.cron_database) +
        ", and this database cannot read cron.job there, so whether the maintenance job exists and is active is "
        "unknown here (its runs, recorded by fitbot_partman.run_maintenance(), are judged below); "
        "fitbot-partman status or check reads both databases, or run SELECT * FROM cron.job WHERE database = " +
        quoted_literal(here) + " in " + quoted_identifier(maintenance.cron_database) + ".";
    if (!maintenance.ledger_available) return;
    auto recorded =
        spi.query<std::string>("SELECT value FROM fitbot_partman.maintenance_settings WHERE setting = 'job_schedule'",
                               [](const SpiRow &row) { return spi_string(row.values[0]); });
    if (!recorded.empty()) maintenance.recorded_schedule = recorded.front();
}

// The newest runs of fitbot_partman.run_maintenance() from its ledger (absent
// under 1.0 SQL). A run marked running whose backend is gone was cancelled.
void read_ledger(SpiSession &spi, core::MaintenanceFacts &maintenance) {
    auto exists = spi.query<bool>("SELECT to_regclass('fitbot_partman.maintenance_runs') IS NOT NULL",
                                  [](const SpiRow &row) { return DatumGetBool(*row.values[0]); });
    maintenance.ledger_available = exists.front();
    if (!maintenance.ledger_available) return;
    maintenance.ledger_runs = spi.query<core::LedgerRunFact>(
        "SELECT r.run_id, r.trigger, r.outcome, coalesce(r.message, ''), r.started_at, r.finished_at,"
        "       r.outcome = 'running' AND EXISTS (SELECT 1 FROM pg_stat_activity a"
        "                                          WHERE a.pid = r.backend_pid AND a.backend_start <= r.started_at)"
        "  FROM fitbot_partman.maintenance_runs r ORDER BY r.run_id DESC LIMIT " +
            std::to_string(core::shared::kRunsPerJob),
        [](const SpiRow &row) {
            core::LedgerRunFact run;
            run.run_id = DatumGetInt64(*row.values[0]);
            run.trigger = spi_string(row.values[1]);
            run.outcome = spi_string(row.values[2]);
            run.message = spi_string(row.values[3]);
            run.started_at = micros_from_timestamptz(DatumGetTimestampTz(*row.values[4]));
            run.finished_at = optional_instant(row.values[5]);
            run.alive = DatumGetBool(*row.values[6]);
            return run;
        });
}

core::MaintenanceFacts read_maintenance(SpiSession &spi) {
    core::MaintenanceFacts maintenance;
    const char *cron_zone = GetConfigOption("cron.timezone", true, false);
    maintenance.cron_timezone = cron_zone != nullptr ? cron_zone : "GMT";
    maintenance.pg_cron_version = installed_pg_cron().version;
    read_scheduler(spi, maintenance);
    read_ledger(spi, maintenance);
    maintenance.cron_installed = cron_tables_visible(spi);
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
    return maintenance;
}

}  // namespace

BackendFacts read_backend_facts() {
    BackendFacts result;
    core::DatabaseFacts &facts = result.facts;
    facts.now = micros_from_timestamptz(GetCurrentTransactionStartTimestamp());
    facts.session_timezone = session_zone().name();

    SpiSession spi;
    struct Extension {
        std::string schema, version;
    };
    auto extensions = spi.query<Extension>(
        "SELECT n.nspname::text, e.extversion FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = 'pg_partman'",
        [](const SpiRow &row) {
            return Extension{spi_string(row.values[0]), spi_string(row.values[1])};
        });
    if (extensions.empty()) {
        throw SqlError(ERRCODE_UNDEFINED_OBJECT, "extension \"pg_partman\" is not installed", {},
                       "Run CREATE EXTENSION pg_partman, or CREATE EXTENSION fitbot_partman CASCADE.");
    }
    facts.partman_schema = extensions.front().schema;
    facts.partman_version = extensions.front().version;

    std::vector<ParentConfigRow> parents = read_part_config(spi, facts.partman_schema);
    facts.maintenance = read_maintenance(spi);
    spi.finish();

    forget_changed_parents();
    std::unordered_set<Oid> locked = relations_locked_exclusively();
    for (ParentConfigRow &parent : parents) {
        read_partitions(parent, parent.fact, locked);
        result.parent_oids.push_back(parent.oid);
        facts.parents.push_back(std::move(parent.fact));
    }
    return result;
}

}  // namespace fitbot::pg
