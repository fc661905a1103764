// The shared library's identity and load-time set-up: PG_MODULE_MAGIC (which
// lets PostgreSQL refuse a library built for another major version) and
// _PG_init, which PostgreSQL calls once per process when it loads the library.
//
// _PG_init may run in the postmaster (shared_preload_libraries) or in a
// backend outside any transaction, so it does only what needs neither: it
// registers syscache callbacks, which is process-local bookkeeping. It holds
// no C++ objects, so it calls PostgreSQL directly (docs/ARCHITECTURE.md).
#include "catalog_generation.h"
#include "pg_headers.h"

extern "C" {

PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);

void _PG_init(void) { fitbot::pg::register_catalog_generation_callbacks(); }

}  // extern "C"
