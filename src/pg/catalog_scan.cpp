// scan_parent_catalogs() (catalog_scan.h): sequential scans of pg_inherits,
// pg_index and pg_class under the catalog snapshot, the rows kept in maps.
#include "catalog_scan.h"

#include <unordered_set>

#include "guard.h"
#include "partition_bounds.h"
#include "partition_reader.h"

namespace fitbot::pg {

namespace {

using OidLists = std::unordered_map<Oid, std::vector<Oid>>;

// ---- C-style readers: they may ereport, so they hold no C++ objects of
// ---- their own and are only ever called through pg_call().

// Every inheritance link, by parent (tables and partitioned indexes alike).
void scan_inherits(OidLists *children) {
    Relation inherits = table_open(InheritsRelationId, AccessShareLock);
    SysScanDesc scan = systable_beginscan(inherits, InvalidOid, false, NULL, 0, NULL);
    HeapTuple tuple;
    while ((tuple = systable_getnext(scan)) != NULL) {
        Form_pg_inherits form = (Form_pg_inherits)GETSTRUCT(tuple);
        (*children)[form->inhparent].push_back(form->inhrelid);
    }
    systable_endscan(scan);
    table_close(inherits, AccessShareLock);
}

// The indexes of the wanted parents, and the table of every index.
void scan_indexes(const std::unordered_set<Oid> *parents, OidLists *indexes_of,
                  std::unordered_map<Oid, Oid> *table_of_index) {
    Relation index_catalog = table_open(IndexRelationId, AccessShareLock);
    SysScanDesc scan = systable_beginscan(index_catalog, InvalidOid, false, NULL, 0, NULL);
    HeapTuple tuple;
    while ((tuple = systable_getnext(scan)) != NULL) {
        Form_pg_index form = (Form_pg_index)GETSTRUCT(tuple);
        (*table_of_index)[form->indexrelid] = form->indrelid;
        if (parents->count(form->indrelid) > 0) (*indexes_of)[form->indrelid].push_back(form->indexrelid);
    }
    systable_endscan(scan);
    table_close(index_catalog, AccessShareLock);
}

// The pg_class rows of the wanted relations, their bounds decoded (or taken
// from the decoded-bound cache), and the pages of every TOAST table.
void scan_classes(const std::unordered_set<Oid> *wanted, MemoryContext scratch,
                  std::unordered_map<Oid, PartitionRow> *rows, std::unordered_map<Oid, int32> *toast_pages) {
    Relation classes = table_open(RelationRelationId, AccessShareLock);
    TupleDesc descriptor = RelationGetDescr(classes);
    SysScanDesc scan = systable_beginscan(classes, InvalidOid, false, NULL, 0, NULL);
    HeapTuple tuple;
    while ((tuple = systable_getnext(scan)) != NULL) {
        Form_pg_class form = (Form_pg_class)GETSTRUCT(tuple);
        if (form->relkind == RELKIND_TOASTVALUE) (*toast_pages)[form->oid] = form->relpages;
        if (wanted->count(form->oid) == 0) continue;
        bool bound_isnull = true;
        Datum bound = heap_getattr(tuple, Anum_pg_class_relpartbound, descriptor, &bound_isnull);
        fill_partition_row(tuple, bound, bound_isnull, cached_bound(form->oid), scratch, &(*rows)[form->oid]);
    }
    systable_endscan(scan);
    table_close(classes, AccessShareLock);
}

const std::vector<Oid> &children_of(const OidLists &children, Oid parent) {
    static const std::vector<Oid> none;
    auto found = children.find(parent);
    return found == children.end() ? none : found->second;
}

}  // namespace

std::unordered_map<Oid, ParentCatalog> scan_parent_catalogs(const std::vector<Oid> &parents) {
    OidLists children;
    pg_call(scan_inherits, &children);
    const std::unordered_set<Oid> parent_set(parents.begin(), parents.end());
    OidLists indexes_of;
    std::unordered_map<Oid, Oid> table_of_index;
    pg_call(scan_indexes, &parent_set, &indexes_of, &table_of_index);

    std::unordered_set<Oid> wanted;
    for (Oid parent : parents) {
        for (Oid child : children_of(children, parent)) wanted.insert(child);
        for (Oid parent_index : children_of(indexes_of, parent)) {
            for (Oid child_index : children_of(children, parent_index)) wanted.insert(child_index);
        }
    }
    std::unordered_map<Oid, PartitionRow> rows;
    rows.reserve(wanted.size());  // sized once: rehashing thousands of rows is most of the scan's own cost
    std::unordered_map<Oid, int32> toast_pages;
    MemoryContext scratch = pg_call(bound_scratch_context);
    pg_call(scan_classes, &wanted, scratch, &rows, &toast_pages);

    std::unordered_map<Oid, ParentCatalog> catalogs;
    PartitionReader reader;
    for (Oid parent : parents) {
        ParentCatalog &catalog = catalogs[parent];
        catalog.read_from.push_back(parent);
        // Index bytes by partition, from the partitions of the parent's indexes.
        std::unordered_map<Oid, std::int64_t> index_bytes;
        for (Oid parent_index : children_of(indexes_of, parent)) {
            for (Oid child_index : children_of(children, parent_index)) {
                auto index_row = rows.find(child_index);
                auto table = table_of_index.find(child_index);
                if (index_row == rows.end() || table == table_of_index.end()) continue;
                index_bytes[table->second] += static_cast<std::int64_t>(index_row->second.relpages) * BLCKSZ;
                catalog.read_from.push_back(child_index);
            }
        }
        catalog.oids.reserve(children_of(children, parent).size());
        catalog.partitions.reserve(children_of(children, parent).size());
        for (Oid child : children_of(children, parent)) {
            auto row = rows.find(child);
            if (row == rows.end()) continue;  // gone since pg_inherits was read
            PartitionRow &partition = row->second;
            if (OidIsValid(partition.toast)) {
                auto pages = toast_pages.find(partition.toast);
                partition.toast_pages = pages == toast_pages.end() ? 0 : pages->second;
                catalog.read_from.push_back(partition.toast);
            }
            core::PartitionFact fact = reader.fact(child, partition);
            fact.bytes += index_bytes[child];
            catalog.oids.push_back(child);
            catalog.partitions.push_back(std::move(fact));
            catalog.read_from.push_back(child);
        }
    }
    return catalogs;
}

}  // namespace fitbot::pg
