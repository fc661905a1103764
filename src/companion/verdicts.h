// The check line and the metrics text, judged where the facts are. In
// extension mode the extension judges in its database: it reads thousands of
// partitions lock-free from warm catalog caches, and only the verdict crosses
// the wire (not a megabyte of per-partition facts). Agentless, the companion
// reads the facts with plain SQL and judges them here. Both with the core's
// rules; where pg_cron lives in another database, the job read there is
// judged with them either way (cron_database.h).
#pragma once

#include <string>

#include <pqxx/pqxx>

#include "core/health.h"
#include "database.h"

namespace fitbot::companion {

core::CheckResult read_check(pqxx::connection &connection, Mode mode, const std::string &dsn);

std::string read_metrics(pqxx::connection &connection, Mode mode, const std::string &dsn);

}  // namespace fitbot::companion
