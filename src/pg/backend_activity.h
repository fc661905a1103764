// Who is connected, from the backend status array that pg_stat_activity
// reads, without the view: in a fresh backend, planning that view (a
// function joined to pg_database and pg_authid) costs more than the health
// probe's own reading.
#pragma once

#include <optional>

#include "core/ledger_liveness.h"
#include "pg_headers.h"

namespace fitbot::pg {

// Whether a background worker of this type (pg_stat_activity.backend_type,
// e.g. "pg_cron launcher") runs.
bool background_worker_running(const char *worker_type);

// The backend with this pid as core::ledger_run_in_progress() judges it
// (when it started, whether it runs a statement and since when), or nullopt
// when no backend has this pid.
std::optional<core::BackendFact> backend_with_pid(int pid);

}  // namespace fitbot::pg
