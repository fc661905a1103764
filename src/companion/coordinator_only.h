// What `fitbot-partman setup` creates of its own (the monitor readers, the
// agentless driver and ledger) belongs on a Citus coordinator only, like the
// extension (docs/citus.md, Beyond one machine): Citus would otherwise send the
// schemas and functions to every worker, and to every node added later,
// where they refer to pg_partman and pg_cron tables that are not there.
#pragma once

#include <string>

#include <pqxx/pqxx>

namespace fitbot::companion {

// Runs `create` with Citus's DDL propagation off for it, then restores the
// setting: what follows in the transaction (a distributed table's new
// partitions) is propagated as before. Without Citus, just runs `create`.
template <typename Create>
void create_on_this_node_only(pqxx::transaction_base &txn, Create create) {
    pqxx::row citus = txn.exec(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus'),"
        "       current_setting('citus.enable_ddl_propagation', true)")[0];
    const bool distributed = citus[0].as<bool>() && !citus[1].is_null();
    const std::string previous = distributed ? citus[1].as<std::string>() : std::string();
    if (distributed) txn.exec("SELECT set_config('citus.enable_ddl_propagation', 'off', true)");
    create();
    if (distributed) txn.exec("SELECT set_config('citus.enable_ddl_propagation', " + txn.quote(previous) + ", true)");
}

}  // namespace fitbot::companion
