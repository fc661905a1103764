// An adopted wide oldest partition (fitbot_partman.wide_partitions, issue 20):
// wider than the partition interval, so pg_partman, which ages a child by its
// lower bound plus one interval, would drop it whole with this week's rows.
// While it is attached pg_partman's retention is held off (NULL) and
// fitbot_partman.run_maintenance() expires it:
//
//   (ok)     attached, no retention: kept with every row;
//   (ok)     attached, retention R: rows older than R are deleted run by run
//            (keep_table: none, it is kept whole), and it is dropped
//            (detached) at the first run from range_end + R, when even its
//            newest possible row is older than R (rows arrive in it until
//            range_end); then pg_partman gets R back;
//   WARNING  that time passed more than one maintenance period ago (the job's
//            schedule period, else one partition interval): no run dropped
//            it; pg_partman's own procedure never does (job_command =
//            pg_partman), nor does a job that fails;
//   (ok)     recorded but no longer attached: the next run gives pg_partman
//            its retention back.
#include "wide_partition_rules.h"

#include <string>

#include "calendar.h"
#include "health_text.h"

namespace fitbot::core {

namespace {

const PartitionReport *attached_child(const ParentReport &report, const WidePartitionFact &fact) {
    for (const PartitionReport &child : report.children) {
        if (child.state == PartitionState::default_partition) continue;
        if (child.fact.range_start == fact.range_start && child.fact.range_end == fact.range_end) return &child;
    }
    return nullptr;
}

// What run_maintenance() does with it, and when.
std::string expiry_plan(const WidePartitionReport &wide) {
    using text::format_utc;
    const std::string retention = text::describe_interval(*wide.retention);
    if (wide.keep_table) {
        return "fitbot_partman.run_maintenance() keeps it whole (retention_keep_table) and detaches it at its first "
               "run from " +
               format_utc(*wide.planned_expiry) + ", when its upper bound is older than the retention of " + retention +
               ", then gives pg_partman that retention back";
    }
    return "fitbot_partman.run_maintenance() deletes its rows older than the retention of " + retention + " (" +
           text::count_of(wide.rows_expired, "row") + " so far) and drops it at its first run from " +
           format_utc(*wide.planned_expiry) +
           ", when even its newest row is older than that (sooner if its newest row is older), then gives "
           "pg_partman that retention back";
}

}  // namespace

void judge_wide_partition(ParentReport &report, const std::optional<WidePartitionFact> &fact, Micros now,
                          const MaintenanceReport &maintenance, const ZoneRules &zone) {
    using text::format_utc;
    if (!fact) return;
    const std::string range = format_utc(fact->range_start) + " to " + format_utc(fact->range_end);
    const PartitionReport *child = attached_child(report, *fact);
    if (!child) {
        text::add_finding(report, Status::ok, "wide partition gone",
                          report.parent + "'s wide partition from " + range +
                              " is no longer attached; the next run of fitbot_partman.run_maintenance() gives "
                              "pg_partman its retention back (" +
                              (fact->retention ? text::describe_interval(*fact->retention) : std::string("none")) +
                              ").");
        return;
    }
    WidePartitionReport wide;
    wide.name = child->fact.name;
    wide.range_start = fact->range_start;
    wide.range_end = fact->range_end;
    wide.retention = fact->retention;
    wide.keep_table = fact->keep_table;
    wide.rows_expired = fact->rows_expired;
    const std::string what = report.parent + "'s oldest partition " + wide.name + " (" + range +
                             ") is wider than its partition interval (" +
                             text::describe_interval(report.partition_interval) +
                             "), as adopted; pg_partman's retention is held off while it is attached";
    if (!wide.retention) {
        text::add_finding(report, Status::ok, "wide partition " + range + ", kept",
                          what + ", and no retention is set, so it is kept with every row.");
        report.wide_partition = std::move(wide);
        return;
    }
    wide.planned_expiry = add_interval(wide.range_end, *wide.retention, zone);
    // One maintenance period of grace, as for pg_partman's expired partitions.
    const Micros grace =
        maintenance.schedule_period
            ? *maintenance.schedule_period
            : add_interval(*wide.planned_expiry, report.partition_interval, zone) - *wide.planned_expiry;
    wide.overdue = now > *wide.planned_expiry + grace;
    if (wide.overdue) {
        text::add_finding(
            report, Status::warning, "wide partition not dropped since " + format_utc(*wide.planned_expiry),
            what + "; " + (wide.keep_table ? "detaching" : "dropping") + " it was due at the first run of " +
                "fitbot_partman.run_maintenance() from " + format_utc(*wide.planned_expiry) +
                ", more than one maintenance period ago. pg_partman's own run_maintenance_proc() never "
                "expires it, so check that the maintenance job runs fitbot_partman.run_maintenance() "
                "(setting job_command = driver) and that its runs succeed.");
    } else {
        text::add_finding(
            report, Status::ok,
            "wide partition until " + format_utc(wide.range_end) + ", expires " + format_utc(*wide.planned_expiry),
            what + "; " + expiry_plan(wide) + ".");
    }
    report.wide_partition = std::move(wide);
}

}  // namespace fitbot::core
