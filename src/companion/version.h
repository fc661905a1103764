// The release's version, for the companion and for the fitbot_partman
// extension it is built with: one number, kept in one place,
// fitbot_partman.control's default_version. The Makefile generates
// release_version.h from it (and regenerates it when the control file
// changes); the companion suite checks that --version says the same.
#pragma once

#include "release_version.h"  // build/generated/: FITBOT_PARTMAN_RELEASE

namespace fitbot::companion {

inline constexpr const char *kCompanionVersion = FITBOT_PARTMAN_RELEASE;
inline constexpr const char *kExtensionVersion = FITBOT_PARTMAN_RELEASE;

}  // namespace fitbot::companion
