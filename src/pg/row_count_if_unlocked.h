// Counting rows in a relation (the default partition: rows stranded there;
// rescue_default()'s quarantine table) only when that cannot wait on a lock:
// health must answer at once even while maintenance or a migration holds the
// table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/time_types.h"
#include "pg_headers.h"

namespace fitbot::pg {

// Rows in `relation`, counted with the transaction snapshot, if ACCESS SHARE
// can be taken at once (ConditionalLockRelationOid); else nullopt. The lock,
// once taken, is held to the end of the transaction, as PostgreSQL does.
std::optional<std::int64_t> count_rows_if_unlocked(Oid relation);

// The rows of a relation and the range of its time column, read the same way.
struct RowsAndRange {
    std::int64_t rows = 0;
    // Oldest and newest value of the column (timestamp and date values read
    // in the session TimeZone); nullopt without rows or non-null values.
    std::optional<core::Micros> oldest;
    std::optional<core::Micros> newest;
};
std::optional<RowsAndRange> rows_and_range_if_unlocked(Oid relation, const std::string &time_column);

}  // namespace fitbot::pg
