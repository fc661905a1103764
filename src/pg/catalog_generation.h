// A counter that tells the glue's per-backend caches whether the catalogs
// they were built from may have changed: it grows whenever this backend
// processes an invalidation of pg_class or pg_namespace, the same signal
// PostgreSQL's own caches use.
#pragma once

#include <cstdint>

namespace fitbot::pg {

// Facts derived from pg_class and pg_namespace at an unchanged generation are
// still exact.
std::uint64_t catalog_generation();

// Registers the syscache callbacks that move the generation. Called once,
// from _PG_init (fitbot_partman.cpp); safe outside a transaction.
void register_catalog_generation_callbacks();

}  // namespace fitbot::pg
