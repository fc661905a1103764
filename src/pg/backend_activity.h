// Who is connected, from the backend status array that pg_stat_activity
// reads, without the view: in a fresh backend, planning that view (a
// function joined to pg_database and pg_authid) costs more than the health
// probe's own reading.
#pragma once

#include "pg_headers.h"

namespace fitbot::pg {

// Whether a background worker of this type (pg_stat_activity.backend_type,
// e.g. "pg_cron launcher") runs.
bool background_worker_running(const char *worker_type);

// Whether the backend with this pid exists and started no later than
// `since`: the same session, not a later one that reused the pid.
bool backend_alive_since(int pid, TimestampTz since);

}  // namespace fitbot::pg
