#include "app/log_sink.h"

#include <unistd.h>

#include <cerrno>

namespace funkygibbon::app {

BatchingFdSink::BatchingFdSink(int fd, std::chrono::milliseconds delay)
    : fd_(fd), delay_(delay), last_write_(std::chrono::steady_clock::now() - delay) {
  flusher_ = std::thread([this] { Flusher(); });
}

BatchingFdSink::~BatchingFdSink() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  flusher_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  WriteOut();
}

void BatchingFdSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t formatted;
  formatter_->format(msg, formatted);
  const bool was_empty = batch_.empty();
  batch_.append(formatted.data(), formatted.size());
  if (msg.level >= spdlog::level::warn || batch_.size() >= kMaxBatch ||
      (was_empty && std::chrono::steady_clock::now() - last_write_ >= delay_)) {
    WriteOut();
  } else if (was_empty) {
    wake_.notify_one();
  }
}

void BatchingFdSink::flush_() { WriteOut(); }

void BatchingFdSink::WriteOut() {
  if (batch_.empty()) return;
  last_write_ = std::chrono::steady_clock::now();
  size_t done = 0;
  while (done < batch_.size()) {
    const ssize_t n = ::write(fd_, batch_.data() + done, batch_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // nowhere to log to: drop the batch rather than block the server
    done += static_cast<size_t>(n);
  }
  batch_.clear();
  if (batch_.capacity() > 4 * kMaxBatch) batch_.shrink_to_fit();
}

void BatchingFdSink::Flusher() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !batch_.empty(); });
    if (stopping_) return;
    // Let the batch fill for `delay`, then write whatever it holds.
    wake_.wait_for(lock, delay_, [this] { return stopping_; });
    WriteOut();
  }
}

}  // namespace funkygibbon::app
