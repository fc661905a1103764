#include "agentless_install.h"

#include "agentless_sql.h"
#include "coordinator_only.h"
#include "database.h"

namespace fitbot::companion {

std::string install_agentless_driver(pqxx::transaction_base &txn) {
    const bool existed = !txn.exec("SELECT to_regclass('fitbot_partman.maintenance_runs')")[0][0].is_null();
    const std::vector<std::string> schemas{"fitbot_partman", "fitbot_partman_internal"};
    const std::string before = function_definitions(txn, schemas);
    txn.exec("SET LOCAL client_min_messages = warning");  // "already exists, skipping"
    create_on_this_node_only(txn, [&] { txn.exec(kAgentlessSql); });
    if (!existed) return "installed";
    return function_definitions(txn, schemas) == before ? "unchanged" : "updated";
}

}  // namespace fitbot::companion
