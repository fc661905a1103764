#include "verdicts.h"

#include <optional>
#include <utility>

#include "core/exposition.h"
#include "core/facts_json.h"
#include "cron_database.h"
#include "evaluate.h"

namespace fitbot::companion {

namespace {

// The extension's functions that judge with a job read elsewhere are 1.1's;
// an extension still at 1.0 sends its facts instead.
bool extension_judges(pqxx::transaction_base &txn) {
    return txn.exec("SELECT to_regprocedure('fitbot_partman.check(json)') IS NOT NULL")[0][0].as<bool>();
}

// The argument for check(json) and metrics(json): the maintenance job as read
// in pg_cron's database when that is another one, else NULL (the extension
// sees the job itself). facts(false) says where pg_cron lives and what the
// ledger holds, without any partition.
core::MaintenanceFacts cron_place(pqxx::transaction_base &txn, CronPlaceCache *cache) {
    if (cache && cache->fresh()) return *cache->place;
    core::MaintenanceFacts place =
        core::facts_from_json(txn.exec("SELECT fitbot_partman.facts(false)::text")[0][0].as<std::string>()).maintenance;
    if (cache) {
        cache->place = place;
        cache->read_at = std::chrono::steady_clock::now();
    }
    return place;
}

std::string cron_facts_argument(pqxx::transaction_base &txn, const std::string &app_database, const std::string &dsn,
                                CronPlaceCache *cache) {
    core::MaintenanceFacts maintenance = cron_place(txn, cache);
    if (!cron_lives_elsewhere(maintenance, app_database)) return "NULL";
    read_jobs_in_cron_database(maintenance, app_database, dsn);
    return txn.quote(core::cron_view_to_json(maintenance)) + "::json";
}

// Runs `judge` (a query of the extension's judging functions, given the
// cron facts argument) when the extension can; nullopt when it cannot.
template <typename Judge>
auto judged_by_extension(pqxx::connection &connection, Mode mode, const std::string &dsn, Judge judge,
                         CronPlaceCache *cache = nullptr)
    -> std::optional<decltype(judge(std::declval<pqxx::transaction_base &>(), std::string()))> {
    if (mode != Mode::extension) return std::nullopt;
    pqxx::read_transaction txn(connection);
    // Known while the place is: checked again with it.
    if (!(cache && cache->fresh()) && !extension_judges(txn)) return std::nullopt;
    return judge(txn, cron_facts_argument(txn, connection.dbname(), dsn, cache));
}

}  // namespace

core::CheckResult read_check(pqxx::connection &connection, Mode mode, const std::string &dsn) {
    auto judged = judged_by_extension(connection, mode, dsn, [](pqxx::transaction_base &txn, const std::string &cron) {
        pqxx::row row = txn.exec("SELECT code, summary, performance_data FROM fitbot_partman.check(" + cron + ")")[0];
        return core::CheckResult{static_cast<core::Status>(row[0].as<int>()), row[1].as<std::string>(),
                                 row[2].as<std::string>()};
    });
    if (judged) return *judged;
    return core::summarize(read_and_judge(connection, mode, dsn));
}

namespace {

std::string metrics_with(pqxx::connection &connection, Mode mode, const std::string &dsn, CronPlaceCache *cache) {
    auto judged = judged_by_extension(
        connection, mode, dsn,
        [](pqxx::transaction_base &txn, const std::string &cron) {
            return txn.exec("SELECT fitbot_partman.metrics(" + cron + ")")[0][0].as<std::string>();
        },
        cache);
    if (judged) return *judged;
    Evaluation evaluation = read_and_evaluate(connection, mode, dsn);
    return core::format_metrics(evaluation.report, evaluation.info);
}

}  // namespace

std::string read_metrics(pqxx::connection &connection, Mode mode, const std::string &dsn) {
    return metrics_with(connection, mode, dsn, nullptr);
}

std::string read_metrics_kept(pqxx::connection &connection, Mode mode, const std::string &dsn, CronPlaceCache &cache) {
    return metrics_with(connection, mode, dsn, &cache);
}

}  // namespace fitbot::companion
