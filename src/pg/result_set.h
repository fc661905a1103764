// Building SQL results (set-returning functions, composite rows) from C++.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/time_types.h"
#include "pg_headers.h"

namespace fitbot::pg {

// One output row under construction: Datums and null flags by column
// (0-based). Datums are palloc'd in the current memory context.
class OutputRow {
public:
    explicit OutputRow(int columns);
    OutputRow &set(int column, Datum value);
    OutputRow &set_text(int column, const std::string &value);
    OutputRow &set_int32(int column, std::int32_t value) { return set(column, Int32GetDatum(value)); }
    OutputRow &set_int64(int column, std::int64_t value) { return set(column, Int64GetDatum(value)); }
    OutputRow &set_optional_int64(int column, const std::optional<std::int64_t> &value);
    OutputRow &set_bool(int column, bool value) { return set(column, BoolGetDatum(value)); }
    OutputRow &set_oid(int column, Oid value) { return set(column, ObjectIdGetDatum(value)); }
    OutputRow &set_timestamp(int column, const std::optional<core::Micros> &value);
    OutputRow &set_interval(int column, const std::optional<core::Interval> &value);
    OutputRow &set_text_array(int column, const std::vector<std::string> &values);

    Datum *values() { return values_.data(); }
    bool *nulls() { return nulls_.get(); }

private:
    int columns_;
    std::vector<Datum> values_;
    std::unique_ptr<bool[]> nulls_;
};

// A materialized set-returning function's output.
class ResultSet {
public:
    explicit ResultSet(FunctionCallInfo fcinfo);
    int columns() const { return columns_; }
    void add(OutputRow &row);

private:
    ReturnSetInfo *result_info_;
    int columns_;
};

// The number of attributes of the function's composite result type.
int composite_columns(FunctionCallInfo fcinfo);
// A single composite row as the function's return value.
Datum composite_result(FunctionCallInfo fcinfo, OutputRow &row);

}  // namespace fitbot::pg
