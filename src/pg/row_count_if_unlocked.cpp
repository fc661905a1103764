// count_rows_if_unlocked() (row_count_if_unlocked.h): a conditional lock and
// a sequential scan through the table access method.
#include "row_count_if_unlocked.h"

#include "guard.h"

namespace fitbot::pg {

namespace {

// C-style: may ereport, holds no C++ objects, called through pg_call() only.
// Sets -1 when the lock is taken by someone else.
void count_rows(Oid relation, int64 *rows) {
    *rows = -1;
    if (!ConditionalLockRelationOid(relation, AccessShareLock)) return;
    if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relation))) {
        UnlockRelationOid(relation, AccessShareLock);
        *rows = 0;
        return;
    }
    Relation rel = table_open(relation, NoLock);  // locked just above
    TableScanDesc scan = table_beginscan(rel, GetActiveSnapshot(), 0, NULL);
    TupleTableSlot *slot = table_slot_create(rel, NULL);
    int64 count = 0;
    while (table_scan_getnextslot(scan, ForwardScanDirection, slot)) {
        count++;
        CHECK_FOR_INTERRUPTS();
    }
    ExecDropSingleTupleTableSlot(slot);
    table_endscan(scan);
    table_close(rel, NoLock);  // the lock is held to the end of the transaction
    *rows = count;
}

}  // namespace

std::optional<std::int64_t> count_rows_if_unlocked(Oid relation) {
    int64 rows = -1;
    pg_call(count_rows, relation, &rows);
    if (rows < 0) return std::nullopt;
    return rows;
}

}  // namespace fitbot::pg
