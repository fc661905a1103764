// The SQL health functions: partition_health(), partitions(),
// maintenance_status(), check(), metrics() and facts(). Facts come from
// facts_reader (no relation locks); every verdict comes from the core; rows
// are filled by column name (result_columns.h).
//
// Entry points: SQL names the C symbol, and each symbol answers the OUT list
// of the SQL version it was written for (its column count). A version whose
// OUT list changes adds a symbol, as pg_stat_statements does; see
// result_columns.h.
#include <algorithm>
#include <cmath>
#include <utility>

#include "convert.h"
#include "core/exposition.h"
#include "core/facts_json.h"
#include "core/health.h"
#include "extension_version.h"
#include "facts_reader.h"
#include "guard.h"
#include "result_columns.h"
#include "result_set.h"
#include "zone.h"

namespace fitbot::pg {

namespace {

// The facts' parents are moved into the report (each partition held once);
// the rest of the facts stays readable.
struct JudgedDatabase {
    BackendFacts backend;
    core::HealthReport report;
};

// `cron_facts`: what the companion read in pg_cron's database, when that is
// another one (core::apply_cron_view); nullopt: what this database sees.
JudgedDatabase judge_database(FactsScope scope = FactsScope::everything,
                              const std::optional<std::string> &cron_facts = std::nullopt) {
    JudgedDatabase judged{read_backend_facts(scope), {}};
    if (cron_facts) {
        try {
            core::apply_cron_view(judged.backend.facts.maintenance, *cron_facts);
        } catch (const std::invalid_argument &error) {
            throw SqlError(ERRCODE_INVALID_PARAMETER_VALUE, error.what(), {},
                           "Pass the JSON the fitbot-partman companion builds from pg_cron's database, or NULL.");
        }
    }
    PostgresZone cron_zone = zone_named(judged.backend.facts.maintenance.cron_timezone);
    judged.report = core::judge(std::move(judged.backend.facts), cron_zone, session_zone());
    return judged;
}

std::int64_t whole_rows(double estimate) {
    return estimate > 0 ? static_cast<std::int64_t>(std::llround(estimate)) : 0;
}

Datum partition_health(FunctionCallInfo fcinfo, int expected_columns) {
    using Column = PartitionHealthColumn;
    JudgedDatabase judged = judge_database();
    ResultSet<Column> result(fcinfo, expected_columns);
    for (std::size_t i = 0; i < judged.report.parents.size(); i++) {
        const core::ParentReport &parent = judged.report.parents[i];
        OutputRow<Column> row = result.new_row();
        row.set_oid(Column::parent, judged.backend.parent_oids.at(i))
            .set_interval(Column::partition_interval, parent.partition_interval)
            .set_int32(Column::premake, parent.premake)
            .set_interval(Column::retention, parent.retention)
            .set_int32(Column::partitions, parent.partitions)
            .set_int32(Column::future_partitions, parent.future_partitions)
            .set_timestamp(Column::runway_until, parent.runway_until)
            .set_timestamp(Column::oldest_start, parent.oldest_start)
            .set_int32(Column::expired_partitions, parent.expired_partitions)
            .set_int32(Column::gaps, parent.gaps)
            .set_optional_int64(Column::default_rows, parent.default_rows)
            .set_int64(Column::total_bytes, parent.total_bytes)
            .set_int64(Column::estimated_rows, whole_rows(parent.estimated_rows))
            .set_int32(Column::detached_tables, parent.detached_retention_tables)
            .set_text(Column::status, core::status_name(parent.status))
            .set_text_array(Column::reasons, parent.reasons);
        result.add(row);
    }
    return Datum(0);
}

Datum partitions(FunctionCallInfo fcinfo, int expected_columns) {
    using Column = PartitionsColumn;
    Oid requested = PG_GETARG_OID(0);
    JudgedDatabase judged = judge_database();
    const auto &oids = judged.backend.parent_oids;
    auto found = std::find(oids.begin(), oids.end(), requested);
    if (found == oids.end()) {
        char *relation = pg_call(get_rel_name, requested);
        throw SqlError(
            ERRCODE_UNDEFINED_OBJECT,
            std::string("table \"") + (relation ? relation : std::to_string(requested)) +
                "\" is not managed by pg_partman",
            {},
            "Register it with fitbot_partman.register_table(), or see fitbot_partman.partition_health() for the managed tables.");
    }
    const core::ParentReport &parent = judged.report.parents.at(found - oids.begin());
    ResultSet<Column> result(fcinfo, expected_columns);
    for (const core::PartitionReport &child : parent.children) {
        OutputRow<Column> row = result.new_row();
        row.set_text(Column::partition_name, child.fact.name)
            .set_timestamp(Column::range_start, child.fact.range_start)
            .set_timestamp(Column::range_end, child.fact.range_end)
            .set_text(Column::state, core::partition_state_name(child.state))
            .set_int64(Column::estimated_rows, whole_rows(child.fact.estimated_rows))
            .set_int64(Column::bytes, child.fact.bytes)
            .set_bool(Column::locked, child.fact.locked);
        result.add(row);
    }
    return Datum(0);
}

Datum maintenance_status(FunctionCallInfo fcinfo, int expected_columns) {
    using Column = MaintenanceStatusColumn;
    JudgedDatabase judged = judge_database(FactsScope::without_partitions);
    const core::MaintenanceReport &maintenance = judged.report.maintenance;
    ResultSet<Column> result(fcinfo, expected_columns);
    for (const core::JobReport &job : maintenance.jobs) {
        OutputRow<Column> row = result.new_row();
        // A job this database cannot see (pg_cron in another database) has
        // no known id and no known activity: those columns stay NULL.
        if (job.seen) row.set_int64(Column::jobid, job.job.jobid).set_bool(Column::active, job.job.active);
        row.set_text(Column::jobname, job.job.jobname)
            .set_text(Column::schedule, job.job.schedule)
            .set_text(Column::timezone, job.timezone)
            .set_timestamp(Column::next_run, job.next_run);
        if (job.last_run) {
            row.set_timestamp(Column::last_run_start, job.last_run->start_time)
                .set_text(Column::last_run_status, job.last_run->status)
                .set_text(Column::last_run_message, job.last_run->return_message);
        }
        // Its status and reasons are the whole maintenance verdict, which
        // says why the job itself is unknown.
        row.set_timestamp(Column::last_success, job.last_success)
            .set_int32(Column::consecutive_failures, job.consecutive_failures)
            .set_text(Column::status, core::status_name(job.seen ? job.status : maintenance.status))
            .set_text_array(Column::reasons, job.seen ? job.reasons : maintenance.reasons);
        result.add(row);
    }
    if (maintenance.jobs.empty()) {
        // No job at all is itself the finding: one row that says so.
        OutputRow<Column> row = result.new_row();
        row.set_text(Column::timezone, judged.backend.facts.maintenance.cron_timezone)
            .set_int32(Column::consecutive_failures, 0)
            .set_text(Column::status, core::status_name(maintenance.status))
            .set_text_array(Column::reasons, maintenance.reasons);
        result.add(row);
    }
    return Datum(0);
}

// The optional json argument `index` as text; nullopt when NULL.
std::optional<std::string> optional_json_argument(FunctionCallInfo fcinfo, int index) {
    if (PG_ARGISNULL(index)) return std::nullopt;
    return string_from_text(PG_GETARG_DATUM(index));  // json is stored as its text
}

Datum check(FunctionCallInfo fcinfo, int expected_columns, const std::optional<std::string> &cron_facts) {
    using Column = CheckColumn;
    JudgedDatabase judged = judge_database(FactsScope::everything, cron_facts);
    core::CheckResult verdict = core::summarize(judged.report);
    CompositeResult<Column> result(fcinfo, expected_columns);
    OutputRow<Column> row = result.new_row();
    row.set_int32(Column::code, static_cast<int>(verdict.status))
        .set_text(Column::status, core::status_name(verdict.status))
        .set_text(Column::summary, verdict.summary);
    if (expected_columns > column_index(Column::performance_data)) {
        row.set_text(Column::performance_data, verdict.performance_data);
    }
    return result.datum(row);
}

Datum metrics(const std::optional<std::string> &cron_facts) {
    JudgedDatabase judged = judge_database(FactsScope::everything, cron_facts);
    // The installed version, not the library's: they differ between make
    // install and ALTER EXTENSION UPDATE, and the SQL is what answers.
    core::ExpositionInfo info{installed_extension_version(), judged.backend.facts.partman_version,
                              judged.backend.facts.partman_schema, "extension"};
    return text_datum(core::format_metrics(judged.report, info));
}

Datum facts(FactsScope scope) {
    BackendFacts backend = read_backend_facts(scope);
    return text_datum(core::facts_to_json(backend.facts));
}

// ---- Entry points of SQL API 1.0 (1.1 kept every OUT list).

Datum partition_health_1_0(FunctionCallInfo fcinfo) { return partition_health(fcinfo, kPartitionHealthColumns_1_0); }
Datum partitions_1_0(FunctionCallInfo fcinfo) { return partitions(fcinfo, kPartitionsColumns_1_0); }
Datum maintenance_status_1_0(FunctionCallInfo fcinfo) {
    return maintenance_status(fcinfo, kMaintenanceStatusColumns_1_0);
}
Datum check_1_0(FunctionCallInfo fcinfo) { return check(fcinfo, kCheckColumns_1_0, std::nullopt); }
Datum metrics_1_0(FunctionCallInfo) { return metrics(std::nullopt); }
Datum facts_1_0(FunctionCallInfo) { return facts(FactsScope::everything); }

// ---- Entry points new in 1.1: facts without partitions, and the verdicts
// ---- with pg_cron's jobs read elsewhere (core::apply_cron_view).

Datum facts_scoped_1_1(FunctionCallInfo fcinfo) {
    const bool with_partitions = PG_ARGISNULL(0) || PG_GETARG_BOOL(0);
    return facts(with_partitions ? FactsScope::everything : FactsScope::without_partitions);
}
Datum check_with_cron_facts_1_1(FunctionCallInfo fcinfo) {
    return check(fcinfo, kCheckWithCronFactsColumns_1_1, optional_json_argument(fcinfo, 0));
}
Datum metrics_with_cron_facts_1_1(FunctionCallInfo fcinfo) { return metrics(optional_json_argument(fcinfo, 0)); }

}  // namespace

}  // namespace fitbot::pg

FITBOT_SQL_FUNCTION(fitbot_partition_health, fitbot::pg::partition_health_1_0)
FITBOT_SQL_FUNCTION(fitbot_partitions, fitbot::pg::partitions_1_0)
FITBOT_SQL_FUNCTION(fitbot_maintenance_status, fitbot::pg::maintenance_status_1_0)
FITBOT_SQL_FUNCTION(fitbot_check, fitbot::pg::check_1_0)
FITBOT_SQL_FUNCTION(fitbot_metrics, fitbot::pg::metrics_1_0)
FITBOT_SQL_FUNCTION(fitbot_facts, fitbot::pg::facts_1_0)
FITBOT_SQL_FUNCTION(fitbot_facts_scoped_1_1, fitbot::pg::facts_scoped_1_1)
FITBOT_SQL_FUNCTION(fitbot_check_with_cron_facts_1_1, fitbot::pg::check_with_cron_facts_1_1)
FITBOT_SQL_FUNCTION(fitbot_metrics_with_cron_facts_1_1, fitbot::pg::metrics_with_cron_facts_1_1)
