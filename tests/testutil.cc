#include "testutil.h"

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

namespace funkygibbon::testing {
namespace {
std::mutex mu;
std::vector<std::string>* dirs = nullptr;
void Cleanup() {
  std::lock_guard<std::mutex> lock(mu);
  if (!dirs) return;
  for (const auto& d : *dirs) {
    std::error_code ec;
    std::filesystem::remove_all(d, ec);
  }
}
}  // namespace

std::string TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "fgtest-XXXXXX").string();
  char* made = mkdtemp(tmpl.data());
  std::string dir = made ? std::string(made) : tmpl;
  std::lock_guard<std::mutex> lock(mu);
  if (!dirs) {
    dirs = new std::vector<std::string>();
    std::atexit(Cleanup);
  }
  dirs->push_back(dir);
  return dir;
}

}  // namespace funkygibbon::testing
