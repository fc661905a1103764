// Partition bounds as PostgreSQL prints them, decoded without a server.
//
// The extension reads bounds as Datums from the catalogs; the companion, in
// agentless mode, only has pg_get_expr(relpartbound, oid). This turns that
// text into the same facts, so both modes judge identical ranges.
#pragma once

#include <optional>
#include <string_view>

#include "time_types.h"
#include "zone.h"

namespace fitbot::core {

struct DecodedRangeBound {
    bool is_default = false;
    std::optional<Micros> start;  // nullopt: MINVALUE (or '-infinity')
    std::optional<Micros> end;    // nullopt: MAXVALUE (or 'infinity')
};

// `expression` is "DEFAULT" or "FOR VALUES FROM (<v>) TO (<v>)" for a
// single-column range partition, where <v> is MINVALUE, MAXVALUE or a quoted
// literal in DateStyle ISO: 'YYYY-MM-DD', 'YYYY-MM-DD HH:MM:SS[.ffffff]'
// with an optional UTC offset (+HH, +HH:MM, +HH:MM:SS). A literal without an
// offset (a timestamp or date bound) is wall-clock time in `zone`, read as
// PostgreSQL casts it to timestamptz. Throws std::invalid_argument for
// anything else (list or hash bounds, several columns, BC dates, other
// DateStyles).
DecodedRangeBound decode_range_bound(std::string_view expression, const ZoneRules &zone);

}  // namespace fitbot::core
