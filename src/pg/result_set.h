// Building SQL results from C++: rows whose columns are named by the enums of
// result_columns.h, set-returning results (materialized into a tuplestore)
// and single composite rows. Every result checks the function's tuple
// descriptor against the column count its entry point was written for.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "convert.h"
#include "core/time_types.h"
#include "pg_headers.h"
#include "result_columns.h"

namespace fitbot::pg {

// Datums for row values, palloc'd in the current memory context.
Datum interval_datum(core::Interval value);
Datum text_array_datum(const std::vector<std::string> &values);

// Throws SqlError (feature_not_supported, with a hint to update the
// extension) unless the function's SQL declares exactly `expected` result
// columns; `declared` is the count its tuple descriptor has.
void check_result_columns(FunctionCallInfo fcinfo, int declared, int expected);

// One output row under construction: Datums and null flags by column. A
// column at or past the row's width belongs to a later SQL version than the
// entry point answers, and is skipped (result_columns.h).
template <typename Column>
class OutputRow {
public:
    explicit OutputRow(int columns) : columns_(columns), values_(columns, Datum(0)), nulls_(new bool[columns]) {
        for (int i = 0; i < columns; i++) nulls_[i] = true;
    }
    OutputRow &set(Column column, Datum value) {
        int index = column_index(column);
        if (index >= columns_) return *this;
        values_[index] = value;
        nulls_[index] = false;
        return *this;
    }
    OutputRow &set_text(Column column, const std::string &value) { return set(column, text_datum(value)); }
    OutputRow &set_int32(Column column, std::int32_t value) { return set(column, Int32GetDatum(value)); }
    OutputRow &set_int64(Column column, std::int64_t value) { return set(column, Int64GetDatum(value)); }
    OutputRow &set_optional_int64(Column column, const std::optional<std::int64_t> &value) {
        return value ? set_int64(column, *value) : *this;
    }
    OutputRow &set_bool(Column column, bool value) { return set(column, BoolGetDatum(value)); }
    OutputRow &set_oid(Column column, Oid value) { return set(column, ObjectIdGetDatum(value)); }
    OutputRow &set_timestamp(Column column, const std::optional<core::Micros> &value) {
        return value ? set(column, TimestampTzGetDatum(timestamptz_from_micros(*value))) : *this;
    }
    OutputRow &set_interval(Column column, const std::optional<core::Interval> &value) {
        return value ? set(column, interval_datum(*value)) : *this;
    }
    OutputRow &set_text_array(Column column, const std::vector<std::string> &values) {
        return set(column, text_array_datum(values));
    }

    Datum *values() { return values_.data(); }
    bool *nulls() { return nulls_.get(); }

private:
    int columns_;
    std::vector<Datum> values_;
    std::unique_ptr<bool[]> nulls_;
};

// A materialized set-returning function's output (InitMaterializedSRF).
class MaterializedResult {
public:
    explicit MaterializedResult(FunctionCallInfo fcinfo);
    int columns() const { return columns_; }
    void add(Datum *values, bool *nulls);

private:
    ReturnSetInfo *result_info_;
    int columns_;
};

// A set-returning function's output, its columns named by `Column`.
template <typename Column>
class ResultSet {
public:
    ResultSet(FunctionCallInfo fcinfo, int expected_columns) : result_(fcinfo) {
        check_result_columns(fcinfo, result_.columns(), expected_columns);
    }
    OutputRow<Column> new_row() const { return OutputRow<Column>(result_.columns()); }
    void add(OutputRow<Column> &row) { result_.add(row.values(), row.nulls()); }

private:
    MaterializedResult result_;
};

// The function's composite result type, blessed for heap_form_tuple.
TupleDesc composite_descriptor(FunctionCallInfo fcinfo);
Datum composite_datum(TupleDesc descriptor, Datum *values, bool *nulls);

// A single composite row as the function's return value.
template <typename Column>
class CompositeResult {
public:
    CompositeResult(FunctionCallInfo fcinfo, int expected_columns) : descriptor_(composite_descriptor(fcinfo)) {
        check_result_columns(fcinfo, descriptor_->natts, expected_columns);
    }
    OutputRow<Column> new_row() const { return OutputRow<Column>(descriptor_->natts); }
    Datum datum(OutputRow<Column> &row) const { return composite_datum(descriptor_, row.values(), row.nulls()); }

private:
    TupleDesc descriptor_;
};

}  // namespace fitbot::pg
