// Reads the core's DatabaseFacts inside the backend: pg_partman's config and
// pg_cron's tables with SPI, partitions with lock-free catalog reads
// (partition_tree.h, partition_reader.h), so that every health function
// judges the same facts the companion would gather.
#pragma once

#include <vector>

#include "core/facts.h"
#include "pg_headers.h"

namespace fitbot::pg {

struct BackendFacts {
    core::DatabaseFacts facts;
    std::vector<Oid> parent_oids;  // parallel to facts.parents
};

// What a caller needs: maintenance_status() judges the jobs and the ledger,
// which depend on whether tables are managed but on none of their
// partitions, so it skips reading them.
enum class FactsScope { everything, without_partitions };

BackendFacts read_backend_facts(FactsScope scope = FactsScope::everything);

}  // namespace fitbot::pg
