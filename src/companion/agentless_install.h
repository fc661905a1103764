// The maintenance driver and its ledger where the extension cannot be
// installed: `fitbot-partman setup` runs the extension's own portable SQL
// (sql/src/portable/, Makefile AGENTLESS_SQL) with plain SQL, as the
// connected role, in the same schemas. So the scheduled job, `maintain` and
// health work as in extension mode: bounded lock waits, failures isolated,
// every run in fitbot_partman.maintenance_runs. A later CREATE EXTENSION
// adopts it all (sql/src/native/00_adopt_agentless.sql).
#pragma once

#include <string>

#include <pqxx/pqxx>

namespace fitbot::companion {

// Installs, or brings up to date, the driver and the ledger (idempotent: a
// ledger's rows and settings are kept). Returns "installed", "updated" or
// "unchanged" (the functions' definitions were already these).
std::string install_agentless_driver(pqxx::transaction_base &txn);

}  // namespace fitbot::companion
