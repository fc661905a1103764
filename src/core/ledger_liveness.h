// Whether a ledger run still marked "running" is really in progress. The
// driver commits its ledger row "running" before it works, so a run whose
// backend was killed (kill -9, a crash, a restart) or cancelled in a session
// that stays open never finishes its row: health must read it as failed
// (interrupted) at once, not as "still running" until the next run.
#pragma once

#include <optional>

#include "time_types.h"

namespace fitbot::core {

// What pg_stat_activity (or the backend status array it reads) says of the
// backend whose pid the run recorded.
enum class BackendState {
    active,   // running a statement (pg_stat_activity.state = 'active')
    idle,     // idle, idle in transaction (aborted), fastpath: not running the run's CALL
    unknown,  // not visible to this reader (no pg_read_all_stats) or track_activities off
};

struct BackendFact {
    std::optional<Micros> backend_start;  // when the session started; nullopt when not visible
    BackendState state = BackendState::unknown;
    std::optional<Micros> query_start;  // when its current statement started; nullopt when not visible
};

// The run started at `run_started_at` in the backend with its pid, which is
// `backend` (nullopt: no backend has that pid now). In progress only while
// that same session (not a later one that reused the pid: it started no later
// than the run) still runs the statement that started the run (the run's CALL
// started no later than its ledger row). What this reader cannot see it does
// not call interrupted.
bool ledger_run_in_progress(Micros run_started_at, const std::optional<BackendFact> &backend);

}  // namespace fitbot::core
