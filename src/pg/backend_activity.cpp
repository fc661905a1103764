// background_worker_running() and backend_alive_since() (backend_activity.h):
// one pass over this transaction's snapshot of the backend status array, as
// pg_stat_get_activity() makes it.
#include "backend_activity.h"

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

void find_backend(int pid, TimestampTz since, bool *found) {
    *found = false;
    const int backends = pgstat_fetch_stat_numbackends();
    for (int i = 1; i <= backends && !*found; i++) {
        LocalPgBackendStatus *local = server::local_backend_status(i);
        if (local == NULL) continue;
        *found = local->backendStatus.st_procpid == pid && local->backendStatus.st_proc_start_timestamp <= since;
    }
}

}  // namespace

bool background_worker_running(const char *worker_type) {
    bool found = false;
    pg_call(find_worker, worker_type, &found);
    return found;
}

bool backend_alive_since(int pid, TimestampTz since) {
    bool found = false;
    pg_call(find_backend, pid, since, &found);
    return found;
}

}  // namespace fitbot::pg
