// count_detached_tables() (detached_tables.h): a range scan of pg_class's
// (relname, relnamespace) index from the prefix on, stopping past it.
#include "detached_tables.h"

#include "guard.h"

namespace fitbot::pg {

namespace {

// C-style: may ereport, holds no C++ objects, called through pg_call() only.
void scan_detached(Oid namespace_oid, const char *prefix, int *count) {
    NameData prefix_name;
    namestrcpy(&prefix_name, prefix);
    size_t prefix_length = strlen(NameStr(prefix_name));
    Relation class_catalog = table_open(RelationRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_class_relname, BTGreaterEqualStrategyNumber, F_NAMEGE, NameGetDatum(&prefix_name));
    SysScanDesc scan = systable_beginscan(class_catalog, ClassNameNspIndexId, true, NULL, 1, &key);
    HeapTuple tuple;
    *count = 0;
    while ((tuple = systable_getnext(scan)) != NULL) {
        Form_pg_class form = (Form_pg_class)GETSTRUCT(tuple);
        if (strncmp(NameStr(form->relname), NameStr(prefix_name), prefix_length) != 0) break;  // past the prefix
        if (form->relnamespace == namespace_oid && form->relkind == RELKIND_RELATION && !form->relispartition)
            (*count)++;
    }
    systable_endscan(scan);
    table_close(class_catalog, AccessShareLock);
}

}  // namespace

int count_detached_tables(Oid namespace_oid, const std::string &prefix) {
    int count = 0;
    pg_call(scan_detached, namespace_oid, prefix.c_str(), &count);
    return count;
}

}  // namespace fitbot::pg
