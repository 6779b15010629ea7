#include "app/config.h"

#include <unistd.h>

#include <cstdlib>
#include <memory>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "app/log_sink.h"

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
  // A terminal gets each line at once, in colour; a pipe, file or journal
  // gets lines in batches (the hub writes one per request).
  std::shared_ptr<spdlog::logger> logger;
  if (isatty(STDERR_FILENO) == 1) {
    logger = spdlog::stderr_color_mt("funkygibbon");
  } else {
    logger = std::make_shared<spdlog::logger>("funkygibbon",
                                              std::make_shared<BatchingFdSink>(STDERR_FILENO));
  }
  spdlog::set_default_logger(logger);
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") lvl = spdlog::level::info;
  spdlog::set_level(lvl);
}

}  // namespace funkygibbon::app
