#include "app/malloc_tuning.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string_view>

namespace funkygibbon::app {
namespace {

// Set for the second start only, so the program never executes itself more
// than once (e.g. if the tunables were dropped on the way, as glibc does
// for set-user-id programs).
constexpr char kStartedMarker[] = "FUNKYGIBBON_MALLOC_TUNED";

}  // namespace

std::optional<std::string> TunablesWithTcache(const char* current) {
  if (current == nullptr || *current == '\0') return std::string(kTcacheTunable);
  const std::string_view value(current);
  // Entries are name=value, separated by ':'.
  size_t begin = 0;
  while (begin <= value.size()) {
    size_t end = value.find(':', begin);
    if (end == std::string_view::npos) end = value.size();
    const std::string_view entry = value.substr(begin, end - begin);
    if (entry.substr(0, entry.find('=')) == "glibc.malloc.tcache_count") return std::nullopt;
    begin = end + 1;
  }
  return std::string(value) + ":" + kTcacheTunable;
}

void StartWithMallocTuning(char** argv) {
  if (std::getenv(kStartedMarker) != nullptr) {
    ::unsetenv(kStartedMarker);  // not passed on to anything this process starts
    return;
  }
  const char* skip = std::getenv("FUNKYGIBBON_MALLOC_TUNING");
  if (skip != nullptr && std::strcmp(skip, "0") == 0) return;
  const std::optional<std::string> tunables = TunablesWithTcache(std::getenv("GLIBC_TUNABLES"));
  if (!tunables) return;
  if (::setenv("GLIBC_TUNABLES", tunables->c_str(), 1) != 0) return;
  if (::setenv(kStartedMarker, "1", 1) != 0) return;
  ::execv("/proc/self/exe", argv);
  // Still here: the exec failed (no /proc?). Run as is.
  ::unsetenv(kStartedMarker);
}

}  // namespace funkygibbon::app
