// The rule of an adopted wide oldest partition (judge_parent calls it).
// Private to src/core.
#pragma once

#include <optional>

#include "health.h"

namespace fitbot::core {

// After the children are classified and sorted. A wide partition is no gap
// and no error: an informational finding says when run_maintenance() drops
// it, a warning when that is more than one maintenance period overdue.
void judge_wide_partition(ParentReport &report, const std::optional<WidePartitionFact> &fact, Micros now,
                          const MaintenanceReport &maintenance, const ZoneRules &zone);

}  // namespace fitbot::core
