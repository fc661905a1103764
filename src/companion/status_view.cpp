#include "status_view.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/health_text.h"
#include "system_zone.h"
#include "time_format.h"

namespace fitbot::companion {

const char *const kTimelineLegend =
    "x expired  . past  # current  + future  _ gap  W wide (adopted)  D default (empty)  ! default with rows  ? default "
    "not counted";

namespace {

std::string upper(const char *text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(), [](unsigned char c) { return std::toupper(c); });
    return result;
}

nlohmann::json optional_time(const std::optional<core::Micros> &instant) {
    return instant ? nlohmann::json(iso_utc(*instant)) : nlohmann::json(nullptr);
}

std::string human_bytes(std::int64_t bytes) {
    const char *units[] = {"B", "kB", "MB", "GB", "TB"};
    double value = double(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

}  // namespace

std::string partition_timeline(const core::ParentReport &parent) {
    std::string timeline;
    std::optional<core::Micros> previous_end;
    for (const core::PartitionReport &child : parent.children) {
        if (child.state == core::PartitionState::default_partition) {
            if (!timeline.empty()) timeline += ' ';
            if (!parent.default_rows)
                timeline += '?';
            else
                timeline += *parent.default_rows > 0 ? '!' : 'D';
            continue;
        }
        if (previous_end && child.fact.range_start && *child.fact.range_start > *previous_end) timeline += '_';
        previous_end = child.fact.range_end;
        // The adopted wide oldest partition: run_maintenance() expires it
        // row by row, so it is never simply past or expired.
        if (parent.wide_partition && child.fact.name == parent.wide_partition->name) {
            timeline += 'W';
            continue;
        }
        switch (child.state) {
            case core::PartitionState::expired:
                timeline += 'x';
                break;
            case core::PartitionState::past:
                timeline += '.';
                break;
            case core::PartitionState::current:
                timeline += '#';
                break;
            case core::PartitionState::future:
                timeline += '+';
                break;
            case core::PartitionState::default_partition:
                break;
        }
    }
    return timeline;
}

// Counted, estimated (a Citus distributed default partition), locked for a
// moment, or unknown (a Citus node did not answer: the reason says which).
std::string default_rows_text(const core::ParentReport &parent) {
    if (parent.default_rows) {
        return (parent.default_rows_estimated ? "about " : "") + std::to_string(*parent.default_rows) +
               (parent.default_rows_estimated ? " (estimated on the Citus nodes)" : "");
    }
    return parent.default_rows_unknown.empty() ? "not counted (locked)" : "unknown (see below)";
}

namespace {

// The adopted wide oldest partition in one line: what it spans, and when
// run_maintenance() is done with it (the reasons below say how).
std::string wide_partition_text(const core::WidePartitionReport &wide) {
    std::string line = fmt::format("wide partition {} ({} to {}): ", wide.name, readable_utc(wide.range_start),
                                   readable_utc(wide.range_end));
    if (!wide.planned_expiry) return line + "kept (no retention)";
    return line + fmt::format("{} {}{}, retention {}{}", wide.keep_table ? "detached from" : "dropped from",
                              readable_utc(*wide.planned_expiry), wide.overdue ? " (OVERDUE)" : "",
                              core::text::describe_interval(*wide.retention),
                              wide.keep_table ? "" : fmt::format(", {} rows expired so far", wide.rows_expired));
}

}  // namespace

std::string render_status_text(const Evaluation &evaluation, const core::ZoneRules &local_zone) {
    const core::HealthReport &report = evaluation.report;
    std::string out =
        fmt::format("fitbot_partman: {} ({} mode, pg_partman {} in schema {}), read at {}\n",
                    upper(core::status_name(report.status)), evaluation.info.mode, evaluation.info.partman_version,
                    evaluation.info.partman_schema, readable_utc(report.now));
    for (const std::string &reason : report.reasons) out += "  - " + reason + "\n";

    for (const core::ParentReport &parent : report.parents) {
        out += fmt::format("\n{}  {}\n", parent.parent, upper(core::status_name(parent.status)));
        std::string runway = parent.runway_unbounded ? "unbounded (MAXVALUE)"
                             : parent.runway_until   ? readable_utc(*parent.runway_until) + " (in " +
                                                         readable_duration(*parent.runway_until - report.now) + ")"
                                                   : "none";
        out += fmt::format("  partitions {} ({} future, {} expired, {} gaps), runway until {}\n", parent.partitions,
                           parent.future_partitions, parent.expired_partitions, parent.gaps, runway);
        out += fmt::format("  rows in the default partition: {}; all partitions: {}, about {} rows\n",
                           default_rows_text(parent), human_bytes(parent.total_bytes),
                           std::int64_t(parent.estimated_rows));
        out += "  timeline: " + partition_timeline(parent) + "\n";
        if (parent.wide_partition) out += "  " + wide_partition_text(*parent.wide_partition) + "\n";
        for (const std::string &reason : parent.reasons) out += "  - " + reason + "\n";
    }
    if (!report.parents.empty()) out += fmt::format("  ({})\n", kTimelineLegend);

    const core::MaintenanceReport &maintenance = report.maintenance;
    out += fmt::format("\nmaintenance  {}\n", upper(core::status_name(maintenance.status)));
    for (const core::JobReport &job : maintenance.jobs) {
        out += fmt::format("  job {} {}: '{}' ({}), {}\n", job.job.jobid, job.job.jobname, job.job.schedule,
                           job.timezone, job.job.active ? "active" : "INACTIVE");
        if (job.next_run) {
            // In pg_cron's zone (cron.timezone) and UTC, as every time pg_cron's
            // users read; then in this terminal's zone.
            const std::unique_ptr<core::ZoneRules> cron_zone = load_system_zone(job.timezone);
            out += fmt::format("    next run {} ({})\n", core::text::format_in_zone(*job.next_run, *cron_zone),
                               readable_local(*job.next_run, local_zone));
        }
        if (job.last_run) {
            out += fmt::format(
                "    last run {} at {}{}{}\n", job.last_run->status,
                job.last_run->start_time ? readable_utc(*job.last_run->start_time) : "?",
                job.last_run->by_hand ? " (by hand)" : "",
                job.consecutive_failures > 1 ? fmt::format(" ({} failures in a row)", job.consecutive_failures) : "");
        } else {
            out += "    never ran\n";
        }
    }
    for (const std::string &reason : maintenance.reasons) out += "  - " + reason + "\n";
    return out;
}

namespace {

nlohmann::json wide_partition_json(const std::optional<core::WidePartitionReport> &wide) {
    if (!wide) return nullptr;
    return {{"name", wide->name},
            {"range_start", iso_utc(wide->range_start)},
            {"range_end", iso_utc(wide->range_end)},
            {"retention", wide->retention ? nlohmann::json(core::text::describe_interval(*wide->retention))
                                          : nlohmann::json(nullptr)},
            {"keep_table", wide->keep_table},
            {"rows_expired", wide->rows_expired},
            {"planned_expiry", optional_time(wide->planned_expiry)},
            {"overdue", wide->overdue}};
}

}  // namespace

std::string render_status_json(const Evaluation &evaluation) {
    using nlohmann::json;
    const core::HealthReport &report = evaluation.report;
    json tables = json::array();
    for (const core::ParentReport &parent : report.parents) {
        tables.push_back({{"parent", parent.parent},
                          {"status", core::status_name(parent.status)},
                          {"reasons", parent.reasons},
                          {"partitions", parent.partitions},
                          {"future_partitions", parent.future_partitions},
                          {"runway_until", optional_time(parent.runway_until)},
                          {"oldest_start", optional_time(parent.oldest_start)},
                          {"expired_partitions", parent.expired_partitions},
                          {"gaps", parent.gaps},
                          {"default_rows", parent.default_rows ? json(*parent.default_rows) : json(nullptr)},
                          {"total_bytes", parent.total_bytes},
                          {"timeline", partition_timeline(parent)},
                          {"wide_partition", wide_partition_json(parent.wide_partition)}});
    }
    json jobs = json::array();
    for (const core::JobReport &job : report.maintenance.jobs) {
        jobs.push_back({{"jobid", job.job.jobid},
                        {"jobname", job.job.jobname},
                        {"schedule", job.job.schedule},
                        {"active", job.job.active},
                        {"timezone", job.timezone},
                        {"next_run", optional_time(job.next_run)},
                        {"last_run_status", job.last_run ? json(job.last_run->status) : json(nullptr)},
                        {"last_run_by_hand", job.last_run ? json(job.last_run->by_hand) : json(nullptr)},
                        {"consecutive_failures", job.consecutive_failures},
                        {"status", core::status_name(job.status)},
                        {"reasons", job.reasons}});
    }
    json document{{"mode", evaluation.info.mode},
                  {"now", iso_utc(report.now)},
                  {"status", core::status_name(report.status)},
                  {"reasons", report.reasons},
                  {"tables", tables},
                  {"maintenance",
                   {{"status", core::status_name(report.maintenance.status)},
                    {"reasons", report.maintenance.reasons},
                    {"next_run", optional_time(report.maintenance.next_run)},
                    {"jobs", jobs}}}};
    return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace fitbot::companion
