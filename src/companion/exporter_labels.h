// The `database` label of `serve --all-databases` (and of --database-label):
// each database's exposition gets the label on every sample, and the
// expositions of several databases become one, with each family declared
// once (Prometheus rejects a second HELP or TYPE for the same name).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fitbot::companion {

// `exposition` with `name="value"` as the first label of every sample line
// (value escaped); comment and blank lines unchanged.
std::string with_label(std::string_view exposition, std::string_view name, std::string_view value);

// One exposition from several: the families in the order they first appear,
// each with the first HELP and TYPE seen for it, then the samples of every
// part in part order.
std::string merge_expositions(const std::vector<std::string> &parts);

}  // namespace fitbot::companion
