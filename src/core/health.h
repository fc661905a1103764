// Verdicts: every health rule of fitbot_partman, in one place. The extension
// and the companion both call these, so they can never disagree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "facts.h"
#include "zone.h"

namespace fitbot::core {

// Values are the Nagios plugin exit codes (not the severity order).
enum class Status { ok = 0, warning = 1, critical = 2, unknown = 3 };
const char *status_name(Status status);  // "ok", "warning", "critical", "unknown"
// Severity order: critical > warning > unknown > ok. Unknown ranks below
// warning because a known problem is more actionable than a missing answer,
// and above ok because a missing answer must not read as healthy.
Status worst(Status a, Status b);
int severity(Status status);  // 0 ok, 1 unknown, 2 warning, 3 critical: worst()'s order

// One finding of a rule. `reason` is the full sentence (also appended to the
// report's `reasons`); `brief` is a short phrase for one-line check output,
// e.g. "12 rows in default partition". Findings with status ok are
// informational: they explain something but never page anyone.
struct Finding {
    Status status = Status::ok;
    std::string brief;
    std::string reason;
};

enum class PartitionState { past, current, future, expired, default_partition };
const char *partition_state_name(PartitionState state);  // "past", ..., "default"

struct PartitionReport {
    PartitionFact fact;
    PartitionState state = PartitionState::past;
};

// An adopted wide oldest partition that is still attached (facts.h), and
// when run_maintenance() is done with it.
struct WidePartitionReport {
    std::string name;
    Micros range_start = 0;
    Micros range_end = 0;
    std::optional<Interval> retention;  // held back from pg_partman meanwhile
    bool keep_table = false;
    std::int64_t rows_expired = 0;
    // When its last row can have expired: its upper bound plus the retention
    // (rows arrive in it until its upper bound). The first run of
    // run_maintenance() from then drops it (keep_table: detaches it whole)
    // and gives pg_partman the retention back; a run finds it sooner when
    // its newest row is older. nullopt: no retention, it is kept.
    std::optional<Micros> planned_expiry;
    bool overdue = false;  // planned_expiry passed more than one maintenance period ago
};

struct ParentReport {
    std::string parent;
    Interval partition_interval;
    int premake = 0;
    std::optional<Interval> retention;
    int partitions = 0;         // children excluding the default
    int future_partitions = 0;  // lower bound after now
    // Where the partitions that cover now without a gap end: a partition
    // beyond a gap adds no runway, since rows before it go to the default
    // partition. nullopt when there are no partitions or the covering run
    // reaches MAXVALUE (runway_unbounded).
    std::optional<Micros> runway_until;
    bool runway_unbounded = false;       // a partition reaches MAXVALUE
    std::optional<Micros> oldest_start;  // nullopt also when it is MINVALUE
    int expired_partitions = 0;          // attached, wholly older than now - retention
    // Of those, the ones that outlived the retention by more than one
    // maintenance period: retention should already have dropped them.
    int overdue_expired_partitions = 0;
    int gaps = 0;         // holes between adjacent ranges
    int future_gaps = 0;  // of those, the ones that end after now
    std::optional<std::int64_t> default_rows;
    bool default_rows_estimated = false;   // see ParentFact
    std::string default_rows_unknown;      // see ParentFact
    std::optional<Micros> default_oldest;  // range of those rows' control column
    std::optional<Micros> default_newest;
    std::optional<std::int64_t> quarantined_rows;  // in <parent>_quarantine, when it exists
    std::int64_t total_bytes = 0;
    double estimated_rows = 0;
    int detached_retention_tables = 0;
    // The adopted wide oldest partition, while it is attached: neither a gap
    // nor an error, an informational finding that says when it goes.
    std::optional<WidePartitionReport> wide_partition;
    Status status = Status::ok;
    std::vector<std::string> reasons;       // one sentence per finding
    std::vector<Finding> findings;          // the same findings, with severity
    std::vector<PartitionReport> children;  // sorted by range start, default last
};

struct JobReport {
    CronJobFact job;
    // false for the job this database cannot see (pg_cron in another
    // database), judged from the recorded schedule and the ledger's runs: its
    // id, and whether it exists and is active, are unknown.
    bool seen = true;
    std::string timezone;
    std::optional<Micros> next_run;                // nullopt for an inactive job or a bad schedule
    std::optional<Micros> previous_scheduled_run;  // latest firing at or before now
    // next_run - previous_scheduled_run: the length of the current period.
    std::optional<Micros> schedule_period;
    std::optional<CronRunFact> last_run;           // newest run, finished or not
    std::optional<CronRunFact> last_finished_run;  // newest succeeded or failed run
    std::optional<Micros> last_success;            // end of the newest succeeded run
    int consecutive_failures = 0;
    bool overdue = false;  // missed a firing (see maintenance_rules.cpp), and no run caught up since
    Status status = Status::ok;
    std::vector<std::string> reasons;
    std::vector<Finding> findings;
};

struct MaintenanceReport {
    std::vector<JobReport> jobs;
    std::optional<Micros> next_run;  // earliest next run of an active job
    // That run as pg_cron's users read it: in cron.timezone and in UTC.
    std::string next_run_text;
    // schedule_period of the job that runs next: how long one maintenance
    // cycle lasts (e.g. 28..31 days for '0 2 20 * *').
    std::optional<Micros> schedule_period;
    // pg_cron's scheduler: running, not running, or nullopt when unknown here.
    std::optional<bool> scheduler_running;
    // Whether every maintenance job could be read (MaintenanceFacts).
    bool jobs_visible = true;
    Status status = Status::ok;
    // "No maintenance job" findings first, then every job's findings in job
    // order, so this list alone tells the whole maintenance story.
    std::vector<std::string> reasons;
    std::vector<Finding> findings;
};

struct HealthReport {
    Micros now = 0;
    std::vector<ParentReport> parents;
    MaintenanceReport maintenance;
    Status status = Status::ok;  // worst of parents, maintenance and findings
    // Database-wide findings, e.g. pg_partman manages no table at all.
    std::vector<std::string> reasons;
    std::vector<Finding> findings;
};

// `cron_zone` evaluates schedules (pg_cron 1.4: GMT); `session_zone` is the
// database TimeZone, used for calendar arithmetic on partition intervals.
MaintenanceReport judge_maintenance(const MaintenanceFacts &facts, Micros now, const ZoneRules &cron_zone);
// The parent's partitions move into the report's children (a caller that
// keeps its facts passes a copy).
ParentReport judge_parent(ParentFact fact, Micros now, const MaintenanceReport &maintenance,
                          const ZoneRules &session_zone);
HealthReport judge(const DatabaseFacts &facts, const ZoneRules &cron_zone, const ZoneRules &session_zone);
// The same, moving the partitions into the report rather than copying them:
// for a caller that needs only the verdicts (a check at thousands of
// partitions holds one copy instead of two).
HealthReport judge(DatabaseFacts &&facts, const ZoneRules &cron_zone, const ZoneRules &session_zone);

// Nagios check: code, and one line a pager can show. A plugin prints
// `summary`, then " | " and `performance_data` when that is not empty.
struct CheckResult {
    Status status = Status::ok;
    std::string summary;           // one line, at most kMaxSummaryLength bytes
    std::string performance_data;  // 'label'=value[UOM];warn;crit;min;max ...
};
constexpr std::size_t kMaxSummaryLength = 200;
CheckResult summarize(const HealthReport &report);

}  // namespace fitbot::core
