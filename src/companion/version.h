// The companion's version, and the version of the fitbot_partman extension it
// is built with (fitbot_partman.control's default_version; the companion
// suite checks that the two agree).
#pragma once

namespace fitbot::companion {

inline constexpr const char *kCompanionVersion = "1.0.0";
inline constexpr const char *kExtensionVersion = "1.1";

}  // namespace fitbot::companion
