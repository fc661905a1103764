// Lock-free reads of partition catalogs: pg_inherits through its index,
// pg_class through the syscache, bounds decoded as Datums. Nothing here opens
// or locks a user relation, except the default partition, and only when its
// lock is free at once (ConditionalLockRelationOid).
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
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

// Reads child tables as facts: qualified name, range bounds converted to UTC
// microseconds (timestamp and date bounds are read in the session TimeZone,
// as PostgreSQL casts them), reltuples, and bytes from relpages of the heap
// and its TOAST table (index bytes are added by the caller). One reader per
// call: it remembers the quoted schema names it has seen.
class PartitionReader {
public:
    PartitionReader();
    // nullopt when the relation vanished meanwhile.
    std::optional<core::PartitionFact> read(Oid child);

private:
    const std::string &quoted_namespace(Oid namespace_oid);
    std::unordered_map<Oid, std::string> quoted_namespaces_;
};

// For every child index of the parent's partitioned indexes: the partition
// it belongs to and its size in bytes (relpages * BLCKSZ).
std::vector<std::pair<Oid, std::int64_t>> partition_index_bytes(Oid parent);

// Plain tables (not partitions) in a schema whose names start with `prefix`:
// how pg_partman's retention leaves partitions it detached but kept.
int count_detached_tables(Oid namespace_oid, const std::string &prefix);

// Grows whenever this backend processes a change to pg_class or pg_namespace
// (a syscache invalidation, as PostgreSQL's own caches use). Facts derived
// from those catalogs at an unchanged generation are still exact.
std::uint64_t catalog_generation();

// Rows in a partition if its lock can be taken at once, else nullopt.
std::optional<std::int64_t> count_rows_if_unlocked(Oid relation);

}  // namespace fitbot::pg
