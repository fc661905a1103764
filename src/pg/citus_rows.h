// Rows of a default partition on a Citus coordinator, where a distributed
// table's own heap is an empty shell (core/citus_estimate.h).
#pragma once

#include <optional>
#include <string>

#include "core/citus_estimate.h"
#include "pg_headers.h"

namespace fitbot::pg {

// Whether Citus is installed in this database (a syscache lookup).
bool citus_installed();

// nullopt when `relation` is not a Citus distributed table (its rows are
// counted here, as anywhere); else the estimate from its shards' nodes.
std::optional<core::RowEstimate> distributed_row_estimate(Oid relation, const std::string &qualified_name);

}  // namespace fitbot::pg
