// Helpers shared by the tests.
#ifndef FUNKYGIBBON_TESTS_TESTUTIL_H_
#define FUNKYGIBBON_TESTS_TESTUTIL_H_

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace funkygibbon::testing {

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

// A child process with pipes to its stdin and stdout (stderr goes to a file).
// Not thread-safe.
class Child {
 public:
  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();

  bool Start(const std::vector<std::string>& argv);
  // Writes raw bytes to the child's stdin.
  bool Write(const std::string& bytes);
  // One line from stdout without its newline; nullopt on EOF or timeout.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void CloseStdin();
  // Waits for exit; returns the exit code, or -1 on timeout (the child is then killed).
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void Kill(int sig);
  pid_t pid() const { return pid_; }
  std::string Stderr() const;

 private:
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  std::string buffer_;
  std::string stderr_path_;
};

}  // namespace funkygibbon::testing

#endif  // FUNKYGIBBON_TESTS_TESTUTIL_H_
