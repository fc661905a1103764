// A relation's size in pages as pg_class records it (relpages, as of the last
// VACUUM or ANALYZE): cheap, and never touches the relation itself.
#pragma once

#include "pg_headers.h"

namespace fitbot::pg {

// relpages of `relation` from the syscache, 0 when it no longer exists.
// C-style: may ereport and holds no C++ objects; call it through pg_call(),
// or from another C-style reader that is.
int32 relation_pages(Oid relation);

}  // namespace fitbot::pg
