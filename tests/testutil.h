// Helpers shared by the tests.
#ifndef FUNKYGIBBON_TESTS_TESTUTIL_H_
#define FUNKYGIBBON_TESTS_TESTUTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "child_process.h"
#include "graph/knowledge_graph.h"

namespace funkygibbon::testing {

// An empty KnowledgeGraph over a ":memory:" SQLite store. Aborts with the
// reason if it cannot be opened (nothing a test could go on from).
std::unique_ptr<graph::KnowledgeGraph> MemoryGraph();

// A fresh empty directory under the system temp dir, removed at process exit.
std::string TempDir();

// The funkygibbon binary under test ($FG_BINARY, else the build's path).
std::string BinaryPath();

// ../shared beside the source tree ($FG_SHARED_DIR overrides), or "" if absent.
std::string SharedDir();

// Runs `command` with /bin/sh; returns exit status and stdout (stderr is
// captured too when merge_stderr).
struct CommandResult {
  int exit_code = -1;
  std::string output;
};
CommandResult RunCommand(const std::string& command, bool merge_stderr = false);

// Single-quotes s for /bin/sh.
std::string ShellQuote(const std::string& s);

// A ChildProcess whose stderr goes to a fresh temporary file, readable
// with Stderr(). Not thread-safe.
class Child : public ChildProcess {
 public:
  bool Start(const std::vector<std::string>& argv);
  std::string Stderr() const;

 private:
  std::string stderr_path_;
};

}  // namespace funkygibbon::testing

#endif  // FUNKYGIBBON_TESTS_TESTUTIL_H_
