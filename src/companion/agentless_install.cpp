#include "agentless_install.h"

#include "agentless_sql.h"
#include "coordinator_only.h"

namespace fitbot::companion {

namespace {

// The definitions of our functions, to tell "updated" from "unchanged".
std::string definitions(pqxx::transaction_base &txn) {
    return txn
        .exec(
            "SELECT coalesce(string_agg(p.oid::regprocedure::text || md5(p.prosrc), ','"
            "                                 ORDER BY p.oid::regprocedure::text), '')"
            "  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
            " WHERE n.nspname IN ('fitbot_partman', 'fitbot_partman_internal')")[0][0]
        .as<std::string>();
}

}  // namespace

std::string install_agentless_driver(pqxx::transaction_base &txn) {
    const bool existed = !txn.exec("SELECT to_regclass('fitbot_partman.maintenance_runs')")[0][0].is_null();
    const std::string before = definitions(txn);
    txn.exec("SET LOCAL client_min_messages = warning");  // "already exists, skipping"
    create_on_this_node_only(txn, [&] { txn.exec(kAgentlessSql); });
    if (!existed) return "installed";
    return definitions(txn) == before ? "unchanged" : "updated";
}

}  // namespace fitbot::companion
