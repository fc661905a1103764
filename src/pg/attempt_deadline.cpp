// fitbot_partman_internal.limit_attempt(deadline) and attempt_cut_off(): the
// driver bounds each table's attempt by the time budget left (issue 19,
// major 6: premake-sized work held ACCESS EXCLUSIVE past the budget).
//
// Why not SET LOCAL statement_timeout: PostgreSQL arms the statement timer
// when a top-level statement starts, and the driver is one CALL, so a
// statement_timeout set inside it changes nothing until the CALL ends. This
// arms a timer of our own (a USER_TIMEOUT) that cancels the running query at
// the deadline as statement_timeout would; the driver catches that cancel
// (57014) in the attempt's block and asks attempt_cut_off() whether it was
// ours or a real cancel (which it re-raises).
//
// The timer never outlives the transaction that armed it (like SET LOCAL): a
// transaction callback disarms it at commit and abort, so it can never cancel
// a later statement. Everything here is process-local.
#include "guard.h"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
}

namespace fitbot::pg {

namespace {

TimeoutId attempt_timeout = MAX_TIMEOUTS;  // not registered yet
volatile sig_atomic_t attempt_timer_fired = false;
bool attempt_timer_armed = false;

// Runs in the SIGALRM handler: does what StatementCancelHandler does.
void attempt_deadline_reached() {
    attempt_timer_fired = true;
    InterruptPending = true;
    QueryCancelPending = true;
    SetLatch(MyLatch);
}

void disarm() {
    if (attempt_timer_armed) disable_timeout(attempt_timeout, false);
    attempt_timer_armed = false;
}

void disarm_at_transaction_end(XactEvent event, void *) {
    switch (event) {
        case XACT_EVENT_COMMIT:
        case XACT_EVENT_PARALLEL_COMMIT:
        case XACT_EVENT_ABORT:
        case XACT_EVENT_PARALLEL_ABORT:
        case XACT_EVENT_PREPARE:
            disarm();
            break;
        default:
            break;
    }
}

// ---- Calls into PostgreSQL that may ereport: plain values only (guard.h).

void register_once() {
    if (attempt_timeout != MAX_TIMEOUTS) return;
    attempt_timeout = RegisterTimeout(USER_TIMEOUT, attempt_deadline_reached);
    RegisterXactCallback(disarm_at_transaction_end, nullptr);
}

void arm(TimestampTz deadline) {
    register_once();
    disarm();
    attempt_timer_fired = false;
    // A deadline already past cancels at once, as the budget says.
    enable_timeout_at(attempt_timeout, deadline);
    attempt_timer_armed = true;
}

Datum limit_attempt_impl(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) {
        pg_call(disarm);
        attempt_timer_fired = false;
        PG_RETURN_BOOL(false);
    }
    pg_call(arm, PG_GETARG_TIMESTAMPTZ(0));
    PG_RETURN_BOOL(true);
}

Datum attempt_cut_off_impl(FunctionCallInfo) {
    const bool fired = attempt_timer_fired;
    attempt_timer_fired = false;
    PG_RETURN_BOOL(fired);
}

}  // namespace

}  // namespace fitbot::pg

FITBOT_SQL_FUNCTION(fitbot_limit_attempt, fitbot::pg::limit_attempt_impl)
FITBOT_SQL_FUNCTION(fitbot_attempt_cut_off, fitbot::pg::attempt_cut_off_impl)
