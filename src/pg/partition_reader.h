// One partition as a core::PartitionFact, read from pg_class through the
// syscache: never opens or locks the partition itself.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>

#include "core/facts.h"
#include "partition_bounds.h"
#include "pg_headers.h"

namespace fitbot::pg {

// Plain data of one partition's pg_class row, its decoded bound and its
// TOAST table's pages, however it was read (the syscache here, or a scan of
// pg_class: catalog_scan.h).
struct PartitionRow {
    bool found;
    bool bound_from_cache;  // `bound` came from the decoded-bound cache
    DecodedBound bound;
    NameData relname;
    Oid relnamespace;
    float4 reltuples;
    int32 relpages;
    Oid toast;
    int32 toast_pages;
};

// Fills `row` from a pg_class tuple and its relpartbound (read by the
// caller: from the syscache, or a scan of pg_class), decoding the bound or
// taking `cached`; the TOAST table's pages are left to the caller. C-style:
// may ereport, holds no C++ objects; call it from a reader under pg_call().
void fill_partition_row(HeapTuple tuple, Datum bound, bool bound_isnull, const DecodedBound *cached,
                        MemoryContext scratch, PartitionRow *row);

// The figures of a partition's fact that its pg_class row gives: default or
// not, range bounds, reltuples, and the bytes of its heap and TOAST table
// (`row.toast_pages`). The name is left to the caller. Remembers a newly
// decoded bound. C-style as above.
void set_partition_figures(Oid child, const PartitionRow &row, core::PartitionFact *fact);

// Reads child tables as facts: qualified name, range bounds converted to UTC
// microseconds (timestamp and date bounds are read in the session TimeZone,
// as PostgreSQL casts them), reltuples, and bytes from relpages of the heap
// and its TOAST table (index bytes are added by the caller, see
// partition_tree.h). One reader per call: it remembers the quoted schema
// names it has seen.
class PartitionReader {
public:
    PartitionReader();
    // nullopt when the relation vanished meanwhile. `toast`, when given,
    // receives the partition's TOAST table (InvalidOid without one).
    std::optional<core::PartitionFact> read(Oid child, Oid *toast = nullptr);
    // "schema"."table", quoted as needed.
    std::string qualified_name(Oid namespace_oid, const char *relname);

private:
    core::PartitionFact fact(Oid child, const PartitionRow &row);
    const std::string &quoted_namespace(Oid namespace_oid);
    std::unordered_map<Oid, std::string> quoted_namespaces_;
};

}  // namespace fitbot::pg
