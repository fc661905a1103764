// Decoding relpartbound and the per-backend cache of decoded bounds
// (partition_bounds.h).
#include "partition_bounds.h"

#include "convert.h"

#include <unordered_map>

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
    PartitionBoundSpec *spec = castNode(PartitionBoundSpec, stringToNode(TextDatumGetCString(bound_datum)));
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
