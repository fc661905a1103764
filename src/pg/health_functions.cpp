// SQL: partition_health(), partitions(), maintenance_status(), check(),
// metrics() and facts(). Facts come from facts_reader (no relation locks);
// every verdict comes from the core.
#include <algorithm>
#include <cmath>

#include "convert.h"
#include "core/exposition.h"
#include "core/facts_json.h"
#include "core/health.h"
#include "facts_reader.h"
#include "guard.h"
#include "result_set.h"
#include "zone.h"

namespace fitbot::pg {

namespace {

constexpr const char *kExtensionVersion = "1.0";

struct JudgedDatabase {
    BackendFacts backend;
    core::HealthReport report;
};

JudgedDatabase judge_database() {
    JudgedDatabase judged{read_backend_facts(), {}};
    PostgresZone cron_zone = zone_named(judged.backend.facts.maintenance.cron_timezone);
    judged.report = core::judge(judged.backend.facts, cron_zone, session_zone());
    return judged;
}

std::int64_t whole_rows(double estimate) { return estimate > 0 ? static_cast<std::int64_t>(std::llround(estimate)) : 0; }

Datum partition_health_impl(FunctionCallInfo fcinfo) {
    JudgedDatabase judged = judge_database();
    ResultSet result(fcinfo);
    for (std::size_t i = 0; i < judged.report.parents.size(); i++) {
        const core::ParentReport &parent = judged.report.parents[i];
        OutputRow row(result.columns());
        row.set_oid(0, judged.backend.parent_oids.at(i))
            .set_interval(1, parent.partition_interval)
            .set_int32(2, parent.premake)
            .set_interval(3, parent.retention)
            .set_int32(4, parent.partitions)
            .set_int32(5, parent.future_partitions)
            .set_timestamp(6, parent.runway_until)
            .set_timestamp(7, parent.oldest_start)
            .set_int32(8, parent.expired_partitions)
            .set_int32(9, parent.gaps)
            .set_optional_int64(10, parent.default_rows)
            .set_int64(11, parent.total_bytes)
            .set_int64(12, whole_rows(parent.estimated_rows))
            .set_int32(13, parent.detached_retention_tables)
            .set_text(14, core::status_name(parent.status))
            .set_text_array(15, parent.reasons);
        result.add(row);
    }
    return Datum(0);
}

Datum partitions_impl(FunctionCallInfo fcinfo) {
    Oid requested = PG_GETARG_OID(0);
    JudgedDatabase judged = judge_database();
    const auto &oids = judged.backend.parent_oids;
    auto found = std::find(oids.begin(), oids.end(), requested);
    if (found == oids.end()) {
        char *relation = pg_call(get_rel_name, requested);
        throw SqlError(ERRCODE_UNDEFINED_OBJECT,
                       std::string("table \"") + (relation ? relation : std::to_string(requested)) +
                           "\" is not managed by pg_partman",
                       {}, "Register it with fitbot_partman.register_table(), or see fitbot_partman.partition_health() for the managed tables.");
    }
    const core::ParentReport &parent = judged.report.parents.at(found - oids.begin());
    ResultSet result(fcinfo);
    for (const core::PartitionReport &child : parent.children) {
        OutputRow row(result.columns());
        row.set_text(0, child.fact.name)
            .set_timestamp(1, child.fact.range_start)
            .set_timestamp(2, child.fact.range_end)
            .set_text(3, core::partition_state_name(child.state))
            .set_int64(4, whole_rows(child.fact.estimated_rows))
            .set_int64(5, child.fact.bytes)
            .set_bool(6, child.fact.locked);
        result.add(row);
    }
    return Datum(0);
}

Datum maintenance_status_impl(FunctionCallInfo fcinfo) {
    JudgedDatabase judged = judge_database();
    const core::MaintenanceReport &maintenance = judged.report.maintenance;
    ResultSet result(fcinfo);
    for (const core::JobReport &job : maintenance.jobs) {
        OutputRow row(result.columns());
        row.set_int64(0, job.job.jobid)
            .set_text(1, job.job.jobname)
            .set_text(2, job.job.schedule)
            .set_bool(3, job.job.active)
            .set_text(4, job.timezone)
            .set_timestamp(5, job.next_run)
            .set_int32(10, job.consecutive_failures)
            .set_timestamp(9, job.last_success)
            .set_text(11, core::status_name(job.status))
            .set_text_array(12, job.reasons);
        if (job.last_run) {
            row.set_timestamp(6, job.last_run->start_time)
                .set_text(7, job.last_run->status)
                .set_text(8, job.last_run->return_message);
        }
        result.add(row);
    }
    if (maintenance.jobs.empty()) {
        // No job at all is itself the finding: one row that says so.
        OutputRow row(result.columns());
        row.set_text(4, judged.backend.facts.maintenance.cron_timezone)
            .set_int32(10, 0)
            .set_text(11, core::status_name(maintenance.status))
            .set_text_array(12, maintenance.reasons);
        result.add(row);
    }
    return Datum(0);
}

Datum check_impl(FunctionCallInfo fcinfo) {
    JudgedDatabase judged = judge_database();
    core::CheckResult check = core::summarize(judged.report);
    OutputRow row(composite_columns(fcinfo));
    row.set_int32(0, static_cast<int>(check.status))
        .set_text(1, core::status_name(check.status))
        .set_text(2, check.summary);
    return composite_result(fcinfo, row);
}

Datum metrics_impl(FunctionCallInfo) {
    JudgedDatabase judged = judge_database();
    core::ExpositionInfo info{kExtensionVersion, judged.backend.facts.partman_version,
                              judged.backend.facts.partman_schema, "extension"};
    return text_datum(core::format_metrics(judged.report, info));
}

Datum facts_impl(FunctionCallInfo) {
    BackendFacts backend = read_backend_facts();
    return text_datum(core::facts_to_json(backend.facts));
}

}  // namespace

}  // namespace fitbot::pg

FITBOT_SQL_FUNCTION(fitbot_partition_health, fitbot::pg::partition_health_impl)
FITBOT_SQL_FUNCTION(fitbot_partitions, fitbot::pg::partitions_impl)
FITBOT_SQL_FUNCTION(fitbot_maintenance_status, fitbot::pg::maintenance_status_impl)
FITBOT_SQL_FUNCTION(fitbot_check, fitbot::pg::check_impl)
FITBOT_SQL_FUNCTION(fitbot_metrics, fitbot::pg::metrics_impl)
FITBOT_SQL_FUNCTION(fitbot_facts, fitbot::pg::facts_impl)
