// Partitions that pg_partman's retention detached but kept (retention_keep_table):
// they are plain tables again, found by name in the retention schema.
#pragma once

#include <string>

#include "pg_headers.h"

namespace fitbot::pg {

// Plain tables (not partitions) in a schema whose names start with `prefix`.
int count_detached_tables(Oid namespace_oid, const std::string &prefix);

}  // namespace fitbot::pg
