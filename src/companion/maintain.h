// `fitbot-partman maintain`: pg_partman maintenance now (for when the 20th
// was missed), never overlapping a run in progress.
#pragma once

#include <ostream>
#include <string>

#include "core/facts.h"

namespace fitbot::companion {

// What maintenance would do from these facts, by pg_partman's own rules: the
// partitions it adds after the newest one until that starts about premake
// intervals after now, and the partitions wholly older than the retention.
// One line each, "would create: ..." / "would drop: ...".
std::vector<std::string> planned_maintenance(const core::DatabaseFacts &facts);

// Returns the exit code: 0 done (or nothing to do), 1 refused or failed.
int maintain(const std::string &dsn, bool agentless, bool dry_run, std::ostream &out, std::ostream &err);

}  // namespace fitbot::companion
