// The PostgreSQL major the extension is written for, and the one place that
// holds what differs on the others: a port raises the bound below, builds
// against that major's headers, and changes the wrappers here.
//
// The extension builds against Debian 12's server headers, 15, and is tested
// there only. (The companion needs no server headers: it is tested on 14 to
// 18, src/companion/server_versions.h.) test/versions/run.sh compares the
// server symbols fitbot_partman.so links against with those the 14, 16, 17
// and 18 servers export, and fails on one missing that is not named here:
//   InitMaterializedSRF         new in 15 (14 builds the tuplestore by hand)
//   pgstat_fetch_stat_local_beentry
//                               gone from 16: pgstat_get_local_beentry_by_index()
//   heap_datum_check            added by a recent minor release (Debian's 15.20
//                               has it, the npm servers predate it) and called
//                               by the inline heap_getattr(): a build needs a
//                               server at least as new as its headers
// Struct layouts and signatures change without any symbol changing, so the
// list is where a port starts, not a proof that it works: the regression
// suites decide, on that major.
#pragma once

#include "pg_headers.h"

extern "C" {
#include "utils/backend_status.h"
}

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 160000
#error "fitbot_partman is written and tested for PostgreSQL 15; src/pg/server_version.h says what a port changes"
#endif

namespace fitbot::pg::server {

// The backend status array's entry at a 1-based index, in pg_stat_activity's
// order (NULL past the end).
inline LocalPgBackendStatus *local_backend_status(int index) { return pgstat_fetch_stat_local_beentry(index); }

// Sets up a set-returning function's materialized result (rsinfo's
// tuplestore and descriptor).
inline void init_materialized_result(FunctionCallInfo fcinfo) { InitMaterializedSRF(fcinfo, 0); }

}  // namespace fitbot::pg::server
