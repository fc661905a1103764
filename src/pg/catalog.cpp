#include "catalog.h"

#include <unordered_map>

#include "guard.h"
#include "convert.h"

extern "C" {
#include "nodes/readfuncs.h"
#include "storage/lock.h"
#include "utils/inval.h"
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

// A decoded bound, remembered per backend: decoding relpartbound
// (stringToNode) is most of the cost of a health probe, and a bound only
// changes through ATTACH/DETACH, which write a new pg_class tuple version
// (new xmin and tid). An in-place update (ANALYZE) keeps both and never
// touches relpartbound.
struct DecodedBound {
    TransactionId xmin;
    ItemPointerData tid;
    bool is_default;
    bool has_start;
    bool has_end;
    TimestampTz start;
    TimestampTz end;
};

// Plain data of one pg_class row and its decoded bound.
struct PartitionRow {
    bool found;
    bool bound_from_cache;
    DecodedBound bound;
    NameData relname;
    Oid relnamespace;
    float4 reltuples;
    int32 relpages;
    int32 toast_pages;
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

void read_partition_row(Oid child, MemoryContext scratch, const DecodedBound *cached, PartitionRow *row) {
    row->found = false;
    row->bound_from_cache = false;
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(child));
    if (!HeapTupleIsValid(tuple)) return;
    Form_pg_class form = (Form_pg_class) GETSTRUCT(tuple);
    row->found = true;
    row->relname = form->relname;
    row->relnamespace = form->relnamespace;
    row->reltuples = form->reltuples;
    row->relpages = form->relpages;
    Oid toast = form->reltoastrelid;

    DecodedBound *bound = &row->bound;
    bound->xmin = HeapTupleHeaderGetXmin(tuple->t_data);
    bound->tid = tuple->t_self;
    if (cached != NULL && cached->xmin == bound->xmin && ItemPointerEquals(const_cast<ItemPointer>(&cached->tid), &bound->tid)) {
        *bound = *cached;
        row->bound_from_cache = true;
    } else {
        bound->is_default = bound->has_start = bound->has_end = false;
        bool isnull = true;
        Datum bound_datum = SysCacheGetAttr(RELOID, tuple, Anum_pg_class_relpartbound, &isnull);
        if (!isnull) {
            MemoryContext caller = MemoryContextSwitchTo(scratch);
            PartitionBoundSpec *spec = castNode(PartitionBoundSpec, stringToNode(TextDatumGetCString(bound_datum)));
            if (spec->is_default) {
                bound->is_default = true;
            } else if (spec->strategy == PARTITION_STRATEGY_RANGE) {
                bound->has_start = bound_to_timestamptz((Node *) linitial(spec->lowerdatums), &bound->start);
                bound->has_end = bound_to_timestamptz((Node *) linitial(spec->upperdatums), &bound->end);
            }
            MemoryContextSwitchTo(caller);
            MemoryContextReset(scratch);
        }
    }
    ReleaseSysCache(tuple);
    row->toast_pages = OidIsValid(toast) ? pages_of(toast) : 0;
}

void namespace_name(Oid namespace_oid, char **out) { *out = get_namespace_name(namespace_oid); }

void quote_name(const char *name, const char **out) { *out = quote_identifier(name); }

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
        Form_pg_class form = (Form_pg_class) GETSTRUCT(tuple);
        if (strncmp(NameStr(form->relname), NameStr(prefix_name), prefix_length) != 0) break;  // past the prefix
        if (form->relnamespace == namespace_oid && form->relkind == RELKIND_RELATION && !form->relispartition)
            (*count)++;
    }
    systable_endscan(scan);
    table_close(class_catalog, AccessShareLock);
}

std::uint64_t generation = 1;
bool generation_callbacks_registered = false;

void bump_generation(Datum, int, uint32) { generation++; }

void register_generation_callbacks() {
    CacheRegisterSyscacheCallback(RELOID, bump_generation, (Datum) 0);
    CacheRegisterSyscacheCallback(NAMESPACEOID, bump_generation, (Datum) 0);
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

namespace {

// Per backend; entries are validated against the pg_class tuple on every
// use, so a stale one is only ever a cache miss.
std::unordered_map<Oid, DecodedBound> decoded_bounds;
constexpr std::size_t kMaxDecodedBounds = 1'000'000;

}  // namespace

PartitionReader::PartitionReader() = default;

const std::string &PartitionReader::quoted_namespace(Oid namespace_oid) {
    auto found = quoted_namespaces_.find(namespace_oid);
    if (found != quoted_namespaces_.end()) return found->second;
    char *name = nullptr;
    pg_call(namespace_name, namespace_oid, &name);
    const char *quoted = nullptr;
    pg_call(quote_name, static_cast<const char *>(name ? name : "?"), &quoted);
    return quoted_namespaces_.emplace(namespace_oid, quoted).first->second;
}

std::optional<core::PartitionFact> PartitionReader::read(Oid child) {
    auto cached = decoded_bounds.find(child);
    PartitionRow row;
    MemoryContext scratch = pg_call(bound_scratch_context);
    pg_call(read_partition_row, child, scratch,
            static_cast<const DecodedBound *>(cached == decoded_bounds.end() ? nullptr : &cached->second), &row);
    if (!row.found) {
        if (cached != decoded_bounds.end()) decoded_bounds.erase(cached);
        return std::nullopt;
    }
    if (!row.bound_from_cache) {
        if (decoded_bounds.size() >= kMaxDecodedBounds) decoded_bounds.clear();
        decoded_bounds[child] = row.bound;
    }
    const char *quoted_relname = nullptr;
    pg_call(quote_name, static_cast<const char *>(NameStr(row.relname)), &quoted_relname);

    core::PartitionFact fact;
    fact.name = quoted_namespace(row.relnamespace) + "." + quoted_relname;
    fact.is_default = row.bound.is_default;
    if (row.bound.has_start) fact.range_start = micros_from_timestamptz(row.bound.start);
    if (row.bound.has_end) fact.range_end = micros_from_timestamptz(row.bound.end);
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

int count_detached_tables(Oid namespace_oid, const std::string &prefix) {
    int count = 0;
    pg_call(scan_detached, namespace_oid, prefix.c_str(), &count);
    return count;
}

std::uint64_t catalog_generation() {
    if (!generation_callbacks_registered) {
        pg_call(register_generation_callbacks);
        generation_callbacks_registered = true;
        generation++;
    }
    return generation;
}

std::optional<std::int64_t> count_rows_if_unlocked(Oid relation) {
    int64 rows = -1;
    pg_call(count_rows, relation, &rows);
    if (rows < 0) return std::nullopt;
    return rows;
}

}  // namespace fitbot::pg
