// Where things live by default, and the version string.
#ifndef FUNKYGIBBON_APP_CONFIG_H_
#define FUNKYGIBBON_APP_CONFIG_H_

#include <string>

namespace funkygibbon::app {

inline constexpr const char* kVersion = "0.1.0";

// $FUNKYGIBBON_DB, else $XDG_DATA_HOME/funkygibbon/funkygibbon.db, else
// ~/.local/share/funkygibbon/funkygibbon.db, else ./funkygibbon.db.
std::string DefaultDbPath();

// Sends spdlog output to stderr only (batched unless stderr is a terminal:
// see log_sink.h), at the given level name
// ("trace".."critical", "off"); unknown names mean "info".
void ConfigureLogging(const std::string& level);

}  // namespace funkygibbon::app

#endif  // FUNKYGIBBON_APP_CONFIG_H_
