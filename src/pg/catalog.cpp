#include "catalog.h"

#include "guard.h"
#include "convert.h"

extern "C" {
#include "nodes/readfuncs.h"
#include "storage/lock.h"
}

namespace fitbot::pg {

namespace {

// ---- C-style readers: they may ereport, so they hold no C++ objects and are
// ---- only ever called through pg_call().

void scan_locks(std::vector<Oid> *out) {
    LockData *locks = GetLockStatusData();
    for (int i = 0; i < locks->nelements; i++) {
        const LockInstanceData &instance = locks->locks[i];
        if (instance.locktag.locktag_type != LOCKTAG_RELATION) continue;
        if (instance.locktag.locktag_field1 != MyDatabaseId) continue;
        if (instance.pid == MyProcPid) continue;
        if ((instance.holdMask & LOCKBIT_ON(AccessExclusiveLock)) == 0) continue;
        out->push_back(instance.locktag.locktag_field2);
    }
}

void scan_inherits(Oid parent, std::vector<Oid> *out) {
    Relation inherits = table_open(InheritsRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_inherits_inhparent, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(parent));
    SysScanDesc scan = systable_beginscan(inherits, InheritsParentIndexId, true, NULL, 1, &key);
    HeapTuple tuple;
    while ((tuple = systable_getnext(scan)) != NULL) {
        out->push_back(((Form_pg_inherits) GETSTRUCT(tuple))->inhrelid);
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
        out->push_back(((Form_pg_index) GETSTRUCT(tuple))->indexrelid);
    }
    systable_endscan(scan);
    table_close(index_catalog, AccessShareLock);
}

// Plain data of one pg_class row and its decoded bound.
struct PartitionRow {
    bool found;
    NameData relname;
    Oid relnamespace;
    float4 reltuples;
    int32 relpages;
    int32 toast_pages;
    bool is_default;
    bool has_start;
    bool has_end;
    TimestampTz start;
    TimestampTz end;
};

bool bound_to_timestamptz(Node *datum_node, TimestampTz *out) {
    PartitionRangeDatum *range_datum = castNode(PartitionRangeDatum, datum_node);
    if (range_datum->kind != PARTITION_RANGE_DATUM_VALUE) return false;  // MINVALUE / MAXVALUE
    Const *value = castNode(Const, range_datum->value);
    int overflow = 0;
    switch (value->consttype) {
        case TIMESTAMPTZOID:
            *out = DatumGetTimestampTz(value->constvalue);
            return true;
        case TIMESTAMPOID:
            *out = timestamp2timestamptz_opt_overflow(DatumGetTimestamp(value->constvalue), &overflow);
            return overflow == 0;
        case DATEOID:
            *out = date2timestamptz_opt_overflow(DatumGetDateADT(value->constvalue), &overflow);
            return overflow == 0;
        default:
            return false;
    }
}

int32 pages_of(Oid relation) {
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relation));
    if (!HeapTupleIsValid(tuple)) return 0;
    int32 pages = ((Form_pg_class) GETSTRUCT(tuple))->relpages;
    ReleaseSysCache(tuple);
    return pages;
}

void read_partition_row(Oid child, MemoryContext scratch, PartitionRow *row) {
    row->found = false;
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(child));
    if (!HeapTupleIsValid(tuple)) return;
    Form_pg_class form = (Form_pg_class) GETSTRUCT(tuple);
    row->found = true;
    row->relname = form->relname;
    row->relnamespace = form->relnamespace;
    row->reltuples = form->reltuples;
    row->relpages = form->relpages;
    Oid toast = form->reltoastrelid;
    row->is_default = false;
    row->has_start = row->has_end = false;

    bool isnull = true;
    Datum bound_datum = SysCacheGetAttr(RELOID, tuple, Anum_pg_class_relpartbound, &isnull);
    if (!isnull) {
        MemoryContext caller = MemoryContextSwitchTo(scratch);
        PartitionBoundSpec *bound = castNode(PartitionBoundSpec, stringToNode(TextDatumGetCString(bound_datum)));
        if (bound->is_default) {
            row->is_default = true;
        } else if (bound->strategy == PARTITION_STRATEGY_RANGE) {
            row->has_start = bound_to_timestamptz((Node *) linitial(bound->lowerdatums), &row->start);
            row->has_end = bound_to_timestamptz((Node *) linitial(bound->upperdatums), &row->end);
        }
        MemoryContextSwitchTo(caller);
        MemoryContextReset(scratch);
    }
    ReleaseSysCache(tuple);
    row->toast_pages = OidIsValid(toast) ? pages_of(toast) : 0;
}

void qualified_name(Oid namespace_oid, const char *relname, char **out) {
    const char *schema = get_namespace_name(namespace_oid);
    *out = quote_qualified_identifier(schema, relname);
}

void index_owner(Oid index, Oid *table) {
    *table = InvalidOid;
    HeapTuple tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(index));
    if (!HeapTupleIsValid(tuple)) return;
    *table = ((Form_pg_index) GETSTRUCT(tuple))->indrelid;
    ReleaseSysCache(tuple);
}

// Counts rows with the transaction snapshot; returns -1 when the lock is taken.
void count_rows(Oid relation, int64 *rows) {
    *rows = -1;
    if (!ConditionalLockRelationOid(relation, AccessShareLock)) return;
    if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relation))) {
        UnlockRelationOid(relation, AccessShareLock);
        *rows = 0;
        return;
    }
    Relation rel = table_open(relation, NoLock);  // locked just above
    TableScanDesc scan = table_beginscan(rel, GetActiveSnapshot(), 0, NULL);
    TupleTableSlot *slot = table_slot_create(rel, NULL);
    int64 count = 0;
    while (table_scan_getnextslot(scan, ForwardScanDirection, slot)) {
        count++;
        CHECK_FOR_INTERRUPTS();
    }
    ExecDropSingleTupleTableSlot(slot);
    table_endscan(scan);
    table_close(rel, NoLock);  // the lock is held to the end of the transaction
    *rows = count;
}

MemoryContext bound_scratch_context() {
    static MemoryContext context = nullptr;
    if (context == nullptr) {
        context = AllocSetContextCreate(TopMemoryContext, "fitbot_partman bounds", ALLOCSET_SMALL_SIZES);
    }
    return context;
}

}  // namespace

std::unordered_set<Oid> relations_locked_exclusively() {
    std::vector<Oid> oids;
    pg_call(scan_locks, &oids);
    return std::unordered_set<Oid>(oids.begin(), oids.end());
}

std::vector<Oid> partition_children(Oid parent) {
    std::vector<Oid> children;
    pg_call(scan_inherits, parent, &children);
    return children;
}

std::optional<core::PartitionFact> read_partition(Oid child) {
    PartitionRow row;
    MemoryContext scratch = pg_call(bound_scratch_context);
    pg_call(read_partition_row, child, scratch, &row);
    if (!row.found) return std::nullopt;
    char *name = nullptr;
    pg_call(qualified_name, row.relnamespace, static_cast<const char *>(NameStr(row.relname)), &name);

    core::PartitionFact fact;
    fact.name = name;
    fact.is_default = row.is_default;
    if (row.has_start) fact.range_start = micros_from_timestamptz(row.start);
    if (row.has_end) fact.range_end = micros_from_timestamptz(row.end);
    fact.estimated_rows = row.reltuples;
    fact.bytes = (static_cast<std::int64_t>(row.relpages) + row.toast_pages) * BLCKSZ;
    return fact;
}

std::vector<std::pair<Oid, std::int64_t>> partition_index_bytes(Oid parent) {
    std::vector<Oid> parent_indexes;
    pg_call(scan_indexes_of, parent, &parent_indexes);
    std::vector<std::pair<Oid, std::int64_t>> sizes;
    for (Oid parent_index : parent_indexes) {
        for (Oid child_index : partition_children(parent_index)) {
            Oid table = InvalidOid;
            pg_call(index_owner, child_index, &table);
            if (!OidIsValid(table)) continue;
            sizes.emplace_back(table, static_cast<std::int64_t>(pg_call(pages_of, child_index)) * BLCKSZ);
        }
    }
    return sizes;
}

std::optional<std::int64_t> count_rows_if_unlocked(Oid relation) {
    int64 rows = -1;
    pg_call(count_rows, relation, &rows);
    if (rows < 0) return std::nullopt;
    return rows;
}

}  // namespace fitbot::pg
