// `funkygibbon serve --listen 127.0.0.1:0 --dev ...` as a child process on
// the loopback port it picks, for the HTTP end-to-end tests.
#ifndef FUNKYGIBBON_TESTS_E2E_HUB_PROCESS_H_
#define FUNKYGIBBON_TESTS_E2E_HUB_PROCESS_H_

#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "testutil.h"

namespace funkygibbon::testing {

// Stopped (SIGTERM, then SIGKILL) by the destructor.
class HubProcess {
 public:
  HubProcess() = default;
  HubProcess(const HubProcess&) = delete;
  HubProcess& operator=(const HubProcess&) = delete;

  bool Start(const std::string& db,
             const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {
        BinaryPath(), "--db", db, "serve", "--listen", "127.0.0.1:0", "--dev"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    if (!child_.Start(argv)) return false;
    // std::regex is avoided: GCC 12 warns falsely inside it under the
    // sanitizers.
    const std::string listening = "listening on 127.0.0.1:";
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string err = child_.Stderr();
      if (auto at = err.find(listening); at != std::string::npos) {
        const size_t digits = at + listening.size();
        const size_t end = err.find_first_not_of("0123456789", digits);
        if (end != std::string::npos && end > digits) {
          port_ = std::stoi(err.substr(digits, end - digits));
          break;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (port_ == 0) return false;
    httplib::Client c = Client();
    for (int i = 0; i < 100; ++i) {
      auto r = c.Get("/health");
      if (r && r->status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  ~HubProcess() {
    if (child_.pid() > 0 && !stopped_) {
      child_.Kill(SIGTERM);
      if (child_.Wait(std::chrono::seconds(10)) == -1) child_.Kill(SIGKILL);
    }
  }
  // SIGTERM; returns the exit code (-1 if it did not exit in time).
  int Stop(std::chrono::milliseconds timeout) {
    stopped_ = true;
    child_.Kill(SIGTERM);
    return child_.Wait(timeout);
  }
  // Sends sig (SIGKILL: a crash) and reaps the process; returns as Stop does.
  int Kill(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    stopped_ = true;
    child_.Kill(sig);
    return child_.Wait(timeout);
  }
  pid_t pid() const { return child_.pid(); }
  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(std::chrono::seconds(30));
    return c;
  }
  int port() const { return port_; }
  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/mcp";
  }
  std::string Stderr() const { return child_.Stderr(); }

 private:
  Child child_;
  int port_ = 0;
  bool stopped_ = false;
};

}  // namespace funkygibbon::testing

#endif  // FUNKYGIBBON_TESTS_E2E_HUB_PROCESS_H_
