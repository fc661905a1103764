// string_from_text() and text_datum() (convert.h): text Datums to and from
// std::string, detoasting and allocating through pg_call().
#include "convert.h"

#include "guard.h"

namespace fitbot::pg {

std::string string_from_text(Datum value) {
    text *detoasted = pg_call(pg_detoast_datum_packed, reinterpret_cast<struct varlena *>(DatumGetPointer(value)));
    return std::string(VARDATA_ANY(detoasted), VARSIZE_ANY_EXHDR(detoasted));
}

Datum text_datum(const std::string &value) {
    return PointerGetDatum(pg_call(cstring_to_text_with_len, value.data(), static_cast<int>(value.size())));
}

}  // namespace fitbot::pg
