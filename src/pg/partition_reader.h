// One partition as a core::PartitionFact, read from pg_class through the
// syscache: never opens or locks the partition itself.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>

#include "core/facts.h"
#include "pg_headers.h"

namespace fitbot::pg {

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

private:
    const std::string &quoted_namespace(Oid namespace_oid);
    std::unordered_map<Oid, std::string> quoted_namespaces_;
};

}  // namespace fitbot::pg
