// relations_locked_exclusively() (relation_locks.h): one pass over the lock
// manager's snapshot (GetLockStatusData, what pg_locks reads).
#include "relation_locks.h"

#include <vector>

#include "guard.h"

extern "C" {
#include "storage/lock.h"
}

namespace fitbot::pg {

namespace {

// C-style: may ereport, holds no C++ objects, called through pg_call() only.
void scan_locks(std::vector<Oid> *out) {
    LockData *locks = GetLockStatusData();
    for (int i = 0; i < locks->nelements; i++) {
        const LockInstanceData &instance = locks->locks[i];
        if (instance.locktag.locktag_type != LOCKTAG_RELATION) continue;
        if (instance.locktag.locktag_field1 != MyDatabaseId) continue;
        if (instance.pid == MyProcPid) continue;
        if ((instance.holdMask & LOCKBIT_ON(AccessExclusiveLock)) == 0) continue;
        out->push_back(instance.locktag.locktag_field2);
    }
}

}  // namespace

std::unordered_set<Oid> relations_locked_exclusively() {
    std::vector<Oid> oids;
    pg_call(scan_locks, &oids);
    return std::unordered_set<Oid>(oids.begin(), oids.end());
}

}  // namespace fitbot::pg
