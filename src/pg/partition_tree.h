// The shape of a partitioned table from the catalogs alone: its partitions
// (pg_inherits) and the per-partition pieces of its partitioned indexes
// (pg_index), read through the catalogs' indexes without locking or opening
// any user relation.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "pg_headers.h"

namespace fitbot::pg {

// Children of a partitioned table (or of a partitioned index), from pg_inherits.
std::vector<Oid> partition_children(Oid parent);

// For every child index of the parent's partitioned indexes: the partition
// it belongs to and its size in bytes (relpages * BLCKSZ).
std::vector<std::pair<Oid, std::int64_t>> partition_index_bytes(Oid parent);

}  // namespace fitbot::pg
