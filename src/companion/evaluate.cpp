#include "evaluate.h"

#include "cron_database.h"
#include "facts_source.h"
#include "system_zone.h"
#include "version.h"

namespace fitbot::companion {

Evaluation evaluate(core::DatabaseFacts facts, Mode mode) {
    Evaluation evaluation;
    auto cron_zone = load_system_zone(facts.maintenance.cron_timezone);
    auto session_zone = load_system_zone(facts.session_timezone);
    evaluation.report = core::judge(facts, *cron_zone, *session_zone);
    evaluation.info = core::ExpositionInfo{mode == Mode::extension ? kExtensionVersion : "", facts.partman_version,
                                           facts.partman_schema, mode_name(mode)};
    evaluation.facts = std::move(facts);
    return evaluation;
}

core::HealthReport read_and_judge(pqxx::connection &connection, Mode mode, const std::string &dsn) {
    core::DatabaseFacts facts = read_facts(connection, mode);
    read_jobs_in_cron_database(facts.maintenance, connection.dbname(), dsn);
    auto cron_zone = load_system_zone(facts.maintenance.cron_timezone);
    auto session_zone = load_system_zone(facts.session_timezone);
    return core::judge(std::move(facts), *cron_zone, *session_zone);
}

Evaluation read_and_evaluate(pqxx::connection &connection, Mode mode, const std::string &dsn) {
    core::DatabaseFacts facts = read_facts(connection, mode);
    read_jobs_in_cron_database(facts.maintenance, connection.dbname(), dsn);
    return evaluate(std::move(facts), mode);
}

}  // namespace fitbot::companion
