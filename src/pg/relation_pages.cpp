// relation_pages() (relation_pages.h): one syscache lookup of pg_class.
#include "relation_pages.h"

namespace fitbot::pg {

int32 relation_pages(Oid relation) {
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relation));
    if (!HeapTupleIsValid(tuple)) return 0;
    int32 pages = ((Form_pg_class)GETSTRUCT(tuple))->relpages;
    ReleaseSysCache(tuple);
    return pages;
}

}  // namespace fitbot::pg
