#include "mcp/stdio_transport.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/uio.h>
#include <spdlog/sinks/ansicolor_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "mcp/errors.h"
#include "mcp/json_text.h"

namespace funkygibbon::mcp {
namespace {

// The one writer of out_fd.
class LineWriter {
 public:
  LineWriter(int fd, int wake_fd) : fd_(fd), wake_fd_(wake_fd) {}

  // Writes message + '\n'. Returns false (and writes nothing more, ever)
  // once the descriptor is broken. `first` runs under the writer's lock
  // before any byte goes out.
  bool Write(const std::string& message, const std::function<void()>& first = {}) {
    std::lock_guard<std::mutex> lock(mu_);
    if (first) first();
    if (broken_) return false;
    // The message and its newline in one writev: no copy of a large reply.
    static char newline = '\n';
    const size_t total = message.size() + 1;
    size_t done = 0;
    while (done < total) {
      iovec parts[2];
      int count = 0;
      if (done < message.size()) {
        parts[count++] = {const_cast<char*>(message.data()) + done,
                          message.size() - done};
      }
      parts[count++] = {&newline, 1};
      const ssize_t n = ::writev(fd_, parts, count);
      if (n > 0) {
        done += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        pollfd p{fd_, POLLOUT, 0};
        ::poll(&p, 1, -1);
        continue;
      }
      if (n < 0 && errno != EPIPE)
        spdlog::warn("stdio: write failed: {}", std::strerror(errno));
      broken_ = true;
      const char byte = 1;
      [[maybe_unused]] ssize_t ignored =
          ::write(wake_fd_, &byte, 1);  // wakes the reader
      return false;
    }
    return true;
  }

  bool broken() {
    std::lock_guard<std::mutex> lock(mu_);
    return broken_;
  }

 private:
  std::mutex mu_;
  const int fd_;
  const int wake_fd_;
  bool broken_ = false;  // guarded by mu_
};

// Messages accepted by the reader, waiting for the worker.
class WorkQueue {
 public:
  explicit WorkQueue(size_t capacity)
      : capacity_(capacity == 0 ? 1 : capacity) {}

  // Blocks while full. False if the queue was aborted.
  bool Push(Incoming in) {
    std::unique_lock<std::mutex> lock(mu_);
    not_full_.wait(lock, [&] { return aborted_ || items_.size() < capacity_; });
    if (aborted_) return false;
    items_.push_back(std::move(in));
    not_empty_.notify_one();
    return true;
  }

  // Blocks until an item arrives; nullopt once closed and drained, or aborted.
  // The worker counts as busy from here until it calls Done().
  std::optional<Incoming> Pop() {
    std::unique_lock<std::mutex> lock(mu_);
    not_empty_.wait(lock,
                    [&] { return aborted_ || closed_ || !items_.empty(); });
    if (aborted_ || items_.empty()) return std::nullopt;
    Incoming in = std::move(items_.front());
    items_.pop_front();
    busy_ = true;
    not_full_.notify_one();
    return in;
  }

  // The worker has executed the popped item and written its reply.
  void Done() {
    std::lock_guard<std::mutex> lock(mu_);
    busy_ = false;
  }

  // Nothing queued and nothing being executed: a message run now cannot
  // overtake (or be overtaken by) an earlier one.
  bool Idle() {
    std::lock_guard<std::mutex> lock(mu_);
    return items_.empty() && !busy_;
  }

  // No more items will come; the worker drains what is there.
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
  }

  // Drops everything queued and wakes every waiter.
  void Abort() {
    std::deque<Incoming> dropped;
    {
      std::lock_guard<std::mutex> lock(mu_);
      aborted_ = true;
      dropped.swap(items_);
      not_empty_.notify_all();
      not_full_.notify_all();
    }
    // `dropped` is destroyed here, outside the lock (it unregisters requests
    // from the session, which takes the session's lock).
  }

 private:
  std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  const size_t capacity_;
  std::deque<Incoming> items_;  // guarded by mu_
  bool closed_ = false;         // guarded by mu_
  bool aborted_ = false;        // guarded by mu_
  bool busy_ = false;           // guarded by mu_
};

// True when more input is already waiting on fd (or it reached EOF).
bool InputWaiting(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP)) != 0;
}

template <typename Sink>
bool Is(const spdlog::sink_ptr& s) {
  return dynamic_cast<Sink*>(s.get()) != nullptr;
}

// spdlog's stock default logger writes to stdout, which must carry nothing
// but JSON-RPC. Move it to stderr unless the app already did.
void KeepLogsOffStdout() {
  auto logger = spdlog::default_logger();
  if (!logger) return;
  bool on_stdout = false;
  for (const auto& s : logger->sinks()) {
    on_stdout = on_stdout || Is<spdlog::sinks::ansicolor_stdout_sink_mt>(s) ||
                Is<spdlog::sinks::ansicolor_stdout_sink_st>(s) ||
                Is<spdlog::sinks::stdout_sink_mt>(s) ||
                Is<spdlog::sinks::stdout_sink_st>(s);
  }
  if (!on_stdout) return;
  auto replacement = std::make_shared<spdlog::logger>(
      logger->name(), std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  replacement->set_level(logger->level());
  spdlog::set_default_logger(std::move(replacement));
}

// Splits the byte stream into lines, discarding over-long ones.
class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line) : max_line_(max_line) {}

  // Calls on_line(line, more) for each complete line and on_oversize() for
  // each discarded one, as their newlines arrive; `more` says whether bytes
  // of a further line follow in this chunk.
  template <typename OnLine, typename OnOversize>
  void Feed(const char* data, size_t n, OnLine&& on_line,
            OnOversize&& on_oversize) {
    size_t pos = 0;
    while (pos < n) {
      const char* nl =
          static_cast<const char*>(std::memchr(data + pos, '\n', n - pos));
      const size_t end = nl ? static_cast<size_t>(nl - data) : n;
      const size_t len = end - pos;
      if (!discarding_ && line_.size() + len > max_line_) {
        discarding_ = true;
        std::string().swap(line_);  // give the memory back now
      }
      if (!discarding_) line_.append(data + pos, len);
      if (nl == nullptr) return;
      pos = end + 1;
      if (discarding_) {
        discarding_ = false;
        on_oversize();
      } else {
        on_line(line_, pos < n);
        line_.clear();
      }
    }
  }

  // At EOF: a final line without a newline still counts.
  template <typename OnLine, typename OnOversize>
  void Finish(OnLine&& on_line, OnOversize&& on_oversize) {
    if (discarding_) {
      on_oversize();
    } else if (!line_.empty()) {
      on_line(line_, false);
    }
    line_.clear();
    discarding_ = false;
  }

 private:
  const size_t max_line_;
  std::string line_;
  bool discarding_ = false;
};

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

}  // namespace

int RunStdio(Dispatcher& dispatcher, Session& session, int in_fd, int out_fd,
             const StdioOptions& options) {
  ::signal(SIGPIPE, SIG_IGN);
  if (out_fd == STDOUT_FILENO) KeepLogsOffStdout();
  // spdlog builds its registry on first use. Doing that here, before the
  // worker starts, keeps the reader's and the worker's first log lines from
  // racing to build it (a function-local static, but inside a library
  // ThreadSanitizer cannot see into, so it reports the race).
  spdlog::default_logger_raw();

  int wake[2];
  if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
    spdlog::error("stdio: pipe2 failed: {}", std::strerror(errno));
    return 1;
  }
  LineWriter writer(out_fd, wake[1]);
  session.SetOutbound([&writer](const std::string& m) { writer.Write(m); });

  WorkQueue queue(options.max_queued);
  std::thread worker([&] {
    while (std::optional<Incoming> in = queue.Pop()) {
      std::optional<std::string> reply =
          dispatcher.Execute(std::move(*in), session);
      // Idle again before the answer can reach the client (so its next
      // call may run inline), but under the writer's lock, so a call run
      // inline meanwhile cannot answer ahead of this one.
      if (reply) {
        writer.Write(*reply, [&queue] { queue.Done(); });
      } else {
        queue.Done();
      }
    }
  });

  const std::string oversize_reply = DumpJson(ErrorResponse(
      nullptr, RpcError::InvalidRequest("message exceeds the " +
                                        std::to_string(options.max_line_bytes) +
                                        "-byte line limit and was discarded")));
  bool stop = false;
  const auto on_line = [&](std::string& line, bool more_in_chunk) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (IsBlank(line)) return;
    Incoming in = dispatcher.Accept(line, session);
    if (in.done()) {
      if (in.reply()) stop = !writer.Write(*in.reply()) || stop;
      return;
    }
    // A client waiting for this one answer (nothing else sent, nothing
    // queued or running) gets it from this thread: handing it to the
    // sleeping worker would cost a thread wake-up, a large part of a quick
    // call. Only quick messages qualify, since while one runs here nothing
    // is read (a cancellation of it would arrive after its answer anyway).
    // Anything pipelined behind it goes through the queue as before, so
    // cancellation of queued requests and arrival order are unchanged.
    if (options.run_quick_inline && !more_in_chunk && queue.Idle() &&
        dispatcher.IsQuick(in) && !InputWaiting(in_fd)) {
      std::optional<std::string> reply =
          dispatcher.Execute(std::move(in), session);
      if (reply && !writer.Write(*reply)) stop = true;
      return;
    }
    if (!queue.Push(std::move(in))) stop = true;
  };
  const auto on_oversize = [&] {
    spdlog::warn("stdio: discarded a message over {} bytes",
                 options.max_line_bytes);
    if (!writer.Write(oversize_reply)) stop = true;
  };

  LineSplitter splitter(options.max_line_bytes);
  std::string buffer(64 * 1024, '\0');
  int rc = 0;
  bool eof = false;
  while (!stop && !eof) {
    pollfd fds[2] = {{in_fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
    const int ready = ::poll(fds, 2, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      spdlog::error("stdio: poll failed: {}", std::strerror(errno));
      rc = 1;
      break;
    }
    if (fds[1].revents != 0) break;  // the writer hit a broken pipe
    if (fds[0].revents == 0) continue;
    const ssize_t n = ::read(in_fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      spdlog::error("stdio: read failed: {}", std::strerror(errno));
      rc = 1;
      break;
    }
    if (n == 0) {
      eof = true;
      splitter.Finish(on_line, on_oversize);
      break;
    }
    splitter.Feed(buffer.data(), static_cast<size_t>(n), on_line, on_oversize);
  }

  if (writer.broken()) {
    // Nobody is listening any more: stop what runs, drop what waits.
    spdlog::info("stdio: output closed; stopping");
    session.CancelAll();
    queue.Abort();
  } else {
    queue.Close();  // finish everything already accepted
  }
  worker.join();
  session.SetOutbound(nullptr);
  ::close(wake[0]);
  ::close(wake[1]);
  return rc;
}

}  // namespace funkygibbon::mcp
