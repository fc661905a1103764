// Partition range bounds, decoded from pg_class.relpartbound into plain
// values, and remembered per backend.
//
// Decoding relpartbound is a large part of the cost of a health probe, and a
// bound only changes through ATTACH/DETACH, which write a new pg_class
// tuple version (new xmin and tid). An in-place update (ANALYZE) keeps both
// and never touches relpartbound. So a decoded bound stays valid for as long
// as the tuple version it came from, and the cache checks exactly that.
#pragma once

#include "pg_headers.h"

namespace fitbot::pg {

// A decoded bound and the pg_class tuple version it was decoded from.
// Timestamp and date bounds are converted in the session TimeZone, as
// PostgreSQL casts them.
struct DecodedBound {
    TransactionId xmin;
    ItemPointerData tid;
    bool is_default;
    bool has_start;  // false for MINVALUE, or a bound of another type
    bool has_end;    // false for MAXVALUE, or a bound of another type
    TimestampTz start;
    TimestampTz end;
};

// The bound of a pg_class tuple, whose relpartbound the caller read (from
// the syscache or a scan of pg_class): `cached` when it was decoded from this
// very tuple version, else decoded anew in `scratch` (reset afterwards).
// Returns true when the cached bound was used. C-style: may ereport and holds
// no C++ objects; call it from a reader that runs under pg_call().
bool decode_partition_bound(HeapTuple class_tuple, Datum bound_datum, bool bound_isnull, const DecodedBound *cached,
                            MemoryContext scratch, DecodedBound *out);

// The memory context bounds are decoded in, created once per backend under
// TopMemoryContext. C-style, as above.
MemoryContext bound_scratch_context();

// The per-backend cache, by relation OID. A stale entry is only ever a miss:
// decode_partition_bound() checks the tuple version.
const DecodedBound *cached_bound(Oid relation);
void remember_bound(Oid relation, const DecodedBound &bound);
void forget_bound(Oid relation);

}  // namespace fitbot::pg
