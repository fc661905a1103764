// The catalog generation and the changed-relation list
// (catalog_generation.h): process-local state written by invalidation
// callbacks.
#include "catalog_generation.h"

extern "C" {
#include "utils/inval.h"
}

namespace fitbot::pg {

namespace {

// Starts above 0, the generation of a cache entry never filled.
std::uint64_t generation = 1;

// A fixed array: the callbacks run while invalidations are processed,
// possibly outside a transaction, so they must not allocate, raise or touch
// the catalogs. A burst larger than this (a big migration) is a full re-read.
constexpr int kMaxChangedRelations = 1024;
Oid changed[kMaxChangedRelations];
int changed_count = 0;

void bump_generation(Datum, int, uint32) { generation++; }

void note_changed_relation(Datum, Oid relation) {
    if (!OidIsValid(relation) || changed_count == kMaxChangedRelations) {
        // InvalidOid: the whole relation cache was reset.
        generation++;
        changed_count = 0;
        return;
    }
    changed[changed_count++] = relation;
}

}  // namespace

std::uint64_t catalog_generation() { return generation; }

std::vector<Oid> changed_relations() {
    std::vector<Oid> relations(changed, changed + changed_count);
    changed_count = 0;
    return relations;
}

void register_catalog_generation_callbacks() {
    // Only PostgreSQL's static callback tables change here; they raise FATAL
    // (no longjmp) when full.
    CacheRegisterRelcacheCallback(note_changed_relation, (Datum)0);
    CacheRegisterSyscacheCallback(NAMESPACEOID, bump_generation, (Datum)0);
}

}  // namespace fitbot::pg
