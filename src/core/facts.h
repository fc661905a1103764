// Facts: what the extension (from catalogs and syscache) and the companion
// (from plain SQL) observe about a database. Plain values, no behaviour; every
// judgement made on them lives in health.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "time_types.h"

namespace fitbot::core {

// One child of a partitioned table, as read from the catalogs.
struct PartitionFact {
    std::string name;  // schema-qualified, quoted as needed
    bool is_default = false;
    // Range bounds; nullopt means MINVALUE (start) or MAXVALUE (end).
    std::optional<Micros> range_start;
    std::optional<Micros> range_end;
    double estimated_rows = 0;  // pg_class.reltuples, -1 when never analyzed
    std::int64_t bytes = 0;     // heap + toast + indexes, from relpages
    bool locked = false;        // another session held a conflicting lock
};

// An adopted wide oldest partition, as fitbot_partman.wide_partitions
// records it (adopt_table(), or a table partitioned by hand): wider than the
// partition interval, so pg_partman's retention is held back (NULL in
// part_config) while it is attached, and run_maintenance() expires it.
struct WidePartitionFact {
    Micros range_start = 0;  // its bounds as attached: the child with these bounds is it
    Micros range_end = 0;
    std::optional<Interval> retention;  // the retention held back; nullopt keeps every row
    bool keep_table = false;            // detached whole once expired, never emptied
    std::int64_t rows_expired = 0;      // deleted from it by run_maintenance() so far
};

// One parent in pg_partman's part_config.
struct ParentFact {
    std::string parent;   // schema-qualified
    std::string control;  // partition key column
    Interval partition_interval;
    int premake = 0;
    std::optional<Interval> retention;  // nullopt: no retention configured
    bool retention_keep_table = true;
    bool infinite_time_partitions = false;
    std::vector<PartitionFact> partitions;  // includes the default partition
    // Rows in the default partition: nullopt when it exists but was locked (or
    // could not be counted) this time; 0 when there is no default partition.
    std::optional<std::int64_t> default_rows;
    // The oldest and newest value of the control column among those rows,
    // when there are any and they were read.
    std::optional<Micros> default_oldest;
    std::optional<Micros> default_newest;
    // Whether default_rows is an estimate: a Citus distributed default
    // partition's rows are in its shards, estimated from each node's
    // statistics (citus_estimate.h), with no date range.
    bool default_rows_estimated = false;
    // Why default_rows could not be read when that is not a lock held for a
    // moment (a Citus node did not answer): then the rows are unknown.
    std::string default_rows_unknown;
    // Tables detached by retention and kept on disk (retention_keep_table).
    int detached_retention_tables = 0;
    // Rows rescue_default() set aside in <parent>_quarantine: nullopt when
    // there is no such table, or it was locked this time.
    std::optional<std::int64_t> quarantined_rows;
    // Its adopted wide oldest partition, when one is recorded.
    std::optional<WidePartitionFact> wide_partition;
};

struct CronJobFact {
    std::int64_t jobid = 0;
    std::string jobname;
    std::string schedule;
    std::string command;
    std::string database;
    std::string username;
    bool active = true;
    // The earliest instant the job is known to have existed, when something
    // recorded it (e.g. fitbot_partman.schedule_maintenance() when it created
    // the job); nullopt when unknown, since pg_cron 1.4 does not store when a
    // job was created. Only consulted for a job with no recorded runs, to tell
    // "never ran although scheduled long ago" from "created after its last
    // firing" (see judge_maintenance).
    std::optional<Micros> known_since;
};

// A row of cron.job_run_details.
struct CronRunFact {
    std::int64_t jobid = 0;
    std::string status;  // starting, running, sending, connecting, succeeded, failed
    std::string return_message;
    std::optional<Micros> start_time;
    std::optional<Micros> end_time;
    // A run of the driver by hand (from the ledger), shown among the job's
    // runs but not one of its scheduled firings.
    bool by_hand = false;
    // pg_cron's run id and the backend that ran the command (NULL when the
    // connection failed: pg_cron 1.4 then records no times either), read for
    // jobs that run the driver, to match their firings with the ledger.
    std::optional<std::int64_t> runid;
    std::optional<std::int32_t> job_pid;
    // Where a run with no start_time sorts among the others (a firing pg_cron
    // 1.4 recorded without times sorts by runid next to its neighbours).
    std::optional<Micros> order_time;
};

// A run of fitbot_partman.run_maintenance() from its ledger
// (fitbot_partman.maintenance_runs), scheduled or by hand.
struct LedgerRunFact {
    std::int64_t run_id = 0;
    std::string trigger;  // "pg_cron" or "manual"
    std::string outcome;  // running, succeeded, failed, skipped
    std::string message;
    Micros started_at = 0;
    std::optional<Micros> finished_at;
    std::int32_t backend_pid = 0;  // the session that ran it (pg_cron's job_pid)
    // For a run still marked running: whether it is still in progress, as
    // ledger_run_in_progress() (ledger_liveness.h) judges its backend (a run
    // whose session was cancelled or killed never finishes its row, and
    // reads as failed, interrupted).
    bool alive = false;
};

struct MaintenanceFacts {
    bool cron_installed = false;        // pg_cron extension visible from this database
    std::string cron_timezone = "GMT";  // the zone pg_cron evaluates schedules in
    // The pg_cron release whose rules read the jobs' schedules ("1.6", "1.4",
    // "1.6.4"); empty when unknown: the newest rules are assumed (cron.h).
    std::string pg_cron_version;
    std::vector<CronJobFact> jobs;  // jobs whose command runs pg_partman maintenance
    // Recent runs of those jobs, newest first (at least the last few per job).
    // For jobs that run the driver, whose runs come from the ledger, these
    // are pg_cron's own record of their firings (when driver_firings_read):
    // a firing that failed before the driver's ledger row committed
    // (connection failed, job startup timeout) is seen only there.
    std::vector<CronRunFact> runs;
    // Whether pg_cron's record of the driver jobs' firings was read (the
    // newest kCronFiringsWindow runids); when not, why (cron.log_run off,
    // row-level security, pg_cron in another database): then a firing that
    // never reached the ledger shows only as a missed firing.
    bool driver_firings_read = false;
    std::string driver_firings_unseen;
    // Whether pg_cron's launcher (the scheduler) runs: nullopt when that
    // cannot be known here (pg_cron not preloaded, or pg_stat_activity not
    // readable). On a standby it never runs: pg_cron starts after recovery.
    std::optional<bool> scheduler_running;
    bool in_recovery = false;
    // Where pg_cron runs its jobs from (cron.database_name) when it is
    // preloaded; empty when it is not, or when that cannot be read.
    std::string cron_database;
    // Whether every maintenance job of this database was read. False when
    // pg_cron lives in another database this reader cannot look into, or when
    // pg_cron's row-level security may hide other roles' jobs from it: then a
    // missing job is unknown, never "no job". jobs_hidden_reason says why
    // and how to see them.
    bool jobs_visible = true;
    std::string jobs_hidden_reason;
    // This database's name (compared with cron_database to tell whether
    // pg_cron lives elsewhere); empty when unknown.
    std::string database;
    // Whether fitbot_partman's extension is installed in this database, so
    // that its SQL functions (schedule_maintenance(), setup()) exist here.
    // False where the companion reads agentless: there `fitbot-partman setup`
    // is what schedules the job. Health's hints name what works (issue 21).
    bool extension_installed = true;
    // The schedule setup() recorded for this database's job: with the
    // ledger's runs it is what this database can know of a job it cannot see.
    std::optional<std::string> recorded_schedule;
    // Whether the ledger (and so fitbot_partman.run_maintenance()) exists,
    // and its recent runs, newest first.
    bool ledger_available = false;
    std::vector<LedgerRunFact> ledger_runs;
};

struct DatabaseFacts {
    Micros now = 0;
    // The database's TimeZone: partition bounds and intervals are calendar
    // arithmetic in this zone (pg_partman creates monthly bounds at local midnight).
    std::string session_timezone = "UTC";
    std::string partman_schema;
    std::string partman_version;
    std::vector<ParentFact> parents;
    MaintenanceFacts maintenance;
};

}  // namespace fitbot::core
