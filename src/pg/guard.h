// The C/C++ error boundary: the rules are in docs/ARCHITECTURE.md, section
// "C++ inside a PostgreSQL backend: the boundary rules".
//
// PostgreSQL raises errors with longjmp; C++ raises exceptions. Inside the
// glue, every call into PostgreSQL that may ereport goes through pg_call(),
// which turns the PostgreSQL error into a C++ exception (PostgresError) so
// destructors run. Every SQL-callable entry point goes through
// sql_entry_point(), which turns any C++ exception back into a PostgreSQL
// error once no C++ object with a destructor is left in its frame.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>
#include <tuple>
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
        : std::runtime_error(message), sqlstate_(sqlstate), detail_(std::move(detail)), hint_(std::move(hint)) {}
    int sqlstate() const { return sqlstate_; }
    const std::string &detail() const { return detail_; }
    const std::string &hint() const { return hint_; }

private:
    int sqlstate_;
    std::string detail_;
    std::string hint_;
};

namespace detail {

// What run_catching_postgres_error() saw: plain values only.
struct CaughtError {
    bool raised = false;        // the body raised an ERROR
    ErrorData *copy = nullptr;  // that error, or nullptr if copying it failed
};

// Runs body(context) inside PG_TRY; on error, copies the ErrorData into the
// caller's memory context (under a PG_TRY of its own) and flushes the error
// state. The glue's PG_TRY blocks all live in guard.cpp, behind this.
CaughtError run_catching_postgres_error(void (*body)(void *), void *context);

// Thrown when CopyErrorData() itself failed (it only allocates, so: out of
// memory), like pg_duckdb's "Failed to extract Postgres error message".
[[noreturn]] void throw_error_lost();

}  // namespace detail

// Runs a PostgreSQL function that may ereport(ERROR) and rethrows its error
// as PostgresError.
//
// Only plain values cross the PG_TRY frame: the function, its arguments and
// its result must be trivially destructible (checked below), and the frames
// a longjmp can skip (the function's and the trampoline's) hold nothing
// else. A C++ exception thrown by the function is caught before it could
// leave PG_TRY without PG_END_TRY, and rethrown once the frame is closed.
template <typename Function, typename... Args>
auto pg_call(Function function, Args... args) -> decltype(function(args...)) {
    using Result = decltype(function(args...));
    static_assert(std::is_trivially_destructible_v<Function> && (std::is_trivially_destructible_v<Args> && ...),
                  "only plain values cross a PG_TRY frame");
    using Stored = std::conditional_t<std::is_void_v<Result>, std::nullptr_t, Result>;
    static_assert(std::is_trivially_destructible_v<Stored>, "only plain values cross a PG_TRY frame");

    struct Call {
        Function function;
        std::tuple<Args...> args;
        Stored result;
        std::exception_ptr escaped;  // lives in pg_call's frame, above PG_TRY
    } call{function, std::tuple<Args...>(args...), Stored{}, nullptr};

    auto trampoline = [](void *context) {
        Call *pending = static_cast<Call *>(context);
        try {
            if constexpr (std::is_void_v<Result>)
                std::apply(pending->function, pending->args);
            else
                pending->result = std::apply(pending->function, pending->args);
        } catch (...) {
            pending->escaped = std::current_exception();
        }
    };
    detail::CaughtError caught = detail::run_catching_postgres_error(trampoline, &call);
    if (call.escaped) std::rethrow_exception(call.escaped);
    if (caught.raised) {
        if (caught.copy == nullptr) detail::throw_error_lost();
        throw PostgresError(caught.copy);
    }
    if constexpr (!std::is_void_v<Result>) return call.result;
}

// The body of every SQL-callable function: runs `implementation` and reports
// whatever it throws as a PostgreSQL error.
Datum sql_entry_point(FunctionCallInfo fcinfo, Datum (*implementation)(FunctionCallInfo));

}  // namespace fitbot::pg

// Declares an extern "C" SQL-callable function `name` whose C++ body is
// `implementation` (a Datum(FunctionCallInfo) function).
#define FITBOT_SQL_FUNCTION(name, implementation)                                                \
    extern "C" {                                                                                 \
    PG_FUNCTION_INFO_V1(name);                                                                   \
    Datum name(PG_FUNCTION_ARGS) { return fitbot::pg::sql_entry_point(fcinfo, implementation); } \
    }
