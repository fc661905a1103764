// Status arithmetic and the whole-database verdict. The rules themselves live
// in partition_rules.cpp (per parent table) and maintenance_rules.cpp (the
// pg_cron job); the Nagios one-liner in check_summary.cpp.
#include "health.h"

#include "health_text.h"

namespace fitbot::core {

const char *status_name(Status status) {
    switch (status) {
        case Status::ok:
            return "ok";
        case Status::warning:
            return "warning";
        case Status::critical:
            return "critical";
        case Status::unknown:
            return "unknown";
    }
    return "unknown";
}

// critical > warning > unknown > ok: a known problem outranks "could not
// tell", and "could not tell" must never read as healthy.
int severity(Status status) {
    switch (status) {
        case Status::ok:
            return 0;
        case Status::unknown:
            return 1;
        case Status::warning:
            return 2;
        case Status::critical:
            return 3;
    }
    return 1;
}

Status worst(Status a, Status b) { return severity(b) > severity(a) ? b : a; }

const char *partition_state_name(PartitionState state) {
    switch (state) {
        case PartitionState::past:
            return "past";
        case PartitionState::current:
            return "current";
        case PartitionState::future:
            return "future";
        case PartitionState::expired:
            return "expired";
        case PartitionState::default_partition:
            return "default";
    }
    return "past";
}

namespace {

std::string quoted_identifier(const std::string &name) {
    bool plain = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
    for (char c : name) plain = plain && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    if (plain) return name;
    std::string out = "\"";
    for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

// The rules name pg_partman's functions in its usual schema, "partman"; where
// it lives elsewhere, the advice names that schema instead.
void name_partman_schema(std::vector<std::string> &sentences, const std::string &schema) {
    if (schema.empty() || schema == "partman") return;
    for (const char *function : {"run_maintenance_proc(", "create_partition_time("}) {
        const std::string from = std::string(" partman.") + function;
        const std::string to = " " + quoted_identifier(schema) + "." + function;
        for (std::string &sentence : sentences) {
            for (std::size_t at = sentence.find(from); at != std::string::npos;
                 at = sentence.find(from, at + to.size())) {
                sentence.replace(at, from.size(), to);
            }
        }
    }
}

template <typename Report>
void name_partman_schema(Report &report, const std::string &schema) {
    name_partman_schema(report.reasons, schema);
    std::vector<std::string> sentences;
    for (const Finding &finding : report.findings) sentences.push_back(finding.reason);
    name_partman_schema(sentences, schema);
    for (std::size_t i = 0; i < sentences.size(); ++i) report.findings[i].reason = sentences[i];
}

// Rules for a database where pg_partman manages no table (nothing set up yet,
// or every table torn down on purpose). An empty configuration is not an
// outage: with no table and no maintenance job nothing is at risk, so it
// reads OK, "nothing managed". That verdict needs both halves read: pg_partman's
// part_config (the facts could not exist otherwise) and pg_cron's jobs. Where
// pg_cron is not installed in this database its jobs cannot be read, so the
// verdict is UNKNOWN, never "nothing managed" (and never the CRITICAL "pg_cron
// not installed": with no table, nothing needs it). Maintenance jobs with no
// table to maintain are judged as usual (a failing job still warns).
void judge_nothing_managed(const DatabaseFacts &facts, HealthReport &report) {
    const std::string schema = facts.partman_schema.empty() ? "partman" : quoted_identifier(facts.partman_schema);
    MaintenanceReport &maintenance = report.maintenance;
    if (!facts.maintenance.cron_installed) {
        maintenance = MaintenanceReport{};
        text::add_finding(
            maintenance, Status::unknown, "pg_cron's jobs not readable here",
            "pg_partman manages no table in this database (" + schema +
                ".part_config is empty), and pg_cron is not installed here, so whether a maintenance job "
                "still runs for it cannot be read; check cron.job in pg_cron's database (cron.database_name), "
                "or set up with SELECT * FROM fitbot_partman.setup().");
        report.status = maintenance.status;
        return;
    }
    if (facts.maintenance.jobs.empty()) {
        maintenance = MaintenanceReport{};
        text::add_finding(report, Status::ok, "nothing managed (no table in pg_partman, no maintenance job)",
                          "Nothing is managed here: pg_partman manages no table in this database (" + schema +
                              ".part_config is empty) and no pg_cron job runs its maintenance, so nothing is at "
                              "risk; run SELECT * FROM fitbot_partman.setup() to set up "
                              "public.heart_rate_readings, or point the check at the right database.");
        report.status = Status::ok;
        return;
    }
    text::add_finding(report, Status::ok, "pg_partman manages no table",
                      "pg_partman manages no table in this database (" + schema +
                          ".part_config is empty); its maintenance job has nothing to do until a table is "
                          "registered.");
    report.status = worst(report.status, maintenance.status);
}

}  // namespace

namespace {

// judge() for facts kept (Parents: const ParentFact, each copied into
// judge_parent) or given up (ParentFact, moved).
template <typename Parents>
HealthReport judge_parents(const DatabaseFacts &facts, Parents &parents, const ZoneRules &cron_zone,
                           const ZoneRules &session_zone) {
    HealthReport report;
    report.now = facts.now;
    report.maintenance = judge_maintenance(facts.maintenance, facts.now, cron_zone);
    name_partman_schema(report.maintenance, facts.partman_schema);
    for (JobReport &job : report.maintenance.jobs) name_partman_schema(job, facts.partman_schema);
    report.status = report.maintenance.status;
    report.parents.reserve(parents.size());
    for (auto &parent : parents) {
        report.parents.push_back(judge_parent(std::move(parent), facts.now, report.maintenance, session_zone));
        name_partman_schema(report.parents.back(), facts.partman_schema);
        report.status = worst(report.status, report.parents.back().status);
    }
    if (parents.empty()) judge_nothing_managed(facts, report);
    return report;
}

}  // namespace

HealthReport judge(const DatabaseFacts &facts, const ZoneRules &cron_zone, const ZoneRules &session_zone) {
    return judge_parents(facts, facts.parents, cron_zone, session_zone);
}

HealthReport judge(DatabaseFacts &&facts, const ZoneRules &cron_zone, const ZoneRules &session_zone) {
    return judge_parents(facts, facts.parents, cron_zone, session_zone);
}

}  // namespace fitbot::core
