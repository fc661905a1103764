// Health rules of one partitioned parent table (judge_parent).
//
// Thresholds, as docs/health.md quotes them (interval = the parent's
// partition_interval, next run = the earliest next run of an active pg_cron
// maintenance job, all calendar arithmetic in the database TimeZone):
//
// Classification of each child
//   default   the DEFAULT partition;
//   expired   retention is set and range_end <= now - retention (wholly older
//             than the retention);
//   current   range_start <= now < range_end (MINVALUE/MAXVALUE: unbounded);
//   future    range_start > now;
//   past      everything else (ended at or before now, not expired).
//
// Runway (not judged when a partition reaches MAXVALUE: rows always fit)
//   CRITICAL  no partitions at all (default excluded);
//   CRITICAL  no future partition (the newest one has started or ended);
//   CRITICAL  runway_until <= next run (the run comes too late);
//   WARNING   next run + interval > runway_until: less than one full partition
//             interval of margin after the next run, so one failed run
//             strands rows in the default partition;
//   CRITICAL  no active maintenance job and now + interval > runway_until
//             (nothing will extend the runway; with more runway than that the
//             missing job is reported once, by the maintenance verdict).
//
// Default partition
//   CRITICAL  default_rows > 0: those rows block pg_partman from creating the
//             partition for their range (the reason gives their date range);
//   WARNING   besides, their range reaches into the partition the next
//             maintenance run creates (from runway_until, one interval long):
//             that run fails for the table, said ahead of time;
//   (ok)      default_rows unknown because the default partition was locked:
//             an informational finding that never changes the status, since
//             a lock held by someone else says nothing about partitioning, and
//             the next check counts again.
//
// Gaps (holes between adjacent ranges, children sorted by start)
//   WARNING   a gap wholly in the past (gap end <= now);
//   CRITICAL  a gap whose end is after now: rows written now or later go to
//             the default partition. A partition beyond such a gap also adds
//             nothing to the runway, which ends where the partitions covering
//             now stop being contiguous (pg_partman, seeing the far partition
//             as its newest, would otherwise never fill the gap).
//
// Quarantine
//   WARNING   rows in <parent>_quarantine: rescue_default() set them aside
//             because they lie outside the range maintenance keeps.
//
// Retention (only when retention is set)
//   counted   expired partitions still attached: pg_partman drops them at its
//             next run, so they are expected for up to one maintenance period;
//   WARNING   expired partitions with range_end <= now - retention - period,
//             where period = the maintenance job's current schedule period
//             (next run - previous scheduled run), or one partition interval
//             when no job runs: a run that should have dropped them passed;
//   WARNING   detached_retention_tables > 0: retention_keep_table kept them.
//
// An adopted wide oldest partition: wide_partition_rules.cpp.
#include <algorithm>
#include <string>

#include "calendar.h"
#include "health.h"
#include "health_text.h"
#include "wide_partition_rules.h"

namespace fitbot::core {

namespace {

Interval negated(const Interval &interval) { return Interval{-interval.months, -interval.days, -interval.micros}; }

// Whether `p` starts before `q`: MINVALUE first, then by start, then by end
// (MAXVALUE last), then by name, so the order is total and deterministic.
bool starts_before(const PartitionFact &p, const PartitionFact &q) {
    if (p.range_start != q.range_start) {
        if (!p.range_start) return true;
        if (!q.range_start) return false;
        return *p.range_start < *q.range_start;
    }
    if (p.range_end != q.range_end) {
        if (!p.range_end) return false;
        if (!q.range_end) return true;
        return *p.range_end < *q.range_end;
    }
    return p.name < q.name;
}

PartitionState classify(const PartitionFact &partition, Micros now, const std::optional<Micros> &retention_cutoff) {
    if (partition.is_default) return PartitionState::default_partition;
    if (retention_cutoff && partition.range_end && *partition.range_end <= *retention_cutoff) {
        return PartitionState::expired;
    }
    const bool started = !partition.range_start || *partition.range_start <= now;
    const bool ended = partition.range_end && *partition.range_end <= now;
    if (started && !ended) return PartitionState::current;
    if (!started) return PartitionState::future;
    return PartitionState::past;
}

std::string default_name(const ParentReport &report) {
    for (const PartitionReport &child : report.children) {
        if (child.state == PartitionState::default_partition) return child.fact.name;
    }
    return "";
}

void judge_runway(ParentReport &report, Micros now, const MaintenanceReport &maintenance, const ZoneRules &zone) {
    using text::format_utc;
    const std::string &parent = report.parent;
    const std::string interval = text::describe_interval(report.partition_interval);
    const std::string premake = std::to_string(report.premake);

    if (report.partitions == 0) {
        text::add_finding(report, Status::critical, "no partitions",
                          parent +
                              " has no partitions at all, so every row goes to the default partition "
                              "(or is rejected without one); run CALL partman.run_maintenance_proc() and "
                              "check the table's entry in part_config.");
        return;
    }
    if (report.runway_unbounded || !report.runway_until) return;
    const Micros runway_until = *report.runway_until;
    const std::optional<Micros> &next = maintenance.next_run;

    if (report.future_partitions == 0) {
        if (runway_until <= now) {
            text::add_finding(report, Status::critical, "no partition since " + format_utc(runway_until),
                              parent + " ran out of partitions at " + format_utc(runway_until) + ", " +
                                  text::describe_duration(now - runway_until) +
                                  " ago, so new rows go to the default partition; run CALL "
                                  "partman.run_maintenance_proc() now, and if it fails because of rows in the "
                                  "default partition, move them with SELECT fitbot_partman.rescue_default(" +
                                  text::sql_literal(parent) + ").");
        } else {
            const std::string when_next =
                next ? "the next maintenance run is at " + format_utc(*next) : "no maintenance job is scheduled";
            text::add_finding(report, Status::critical, "no future partition, runway ends " + format_utc(runway_until),
                              parent + " has no future partition: the newest one ends at " + format_utc(runway_until) +
                                  ", in " + text::describe_duration(runway_until - now) + ", and " + when_next +
                                  "; run CALL partman.run_maintenance_proc() now and check that premake (" + premake +
                                  ") covers the time between maintenance runs.");
        }
        return;
    }

    if (next) {
        if (runway_until <= *next) {
            text::add_finding(report, Status::critical,
                              "runway ends " + format_utc(runway_until) + " before next maintenance",
                              parent + " has partitions only until " + format_utc(runway_until) +
                                  ", but the next maintenance run is at " + format_utc(*next) + ", so rows from " +
                                  format_utc(runway_until) +
                                  " on will go to the default partition; run CALL "
                                  "partman.run_maintenance_proc() now, and raise premake (" +
                                  premake + ") or run maintenance more often.");
        } else if (add_interval(*next, report.partition_interval, zone) > runway_until) {
            text::add_finding(report, Status::warning,
                              "runway ends " + format_utc(runway_until) + ", " +
                                  text::describe_duration(runway_until - *next) + " after next maintenance",
                              parent + " has partitions until " + format_utc(runway_until) +
                                  ", less than one partition interval (" + interval +
                                  ") after the next maintenance run at " + format_utc(*next) +
                                  "; if that run fails, rows from " + format_utc(runway_until) +
                                  " on go to the default partition, so raise premake (" + premake +
                                  ") or run maintenance more often.");
        }
        return;
    }

    if (add_interval(now, report.partition_interval, zone) > runway_until) {
        text::add_finding(report, Status::critical,
                          "runway ends " + format_utc(runway_until) + ", no maintenance scheduled",
                          parent + " has partitions only until " + format_utc(runway_until) +
                              ", less than one partition interval (" + interval +
                              ") from now, and no active maintenance job will create more; run SELECT "
                              "fitbot_partman.schedule_maintenance() or CALL partman.run_maintenance_proc() now.");
    }
}

void judge_default(ParentReport &report, const MaintenanceReport &maintenance, const ZoneRules &zone) {
    using text::format_utc;
    const std::string &parent = report.parent;
    std::string name = default_name(report);
    if (!report.default_rows && !report.default_rows_unknown.empty()) {
        text::add_finding(report, Status::unknown, "rows in default partition unknown",
                          "Whether " + parent + "'s default partition" + (name.empty() ? std::string() : " " + name) +
                              " holds rows is unknown: " + report.default_rows_unknown +
                              "; check that every node answers, or count them by hand with "
                              "SET statement_timeout = '5s'; SELECT count(*) FROM " +
                              (name.empty() ? parent + "'s default partition" : name) + ";");
        return;
    }
    if (!report.default_rows) {
        text::add_finding(report, Status::ok, "default partition locked, rows not counted",
                          parent + " could not count the rows of its default partition" +
                              (name.empty() ? std::string() : " " + name) +
                              " because another session held a lock on it; this does not change the status, "
                              "and the next check counts them again.");
        return;
    }
    if (*report.default_rows > 0) {
        const std::string rows = text::count_of(*report.default_rows, "row");
        const bool has_range = report.default_oldest && report.default_newest;
        const std::string dated =
            has_range ? " dated " + format_utc(*report.default_oldest) + " to " + format_utc(*report.default_newest)
                      : std::string();
        const std::string how_many =
            report.default_rows_estimated
                ? "about " + rows + " (estimated from the statistics of its shards on the Citus nodes)"
                : rows + dated;
        text::add_finding(report, Status::critical, rows + " in default partition",
                          parent + " has " + how_many + " in its default partition" +
                              (name.empty() ? std::string() : " " + name) +
                              "; they block pg_partman from creating the partitions for their range, so move "
                              "them into proper partitions with SELECT fitbot_partman.rescue_default(" +
                              text::sql_literal(parent) + ").");
        if (has_range && report.runway_until && !report.runway_unbounded) {
            const Micros next_start = *report.runway_until;
            const Micros next_end = add_interval(next_start, report.partition_interval, zone);
            if (*report.default_newest >= next_start && *report.default_oldest < next_end) {
                const std::string when =
                    maintenance.next_run ? "at " + format_utc(*maintenance.next_run) : "whenever it runs";
                text::add_finding(report, Status::warning, "next maintenance fails for " + parent,
                                  "The next maintenance run (" + when + ") must create " + parent +
                                      "'s partition from " + format_utc(next_start) + " to " + format_utc(next_end) +
                                      ", and rows in the default partition reach into that range, so the run will fail "
                                      "for this table; run SELECT fitbot_partman.rescue_default(" +
                                      text::sql_literal(parent) + ") before then.");
            }
        }
    }
}

void judge_gaps(ParentReport &report, Micros now) {
    using text::format_utc;
    const PartitionReport *previous = nullptr;
    for (const PartitionReport &child : report.children) {
        if (child.state == PartitionState::default_partition) continue;
        if (previous && previous->fact.range_end && child.fact.range_start &&
            *previous->fact.range_end < *child.fact.range_start) {
            const Micros gap_start = *previous->fact.range_end;
            const Micros gap_end = *child.fact.range_start;
            ++report.gaps;
            const std::string range = format_utc(gap_start) + " to " + format_utc(gap_end);
            const std::string fix =
                "create the missing partition with SELECT "
                "partman.create_partition_time(" +
                text::sql_literal(report.parent) + ", ARRAY[" + text::sql_literal(format_utc(gap_start)) +
                "::timestamptz]).";
            if (gap_end > now) {
                ++report.future_gaps;
                text::add_finding(report, Status::critical, "gap " + range,
                                  report.parent + " has no partition from " + range + " (between " +
                                      previous->fact.name + " and " + child.fact.name +
                                      "), a range that is current or in the future, so rows for it go to the "
                                      "default partition; " +
                                      fix);
            } else {
                text::add_finding(report, Status::warning, "gap " + range,
                                  report.parent + " has no partition from " + range + " (between " +
                                      previous->fact.name + " and " + child.fact.name +
                                      "), so rows for that range went to the default partition; if data for it "
                                      "matters, " +
                                      fix);
            }
        }
        previous = &child;
    }
}

void judge_quarantine(ParentReport &report) {
    if (!report.quarantined_rows || *report.quarantined_rows == 0) return;
    const std::string rows = text::count_of(*report.quarantined_rows, "row");
    text::add_finding(report, Status::warning, rows + " in quarantine",
                      report.parent + " has " + rows +
                          " in its quarantine table, set aside by "
                          "rescue_default() because they lie outside the range maintenance keeps; review "
                          "them, then insert them into the table or delete them.");
}

// The end of the run of contiguous partitions that covers now (partitions
// sorted by start). A run that starts after a gap ahead of now adds no runway.
std::optional<Micros> contiguous_runway(const std::vector<PartitionFact> &sorted, Micros now, bool &unbounded) {
    unbounded = false;
    bool have_run = false;
    std::optional<Micros> run_end;
    for (const PartitionFact &partition : sorted) {
        const bool extends_run =
            have_run && (unbounded || !partition.range_start || *partition.range_start <= *run_end);
        if (extends_run) {
            if (unbounded) continue;
            if (!partition.range_end) {
                unbounded = true;
            } else if (*partition.range_end > *run_end) {
                run_end = partition.range_end;
            }
            continue;
        }
        // The first partition, or one after a gap: a new run, unless the gap
        // lies ahead of now.
        if (have_run && partition.range_start && *partition.range_start > now) break;
        have_run = true;
        unbounded = !partition.range_end;
        run_end = partition.range_end;
    }
    return unbounded ? std::nullopt : run_end;
}

void judge_retention(ParentReport &report, const ParentFact &fact, const MaintenanceReport &maintenance,
                     const ZoneRules &zone, const std::optional<Micros> &retention_cutoff) {
    using text::format_utc;
    if (retention_cutoff) {
        // One maintenance period of grace past the retention: the run after
        // a partition expires drops it.
        const Micros overdue_cutoff = maintenance.schedule_period
                                          ? *retention_cutoff - *maintenance.schedule_period
                                          : add_interval(*retention_cutoff, negated(report.partition_interval), zone);
        const PartitionReport *oldest = nullptr;
        for (const PartitionReport &child : report.children) {
            if (child.state != PartitionState::expired) continue;
            ++report.expired_partitions;
            if (child.fact.range_end && *child.fact.range_end <= overdue_cutoff) {
                ++report.overdue_expired_partitions;
                if (!oldest) oldest = &child;
            }
        }
        if (report.overdue_expired_partitions > 0) {
            const std::string count = text::count_of(report.overdue_expired_partitions, "partition");
            text::add_finding(report, Status::warning, count + " past retention not dropped",
                              report.parent + " still has " + count + " older than its retention of " +
                                  text::describe_interval(*fact.retention) +
                                  " by more than one maintenance period (the oldest, " + oldest->fact.name +
                                  ", ended at " + format_utc(*oldest->fact.range_end) +
                                  "); pg_partman's retention should have dropped them, so check retention in "
                                  "part_config and that maintenance runs succeed.");
        }
    }
    if (report.detached_retention_tables > 0) {
        const std::string tables = text::count_of(report.detached_retention_tables, "table");
        text::add_finding(report, Status::warning, tables + " detached by retention kept",
                          report.parent + " has " + tables +
                              " named like its partitions but detached: pg_partman's retention keeps expired "
                              "partitions on disk this way when retention_keep_table is true; drop them if their "
                              "data is no longer needed, and keep retention_keep_table = false (register_table's "
                              "default) so that retention really drops partitions.");
    }
}

}  // namespace

ParentReport judge_parent(ParentFact fact, Micros now, const MaintenanceReport &maintenance,
                          const ZoneRules &session_zone) {
    ParentReport report;
    report.parent = fact.parent;
    report.partition_interval = fact.partition_interval;
    report.premake = fact.premake;
    report.retention = fact.retention;
    report.default_rows = fact.default_rows;
    report.default_rows_estimated = fact.default_rows_estimated;
    report.default_rows_unknown = fact.default_rows_unknown;
    report.default_oldest = fact.default_oldest;
    report.default_newest = fact.default_newest;
    report.detached_retention_tables = fact.detached_retention_tables;

    std::optional<Micros> retention_cutoff;
    if (fact.retention) {
        retention_cutoff = add_interval(now, negated(*fact.retention), session_zone);
    }

    std::vector<PartitionFact> ranged;
    std::vector<PartitionFact> defaults;
    ranged.reserve(fact.partitions.size());
    for (PartitionFact &partition : fact.partitions) {
        report.total_bytes += partition.bytes;
        // reltuples is -1 for a table never vacuumed or analyzed: unknown, so
        // it adds nothing rather than subtracting one.
        if (partition.estimated_rows > 0) report.estimated_rows += partition.estimated_rows;
        (partition.is_default ? defaults : ranged).push_back(std::move(partition));
    }
    fact.partitions.clear();
    std::sort(ranged.begin(), ranged.end(), starts_before);
    std::sort(defaults.begin(), defaults.end(),
              [](const PartitionFact &p, const PartitionFact &q) { return p.name < q.name; });

    report.runway_until = contiguous_runway(ranged, now, report.runway_unbounded);
    // The facts move into the report: at thousands of partitions a copy is
    // most of a check's memory.
    report.children.reserve(ranged.size() + defaults.size());
    if (!ranged.empty()) report.oldest_start = ranged.front().range_start;  // nullopt when MINVALUE
    for (PartitionFact &partition : ranged) {
        const PartitionState state = classify(partition, now, retention_cutoff);
        ++report.partitions;
        if (state == PartitionState::future) ++report.future_partitions;
        report.children.push_back(PartitionReport{std::move(partition), state});
    }
    report.quarantined_rows = fact.quarantined_rows;
    for (PartitionFact &partition : defaults) {
        report.children.push_back(PartitionReport{std::move(partition), PartitionState::default_partition});
    }

    judge_runway(report, now, maintenance, session_zone);
    judge_default(report, maintenance, session_zone);
    judge_gaps(report, now);
    judge_quarantine(report);
    judge_retention(report, fact, maintenance, session_zone, retention_cutoff);
    judge_wide_partition(report, fact.wide_partition, now, maintenance, session_zone);
    return report;
}

}  // namespace fitbot::core
