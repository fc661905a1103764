// partition_children() and partition_indexes() (partition_tree.h): index
// scans of pg_inherits (by parent) and pg_index (by table), and syscache
// lookups of pg_index and pg_class.
#include "partition_tree.h"

#include "guard.h"
#include "relation_pages.h"

namespace fitbot::pg {

namespace {

// ---- C-style readers: they may ereport, so they hold no C++ objects and are
// ---- only ever called through pg_call().

void scan_inherits(Oid parent, std::vector<Oid> *out) {
    Relation inherits = table_open(InheritsRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_inherits_inhparent, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(parent));
    SysScanDesc scan = systable_beginscan(inherits, InheritsParentIndexId, true, NULL, 1, &key);
    HeapTuple tuple;
    while ((tuple = systable_getnext(scan)) != NULL) {
        out->push_back(((Form_pg_inherits)GETSTRUCT(tuple))->inhrelid);
    }
    systable_endscan(scan);
    table_close(inherits, AccessShareLock);
}

void scan_indexes_of(Oid table, std::vector<Oid> *out) {
    Relation index_catalog = table_open(IndexRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(table));
    SysScanDesc scan = systable_beginscan(index_catalog, IndexIndrelidIndexId, true, NULL, 1, &key);
    HeapTuple tuple;
    while ((tuple = systable_getnext(scan)) != NULL) {
        out->push_back(((Form_pg_index)GETSTRUCT(tuple))->indexrelid);
    }
    systable_endscan(scan);
    table_close(index_catalog, AccessShareLock);
}

void index_owner(Oid index, Oid *table) {
    *table = InvalidOid;
    HeapTuple tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(index));
    if (!HeapTupleIsValid(tuple)) return;
    *table = ((Form_pg_index)GETSTRUCT(tuple))->indrelid;
    ReleaseSysCache(tuple);
}

}  // namespace

std::vector<Oid> partition_children(Oid parent) {
    std::vector<Oid> children;
    pg_call(scan_inherits, parent, &children);
    return children;
}

std::vector<PartitionIndex> partition_indexes(Oid parent) {
    std::vector<Oid> parent_indexes;
    pg_call(scan_indexes_of, parent, &parent_indexes);
    std::vector<PartitionIndex> sizes;
    for (Oid parent_index : parent_indexes) {
        for (Oid child_index : partition_children(parent_index)) {
            Oid table = InvalidOid;
            pg_call(index_owner, child_index, &table);
            if (!OidIsValid(table)) continue;
            sizes.push_back(
                {child_index, table, static_cast<std::int64_t>(pg_call(relation_pages, child_index)) * BLCKSZ});
        }
    }
    return sizes;
}

}  // namespace fitbot::pg
