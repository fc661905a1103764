// What tells the glue's per-backend caches that the catalogs they were built
// from may have changed, from the invalidation messages PostgreSQL's own
// caches use:
// - a generation that grows on any change a cache cannot attribute to one
//   relation (pg_namespace, a full reset of the relation cache, or more
//   changed relations than the list below holds): everything is re-read;
// - the relations changed since the caches last looked (relcache
//   invalidations carry the relation's OID: a new, detached or dropped
//   partition invalidates its parent; ANALYZE or VACUUM the relation itself),
//   so that only the parent they belong to is re-read.
#pragma once

#include <cstdint>
#include <vector>

#include "pg_headers.h"

namespace fitbot::pg {

// Facts derived from the catalogs at an unchanged generation are exact,
// except for the relations changed_relations() returns.
std::uint64_t catalog_generation();

// The relations invalidated since the last call (and forgets them). When
// more changed than could be remembered, the generation moved instead.
std::vector<Oid> changed_relations();

// Registers the invalidation callbacks. Called once, from _PG_init
// (fitbot_partman.cpp); safe outside a transaction.
void register_catalog_generation_callbacks();

}  // namespace fitbot::pg
