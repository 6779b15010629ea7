// The hub's HTTP server: cpp-httplib's routing, request parsing and
// response writing, over a connection loop of its own.
//
// httplib's own loop costs a dozen system calls per keep-alive request on
// Linux: a poll every 10 ms (and a 1 ms sleep) while it waits for the next
// request, a poll before every read and every write, two sends per answer
// (the header block, then the body, so two loopback segments and two
// wake-ups of the client), and getpeername/getsockname for every request.
// Here a connection's worker blocks in recv (with a receive timeout, so it
// still notices a server stop and the keep-alive and read timeouts), reads
// into a buffer of its own, sends a fixed-length answer's header block and
// body in one call, and looks up the two addresses once per connection.
// Streamed answers (chunked, e.g. an SSE stream) still go out write by
// write, the header block at once.
//
// Everything else is httplib's: handlers, limits, error handling, the
// worker pool (new_task_queue), bind/listen/stop.
//
// Thread-safety: as httplib::Server. Each connection is served by one worker.
#ifndef FUNKYGIBBON_APP_HTTP_SERVER_H_
#define FUNKYGIBBON_APP_HTTP_SERVER_H_

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

namespace funkygibbon::app {

class HubHttpServer : public httplib::Server {
 public:
  // How often a worker waiting on an idle connection wakes to check for a
  // server stop. stop() takes at most about this long to free idle workers.
  static constexpr std::chrono::milliseconds kWakeInterval{50};

 private:
  bool process_and_close_socket(socket_t sock) override;
};

// One accepted connection, as httplib's Stream. Exposed for tests.
class ConnectionStream final : public httplib::Stream {
 public:
  // `read_timeout` bounds each read within a request, `write_timeout` each
  // write (it becomes the socket's SO_SNDTIMEO).
  ConnectionStream(socket_t sock, std::chrono::microseconds read_timeout,
                   std::chrono::microseconds write_timeout);
  ConnectionStream(const ConnectionStream&) = delete;
  ConnectionStream& operator=(const ConnectionStream&) = delete;

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return sock_; }

  // Waits up to `idle` for the first byte of the next request; false when
  // the peer closed the connection, on an error, after `idle`, or when
  // `keep_waiting` returns false (asked every kWakeInterval).
  bool WaitForRequest(std::chrono::milliseconds idle, const std::function<bool()>& keep_waiting);

  // Sends a header block write() held back (an answer with no body, or
  // whose body never came). False when the peer is gone.
  bool Flush();

  // Bytes received and not yet read (a pipelined next request).
  size_t buffered() const { return in_len_ - in_pos_; }

 private:
  // One recv into the buffer, waiting at most one wake interval. >0 bytes
  // read, 0 the peer closed, -1 error, -2 nothing yet.
  ssize_t FillOnce();
  bool SendAll(const char* a, size_t an, const char* b, size_t bn);
  void LoadAddresses() const;

  const socket_t sock_;
  const std::chrono::microseconds read_timeout_;
  const std::chrono::microseconds write_timeout_;
  char in_[16384];
  size_t in_pos_ = 0;  // first unread byte of in_
  size_t in_len_ = 0;  // bytes in in_
  std::string held_;   // a fixed-length answer's header block, sent with its body
  mutable bool addresses_loaded_ = false;
  mutable std::string remote_ip_, local_ip_;
  mutable int remote_port_ = 0, local_port_ = 0;
};

}  // namespace funkygibbon::app

#endif  // FUNKYGIBBON_APP_HTTP_SERVER_H_
