// Partition bounds decoded from the catalog's own representation, without a
// server: pg_class.relpartbound is a serialized PartitionBoundSpec node whose
// range bounds are Const nodes carrying the raw Datum bytes.
//
// The extension reads the same Datums through the syscache; the companion, in
// agentless mode, reads relpartbound as text (a catalog read that takes no
// lock, unlike pg_get_expr(), which opens the partition and so waits behind
// an ACCESS EXCLUSIVE lock) and decodes it here, so both modes judge the
// very same instants.
#pragma once

#include <optional>
#include <string_view>

#include "time_types.h"
#include "zone.h"

namespace fitbot::core {

struct DecodedRangeBound {
    bool is_default = false;
    std::optional<Micros> start;  // nullopt: MINVALUE (or -infinity)
    std::optional<Micros> end;    // nullopt: MAXVALUE (or infinity)
    bool wall_clock = false;      // a timestamp or date bound: its instants depend on the zone
};

// `node` is relpartbound's text, e.g.
//   {PARTITIONBOUNDSPEC :strategy r :is_default false ... :lowerdatums
//    ({PARTITIONRANGEDATUM :kind 0 :value {CONST :consttype 1184 ...
//    :constvalue 8 [ 0 96 -86 122 42 2 3 0 ]} ...}) :upperdatums (...) ...}
// for a single-column range bound on timestamptz, timestamp or date (Datum
// bytes little-endian, as on x86-64 and ARM64), or a default partition.
// timestamp and date values are wall-clock time in `zone`, converted as
// PostgreSQL casts them to timestamptz. Throws std::invalid_argument for
// anything else (list or hash bounds, several columns, other types).
DecodedRangeBound decode_partition_bound(std::string_view node, const ZoneRules &zone);

}  // namespace fitbot::core
