// core::ZoneRules answered from the operating system's tz database
// (/usr/share/zoneinfo), for the companion and for tests.
#pragma once

#include <memory>
#include <string>

#include "core/zone.h"

namespace fitbot::companion {

// A zone by its tz database name ("UTC", "GMT", "Asia/Seoul",
// "America/New_York", "US/Eastern"); an exact match is preferred, otherwise
// the name is matched ignoring case, as PostgreSQL does. Offsets come from
// Howard Hinnant's date/tz library reading the system zoneinfo files; instants
// after a file's last recorded transition (2037 in "fat" files) follow the
// POSIX TZ rule in the file's footer, like glibc and PostgreSQL do.
// Throws std::invalid_argument for a name the tz database does not know.
// The returned object is immutable and safe to share between threads.
std::unique_ptr<fitbot::core::ZoneRules> load_system_zone(const std::string &name);

}  // namespace fitbot::companion
