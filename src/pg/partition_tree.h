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

// One child index of the parent's partitioned indexes: the index, the
// partition it belongs to, and its size in bytes (relpages * BLCKSZ).
struct PartitionIndex {
    Oid index;
    Oid table;
    std::int64_t bytes;
};
std::vector<PartitionIndex> partition_indexes(Oid parent);

}  // namespace fitbot::pg
