// Counting rows in a relation (the default partition: rows stranded there)
// only when that cannot wait on a lock: health must answer at once even while
// maintenance or a migration holds the table.
#pragma once

#include <cstdint>
#include <optional>

#include "pg_headers.h"

namespace fitbot::pg {

// Rows in `relation`, counted with the transaction snapshot, if ACCESS SHARE
// can be taken at once (ConditionalLockRelationOid); else nullopt. The lock,
// once taken, is held to the end of the transaction, as PostgreSQL does.
std::optional<std::int64_t> count_rows_if_unlocked(Oid relation);

}  // namespace fitbot::pg
