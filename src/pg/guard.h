// The C/C++ error boundary (see ARCHITECTURE.md, "boundary rules").
//
// PostgreSQL raises errors with longjmp; C++ raises exceptions. Inside the
// glue, every call into PostgreSQL that may ereport goes through pg_call(),
// which turns the PostgreSQL error into a C++ exception (PostgresError) so
// destructors run. Every SQL-callable entry point goes through
// sql_entry_point(), which turns any C++ exception back into a PostgreSQL
// error once no C++ object with a destructor is left in its frame.
#pragma once

#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "pg_headers.h"

namespace fitbot::pg {

// A PostgreSQL error caught by pg_call(), carried as a C++ exception. The
// ErrorData lives in the memory context that was current at the call.
class PostgresError : public std::exception {
public:
    explicit PostgresError(ErrorData *error) : error_(error) {}
    const char *what() const noexcept override { return error_->message ? error_->message : "postgres error"; }
    ErrorData *error() const { return error_; }

private:
    ErrorData *error_;
};

// An error of ours, to be reported to SQL with a specific SQLSTATE.
// message: lower case, no trailing period; detail and hint: full sentences.
class SqlError : public std::runtime_error {
public:
    SqlError(int sqlstate, std::string message, std::string detail = {}, std::string hint = {})
        : std::runtime_error(message), sqlstate_(sqlstate), detail_(std::move(detail)),
          hint_(std::move(hint)) {}
    int sqlstate() const { return sqlstate_; }
    const std::string &detail() const { return detail_; }
    const std::string &hint() const { return hint_; }

private:
    int sqlstate_;
    std::string detail_;
    std::string hint_;
};

// Runs a PostgreSQL function that may ereport(ERROR) and rethrows its error
// as PostgresError. Only plain values cross the PG_TRY frame.
template <typename Function, typename... Args>
auto pg_call(Function function, Args... args) -> decltype(function(args...)) {
    using Result = decltype(function(args...));
    MemoryContext caller_context = CurrentMemoryContext;
    ErrorData *caught = nullptr;
    if constexpr (std::is_void_v<Result>) {
        PG_TRY();
        {
            function(args...);
        }
        PG_CATCH();
        {
            MemoryContextSwitchTo(caller_context);
            caught = CopyErrorData();
            FlushErrorState();
        }
        PG_END_TRY();
        if (caught != nullptr) throw PostgresError(caught);
    } else {
        Result result{};
        PG_TRY();
        {
            result = function(args...);
        }
        PG_CATCH();
        {
            MemoryContextSwitchTo(caller_context);
            caught = CopyErrorData();
            FlushErrorState();
        }
        PG_END_TRY();
        if (caught != nullptr) throw PostgresError(caught);
        return result;
    }
}

// The body of every SQL-callable function: runs `implementation` and reports
// whatever it throws as a PostgreSQL error.
Datum sql_entry_point(FunctionCallInfo fcinfo, Datum (*implementation)(FunctionCallInfo));

}  // namespace fitbot::pg

// Declares an extern "C" SQL-callable function `name` whose C++ body is
// `implementation` (a Datum(FunctionCallInfo) function).
#define FITBOT_SQL_FUNCTION(name, implementation)                              \
    extern "C" {                                                               \
    PG_FUNCTION_INFO_V1(name);                                                 \
    Datum name(PG_FUNCTION_ARGS) {                                             \
        return fitbot::pg::sql_entry_point(fcinfo, implementation);            \
    }                                                                          \
    }
