#include "result_set.h"

#include <stdexcept>

#include "convert.h"
#include "guard.h"

extern "C" {
#include "utils/array.h"
}

namespace fitbot::pg {

namespace {

Datum interval_datum(core::Interval value) {
    Interval *result = static_cast<Interval *>(pg_call(palloc, sizeof(Interval)));
    result->month = value.months;
    result->day = value.days;
    result->time = value.micros;
    return PointerGetDatum(result);
}

Datum text_array(Datum *elements, int count) {
    return PointerGetDatum(construct_array(elements, count, TEXTOID, -1, false, TYPALIGN_INT));
}

void init_materialized(FunctionCallInfo fcinfo) { InitMaterializedSRF(fcinfo, 0); }

void put_values(Tuplestorestate *store, TupleDesc descriptor, Datum *values, bool *nulls) {
    tuplestore_putvalues(store, descriptor, values, nulls);
}

TupleDesc composite_descriptor(FunctionCallInfo fcinfo) {
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

OutputRow::OutputRow(int columns)
    : columns_(columns), values_(columns, Datum(0)), nulls_(new bool[columns]) {
    for (int i = 0; i < columns; i++) nulls_[i] = true;
}

OutputRow &OutputRow::set(int column, Datum value) {
    if (column < 0 || column >= columns_) throw std::out_of_range("output column out of range");
    values_[column] = value;
    nulls_[column] = false;
    return *this;
}

OutputRow &OutputRow::set_text(int column, const std::string &value) { return set(column, text_datum(value)); }

OutputRow &OutputRow::set_optional_int64(int column, const std::optional<std::int64_t> &value) {
    return value ? set_int64(column, *value) : *this;
}

OutputRow &OutputRow::set_timestamp(int column, const std::optional<core::Micros> &value) {
    return value ? set(column, TimestampTzGetDatum(timestamptz_from_micros(*value))) : *this;
}

OutputRow &OutputRow::set_interval(int column, const std::optional<core::Interval> &value) {
    return value ? set(column, interval_datum(*value)) : *this;
}

OutputRow &OutputRow::set_text_array(int column, const std::vector<std::string> &values) {
    std::vector<Datum> elements;
    elements.reserve(values.size());
    for (const std::string &value : values) elements.push_back(text_datum(value));
    return set(column, pg_call(text_array, elements.data(), static_cast<int>(elements.size())));
}

ResultSet::ResultSet(FunctionCallInfo fcinfo) : result_info_(reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo)) {
    pg_call(init_materialized, fcinfo);
    columns_ = result_info_->setDesc->natts;
}

void ResultSet::add(OutputRow &row) {
    pg_call(put_values, result_info_->setResult, result_info_->setDesc, row.values(), row.nulls());
}

int composite_columns(FunctionCallInfo fcinfo) { return pg_call(composite_descriptor, fcinfo)->natts; }

Datum composite_result(FunctionCallInfo fcinfo, OutputRow &row) {
    TupleDesc descriptor = pg_call(composite_descriptor, fcinfo);
    return pg_call(form_composite, descriptor, row.values(), row.nulls());
}

}  // namespace fitbot::pg
