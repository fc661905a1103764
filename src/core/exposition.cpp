// Prometheus text exposition, format 0.0.4 (the contract is monitoring/METRICS.md).
//
// - Every family this formatter owns is written with "# HELP" and "# TYPE"
//   exactly once, in the order of METRICS.md, even when it has no sample
//   (e.g. no jobs): the set of families never depends on the data, and
//   promtool accepts families without samples.
// - Samples follow the report's order: parents as given, jobs as given.
// - Unknown values are left out (no NaN): default_rows of a locked default
//   partition, timestamps that do not exist. A runway that reaches MAXVALUE is
//   infinite and written as +Inf on the two runway durations; its
//   runway_until timestamp is left out.
// - Integers are written without exponent; instants as Unix seconds with up
//   to six decimals, trailing zeros trimmed.
#include "exposition.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

#include "calendar.h"

namespace fitbot::core {

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
    return out;
}

namespace {

// HELP text escaping: backslash and line feed.
std::string escape_help(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

// Micros as seconds: "1767225600", "-90", "1767225600.5", "0.000001".
std::string seconds_value(Micros micros) {
    const bool negative = micros < 0;
    const std::uint64_t magnitude =
        negative ? std::uint64_t{0} - static_cast<std::uint64_t>(micros) : static_cast<std::uint64_t>(micros);
    std::string out = negative ? "-" : "";
    out += std::to_string(magnitude / kMicrosPerSecond);
    const std::uint64_t fraction = magnitude % kMicrosPerSecond;
    if (fraction != 0) {
        char digits[8];
        std::snprintf(digits, sizeof digits, "%06llu", static_cast<unsigned long long>(fraction));
        std::string decimals = digits;
        while (decimals.back() == '0') decimals.pop_back();
        out += "." + decimals;
    }
    return out;
}

std::string double_value(double value) {
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    if (value == std::floor(value) && std::fabs(value) < 9.0e15) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.0f", value);
        std::string out = buffer;
        return out == "-0" ? "0" : out;
    }
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

class Writer {
public:
    void family(const char *name, const char *help) {
        out_ += "# HELP ";
        out_ += name;
        out_ += ' ';
        out_ += escape_help(help);
        out_ += "\n# TYPE ";
        out_ += name;
        out_ += " gauge\n";
        name_ = name;
    }
    // Labels as name/value pairs; values are escaped here.
    void sample(std::initializer_list<std::pair<const char *, std::string>> labels, const std::string &value) {
        out_ += name_;
        if (labels.size() > 0) {
            out_ += '{';
            bool first = true;
            for (const auto &[label, label_value] : labels) {
                if (!first) out_ += ',';
                first = false;
                out_ += label;
                out_ += "=\"";
                out_ += escape_label_value(label_value);
                out_ += '"';
            }
            out_ += '}';
        }
        out_ += ' ';
        out_ += value;
        out_ += '\n';
    }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
    std::string name_;
};

std::string integer(std::int64_t value) { return std::to_string(value); }

}  // namespace

std::string format_metrics(const HealthReport &report, const ExpositionInfo &info) {
    Writer w;
    const MaintenanceReport &maintenance = report.maintenance;
    const auto status = [](Status s) { return integer(static_cast<int>(s)); };

    w.family("fitbot_partman_info", "Versions and mode of fitbot_partman; always 1.");
    w.sample({{"version", info.extension_version},
              {"partman_version", info.partman_version},
              {"partman_schema", info.partman_schema},
              {"mode", info.mode}},
             "1");

    w.family("fitbot_partman_status", "Worst status over everything: 0 ok, 1 warning, 2 critical, 3 unknown.");
    w.sample({}, status(report.status));

    // One family per parent attribute; `each` writes one sample per parent.
    const auto per_parent = [&](const char *name, const char *help, auto value_of) {
        w.family(name, help);
        for (const ParentReport &parent : report.parents) {
            const std::optional<std::string> value = value_of(parent);
            if (value) w.sample({{"parent", parent.parent}}, *value);
        }
    };
    using Value = std::optional<std::string>;

    per_parent("fitbot_partman_table_status", "Status of one parent table: 0 ok, 1 warning, 2 critical, 3 unknown.",
               [&](const ParentReport &p) -> Value { return status(p.status); });
    per_parent("fitbot_partman_partitions", "Attached partitions, the default partition excluded.",
               [](const ParentReport &p) -> Value { return integer(p.partitions); });
    per_parent("fitbot_partman_future_partitions", "Partitions whose range starts after now.",
               [](const ParentReport &p) -> Value { return integer(p.future_partitions); });
    per_parent("fitbot_partman_premake", "Configured premake of the parent table.",
               [](const ParentReport &p) -> Value { return integer(p.premake); });
    per_parent("fitbot_partman_runway_until_timestamp_seconds",
               "End of the partitions that cover now without a gap, as a Unix timestamp.",
               [](const ParentReport &p) -> Value {
                   if (!p.runway_until) return std::nullopt;
                   return seconds_value(*p.runway_until);
               });
    per_parent("fitbot_partman_runway_seconds",
               "End of the partitions that cover now without a gap, minus now; negative when rows already go to "
               "the default partition, +Inf when a partition reaches MAXVALUE.",
               [&](const ParentReport &p) -> Value {
                   if (p.runway_unbounded) return double_value(INFINITY);
                   if (!p.runway_until) return std::nullopt;
                   return seconds_value(*p.runway_until - report.now);
               });
    per_parent("fitbot_partman_runway_after_next_run_seconds",
               "End of the partitions that cover now without a gap, minus the next scheduled maintenance run.",
               [&](const ParentReport &p) -> Value {
                   if (!maintenance.next_run) return std::nullopt;
                   if (p.runway_unbounded) return double_value(INFINITY);
                   if (!p.runway_until) return std::nullopt;
                   return seconds_value(*p.runway_until - *maintenance.next_run);
               });
    per_parent("fitbot_partman_partition_interval_seconds",
               "Approximate length of one partition interval (30-day months, 24-hour days).",
               [](const ParentReport &p) -> Value { return seconds_value(approximate_length(p.partition_interval)); });
    per_parent("fitbot_partman_oldest_partition_start_timestamp_seconds",
               "Lower bound of the oldest partition, as a Unix timestamp.", [](const ParentReport &p) -> Value {
                   if (!p.oldest_start) return std::nullopt;
                   return seconds_value(*p.oldest_start);
               });
    per_parent("fitbot_partman_expired_partitions", "Attached partitions wholly older than the retention.",
               [](const ParentReport &p) -> Value { return integer(p.expired_partitions); });
    per_parent("fitbot_partman_overdue_expired_partitions",
               "Expired partitions older than the retention by more than one maintenance period.",
               [](const ParentReport &p) -> Value { return integer(p.overdue_expired_partitions); });
    per_parent("fitbot_partman_detached_retention_tables", "Tables detached by retention but kept on disk.",
               [](const ParentReport &p) -> Value { return integer(p.detached_retention_tables); });
    per_parent("fitbot_partman_gaps", "Holes between adjacent partition ranges.",
               [](const ParentReport &p) -> Value { return integer(p.gaps); });
    per_parent("fitbot_partman_future_gaps",
               "Holes between partitions that end after now: rows for them go to the default partition.",
               [](const ParentReport &p) -> Value { return integer(p.future_gaps); });
    per_parent("fitbot_partman_quarantined_rows",
               "Rows rescue_default() set aside in <parent>_quarantine; absent without that table.",
               [](const ParentReport &p) -> Value {
                   if (!p.quarantined_rows) return std::nullopt;
                   return integer(*p.quarantined_rows);
               });
    per_parent("fitbot_partman_wide_partition_expiry_timestamp_seconds",
               "When an adopted wide oldest partition is dropped (or detached) by run_maintenance(): its upper bound "
               "plus the retention, as a Unix timestamp; absent without one, or without retention.",
               [](const ParentReport &p) -> Value {
                   if (!p.wide_partition || !p.wide_partition->planned_expiry) return std::nullopt;
                   return seconds_value(*p.wide_partition->planned_expiry);
               });
    per_parent("fitbot_partman_wide_partition_rows_expired",
               "Rows run_maintenance() deleted from the adopted wide oldest partition so far; absent without one.",
               [](const ParentReport &p) -> Value {
                   if (!p.wide_partition) return std::nullopt;
                   return integer(p.wide_partition->rows_expired);
               });
    per_parent("fitbot_partman_default_rows",
               "Rows in the default partition; absent when it was locked and not counted.",
               [](const ParentReport &p) -> Value {
                   if (!p.default_rows) return std::nullopt;
                   return integer(*p.default_rows);
               });
    per_parent("fitbot_partman_default_locked",
               "1 when the default partition was locked and its rows were not counted.",
               [](const ParentReport &p) -> Value { return integer(p.default_rows ? 0 : 1); });
    per_parent("fitbot_partman_total_bytes", "Estimated size of all partitions in bytes, from catalog statistics.",
               [](const ParentReport &p) -> Value { return integer(p.total_bytes); });
    per_parent("fitbot_partman_estimated_rows", "Estimated rows, from catalog statistics.",
               [](const ParentReport &p) -> Value { return double_value(p.estimated_rows); });

    w.family("fitbot_partman_cron_scheduler_up",
             "1 when pg_cron's scheduler (its launcher) runs, 0 when it does not; absent when unknown "
             "(pg_cron not preloaded, or a standby, where it starts only after promotion).");
    if (maintenance.scheduler_running) w.sample({}, integer(*maintenance.scheduler_running ? 1 : 0));

    w.family("fitbot_partman_maintenance_jobs",
             "pg_cron jobs running pg_partman maintenance; absent when they cannot all be read (pg_cron in "
             "another database, or other roles' jobs hidden by row-level security).");
    if (maintenance.jobs_visible) w.sample({}, integer(static_cast<std::int64_t>(maintenance.jobs.size())));
    w.family("fitbot_partman_maintenance_status",
             "Status of maintenance scheduling: 0 ok, 1 warning, 2 critical, 3 unknown.");
    w.sample({}, status(maintenance.status));

    const auto per_job = [&](const char *name, const char *help, auto value_of) {
        w.family(name, help);
        for (const JobReport &job : maintenance.jobs) {
            const std::optional<std::string> value = value_of(job);
            if (value) {
                // The job this database cannot see has no known id.
                w.sample({{"jobid", job.seen ? integer(job.job.jobid) : std::string()}, {"jobname", job.job.jobname}},
                         *value);
            }
        }
    };
    per_job("fitbot_partman_maintenance_job_active", "1 when the pg_cron job is active, else 0.",
            [](const JobReport &j) -> Value {
                if (!j.seen) return std::nullopt;  // unknown
                return integer(j.job.active ? 1 : 0);
            });
    per_job("fitbot_partman_maintenance_next_run_timestamp_seconds",
            "Next scheduled run of the job, as a Unix timestamp; absent when it will not run.",
            [](const JobReport &j) -> Value {
                if (!j.next_run) return std::nullopt;
                return seconds_value(*j.next_run);
            });
    per_job("fitbot_partman_maintenance_last_run_start_timestamp_seconds",
            "Start of the job's newest run, as a Unix timestamp; absent if it never ran.",
            [](const JobReport &j) -> Value {
                if (!j.last_run || !j.last_run->start_time) return std::nullopt;
                return seconds_value(*j.last_run->start_time);
            });
    per_job("fitbot_partman_maintenance_last_run_success",
            "1 when the job's newest finished run succeeded, 0 when it failed; absent if none "
            "finished.",
            [](const JobReport &j) -> Value {
                if (!j.last_finished_run) return std::nullopt;
                return integer(j.last_finished_run->status == "succeeded" ? 1 : 0);
            });
    per_job("fitbot_partman_maintenance_last_success_timestamp_seconds",
            "End of the job's newest successful run, as a Unix timestamp.", [](const JobReport &j) -> Value {
                if (!j.last_success) return std::nullopt;
                return seconds_value(*j.last_success);
            });
    per_job("fitbot_partman_maintenance_consecutive_failures", "Failed runs of the job in a row, newest first.",
            [](const JobReport &j) -> Value { return integer(j.consecutive_failures); });
    per_job(
        "fitbot_partman_maintenance_overdue",
        "1 when the job missed a firing: no run started within an hour of it (two firings for jobs that fire more than daily), and none caught up since.",
        [](const JobReport &j) -> Value { return integer(j.overdue ? 1 : 0); });
    return w.take();
}

}  // namespace fitbot::core
