// `fitbot-partman status`: the picture for a terminal, and the same facts
// and verdicts as JSON with stable keys.
#pragma once

#include <string>

#include "core/zone.h"
#include "evaluate.h"

namespace fitbot::companion {

// One character per partition in range order: x expired, . past, # current,
// + future, W the adopted wide oldest partition, _ a gap before the next
// partition, then the default partition:
// D empty, ! with rows, ? locked (not counted).
std::string partition_timeline(const core::ParentReport &parent);
extern const char *const kTimelineLegend;

std::string render_status_text(const Evaluation &evaluation, const core::ZoneRules &local_zone);
std::string render_status_json(const Evaluation &evaluation);

}  // namespace fitbot::companion
