// PartitionReader (partition_reader.h): one syscache lookup of the
// partition's pg_class row, its bound from the decoded-bound cache
// (partition_bounds.h) or decoded anew, and its TOAST table's pages.
#include "partition_reader.h"

#include "convert.h"
#include "guard.h"
#include "partition_bounds.h"
#include "relation_pages.h"

namespace fitbot::pg {

namespace {

// ---- C-style readers: they may ereport, so they hold no C++ objects and are
// ---- only ever called through pg_call().

void read_partition_row(Oid child, MemoryContext scratch, const DecodedBound *cached, PartitionRow *row) {
    row->found = false;
    row->bound_from_cache = false;
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(child));
    if (!HeapTupleIsValid(tuple)) return;
    bool bound_isnull = true;
    Datum bound = SysCacheGetAttr(RELOID, tuple, Anum_pg_class_relpartbound, &bound_isnull);
    fill_partition_row(tuple, bound, bound_isnull, cached, scratch, row);
    ReleaseSysCache(tuple);
    row->toast_pages = OidIsValid(row->toast) ? relation_pages(row->toast) : 0;
}

void namespace_name(Oid namespace_oid, char **out) { *out = get_namespace_name(namespace_oid); }

void quote_name(const char *name, const char **out) { *out = quote_identifier(name); }

}  // namespace

void fill_partition_row(HeapTuple tuple, Datum bound, bool bound_isnull, const DecodedBound *cached,
                        MemoryContext scratch, PartitionRow *row) {
    Form_pg_class form = (Form_pg_class)GETSTRUCT(tuple);
    row->found = true;
    row->relname = form->relname;
    row->relnamespace = form->relnamespace;
    row->reltuples = form->reltuples;
    row->relpages = form->relpages;
    row->toast = form->reltoastrelid;
    row->toast_pages = 0;
    row->bound_from_cache = decode_partition_bound(tuple, bound, bound_isnull, cached, scratch, &row->bound);
}

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

std::optional<core::PartitionFact> PartitionReader::read(Oid child, Oid *toast) {
    const DecodedBound *cached = cached_bound(child);
    PartitionRow row;
    MemoryContext scratch = pg_call(bound_scratch_context);
    pg_call(read_partition_row, child, scratch, cached, &row);
    if (!row.found) {
        if (cached != nullptr) forget_bound(child);
        return std::nullopt;
    }
    if (toast != nullptr) *toast = row.toast;
    return fact(child, row);
}

void set_partition_figures(Oid child, const PartitionRow &row, core::PartitionFact *fact) {
    if (!row.bound_from_cache) remember_bound(child, row.bound);
    fact->is_default = row.bound.is_default;
    if (row.bound.has_start) fact->range_start = micros_from_timestamptz(row.bound.start);
    if (row.bound.has_end) fact->range_end = micros_from_timestamptz(row.bound.end);
    fact->estimated_rows = row.reltuples;
    fact->bytes = (static_cast<std::int64_t>(row.relpages) + row.toast_pages) * BLCKSZ;
}

std::string PartitionReader::qualified_name(Oid namespace_oid, const char *relname) {
    const char *quoted_relname = nullptr;
    pg_call(quote_name, relname, &quoted_relname);
    return quoted_namespace(namespace_oid) + "." + quoted_relname;
}

core::PartitionFact PartitionReader::fact(Oid child, const PartitionRow &row) {
    core::PartitionFact fact;
    set_partition_figures(child, row, &fact);
    fact.name = qualified_name(row.relnamespace, NameStr(row.relname));
    return fact;
}

}  // namespace fitbot::pg
