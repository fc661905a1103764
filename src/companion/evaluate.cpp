#include "evaluate.h"

#include <utility>

#include "cron_database.h"
#include "facts_source.h"
#include "system_zone.h"
#include "version.h"

namespace fitbot::companion {

namespace {

// The database's facts, with the maintenance job read in pg_cron's database
// when that is another one (cron_database.h).
core::DatabaseFacts read_all_facts(pqxx::connection &connection, Mode mode, const std::string &dsn) {
    core::DatabaseFacts facts = read_facts(connection, mode);
    if (facts.maintenance.database.empty()) facts.maintenance.database = connection.dbname();  // 1.0's facts()
    read_jobs_in_cron_database(facts.maintenance, connection.dbname(), dsn);
    return facts;
}

// core::judge() in the zones the database uses: pg_cron's for schedules, the
// session's for calendar arithmetic. Facts given as an rvalue move their
// partitions into the report (core::judge(DatabaseFacts &&)).
template <typename Facts>
core::HealthReport judge_in_database_zones(Facts &&facts) {
    auto cron_zone = load_system_zone(facts.maintenance.cron_timezone);
    auto session_zone = load_system_zone(facts.session_timezone);
    return core::judge(std::forward<Facts>(facts), *cron_zone, *session_zone);
}

}  // namespace

Evaluation evaluate(core::DatabaseFacts facts, Mode mode) {
    Evaluation evaluation;
    evaluation.report = judge_in_database_zones(static_cast<const core::DatabaseFacts &>(facts));
    evaluation.info = core::ExpositionInfo{mode == Mode::extension ? kExtensionVersion : "", facts.partman_version,
                                           facts.partman_schema, mode_name(mode)};
    evaluation.facts = std::move(facts);
    return evaluation;
}

core::HealthReport read_and_judge(pqxx::connection &connection, Mode mode, const std::string &dsn) {
    return judge_in_database_zones(read_all_facts(connection, mode, dsn));
}

Evaluation read_and_evaluate(pqxx::connection &connection, Mode mode, const std::string &dsn) {
    return evaluate(read_all_facts(connection, mode, dsn), mode);
}

}  // namespace fitbot::companion
