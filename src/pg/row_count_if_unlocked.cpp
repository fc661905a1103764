// count_rows_if_unlocked() and rows_and_range_if_unlocked()
// (row_count_if_unlocked.h): a conditional lock and a sequential scan through
// the table access method.
#include "row_count_if_unlocked.h"

#include "convert.h"
#include "guard.h"

namespace fitbot::pg {

namespace {

// What one scan found, in plain values.
struct ScanResult {
    int64 rows;  // -1 when the lock is taken by someone else
    bool has_range;
    TimestampTz oldest;
    TimestampTz newest;
};

// C-style: may ereport, holds no C++ objects, called through pg_call() only.
// `time_column` NULL: count only.
void scan_rows(Oid relation, const char *time_column, ScanResult *result) {
    result->rows = -1;
    result->has_range = false;
    if (!ConditionalLockRelationOid(relation, AccessShareLock)) return;
    if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(relation))) {
        UnlockRelationOid(relation, AccessShareLock);
        result->rows = 0;
        return;
    }
    Relation rel = table_open(relation, NoLock);  // locked just above
    AttrNumber column = time_column != NULL ? get_attnum(relation, time_column) : InvalidAttrNumber;
    Oid column_type = column != InvalidAttrNumber ? get_atttype(relation, column) : InvalidOid;
    TableScanDesc scan = table_beginscan(rel, GetActiveSnapshot(), 0, NULL);
    TupleTableSlot *slot = table_slot_create(rel, NULL);
    int64 count = 0;
    while (table_scan_getnextslot(scan, ForwardScanDirection, slot)) {
        count++;
        if (column != InvalidAttrNumber) {
            bool isnull = true;
            Datum value = slot_getattr(slot, column, &isnull);
            TimestampTz instant;
            if (!isnull && timestamptz_from_time_datum(value, column_type, &instant)) {
                if (!result->has_range || instant < result->oldest) result->oldest = instant;
                if (!result->has_range || instant > result->newest) result->newest = instant;
                result->has_range = true;
            }
        }
        CHECK_FOR_INTERRUPTS();
    }
    ExecDropSingleTupleTableSlot(slot);
    table_endscan(scan);
    table_close(rel, NoLock);  // the lock is held to the end of the transaction
    result->rows = count;
}

}  // namespace

std::optional<std::int64_t> count_rows_if_unlocked(Oid relation) {
    ScanResult result{};
    pg_call(scan_rows, relation, static_cast<const char *>(nullptr), &result);
    if (result.rows < 0) return std::nullopt;
    return result.rows;
}

std::optional<RowsAndRange> rows_and_range_if_unlocked(Oid relation, const std::string &time_column) {
    ScanResult result{};
    pg_call(scan_rows, relation, time_column.c_str(), &result);
    if (result.rows < 0) return std::nullopt;
    RowsAndRange found;
    found.rows = result.rows;
    if (result.has_range) {
        found.oldest = micros_from_timestamptz(result.oldest);
        found.newest = micros_from_timestamptz(result.newest);
    }
    return found;
}

}  // namespace fitbot::pg
