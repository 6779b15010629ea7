// A child process driven through pipes: what the tests and the benchmark
// programs use to run the funkygibbon binary (stdin and stdout are pipes,
// stderr goes to a file). Depends on nothing but POSIX, so bench/ links it
// without the test framework.
//
// Thread-safety: one thread per ChildProcess.
#ifndef FUNKYGIBBON_TESTS_CHILD_PROCESS_H_
#define FUNKYGIBBON_TESTS_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace funkygibbon::testing {

// Newline-terminated lines read from a file descriptor (e.g. a pipe), with
// a deadline. Does not own the descriptor.
class LineReader {
 public:
  explicit LineReader(int fd = -1) : fd_(fd) {}

  // One line without its newline; nullopt on EOF, a read error, or when
  // `deadline` passes first.
  std::optional<std::string> ReadLineBy(std::chrono::steady_clock::time_point deadline);
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout) {
    return ReadLineBy(std::chrono::steady_clock::now() + timeout);
  }

 private:
  int fd_;
  std::string buffer_;  // read but not yet returned
};

class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();  // kills a child still running

  // Runs argv[0] (a path) with stderr written to `stderr_path`.
  bool Start(const std::vector<std::string>& argv, const std::string& stderr_path);
  // Writes raw bytes to the child's stdin.
  bool Write(const std::string& bytes);
  // One line from stdout without its newline; nullopt on EOF or timeout.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void CloseStdin();
  // Waits for exit: the exit code, 128 + the signal that ended it, or -1 on
  // timeout (the child is then killed).
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void Kill(int sig);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  LineReader lines_;
};

}  // namespace funkygibbon::testing

#endif  // FUNKYGIBBON_TESTS_CHILD_PROCESS_H_
