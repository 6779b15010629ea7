// A spdlog sink that writes to a file descriptor in batches.
//
// The hub logs one line per request. Written one write(2) each (spdlog's
// stderr sinks flush every line), they cost about as much as a read tool's
// own work: in alternating http_bench runs the hub spent 71-81 us of CPU
// per read call that way and 66-70 us with this sink.
// Here a line that comes after a quiet spell (nothing written for `delay`)
// is written at once, so sparse lines (start-up, a request now and then)
// appear as they happen and in order with what the program prints to
// stderr itself. Lines that follow it within `delay` collect in memory and
// go out together, `delay` after the first of them (or at once when 64 KiB
// have collected). Warnings and errors are written at once, with whatever
// was waiting before them, so they are never held back nor reordered;
// flush() and destruction write everything out.
//
// Thread-safety: as spdlog's _mt sinks (one mutex), plus a flusher thread.
#ifndef FUNKYGIBBON_APP_LOG_SINK_H_
#define FUNKYGIBBON_APP_LOG_SINK_H_

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include <spdlog/sinks/base_sink.h>

namespace funkygibbon::app {

class BatchingFdSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  static constexpr size_t kMaxBatch = 64 * 1024;

  explicit BatchingFdSink(int fd, std::chrono::milliseconds delay = std::chrono::milliseconds(20));
  ~BatchingFdSink() override;
  BatchingFdSink(const BatchingFdSink&) = delete;
  BatchingFdSink& operator=(const BatchingFdSink&) = delete;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override;

 private:
  void WriteOut();  // with mutex_ held
  void Flusher();

  const int fd_;
  const std::chrono::milliseconds delay_;
  std::chrono::steady_clock::time_point last_write_;  // of a non-empty batch
  std::string batch_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread flusher_;
};

}  // namespace funkygibbon::app

#endif  // FUNKYGIBBON_APP_LOG_SINK_H_
