#include "app/config.h"

#include <cstdlib>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace funkygibbon::app {

std::string DefaultDbPath() {
  if (const char* p = std::getenv("FUNKYGIBBON_DB"); p && *p) return p;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) {
    return std::string(x) + "/funkygibbon/funkygibbon.db";
  }
  if (const char* h = std::getenv("HOME"); h && *h) {
    return std::string(h) + "/.local/share/funkygibbon/funkygibbon.db";
  }
  return "funkygibbon.db";
}

void ConfigureLogging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("funkygibbon");
  spdlog::set_default_logger(logger);
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") lvl = spdlog::level::info;
  spdlog::set_level(lvl);
}

}  // namespace funkygibbon::app
