// ledger_run_in_progress() (ledger_liveness.h).
#include "ledger_liveness.h"

namespace fitbot::core {

bool ledger_run_in_progress(Micros run_started_at, const std::optional<BackendFact> &backend) {
    if (!backend) return false;  // its backend is gone: killed, crashed, or its session ended
    // PID reuse: a session that started after the run is not the run's.
    if (backend->backend_start && *backend->backend_start > run_started_at) return false;
    // Cancelled (pg_cancel_backend, statement_timeout) in a session that
    // stays open: the CALL ended without finishing its row.
    if (backend->state == BackendState::idle) return false;
    // The same session has moved on to a later statement.
    if (backend->state == BackendState::active && backend->query_start && *backend->query_start > run_started_at) {
        return false;
    }
    return true;
}

}  // namespace fitbot::core
