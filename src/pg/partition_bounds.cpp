// Decoding relpartbound and the per-backend cache of decoded bounds
// (partition_bounds.h).
#include "partition_bounds.h"

#include <unordered_map>

#include "convert.h"
#include "core/partition_bound.h"
#include "zone.h"

extern "C" {
#include "nodes/readfuncs.h"
}

namespace fitbot::pg {

namespace {

// One side of a range bound as timestamptz; false for MINVALUE/MAXVALUE, a
// value of another type, or one out of timestamptz's range.
bool bound_to_timestamptz(Node *datum_node, TimestampTz *out) {
    PartitionRangeDatum *range_datum = castNode(PartitionRangeDatum, datum_node);
    if (range_datum->kind != PARTITION_RANGE_DATUM_VALUE) return false;  // MINVALUE / MAXVALUE
    Const *value = castNode(Const, range_datum->value);
    return timestamptz_from_time_datum(value->constvalue, value->consttype, out);
}

// The core's decoder (core/partition_bound.h), the companion's too: a scan
// of the node's text, several times cheaper than building the node tree
// with stringToNode(), which a fresh backend pays for at every partition.
// Only timestamptz bounds and default partitions are taken from it; false
// for the rest (timestamp and date bounds, converted below as PostgreSQL
// casts them, and whatever it cannot read), which stringToNode() decodes.
// Throws nothing, so it may run inside the C-style readers.
bool decode_timestamptz_text(const text *bound, DecodedBound *out) noexcept {
    try {
        core::DecodedRangeBound decoded = core::decode_partition_bound(
            std::string_view(VARDATA_ANY(bound), VARSIZE_ANY_EXHDR(bound)), PostgresZone(session_timezone));
        if (decoded.wall_clock) return false;
        out->is_default = decoded.is_default;
        out->has_start = decoded.start.has_value();
        out->has_end = decoded.end.has_value();
        if (decoded.start) out->start = timestamptz_from_micros(*decoded.start);
        if (decoded.end) out->end = timestamptz_from_micros(*decoded.end);
        return true;
    } catch (const std::exception &) {
        return false;
    }
}

// Bounded so that a backend walking a huge catalog cannot grow without limit.
constexpr std::size_t kMaxDecodedBounds = 1'000'000;
std::unordered_map<Oid, DecodedBound> decoded_bounds;

}  // namespace

bool decode_partition_bound(HeapTuple class_tuple, Datum bound_datum, bool bound_isnull, const DecodedBound *cached,
                            MemoryContext scratch, DecodedBound *out) {
    out->xmin = HeapTupleHeaderGetXmin(class_tuple->t_data);
    out->tid = class_tuple->t_self;
    if (cached != NULL && cached->xmin == out->xmin &&
        ItemPointerEquals(const_cast<ItemPointer>(&cached->tid), &out->tid)) {
        *out = *cached;
        return true;
    }
    out->is_default = out->has_start = out->has_end = false;
    if (bound_isnull) return false;  // not a partition
    MemoryContext caller = MemoryContextSwitchTo(scratch);
    text *bound_text = pg_detoast_datum_packed((struct varlena *)DatumGetPointer(bound_datum));
    if (decode_timestamptz_text(bound_text, out)) {
        MemoryContextSwitchTo(caller);
        MemoryContextReset(scratch);
        return false;
    }
    PartitionBoundSpec *spec = castNode(PartitionBoundSpec, stringToNode(text_to_cstring(bound_text)));
    if (spec->is_default) {
        out->is_default = true;
    } else if (spec->strategy == PARTITION_STRATEGY_RANGE) {
        out->has_start = bound_to_timestamptz((Node *)linitial(spec->lowerdatums), &out->start);
        out->has_end = bound_to_timestamptz((Node *)linitial(spec->upperdatums), &out->end);
    }
    MemoryContextSwitchTo(caller);
    MemoryContextReset(scratch);
    return false;
}

MemoryContext bound_scratch_context() {
    static MemoryContext context = nullptr;
    if (context == nullptr) {
        context = AllocSetContextCreate(TopMemoryContext, "fitbot_partman bounds", ALLOCSET_SMALL_SIZES);
    }
    return context;
}

const DecodedBound *cached_bound(Oid relation) {
    auto found = decoded_bounds.find(relation);
    return found == decoded_bounds.end() ? nullptr : &found->second;
}

void remember_bound(Oid relation, const DecodedBound &bound) {
    if (decoded_bounds.size() >= kMaxDecodedBounds) decoded_bounds.clear();
    decoded_bounds[relation] = bound;
}

void forget_bound(Oid relation) { decoded_bounds.erase(relation); }

}  // namespace fitbot::pg
