#include "testutil.h"

#include <stdlib.h>    // mkdtemp
#include <sys/wait.h>  // WEXITSTATUS

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <utility>

#include "store/store.h"

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

std::unique_ptr<graph::KnowledgeGraph> MemoryGraph() {
  auto store = store::OpenSqliteStore(store::StoreOptions{}, ":memory:");
  if (!store.ok()) {
    std::fprintf(stderr, "in-memory store: %s\n", store.status().ToString().c_str());
    std::abort();
  }
  auto kg = graph::KnowledgeGraph::Open(std::move(store).value());
  if (!kg.ok()) {
    std::fprintf(stderr, "in-memory graph: %s\n", kg.status().ToString().c_str());
    std::abort();
  }
  return std::move(kg).value();
}

std::string BinaryPath() {
  if (const char* b = std::getenv("FG_BINARY"); b && *b) return b;
#ifdef FG_BINARY
  return FG_BINARY;
#else
  return "funkygibbon";
#endif
}

std::string SharedDir() {
  std::string dir;
  if (const char* s = std::getenv("FG_SHARED_DIR"); s && *s) {
    dir = s;
  } else {
#ifdef FG_SOURCE_DIR
    dir = std::string(FG_SOURCE_DIR) + "/../shared";
#endif
  }
  std::error_code ec;
  if (dir.empty() || !std::filesystem::is_directory(dir, ec)) return "";
  return std::filesystem::canonical(dir, ec).string();
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

CommandResult RunCommand(const std::string& command, bool merge_stderr) {
  CommandResult r;
  std::string cmd = command + (merge_stderr ? " 2>&1" : "");
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool Child::Start(const std::vector<std::string>& argv) {
  stderr_path_ = TempDir() + "/stderr.txt";
  return ChildProcess::Start(argv, stderr_path_);
}

std::string Child::Stderr() const {
  std::ifstream in(stderr_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace funkygibbon::testing
