#include "mcp/tool_context.h"

#include <array>

namespace funkygibbon::mcp {
namespace {

constexpr std::array<std::string_view, 8> kLevelNames = {
    "debug", "info",     "notice", "warning",
    "error", "critical", "alert",  "emergency"};

}  // namespace

std::optional<LogLevel> ParseLogLevel(std::string_view s) {
  for (size_t i = 0; i < kLevelNames.size(); ++i) {
    if (kLevelNames[i] == s) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

std::string_view ToString(LogLevel l) {
  const auto i = static_cast<size_t>(l);
  return i < kLevelNames.size() ? kLevelNames[i] : "info";
}

}  // namespace funkygibbon::mcp
