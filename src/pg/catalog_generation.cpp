// The catalog generation (catalog_generation.h): a process-local counter
// bumped by syscache invalidation callbacks on pg_class and pg_namespace.
#include "catalog_generation.h"

#include "pg_headers.h"

extern "C" {
#include "utils/inval.h"
}

namespace fitbot::pg {

namespace {

// Starts above 0, the generation of a cache entry never filled.
std::uint64_t generation = 1;

// Runs while invalidations are processed, possibly outside a transaction:
// it must not allocate, raise or touch the catalogs.
void bump_generation(Datum, int, uint32) { generation++; }

}  // namespace

std::uint64_t catalog_generation() { return generation; }

void register_catalog_generation_callbacks() {
    // Only PostgreSQL's static callback table changes here; it raises FATAL
    // (no longjmp) if the table is full.
    CacheRegisterSyscacheCallback(RELOID, bump_generation, (Datum) 0);
    CacheRegisterSyscacheCallback(NAMESPACEOID, bump_generation, (Datum) 0);
}

}  // namespace fitbot::pg
