// Lock-free reads of partition catalogs: pg_inherits through its index,
// pg_class through the syscache, bounds decoded as Datums. Nothing here opens
// or locks a user relation, except the default partition, and only when its
// lock is free at once (ConditionalLockRelationOid).
#pragma once

#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/facts.h"
#include "pg_headers.h"

namespace fitbot::pg {

// Relations another backend holds ACCESS EXCLUSIVE on (granted), from one
// snapshot of the lock manager, as pg_locks would show them.
std::unordered_set<Oid> relations_locked_exclusively();

// Children of a partitioned table (or index), from pg_inherits.
std::vector<Oid> partition_children(Oid parent);

// One child table as a fact: qualified name, range bounds converted to UTC
// microseconds (timestamp and date bounds are read in the session TimeZone,
// as PostgreSQL casts them), reltuples, and bytes from relpages of the heap
// and its TOAST table. Index bytes are added by the caller.
// Returns nullopt when the relation vanished meanwhile.
std::optional<core::PartitionFact> read_partition(Oid child);

// For every child index of the parent's partitioned indexes: the partition
// it belongs to and its size in bytes (relpages * BLCKSZ).
std::vector<std::pair<Oid, std::int64_t>> partition_index_bytes(Oid parent);

// Rows in a partition if its lock can be taken at once, else nullopt.
std::optional<std::int64_t> count_rows_if_unlocked(Oid relation);

}  // namespace fitbot::pg
