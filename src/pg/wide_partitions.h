// Adopted wide oldest partitions as fitbot_partman.wide_partitions records
// them (sql/src/portable/26_wide_partitions.sql), for health.
#pragma once

#include <map>
#include <string>

#include "core/facts.h"
#include "spi.h"

namespace fitbot::pg {

// By parent, quoted as ParentFact::parent is ("schema"."table" as needed).
std::map<std::string, core::WidePartitionFact> read_wide_partitions(SpiSession &spi);

}  // namespace fitbot::pg
