// Facts fixtures for the health, summary and exposition tests: the fitness
// chatbot's monthly readings table and its pg_cron maintenance job.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "core/facts.h"
#include "core/health.h"
#include "core/time_types.h"
#include "core/zone.h"

namespace fitbot::core::testing {

inline Micros utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
    return days_from_civil(CivilDate{year, month, day}) * kMicrosPerDay + hour * kMicrosPerHour +
           minute * kMicrosPerMinute + second * kMicrosPerSecond;
}

inline Interval months(int count) { return Interval{count, 0, 0}; }
inline Interval days(int count) { return Interval{0, count, 0}; }

// "Now" of most fixtures: 2026-03-25 12:00 UTC, five days after the monthly
// maintenance run of 2026-03-20 02:00 UTC; the next one is 2026-04-20 02:00.
inline Micros fixture_now() { return utc(2026, 3, 25, 12); }

inline const std::string kParent = "public.heart_rate_readings";
inline const std::string kMonthlySchedule = "0 2 20 * *";

inline PartitionFact month_partition(const std::string &parent, int year, int month) {
    PartitionFact partition;
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "_p%04d%02d01", year, month);
    partition.name = parent + suffix;
    partition.range_start = utc(year, month, 1);
    partition.range_end = month == 12 ? utc(year + 1, 1, 1) : utc(year, month + 1, 1);
    partition.estimated_rows = 1000;
    partition.bytes = 8192 * 10;
    return partition;
}

// Monthly partitions from (first_year, first_month) to (last_year, last_month)
// inclusive, plus an empty default partition.
inline ParentFact monthly_parent(int first_year, int first_month, int last_year, int last_month,
                                 const std::string &parent = kParent) {
    ParentFact fact;
    fact.parent = parent;
    fact.control = "recorded_at";
    fact.partition_interval = months(1);
    fact.premake = 3;
    fact.retention = months(12);
    fact.retention_keep_table = false;
    for (int year = first_year, month = first_month; year < last_year || (year == last_year && month <= last_month);) {
        fact.partitions.push_back(month_partition(parent, year, month));
        if (++month == 13) {
            month = 1;
            ++year;
        }
    }
    PartitionFact default_partition;
    default_partition.name = parent + "_default";
    default_partition.is_default = true;
    default_partition.bytes = 8192;
    default_partition.estimated_rows = 0;
    fact.partitions.push_back(default_partition);
    fact.default_rows = 0;
    return fact;
}

// The healthy table of 2026-03-25: April 2025 (inside the 1-year retention)
// up to June 2026, three future partitions.
inline ParentFact healthy_parent() { return monthly_parent(2025, 4, 2026, 6); }

inline CronJobFact maintenance_job(std::int64_t jobid = 3, const std::string &schedule = kMonthlySchedule) {
    CronJobFact job;
    job.jobid = jobid;
    job.jobname = "partman-maintenance";
    job.schedule = schedule;
    job.command = "CALL partman.run_maintenance_proc()";
    job.database = "fitbot";
    job.username = "postgres";
    job.active = true;
    return job;
}

inline CronRunFact run(std::int64_t jobid, const std::string &status, Micros start, const std::string &message = "") {
    CronRunFact fact;
    fact.jobid = jobid;
    fact.status = status;
    fact.start_time = start;
    if (status == "succeeded" || status == "failed") fact.end_time = start + 3 * kMicrosPerSecond;
    fact.return_message = message.empty() && status == "succeeded" ? "CALL" : message;
    return fact;
}

// pg_cron installed, job 3 monthly, last run 2026-03-20 02:00 succeeded.
inline MaintenanceFacts healthy_maintenance() {
    MaintenanceFacts facts;
    facts.cron_installed = true;
    facts.cron_timezone = "GMT";
    facts.jobs.push_back(maintenance_job());
    facts.runs.push_back(run(3, "succeeded", utc(2026, 3, 20, 2)));
    facts.runs.push_back(run(3, "succeeded", utc(2026, 2, 20, 2)));
    return facts;
}

inline DatabaseFacts healthy_database() {
    DatabaseFacts facts;
    facts.now = fixture_now();
    facts.partman_schema = "partman";
    facts.partman_version = "4.7.4";
    facts.parents.push_back(healthy_parent());
    facts.maintenance = healthy_maintenance();
    return facts;
}

inline bool any_reason_contains(const std::vector<std::string> &reasons, const std::string &text) {
    for (const std::string &reason : reasons) {
        if (reason.find(text) != std::string::npos) return true;
    }
    return false;
}

inline std::string joined(const std::vector<std::string> &reasons) {
    std::string out;
    for (const std::string &reason : reasons) out += reason + "\n";
    return out;
}

}  // namespace fitbot::core::testing
