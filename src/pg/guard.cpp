// Both directions of the C/C++ error boundary (guard.h): the one PG_TRY that
// turns PostgreSQL errors into C++ exceptions, and sql_entry_point(), which
// turns C++ exceptions back into PostgreSQL errors. Modelled on pg_duckdb
// (pgduckdb_utils.hpp: PostgresFunctionGuard; cpp_wrapper.hpp:
// __CPPFunctionGuard__). Rules: docs/ARCHITECTURE.md.
#include "guard.h"

namespace fitbot::pg {

namespace detail {

namespace {

// Copies the error being handled into `into` and flushes the error state.
// CopyErrorData() allocates, so it can fail (out of memory) while an error is
// already in flight; its own PG_TRY keeps that second error from escaping to
// an outer handler with our caller's C++ frames still on the stack. Returns
// nullptr when the copy failed.
ErrorData *copy_error_data(MemoryContext into) {
    ErrorData *volatile copy = nullptr;
    MemoryContextSwitchTo(into);
    PG_TRY();
    { copy = CopyErrorData(); }
    PG_CATCH();
    { copy = nullptr; }
    PG_END_TRY();
    // Both errors (if the copy failed) go; the error context is reset.
    MemoryContextSwitchTo(into);
    FlushErrorState();
    return copy;
}

// A body that returns from inside a PG_TRY of its own, or leaves one through
// a C++ exception (caught by pg_call's trampoline), leaves PostgreSQL's error
// stacks pointing into a dead frame: the next ereport would jump there. Put
// them back and say so, as pg_duckdb does; PG_END_TRY restores them anyway.
void check_error_stacks(sigjmp_buf *expected_exception_stack, ErrorContextCallback *expected_context_stack) {
    if (PG_exception_stack == expected_exception_stack && error_context_stack == expected_context_stack) return;
    PG_exception_stack = expected_exception_stack;
    error_context_stack = expected_context_stack;
    elog(WARNING, "fitbot_partman: a PostgreSQL call left the error stack changed; it was restored");
}

}  // namespace

CaughtError run_catching_postgres_error(void (*body)(void *), void *context) {
    MemoryContext const caller_context = CurrentMemoryContext;
    ErrorContextCallback *const context_stack = error_context_stack;
    volatile bool raised = false;
    PG_TRY();
    {
        sigjmp_buf *const this_frame = PG_exception_stack;
        body(context);
        check_error_stacks(this_frame, context_stack);
    }
    PG_CATCH();
    { raised = true; }
    PG_END_TRY();
    CaughtError caught;
    if (!raised) return caught;
    caught.raised = true;
    caught.copy = copy_error_data(caller_context);
    return caught;
}

void throw_error_lost() {
    throw SqlError(ERRCODE_OUT_OF_MEMORY, "out of memory",
                   "A PostgreSQL error was raised inside fitbot_partman, and copying it to report it failed.");
}

}  // namespace detail

namespace {

// What to report, in palloc'd plain C strings: no destructors run when
// ereport longjmps out of sql_entry_point.
struct PendingError {
    int sqlstate = 0;
    const char *message = nullptr;
    const char *detail = nullptr;
    const char *hint = nullptr;
};

// A palloc'd copy that never raises: inside a catch handler an ereport
// (out of memory) would longjmp out of it with the exception still alive.
const char *copy_or_null(const char *text) {
    std::size_t length = strlen(text);
    char *copy = static_cast<char *>(MemoryContextAllocExtended(CurrentMemoryContext, length + 1, MCXT_ALLOC_NO_OOM));
    if (copy != nullptr) memcpy(copy, text, length + 1);
    return copy;
}

const char *copy_or_null(const std::string &text) { return text.empty() ? nullptr : copy_or_null(text.c_str()); }

}  // namespace

Datum sql_entry_point(FunctionCallInfo fcinfo, Datum (*implementation)(FunctionCallInfo)) {
    sigjmp_buf *const exception_stack = PG_exception_stack;
    ErrorContextCallback *const context_stack = error_context_stack;
    ErrorData *postgres_error = nullptr;
    PendingError pending;
    try {
        return implementation(fcinfo);
    } catch (const PostgresError &error) {
        postgres_error = error.error();
    } catch (const SqlError &error) {
        pending.sqlstate = error.sqlstate();
        pending.message = copy_or_null(error.what());
        pending.detail = copy_or_null(error.detail());
        pending.hint = copy_or_null(error.hint());
    } catch (const std::bad_alloc &) {
        pending.sqlstate = ERRCODE_OUT_OF_MEMORY;
        pending.message = "out of memory";
    } catch (const std::exception &error) {
        pending.sqlstate = ERRCODE_INTERNAL_ERROR;
        pending.message = copy_or_null(error.what());
    } catch (...) {
        pending.sqlstate = ERRCODE_INTERNAL_ERROR;
        pending.message = "unexpected C++ exception in fitbot_partman";
    }
    // The exception object is gone here; only plain pointers remain. On the
    // way out, PostgreSQL's error stacks must be as we found them, or the
    // ereport below would jump into a frame that no longer exists.
    detail::check_error_stacks(exception_stack, context_stack);
    if (postgres_error != nullptr) ReThrowError(postgres_error);
    if (pending.message == nullptr) {  // copying the message failed
        pending.sqlstate = ERRCODE_OUT_OF_MEMORY;
        pending.message = "out of memory";
    }
    ereport(ERROR, (errcode(pending.sqlstate), errmsg_internal("%s", pending.message),
                    pending.detail ? errdetail_internal("%s", pending.detail) : 0,
                    pending.hint ? errhint("%s", pending.hint) : 0));
    pg_unreachable();
}

}  // namespace fitbot::pg
