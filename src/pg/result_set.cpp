// The non-template half of result_set.h: Datum builders, the column-count
// check, and the tuplestore and composite-tuple calls, each through pg_call().
#include "result_set.h"

#include "extension_version.h"
#include "guard.h"
#include "server_version.h"

extern "C" {
#include "utils/array.h"
#include "utils/regproc.h"
}

namespace fitbot::pg {

namespace {

// ---- C-style: they may ereport, hold no C++ objects, run under pg_call().

Datum text_array(Datum *elements, int count) {
    return PointerGetDatum(construct_array(elements, count, TEXTOID, -1, false, TYPALIGN_INT));
}

void init_materialized(FunctionCallInfo fcinfo) { server::init_materialized_result(fcinfo); }

void put_values(Tuplestorestate *store, TupleDesc descriptor, Datum *values, bool *nulls) {
    tuplestore_putvalues(store, descriptor, values, nulls);
}

TupleDesc blessed_composite_descriptor(FunctionCallInfo fcinfo) {
    TupleDesc descriptor = NULL;
    if (get_call_result_type(fcinfo, NULL, &descriptor) != TYPEFUNC_COMPOSITE) {
        elog(ERROR, "function returning a record called in a context that cannot accept it");
    }
    return BlessTupleDesc(descriptor);
}

Datum form_composite(TupleDesc descriptor, Datum *values, bool *nulls) {
    return HeapTupleGetDatum(heap_form_tuple(descriptor, values, nulls));
}

}  // namespace

Datum interval_datum(core::Interval value) {
    Interval *result = static_cast<Interval *>(pg_call(palloc, sizeof(Interval)));
    result->month = value.months;
    result->day = value.days;
    result->time = value.micros;
    return PointerGetDatum(result);
}

Datum text_array_datum(const std::vector<std::string> &values) {
    std::vector<Datum> elements;
    elements.reserve(values.size());
    for (const std::string &value : values) elements.push_back(text_datum(value));
    return pg_call(text_array, elements.data(), static_cast<int>(elements.size()));
}

void check_result_columns(FunctionCallInfo fcinfo, int declared, int expected) {
    if (declared == expected) return;
    const char *function = pg_call(format_procedure, fcinfo->flinfo->fn_oid);
    throw SqlError(ERRCODE_FEATURE_NOT_SUPPORTED,
                   std::string("function ") + function + " has " + std::to_string(declared) +
                       " result columns where the fitbot_partman library expects " + std::to_string(expected),
                   "The extension's SQL objects are version " + installed_extension_version() +
                       " and the loaded fitbot_partman library is version " + library_version() + ".",
                   "Run ALTER EXTENSION fitbot_partman UPDATE, or install the fitbot_partman library that matches "
                   "the extension's version.");
}

MaterializedResult::MaterializedResult(FunctionCallInfo fcinfo)
    : result_info_(reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo)) {
    pg_call(init_materialized, fcinfo);
    columns_ = result_info_->setDesc->natts;
}

void MaterializedResult::add(Datum *values, bool *nulls) {
    pg_call(put_values, result_info_->setResult, result_info_->setDesc, values, nulls);
}

TupleDesc composite_descriptor(FunctionCallInfo fcinfo) { return pg_call(blessed_composite_descriptor, fcinfo); }

Datum composite_datum(TupleDesc descriptor, Datum *values, bool *nulls) {
    return pg_call(form_composite, descriptor, values, nulls);
}

}  // namespace fitbot::pg
