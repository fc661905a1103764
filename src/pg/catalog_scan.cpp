// scan_parent_catalogs() (catalog_scan.h): sequential scans of pg_inherits,
// pg_index and pg_class under the catalog snapshot; each wanted pg_class row
// is written straight into its partition's fact.
#include "catalog_scan.h"

#include <algorithm>
#include <unordered_set>
#include <utility>

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

// (index, its table) pairs, sorted by index.
using IndexTables = std::vector<std::pair<Oid, Oid>>;

// The indexes of the wanted parents, and the table of every index.
void scan_indexes(const std::unordered_set<Oid> *parents, OidLists *indexes_of, IndexTables *table_of_index) {
    Relation index_catalog = table_open(IndexRelationId, AccessShareLock);
    SysScanDesc scan = systable_beginscan(index_catalog, InvalidOid, false, NULL, 0, NULL);
    HeapTuple tuple;
    while ((tuple = systable_getnext(scan)) != NULL) {
        Form_pg_index form = (Form_pg_index)GETSTRUCT(tuple);
        table_of_index->emplace_back(form->indexrelid, form->indrelid);
        if (parents->count(form->indrelid) > 0) (*indexes_of)[form->indrelid].push_back(form->indexrelid);
    }
    systable_endscan(scan);
    table_close(index_catalog, AccessShareLock);
}

// What a partition's fact does not hold until the scan is over: its pg_class
// row was seen, its schema (the name is qualified afterwards), its TOAST
// table (whose row may come later) and its indexes' bytes.
struct ScanExtras {
    std::int64_t index_bytes = 0;
    Oid relnamespace = InvalidOid;
    Oid toast = InvalidOid;
    bool found = false;
};

// Where the scan puts a wanted pg_class row: a partition's own row, or the
// row of one of its indexes, whose pages count toward the partition.
struct ScanTarget {
    Oid relation;
    bool is_index;
    core::PartitionFact *fact;
    ScanExtras *extras;
    bool operator<(const ScanTarget &other) const { return relation < other.relation; }
};

// The wanted pg_class rows, written into their partitions' facts (bounds
// decoded or taken from the decoded-bound cache), and the pages of every
// TOAST table. `targets` is sorted by relation. Nothing is kept per row
// beyond the facts: in a fresh backend each new page of memory costs about
// as much as a page of the catalog read.
void scan_classes(const std::vector<ScanTarget> *targets, MemoryContext scratch,
                  std::unordered_map<Oid, int32> *toast_pages) {
    Relation classes = table_open(RelationRelationId, AccessShareLock);
    TupleDesc descriptor = RelationGetDescr(classes);
    SysScanDesc scan = systable_beginscan(classes, InvalidOid, false, NULL, 0, NULL);
    HeapTuple tuple;
    PartitionRow row;
    while ((tuple = systable_getnext(scan)) != NULL) {
        Form_pg_class form = (Form_pg_class)GETSTRUCT(tuple);
        if (form->relkind == RELKIND_TOASTVALUE) (*toast_pages)[form->oid] = form->relpages;
        ScanTarget key{form->oid, false, NULL, NULL};
        auto target = std::lower_bound(targets->begin(), targets->end(), key);
        if (target == targets->end() || target->relation != form->oid) continue;
        if (target->is_index) {
            target->extras->index_bytes += static_cast<std::int64_t>(form->relpages) * BLCKSZ;
            continue;
        }
        bool bound_isnull = true;
        Datum bound = heap_getattr(tuple, Anum_pg_class_relpartbound, descriptor, &bound_isnull);
        fill_partition_row(tuple, bound, bound_isnull, cached_bound(form->oid), scratch, &row);
        set_partition_figures(form->oid, row, target->fact);
        target->fact->name = NameStr(row.relname);  // qualified after the scan
        target->extras->relnamespace = row.relnamespace;
        target->extras->toast = row.toast;
        target->extras->found = true;
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
    IndexTables table_of_index;
    pg_call(scan_indexes, &parent_set, &indexes_of, &table_of_index);
    std::sort(table_of_index.begin(), table_of_index.end());

    // Each parent's partitions in pg_inherits order, filled in place by the
    // scan of pg_class.
    std::unordered_map<Oid, ParentCatalog> catalogs;
    std::unordered_map<Oid, std::vector<ScanExtras>> extras_of;
    std::vector<ScanTarget> targets;
    for (Oid parent : parents) {
        ParentCatalog &catalog = catalogs[parent];
        catalog.oids = children_of(children, parent);
        catalog.partitions.resize(catalog.oids.size());
        std::vector<ScanExtras> &extras = extras_of[parent];
        extras.resize(catalog.oids.size());
        std::unordered_map<Oid, std::size_t> position;
        for (std::size_t i = 0; i < catalog.oids.size(); i++) {
            targets.push_back(ScanTarget{catalog.oids[i], false, &catalog.partitions[i], &extras[i]});
            position[catalog.oids[i]] = i;
        }
        for (Oid parent_index : children_of(indexes_of, parent)) {
            for (Oid child_index : children_of(children, parent_index)) {
                auto table = std::lower_bound(table_of_index.begin(), table_of_index.end(),
                                              std::make_pair(child_index, InvalidOid));
                if (table == table_of_index.end() || table->first != child_index) continue;
                auto partition = position.find(table->second);
                if (partition == position.end()) continue;
                std::size_t i = partition->second;
                targets.push_back(ScanTarget{child_index, true, &catalog.partitions[i], &extras[i]});
                catalog.read_from.push_back(child_index);
            }
        }
    }
    std::sort(targets.begin(), targets.end());
    std::unordered_map<Oid, int32> toast_pages;
    MemoryContext scratch = pg_call(bound_scratch_context);
    pg_call(scan_classes, &targets, scratch, &toast_pages);

    PartitionReader reader;
    for (Oid parent : parents) {
        ParentCatalog &catalog = catalogs[parent];
        const std::vector<ScanExtras> &extras = extras_of.at(parent);
        catalog.read_from.push_back(parent);
        std::size_t kept = 0;
        for (std::size_t i = 0; i < catalog.oids.size(); i++) {
            if (!extras[i].found) continue;  // gone since pg_inherits was read
            core::PartitionFact &fact = catalog.partitions[i];
            fact.name = reader.qualified_name(extras[i].relnamespace, fact.name.c_str());
            fact.bytes += extras[i].index_bytes;
            if (OidIsValid(extras[i].toast)) {
                auto pages = toast_pages.find(extras[i].toast);
                if (pages != toast_pages.end()) fact.bytes += static_cast<std::int64_t>(pages->second) * BLCKSZ;
                catalog.read_from.push_back(extras[i].toast);
            }
            catalog.read_from.push_back(catalog.oids[i]);
            if (kept != i) {
                catalog.oids[kept] = catalog.oids[i];
                catalog.partitions[kept] = std::move(fact);
            }
            kept++;
        }
        catalog.oids.resize(kept);
        catalog.partitions.resize(kept);
    }
    return catalogs;
}

}  // namespace fitbot::pg
