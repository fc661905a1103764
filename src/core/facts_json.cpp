#include "facts_json.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace fitbot::core {

namespace {

using nlohmann::json;

template <typename T>
json optional_value(const std::optional<T> &value) {
    return value ? json(*value) : json(nullptr);
}

template <typename T>
std::optional<T> optional_from(const json &object, const char *key) {
    const json &value = object.at(key);
    if (value.is_null()) return std::nullopt;
    return value.get<T>();
}

// A fact added in 1.1: absent from a 1.0 library's JSON, where it reads as
// unknown (nullopt) rather than failing the whole document.
template <typename T>
std::optional<T> optional_since_1_1(const json &object, const char *key) {
    if (!object.contains(key)) return std::nullopt;
    return optional_from<T>(object, key);
}

json interval_json(const Interval &interval) {
    return json{{"months", interval.months}, {"days", interval.days}, {"micros", interval.micros}};
}

Interval interval_from(const json &object) {
    return Interval{object.at("months").get<std::int32_t>(), object.at("days").get<std::int32_t>(),
                    object.at("micros").get<std::int64_t>()};
}

json partition_json(const PartitionFact &partition) {
    return json{{"name", partition.name},
                {"is_default", partition.is_default},
                {"range_start", optional_value(partition.range_start)},
                {"range_end", optional_value(partition.range_end)},
                {"estimated_rows", partition.estimated_rows},
                {"bytes", partition.bytes},
                {"locked", partition.locked}};
}

PartitionFact partition_from(const json &object) {
    PartitionFact partition;
    partition.name = object.at("name").get<std::string>();
    partition.is_default = object.at("is_default").get<bool>();
    partition.range_start = optional_from<Micros>(object, "range_start");
    partition.range_end = optional_from<Micros>(object, "range_end");
    partition.estimated_rows = object.at("estimated_rows").get<double>();
    partition.bytes = object.at("bytes").get<std::int64_t>();
    partition.locked = object.at("locked").get<bool>();
    return partition;
}

json wide_partition_json(const std::optional<WidePartitionFact> &wide) {
    if (!wide) return json(nullptr);
    return json{{"range_start", wide->range_start},
                {"range_end", wide->range_end},
                {"retention", wide->retention ? interval_json(*wide->retention) : json(nullptr)},
                {"keep_table", wide->keep_table},
                {"rows_expired", wide->rows_expired}};
}

// Added in 1.1: absent from a 1.0 library's JSON (it had no wide partitions).
std::optional<WidePartitionFact> wide_partition_from(const json &parent) {
    if (!parent.contains("wide_partition") || parent.at("wide_partition").is_null()) return std::nullopt;
    const json &object = parent.at("wide_partition");
    WidePartitionFact wide;
    wide.range_start = object.at("range_start").get<Micros>();
    wide.range_end = object.at("range_end").get<Micros>();
    if (!object.at("retention").is_null()) wide.retention = interval_from(object.at("retention"));
    wide.keep_table = object.at("keep_table").get<bool>();
    wide.rows_expired = object.at("rows_expired").get<std::int64_t>();
    return wide;
}

json parent_json(const ParentFact &parent) {
    json partitions = json::array();
    for (const PartitionFact &partition : parent.partitions) partitions.push_back(partition_json(partition));
    return json{{"parent", parent.parent},
                {"control", parent.control},
                {"partition_interval", interval_json(parent.partition_interval)},
                {"premake", parent.premake},
                {"retention", parent.retention ? interval_json(*parent.retention) : json(nullptr)},
                {"retention_keep_table", parent.retention_keep_table},
                {"infinite_time_partitions", parent.infinite_time_partitions},
                {"partitions", partitions},
                {"default_rows", optional_value(parent.default_rows)},
                {"detached_retention_tables", parent.detached_retention_tables},
                {"quarantined_rows", optional_value(parent.quarantined_rows)},
                {"default_oldest", optional_value(parent.default_oldest)},
                {"default_rows_estimated", parent.default_rows_estimated},
                {"default_rows_unknown", parent.default_rows_unknown},
                {"default_newest", optional_value(parent.default_newest)},
                {"wide_partition", wide_partition_json(parent.wide_partition)}};
}

ParentFact parent_from(const json &object) {
    ParentFact parent;
    parent.parent = object.at("parent").get<std::string>();
    parent.control = object.at("control").get<std::string>();
    parent.partition_interval = interval_from(object.at("partition_interval"));
    parent.premake = object.at("premake").get<int>();
    if (!object.at("retention").is_null()) parent.retention = interval_from(object.at("retention"));
    parent.retention_keep_table = object.at("retention_keep_table").get<bool>();
    parent.infinite_time_partitions = object.at("infinite_time_partitions").get<bool>();
    for (const json &partition : object.at("partitions")) parent.partitions.push_back(partition_from(partition));
    parent.default_rows = optional_from<std::int64_t>(object, "default_rows");
    parent.detached_retention_tables = object.at("detached_retention_tables").get<int>();
    parent.quarantined_rows = optional_since_1_1<std::int64_t>(object, "quarantined_rows");
    parent.default_oldest = optional_since_1_1<Micros>(object, "default_oldest");
    parent.default_rows_estimated = object.value("default_rows_estimated", false);
    parent.default_rows_unknown = object.value("default_rows_unknown", std::string());
    parent.default_newest = optional_since_1_1<Micros>(object, "default_newest");
    parent.wide_partition = wide_partition_from(object);
    return parent;
}

json job_json(const CronJobFact &job) {
    return json{{"jobid", job.jobid},       {"jobname", job.jobname},
                {"schedule", job.schedule}, {"command", job.command},
                {"database", job.database}, {"username", job.username},
                {"active", job.active},     {"known_since", optional_value(job.known_since)}};
}

CronJobFact job_from(const json &object) {
    CronJobFact job;
    job.jobid = object.at("jobid").get<std::int64_t>();
    job.jobname = object.at("jobname").get<std::string>();
    job.schedule = object.at("schedule").get<std::string>();
    job.command = object.at("command").get<std::string>();
    job.database = object.at("database").get<std::string>();
    job.username = object.at("username").get<std::string>();
    job.active = object.at("active").get<bool>();
    job.known_since = optional_from<Micros>(object, "known_since");
    return job;
}

json run_json(const CronRunFact &run) {
    return json{{"jobid", run.jobid},
                {"status", run.status},
                {"return_message", run.return_message},
                {"start_time", optional_value(run.start_time)},
                {"end_time", optional_value(run.end_time)},
                {"runid", optional_value(run.runid)},
                {"job_pid", optional_value(run.job_pid)}};
}

CronRunFact run_from(const json &object) {
    CronRunFact run;
    run.jobid = object.at("jobid").get<std::int64_t>();
    run.status = object.at("status").get<std::string>();
    run.return_message = object.at("return_message").get<std::string>();
    run.start_time = optional_from<Micros>(object, "start_time");
    run.end_time = optional_from<Micros>(object, "end_time");
    run.runid = optional_since_1_1<std::int64_t>(object, "runid");
    run.job_pid = optional_since_1_1<std::int32_t>(object, "job_pid");
    return run;
}

json ledger_run_json(const LedgerRunFact &run) {
    return json{{"run_id", run.run_id},         {"trigger", run.trigger},
                {"outcome", run.outcome},       {"message", run.message},
                {"started_at", run.started_at}, {"finished_at", optional_value(run.finished_at)},
                {"alive", run.alive},           {"backend_pid", run.backend_pid}};
}

LedgerRunFact ledger_run_from(const json &object) {
    LedgerRunFact run;
    run.run_id = object.at("run_id").get<std::int64_t>();
    run.trigger = object.at("trigger").get<std::string>();
    run.outcome = object.at("outcome").get<std::string>();
    run.message = object.at("message").get<std::string>();
    run.started_at = object.at("started_at").get<Micros>();
    run.finished_at = optional_from<Micros>(object, "finished_at");
    run.alive = object.at("alive").get<bool>();
    run.backend_pid = object.value("backend_pid", 0);
    return run;
}

// nlohmann's message without its "[json.exception.out_of_range.403] " tag,
// which says nothing to a person calling check(json).
std::string plain_message(const json::exception &error) {
    const std::string text = error.what();
    const std::size_t tag_end = text.find("] ");
    return text.rfind("[json.exception.", 0) == 0 && tag_end != std::string::npos ? text.substr(tag_end + 2) : text;
}

}  // namespace

std::string facts_to_json(const DatabaseFacts &facts) {
    json parents = json::array();
    for (const ParentFact &parent : facts.parents) parents.push_back(parent_json(parent));
    json jobs = json::array();
    for (const CronJobFact &job : facts.maintenance.jobs) jobs.push_back(job_json(job));
    json runs = json::array();
    for (const CronRunFact &run : facts.maintenance.runs) runs.push_back(run_json(run));
    json ledger_runs = json::array();
    for (const LedgerRunFact &run : facts.maintenance.ledger_runs) ledger_runs.push_back(ledger_run_json(run));
    json document{{"now", facts.now},
                  {"session_timezone", facts.session_timezone},
                  {"partman_schema", facts.partman_schema},
                  {"partman_version", facts.partman_version},
                  {"parents", parents},
                  {"maintenance",
                   {{"cron_installed", facts.maintenance.cron_installed},
                    {"cron_timezone", facts.maintenance.cron_timezone},
                    {"pg_cron_version", facts.maintenance.pg_cron_version},
                    {"jobs", jobs},
                    {"runs", runs},
                    {"scheduler_running", optional_value(facts.maintenance.scheduler_running)},
                    {"in_recovery", facts.maintenance.in_recovery},
                    {"ledger_available", facts.maintenance.ledger_available},
                    {"cron_database", facts.maintenance.cron_database},
                    {"jobs_visible", facts.maintenance.jobs_visible},
                    {"jobs_hidden_reason", facts.maintenance.jobs_hidden_reason},
                    {"database", facts.maintenance.database},
                    {"extension_installed", facts.maintenance.extension_installed},
                    {"recorded_schedule", optional_value(facts.maintenance.recorded_schedule)},
                    {"driver_firings_read", facts.maintenance.driver_firings_read},
                    {"driver_firings_unseen", facts.maintenance.driver_firings_unseen},
                    {"ledger_runs", ledger_runs}}}};
    // Invalid UTF-8 in a name is replaced rather than thrown on: facts are
    // for reading, and a table name must not make them unreadable.
    return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

DatabaseFacts facts_from_json(const std::string &text) {
    try {
        json document = json::parse(text);
        DatabaseFacts facts;
        facts.now = document.at("now").get<Micros>();
        facts.session_timezone = document.at("session_timezone").get<std::string>();
        facts.partman_schema = document.at("partman_schema").get<std::string>();
        facts.partman_version = document.at("partman_version").get<std::string>();
        for (const json &parent : document.at("parents")) facts.parents.push_back(parent_from(parent));
        const json &maintenance = document.at("maintenance");
        facts.maintenance.cron_installed = maintenance.at("cron_installed").get<bool>();
        facts.maintenance.cron_timezone = maintenance.at("cron_timezone").get<std::string>();
        // Absent before 1.1: the newest pg_cron rules are assumed (cron.h).
        facts.maintenance.pg_cron_version = maintenance.value("pg_cron_version", std::string());
        for (const json &job : maintenance.at("jobs")) facts.maintenance.jobs.push_back(job_from(job));
        for (const json &run : maintenance.at("runs")) facts.maintenance.runs.push_back(run_from(run));
        facts.maintenance.scheduler_running = optional_since_1_1<bool>(maintenance, "scheduler_running");
        facts.maintenance.in_recovery = maintenance.value("in_recovery", false);
        facts.maintenance.ledger_available = maintenance.value("ledger_available", false);
        facts.maintenance.cron_database = maintenance.value("cron_database", std::string());
        facts.maintenance.jobs_visible = maintenance.value("jobs_visible", true);
        facts.maintenance.jobs_hidden_reason = maintenance.value("jobs_hidden_reason", std::string());
        // Absent before 1.1: facts JSON is the extension's facts().
        facts.maintenance.database = maintenance.value("database", std::string());
        facts.maintenance.extension_installed = maintenance.value("extension_installed", true);
        facts.maintenance.recorded_schedule = optional_since_1_1<std::string>(maintenance, "recorded_schedule");
        facts.maintenance.driver_firings_read = maintenance.value("driver_firings_read", false);
        facts.maintenance.driver_firings_unseen = maintenance.value("driver_firings_unseen", std::string());
        if (maintenance.contains("ledger_runs")) {
            for (const json &run : maintenance.at("ledger_runs")) {
                facts.maintenance.ledger_runs.push_back(ledger_run_from(run));
            }
        }
        return facts;
    } catch (const json::exception &error) {
        throw std::invalid_argument("malformed facts JSON: " + plain_message(error));
    }
}

std::string cron_view_to_json(const MaintenanceFacts &maintenance) {
    json jobs = json::array();
    for (const CronJobFact &job : maintenance.jobs) jobs.push_back(job_json(job));
    json runs = json::array();
    for (const CronRunFact &run : maintenance.runs) runs.push_back(run_json(run));
    json document{{"cron_installed", maintenance.cron_installed},
                  {"jobs", jobs},
                  {"runs", runs},
                  {"jobs_visible", maintenance.jobs_visible},
                  {"jobs_hidden_reason", maintenance.jobs_hidden_reason},
                  {"driver_firings_read", maintenance.driver_firings_read},
                  {"driver_firings_unseen", maintenance.driver_firings_unseen}};
    return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

void apply_cron_view(MaintenanceFacts &maintenance, const std::string &text) {
    try {
        json document = json::parse(text);
        MaintenanceFacts applied = maintenance;  // all or nothing
        applied.cron_installed = document.at("cron_installed").get<bool>();
        applied.jobs.clear();
        for (const json &job : document.at("jobs")) applied.jobs.push_back(job_from(job));
        applied.runs.clear();
        for (const json &run : document.at("runs")) applied.runs.push_back(run_from(run));
        applied.jobs_visible = document.at("jobs_visible").get<bool>();
        applied.jobs_hidden_reason = document.at("jobs_hidden_reason").get<std::string>();
        applied.driver_firings_read = document.value("driver_firings_read", false);
        applied.driver_firings_unseen = document.value("driver_firings_unseen", std::string());
        maintenance = std::move(applied);
    } catch (const json::exception &error) {
        throw std::invalid_argument("malformed cron facts JSON: " + plain_message(error));
    }
}

}  // namespace fitbot::core
