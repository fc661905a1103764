// The check line and the metrics text, judged where the facts are. In
// extension mode the extension judges in its database: it reads thousands of
// partitions lock-free from warm catalog caches, and only the verdict crosses
// the wire (not a megabyte of per-partition facts). Agentless, the companion
// reads the facts with plain SQL and judges them here. Both with the core's
// rules; where pg_cron lives in another database, the job read there is
// judged with them either way (cron_database.h).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <pqxx/pqxx>

#include "core/health.h"
#include "database.h"

namespace fitbot::companion {

core::CheckResult read_check(pqxx::connection &connection, Mode mode, const std::string &dsn);

// What serve learns of a kept connection's database once rather than at
// every refresh (issue 21: planning fitbot_partman.facts(false) at each of
// 20 databases' refreshes was a quarter of the database time): where pg_cron
// lives (cron.database_name is a postmaster setting), whether it is installed
// here, whether the ledger exists. Read again after kRecheck, and forgotten
// with the connection (a new connection starts empty).
struct CronPlaceCache {
    static constexpr std::chrono::seconds kRecheck{60};
    std::optional<core::MaintenanceFacts> place;  // facts(false)'s maintenance facts
    std::chrono::steady_clock::time_point read_at{};

    bool fresh() const { return place && std::chrono::steady_clock::now() - read_at < kRecheck; }
};

std::string read_metrics(pqxx::connection &connection, Mode mode, const std::string &dsn);

// read_metrics() on a connection serve keeps, with its cache.
std::string read_metrics_kept(pqxx::connection &connection, Mode mode, const std::string &dsn, CronPlaceCache &cache);

}  // namespace fitbot::companion
