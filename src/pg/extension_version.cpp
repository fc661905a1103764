// installed_extension_version() and library_version() (extension_version.h).
// The installed version is read from pg_extension through its unique index
// on extname, as PostgreSQL's own get_extension_oid() does.
#include "extension_version.h"

#include "guard.h"
#include "pg_headers.h"

extern "C" {
#include "catalog/pg_extension.h"
}

#ifndef FITBOT_PARTMAN_VERSION
#error "FITBOT_PARTMAN_VERSION is not defined: build with the Makefile, which reads it from fitbot_partman.control"
#endif

namespace fitbot::pg {

namespace {

constexpr const char *kExtensionName = "fitbot_partman";

// C-style: may ereport, holds no C++ objects, called through pg_call() only.
// Sets *version to a palloc'd copy of extversion, or NULL when not
// installed, and *schema to the extension's schema.
void scan_extension_version(const char *extension, char **version, Oid *schema) {
    *version = NULL;
    *schema = InvalidOid;
    Relation extensions = table_open(ExtensionRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ, CStringGetDatum(extension));
    SysScanDesc scan = systable_beginscan(extensions, ExtensionNameIndexId, true, NULL, 1, &key);
    HeapTuple tuple = systable_getnext(scan);
    if (HeapTupleIsValid(tuple)) {
        bool isnull = true;
        Datum value = heap_getattr(tuple, Anum_pg_extension_extversion, RelationGetDescr(extensions), &isnull);
        if (!isnull) *version = TextDatumGetCString(value);
        *schema = ((Form_pg_extension)GETSTRUCT(tuple))->extnamespace;
    }
    systable_endscan(scan);
    table_close(extensions, AccessShareLock);
}

void schema_name(Oid schema, char **name) { *name = get_namespace_name(schema); }

// extversion (palloc'd), or nullptr when the extension is not installed;
// `schema` receives its schema.
char *extension_version(const char *extension, Oid *schema) {
    char *version = nullptr;
    pg_call(scan_extension_version, extension, &version, schema);
    return version;
}

}  // namespace

std::string installed_extension_version() {
    Oid schema = InvalidOid;
    const char *version = extension_version(kExtensionName, &schema);
    if (version == nullptr) {
        throw SqlError(ERRCODE_UNDEFINED_OBJECT, "extension \"fitbot_partman\" is not installed", {},
                       "Run CREATE EXTENSION fitbot_partman CASCADE.");
    }
    return version;
}

std::optional<std::string> installed_version_of(const char *extension) {
    Oid schema = InvalidOid;
    const char *version = extension_version(extension, &schema);
    if (version == nullptr) return std::nullopt;
    return std::string(version);
}

std::optional<InstalledExtension> installed_extension(const char *extension) {
    Oid schema = InvalidOid;
    const char *version = extension_version(extension, &schema);
    if (version == nullptr) return std::nullopt;
    char *schema_text = nullptr;
    pg_call(schema_name, schema, &schema_text);
    return InstalledExtension{version, schema_text != nullptr ? schema_text : ""};
}

const char *library_version() { return FITBOT_PARTMAN_VERSION; }

}  // namespace fitbot::pg
