// Which relations other sessions hold ACCESS EXCLUSIVE on, so health can say
// "locked" instead of waiting on them.
#pragma once

#include <unordered_set>

#include "pg_headers.h"

namespace fitbot::pg {

// Relations in this database that another backend holds ACCESS EXCLUSIVE on
// (granted), from one snapshot of the lock manager, as pg_locks shows them.
std::unordered_set<Oid> relations_locked_exclusively();

}  // namespace fitbot::pg
