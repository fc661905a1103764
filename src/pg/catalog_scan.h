// Many parents' partitions in one pass over pg_inherits, pg_index and
// pg_class, for a backend that has read none of them yet (a fresh connection,
// as a Nagios check makes).
//
// Reading a partition through the syscache costs an index lookup and a
// catalog-cache entry for each of its pg_class rows (table, TOAST table,
// indexes): at thousands of partitions, a cold backend spends most of its
// first call filling those caches. A sequential scan of the three catalogs
// reads each row once and keeps only what the facts need. Like the syscache
// path it takes only the catalogs' own AccessShareLock, never a lock on a
// user relation.
#pragma once

#include <unordered_map>
#include <vector>

#include "core/facts.h"
#include "pg_headers.h"

namespace fitbot::pg {

// What the catalogs say about one parent's partitions.
struct ParentCatalog {
    std::vector<Oid> oids;  // parallel to partitions
    std::vector<core::PartitionFact> partitions;
    std::vector<Oid> read_from;  // every relation these facts came from
};

// The same facts as reading each parent through the syscache
// (facts_reader.cpp), for every parent given.
std::unordered_map<Oid, ParentCatalog> scan_parent_catalogs(const std::vector<Oid> &parents);

}  // namespace fitbot::pg
