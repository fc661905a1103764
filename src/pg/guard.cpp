#include "guard.h"

extern "C" {
PG_MODULE_MAGIC;
}

namespace fitbot::pg {

namespace {

// What to report, in palloc'd plain C strings: no destructors run when
// ereport longjmps out of sql_entry_point.
struct PendingError {
    int sqlstate = 0;
    const char *message = nullptr;
    const char *detail = nullptr;
    const char *hint = nullptr;
};

const char *copy_or_null(const std::string &text) {
    return text.empty() ? nullptr : pstrdup(text.c_str());
}

}  // namespace

Datum sql_entry_point(FunctionCallInfo fcinfo, Datum (*implementation)(FunctionCallInfo)) {
    ErrorData *postgres_error = nullptr;
    PendingError pending;
    try {
        return implementation(fcinfo);
    } catch (const PostgresError &error) {
        postgres_error = error.error();
    } catch (const SqlError &error) {
        pending.sqlstate = error.sqlstate();
        pending.message = pstrdup(error.what());
        pending.detail = copy_or_null(error.detail());
        pending.hint = copy_or_null(error.hint());
    } catch (const std::bad_alloc &) {
        pending.sqlstate = ERRCODE_OUT_OF_MEMORY;
        pending.message = "out of memory";
    } catch (const std::exception &error) {
        pending.sqlstate = ERRCODE_INTERNAL_ERROR;
        pending.message = pstrdup(error.what());
    } catch (...) {
        pending.sqlstate = ERRCODE_INTERNAL_ERROR;
        pending.message = "unexpected C++ exception in fitbot_partman";
    }
    // The exception object is gone here; only plain pointers remain.
    if (postgres_error != nullptr) ReThrowError(postgres_error);
    ereport(ERROR, (errcode(pending.sqlstate), errmsg_internal("%s", pending.message),
                    pending.detail ? errdetail_internal("%s", pending.detail) : 0,
                    pending.hint ? errhint("%s", pending.hint) : 0));
    pg_unreachable();
}

}  // namespace fitbot::pg
