#include "app/http_server.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace funkygibbon::app {
namespace {

using Clock = std::chrono::steady_clock;

timeval ToTimeval(std::chrono::microseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000000);
  tv.tv_usec = static_cast<suseconds_t>(d.count() % 1000000);
  return tv;
}

int ToPollMs(std::chrono::microseconds d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  return static_cast<int>(std::clamp<long long>(ms, 0, 24LL * 3600 * 1000));
}

// An answer's status line and headers for a fixed-length body (or none):
// httplib writes them in one write, the body (if any) in the next.
// Informational answers (100 Continue) and chunked streams go out at once.
bool IsFixedLengthHeaderBlock(std::string_view w) {
  if (w.size() < 16 || w.substr(0, 7) != "HTTP/1." || w[9] == '1') return false;
  if (w.substr(w.size() - 4) != "\r\n\r\n") return false;
  if (w.find("\r\nTransfer-Encoding: chunked\r\n") != std::string_view::npos) return false;
  return w.find("\r\nContent-Length: ") != std::string_view::npos;
}

void AddressOf(const sockaddr_storage& addr, socklen_t len, std::string& ip, int& port) {
  char host[NI_MAXHOST];
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&addr), len, host, sizeof host, nullptr, 0,
                  NI_NUMERICHOST) == 0) {
    ip = host;
  }
  if (addr.ss_family == AF_INET) {
    port = ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    port = ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
  }
}

}  // namespace

ConnectionStream::ConnectionStream(socket_t sock, std::chrono::microseconds read_timeout,
                                   std::chrono::microseconds write_timeout)
    : sock_(sock), read_timeout_(read_timeout), write_timeout_(write_timeout) {
  // recv wakes every interval, so a worker waiting on an idle connection
  // notices a stop and its timeouts without a poll before every read.
  const timeval wake = ToTimeval(HubHttpServer::kWakeInterval);
  setsockopt(sock_, SOL_SOCKET, SO_RCVTIMEO, &wake, sizeof wake);
  const timeval send_limit = ToTimeval(write_timeout_);
  setsockopt(sock_, SOL_SOCKET, SO_SNDTIMEO, &send_limit, sizeof send_limit);
}

ssize_t ConnectionStream::FillOnce() {
  const ssize_t n = ::recv(sock_, in_, sizeof in_, 0);
  if (n > 0) {
    in_pos_ = 0;
    in_len_ = static_cast<size_t>(n);
    return n;
  }
  if (n == 0) return 0;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return -2;
  return -1;
}

bool ConnectionStream::WaitForRequest(std::chrono::milliseconds idle,
                                      const std::function<bool()>& keep_waiting) {
  if (buffered() > 0) return true;
  const auto start = Clock::now();
  for (;;) {
    const ssize_t n = FillOnce();
    if (n > 0) return true;
    if (n == 0 || n == -1) return false;
    if (!keep_waiting() || Clock::now() - start >= idle) return false;
  }
}

bool ConnectionStream::is_readable() const {
  if (buffered() > 0) return true;
  pollfd p{sock_, POLLIN, 0};
  return ::poll(&p, 1, ToPollMs(read_timeout_)) > 0;
}

bool ConnectionStream::is_writable() const {
  pollfd p{sock_, POLLOUT, 0};
  return ::poll(&p, 1, ToPollMs(write_timeout_)) > 0 && (p.revents & (POLLERR | POLLHUP)) == 0;
}

ssize_t ConnectionStream::read(char* ptr, size_t size) {
  // httplib reads the request line and headers a byte at a time.
  if (size == 1 && in_pos_ < in_len_) {
    *ptr = in_[in_pos_++];
    return 1;
  }
  if (size == 0) return 0;
  if (buffered() == 0) {
    // The peer may be waiting for what was held back before it sends more.
    if (!Flush()) return -1;
    const auto deadline = Clock::now() + read_timeout_;
    for (;;) {
      const ssize_t n = FillOnce();
      if (n > 0) break;
      if (n == 0 || n == -1) return -1;
      if (Clock::now() >= deadline) return -1;
    }
  }
  const size_t n = std::min(size, buffered());
  std::memcpy(ptr, in_ + in_pos_, n);
  in_pos_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t ConnectionStream::write(const char* ptr, size_t size) {
  if (!held_.empty()) {
    const bool sent = SendAll(held_.data(), held_.size(), ptr, size);
    held_.clear();
    return sent ? static_cast<ssize_t>(size) : -1;
  }
  if (IsFixedLengthHeaderBlock(std::string_view(ptr, size))) {
    held_.assign(ptr, size);
    return static_cast<ssize_t>(size);
  }
  return SendAll(ptr, size, nullptr, 0) ? static_cast<ssize_t>(size) : -1;
}

bool ConnectionStream::Flush() {
  if (held_.empty()) return true;
  const bool sent = SendAll(held_.data(), held_.size(), nullptr, 0);
  held_.clear();
  return sent;
}

bool ConnectionStream::SendAll(const char* a, size_t an, const char* b, size_t bn) {
  iovec iov[2] = {{const_cast<char*>(a), an}, {const_cast<char*>(b), bn}};
  int first = 0;
  const int count = bn > 0 ? 2 : 1;
  while (first < count) {
    msghdr msg{};
    msg.msg_iov = iov + first;
    msg.msg_iovlen = static_cast<size_t>(count - first);
    const ssize_t n = ::sendmsg(sock_, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;  // EAGAIN here means the send timeout passed
    }
    size_t left = static_cast<size_t>(n);
    while (first < count && left >= iov[first].iov_len) {
      left -= iov[first].iov_len;
      ++first;
    }
    if (first < count) {
      iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
      iov[first].iov_len -= left;
    }
  }
  return true;
}

void ConnectionStream::LoadAddresses() const {
  if (addresses_loaded_) return;
  addresses_loaded_ = true;
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    AddressOf(addr, len, remote_ip_, remote_port_);
  }
  addr = {};
  len = sizeof addr;
  if (getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    AddressOf(addr, len, local_ip_, local_port_);
  }
}

void ConnectionStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  LoadAddresses();
  ip = remote_ip_;
  port = remote_port_;
}

void ConnectionStream::get_local_ip_and_port(std::string& ip, int& port) const {
  LoadAddresses();
  ip = local_ip_;
  port = local_port_;
}

bool HubHttpServer::process_and_close_socket(socket_t sock) {
  bool ret = false;
  {
    ConnectionStream strm(
        sock, std::chrono::seconds(read_timeout_sec_) + std::chrono::microseconds(read_timeout_usec_),
        std::chrono::seconds(write_timeout_sec_) + std::chrono::microseconds(write_timeout_usec_));
    const auto running = [this] { return svr_sock_ != INVALID_SOCKET; };
    const std::chrono::milliseconds idle = std::chrono::seconds(keep_alive_timeout_sec_);
    for (size_t left = keep_alive_max_count_; left > 0 && running(); --left) {
      if (!strm.WaitForRequest(idle, running)) break;
      bool connection_closed = false;
      ret = process_request(strm, left == 1, connection_closed, nullptr);
      if (!strm.Flush()) ret = false;
      if (!ret || connection_closed) break;
    }
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

}  // namespace funkygibbon::app
