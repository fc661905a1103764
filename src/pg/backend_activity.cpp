// background_worker_running() and backend_with_pid() (backend_activity.h):
// one pass over this transaction's snapshot of the backend status array, as
// pg_stat_get_activity() makes it.
#include "backend_activity.h"

#include "convert.h"
#include "guard.h"
#include "server_version.h"

extern "C" {
#include "postmaster/bgworker.h"
#include "utils/backend_status.h"
}

namespace fitbot::pg {

namespace {

// ---- C-style readers: they may ereport, so they hold no C++ objects and are
// ---- only ever called through pg_call().

void find_worker(const char *worker_type, bool *found) {
    *found = false;
    const int backends = pgstat_fetch_stat_numbackends();
    for (int i = 1; i <= backends && !*found; i++) {
        LocalPgBackendStatus *local = server::local_backend_status(i);
        if (local == NULL || local->backendStatus.st_backendType != B_BG_WORKER) continue;
        // pg_stat_activity.backend_type of a background worker, as
        // pg_stat_get_activity() reads it.
        const char *type = GetBackgroundWorkerTypeByPid(local->backendStatus.st_procpid);
        *found = type != NULL && strcmp(type, worker_type) == 0;
    }
}

struct BackendRow {
    bool found;
    TimestampTz backend_start;
    ::BackendState state;  // PostgreSQL's, not core::BackendState
    TimestampTz query_start;
};

void find_backend(int pid, BackendRow *row) {
    row->found = false;
    const int backends = pgstat_fetch_stat_numbackends();
    for (int i = 1; i <= backends && !row->found; i++) {
        LocalPgBackendStatus *local = server::local_backend_status(i);
        if (local == NULL || local->backendStatus.st_procpid != pid) continue;
        row->found = true;
        row->backend_start = local->backendStatus.st_proc_start_timestamp;
        row->state = local->backendStatus.st_state;
        row->query_start = local->backendStatus.st_activity_start_timestamp;
    }
}

}  // namespace

bool background_worker_running(const char *worker_type) {
    bool found = false;
    pg_call(find_worker, worker_type, &found);
    return found;
}

std::optional<core::BackendFact> backend_with_pid(int pid) {
    BackendRow row{};
    pg_call(find_backend, pid, &row);
    if (!row.found) return std::nullopt;
    core::BackendFact backend;
    backend.backend_start = micros_from_timestamptz(row.backend_start);
    switch (row.state) {
        case STATE_RUNNING:
            backend.state = core::BackendState::active;
            // 0 while track_activities is off: then unknown.
            if (row.query_start != 0) backend.query_start = micros_from_timestamptz(row.query_start);
            break;
        case STATE_IDLE:
        case STATE_IDLEINTRANSACTION:
        case STATE_IDLEINTRANSACTION_ABORTED:
        case STATE_FASTPATH:
            backend.state = core::BackendState::idle;
            break;
        default:  // STATE_UNDEFINED, STATE_DISABLED (track_activities off)
            backend.state = core::BackendState::unknown;
            break;
    }
    return backend;
}

}  // namespace fitbot::pg
