#include "schedule_hints.h"

namespace fitbot::core {

namespace {

std::string quoted(const std::string &name) { return "\"" + name + "\""; }

}  // namespace

bool cron_in_another_database(const MaintenanceFacts &facts) {
    return !facts.cron_database.empty() && !facts.database.empty() && facts.cron_database != facts.database;
}

std::string schedule_job_hint(const MaintenanceFacts &facts) {
    if (!facts.extension_installed) {
        return "run `fitbot-partman setup` for this database as its administrator (agentless: it schedules the job" +
               (cron_in_another_database(facts)
                    ? " in database " + quoted(facts.cron_database) + ", where pg_cron lives"
                    : std::string()) +
               ")";
    }
    if (cron_in_another_database(facts)) {
        return "run `fitbot-partman setup` for this database (it schedules the job in database " +
               quoted(facts.cron_database) +
               ", where pg_cron lives), or SELECT fitbot_partman.setup() here and, connected to database " +
               quoted(facts.cron_database) + ", the statement its schedule row prints";
    }
    return "run SELECT fitbot_partman.schedule_maintenance()";
}

std::string keep_one_job_hint(const MaintenanceFacts &facts) {
    if (cron_in_another_database(facts)) {
        return "keep one and remove the others with SELECT cron.unschedule(jobid) in database " +
               quoted(facts.cron_database) + ", where pg_cron lives";
    }
    if (!facts.extension_installed) return "keep one and remove the others with SELECT cron.unschedule(jobid)";
    return "keep one with SELECT fitbot_partman.schedule_maintenance() and remove the others with SELECT "
           "cron.unschedule(jobid)";
}

std::string install_pg_cron_hint(const MaintenanceFacts &facts) {
    if (cron_in_another_database(facts)) {
        // Moving cron.database_name here would take the jobs of every other
        // database that pg_cron serves from there.
        return "run CREATE EXTENSION pg_cron in database " + quoted(facts.cron_database) +
               " (cron.database_name) as a superuser, then " + schedule_job_hint(facts);
    }
    if (facts.cron_database.empty()) {
        return "add pg_cron to shared_preload_libraries, set cron.database_name to this database, restart "
               "PostgreSQL, run CREATE EXTENSION pg_cron, then " +
               schedule_job_hint(facts);
    }
    return "run CREATE EXTENSION pg_cron here, then " + schedule_job_hint(facts);
}

}  // namespace fitbot::core
