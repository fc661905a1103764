// The two versions of fitbot_partman a backend deals with: the one installed
// in this database (its SQL objects, pg_extension.extversion), which moves
// only with ALTER EXTENSION UPDATE, and the one this shared library was built
// as, which moves with make install or a package upgrade. They differ between
// the two steps of an upgrade; metrics() reports the installed one.
#pragma once

#include <optional>
#include <string>

namespace fitbot::pg {

// pg_extension.extversion of fitbot_partman in this database. Throws SqlError
// (undefined_object) when the extension is not installed here.
std::string installed_extension_version();

// pg_extension.extversion of another extension in this database (pg_cron's,
// say), or nullopt when it is not installed here.
std::optional<std::string> installed_version_of(const char *extension);

// Another extension's version and schema in this database, or nullopt when
// it is not installed here. A catalog read through pg_extension's index: no
// SQL to plan, which a fresh backend pays for.
struct InstalledExtension {
    std::string version;
    std::string schema;
};
std::optional<InstalledExtension> installed_extension(const char *extension);

// The version the library was built as (FITBOT_PARTMAN_VERSION, which the
// Makefile reads from fitbot_partman.control).
const char *library_version();

}  // namespace fitbot::pg
