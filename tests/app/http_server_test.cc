// The hub's connection loop (app/http_server.h): keep-alive, pipelining,
// timeouts, stop, and when an answer's bytes leave the server.
#include "app/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace funkygibbon::app {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Bytes readable on `fd` within `wait`, without blocking longer; *closed
// is set when the peer has closed the connection.
std::string ReadAvailable(int fd, milliseconds wait, bool* closed = nullptr) {
  std::string out;
  pollfd p{fd, POLLIN, 0};
  int timeout = static_cast<int>(wait.count());
  while (::poll(&p, 1, timeout) > 0) {
    char buf[65536];
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0 && closed) *closed = true;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    timeout = 0;
  }
  return out;
}

// A connected pair of TCP sockets on 127.0.0.1: [0] is the server's side.
struct TcpPair {
  int fd[2] = {-1, -1};
  TcpPair() {
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener, 1);
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
    fd[1] = ::socket(AF_INET, SOCK_STREAM, 0);
    ::connect(fd[1], reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    fd[0] = ::accept(listener, nullptr, nullptr);
    ::close(listener);
  }
  ~TcpPair() {
    for (int f : fd) {
      if (f >= 0) ::close(f);
    }
  }
};

constexpr std::string_view kFixedHead = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";

TEST(ConnectionStreamTest, FixedLengthHeaderBlockLeavesWithItsBody) {
  TcpPair p;
  ConnectionStream s(p.fd[0], seconds(5), seconds(5));
  ASSERT_EQ(s.write(kFixedHead.data(), kFixedHead.size()), static_cast<ssize_t>(kFixedHead.size()));
  EXPECT_EQ(ReadAvailable(p.fd[1], milliseconds(100)), "") << "the header block went out alone";
  ASSERT_EQ(s.write("hello", 5), 5);
  EXPECT_EQ(ReadAvailable(p.fd[1], milliseconds(2000)), std::string(kFixedHead) + "hello");
}

TEST(ConnectionStreamTest, FlushSendsAHeaderBlockWhoseBodyNeverCame) {
  TcpPair p;
  ConnectionStream s(p.fd[0], seconds(5), seconds(5));
  s.write(kFixedHead.data(), kFixedHead.size());
  ASSERT_TRUE(s.Flush());
  EXPECT_EQ(ReadAvailable(p.fd[1], milliseconds(2000)), kFixedHead);
  EXPECT_TRUE(s.Flush());  // nothing left: no second copy
  EXPECT_EQ(ReadAvailable(p.fd[1], milliseconds(100)), "");
}

TEST(ConnectionStreamTest, StreamedAndInformationalAnswersLeaveAtOnce) {
  TcpPair p;
  ConnectionStream s(p.fd[0], seconds(5), seconds(5));
  const std::string chunked =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
  s.write(chunked.data(), chunked.size());
  EXPECT_EQ(ReadAvailable(p.fd[1], milliseconds(2000)), chunked);
  const std::string cont = "HTTP/1.1 100 Continue\r\n\r\n";
  s.write(cont.data(), cont.size());
  EXPECT_EQ(ReadAvailable(p.fd[1], milliseconds(2000)), cont);
}

TEST(ConnectionStreamTest, AReadThatMustWaitFirstSendsWhatWasHeld) {
  // The peer may be waiting for the held bytes before it sends anything.
  TcpPair p;
  ConnectionStream s(p.fd[0], seconds(5), seconds(5));
  s.write(kFixedHead.data(), kFixedHead.size());
  auto reader = std::async(std::launch::async, [&] {
    char c = 0;
    return s.read(&c, 1) == 1 ? c : '\0';
  });
  EXPECT_EQ(ReadAvailable(p.fd[1], milliseconds(2000)), kFixedHead);
  ASSERT_EQ(::send(p.fd[1], "x", 1, 0), 1);
  EXPECT_EQ(reader.get(), 'x');
}

TEST(ConnectionStreamTest, ReadsAreBufferedAndPipelinedBytesStay) {
  TcpPair p;
  ConnectionStream s(p.fd[0], seconds(5), seconds(5));
  const std::string two = "first\nsecond\n";
  ASSERT_EQ(::send(p.fd[1], two.data(), two.size(), 0), static_cast<ssize_t>(two.size()));
  ASSERT_TRUE(s.WaitForRequest(milliseconds(2000), [] { return true; }));
  std::string got;
  char c = 0;
  while (got.size() < 6 && s.read(&c, 1) == 1) got += c;
  EXPECT_EQ(got, "first\n");
  EXPECT_EQ(s.buffered(), 7u);
  EXPECT_TRUE(s.WaitForRequest(milliseconds(10), [] { return false; }))
      << "buffered bytes are a request already here";
}

TEST(ConnectionStreamTest, WaitForRequestEndsOnCloseTimeoutOrStop) {
  {
    TcpPair p;
    ConnectionStream s(p.fd[0], seconds(5), seconds(5));
    ::shutdown(p.fd[1], SHUT_WR);
    EXPECT_FALSE(s.WaitForRequest(seconds(10), [] { return true; }));
  }
  {
    TcpPair p;
    ConnectionStream s(p.fd[0], seconds(5), seconds(5));
    const auto start = Clock::now();
    EXPECT_FALSE(s.WaitForRequest(milliseconds(300), [] { return true; }));
    EXPECT_GE(Clock::now() - start, milliseconds(300));
    EXPECT_LT(Clock::now() - start, seconds(5));
  }
  {
    TcpPair p;
    ConnectionStream s(p.fd[0], seconds(5), seconds(5));
    const auto start = Clock::now();
    EXPECT_FALSE(s.WaitForRequest(seconds(60), [] { return false; }));
    EXPECT_LT(Clock::now() - start, seconds(5));
  }
}

TEST(ConnectionStreamTest, AReadGivesUpAfterTheReadTimeout) {
  TcpPair p;
  ConnectionStream s(p.fd[0], milliseconds(300), seconds(5));
  char c = 0;
  const auto start = Clock::now();
  EXPECT_EQ(s.read(&c, 1), -1);
  EXPECT_GE(Clock::now() - start, milliseconds(300));
  EXPECT_LT(Clock::now() - start, seconds(5));
}

TEST(ConnectionStreamTest, LargeWritesArriveWhole) {
  // Bigger than the socket buffers, so sendmsg returns short counts.
  TcpPair p;
  ConnectionStream s(p.fd[0], seconds(5), seconds(30));
  std::string body(8 << 20, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 23);
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  auto reader = std::async(std::launch::async, [&] {
    std::string got;
    char buf[4096];
    while (got.size() < head.size() + body.size()) {
      const ssize_t n = ::recv(p.fd[1], buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
      if (got.size() % (1 << 20) < sizeof buf) std::this_thread::sleep_for(milliseconds(1));
    }
    return got;
  });
  ASSERT_EQ(s.write(head.data(), head.size()), static_cast<ssize_t>(head.size()));
  ASSERT_EQ(s.write(body.data(), body.size()), static_cast<ssize_t>(body.size()));
  const std::string got = reader.get();
  ASSERT_EQ(got.size(), head.size() + body.size());
  EXPECT_TRUE(got == head + body);
}

TEST(ConnectionStreamTest, AddressesAreThePeersAndOurs) {
  TcpPair p;
  ConnectionStream s(p.fd[0], seconds(5), seconds(5));
  std::string remote, local;
  int remote_port = 0, local_port = 0;
  s.get_remote_ip_and_port(remote, remote_port);
  s.get_local_ip_and_port(local, local_port);
  sockaddr_in peer{};
  socklen_t len = sizeof peer;
  ::getsockname(p.fd[1], reinterpret_cast<sockaddr*>(&peer), &len);
  EXPECT_EQ(remote, "127.0.0.1");
  EXPECT_EQ(remote_port, ntohs(peer.sin_port));
  EXPECT_EQ(local, "127.0.0.1");
  EXPECT_GT(local_port, 0);
  EXPECT_NE(local_port, remote_port);
}

// A HubHttpServer on 127.0.0.1 with a few routes, served on a thread.
class HubHttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.set_keep_alive_timeout(30);
    server_.set_keep_alive_max_count(100);
    server_.Get("/hello", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content("hello from " + req.remote_addr, "text/plain");
    });
    server_.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(req.body, "application/octet-stream");
    });
    server_.Get("/empty", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
    server_.Get("/stream", [this](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/event-stream",
                                       [this](size_t, httplib::DataSink& sink) {
        // The first event waits until the test has seen the headers.
        const auto deadline = Clock::now() + seconds(10);
        while (!release_stream_ && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(5));
        const std::string event = "data: one\n\n";
        sink.write(event.data(), event.size());
        sink.done();
        return true;
      });
    });
  }
  void Start() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    listening_ = std::async(std::launch::async, [this] { return server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(milliseconds(1));
  }
  void TearDown() override {
    if (listening_.valid()) {
      server_.stop();
      listening_.wait();
    }
  }
  int Connect() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    fds_.push_back(fd);
    return fd;
  }
  ~HubHttpServerTest() override {
    for (int fd : fds_) ::close(fd);
  }

  // Reads one answer (headers, then Content-Length bytes) from fd.
  static std::string ReadAnswer(int fd, std::string* rest) {
    std::string in = *rest;
    const auto deadline = Clock::now() + seconds(10);
    size_t end = std::string::npos;
    size_t need = 0;
    bool closed = false;
    for (;;) {
      if (end == std::string::npos && (end = in.find("\r\n\r\n")) != std::string::npos) {
        const size_t cl = in.find("Content-Length: ");
        need = end + 4 + (cl != std::string::npos && cl < end ? std::stoul(in.substr(cl + 16)) : 0);
      }
      if (end != std::string::npos && in.size() >= need) break;
      if (closed) return "closed: " + in;
      if (Clock::now() > deadline) return "timeout: " + in;
      in += ReadAvailable(fd, milliseconds(100), &closed);
    }
    *rest = in.substr(need);
    return in.substr(0, need);
  }
  static void Send(int fd, const std::string& s) {
    ASSERT_EQ(::send(fd, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size()));
  }

  HubHttpServer server_;
  int port_ = 0;
  std::future<bool> listening_;
  std::vector<int> fds_;
  std::atomic<bool> release_stream_{false};
};

const std::string kHello = "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

TEST_F(HubHttpServerTest, KeepAliveServesRequestAfterRequest) {
  Start();
  const int fd = Connect();
  std::string rest;
  for (int i = 0; i < 5; ++i) {
    Send(fd, kHello);
    const std::string a = ReadAnswer(fd, &rest);
    EXPECT_EQ(a.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << a;
    EXPECT_NE(a.find("\r\n\r\nhello from 127.0.0.1"), std::string::npos) << a;
  }
  Send(fd, "GET /empty HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  const std::string empty = ReadAnswer(fd, &rest);
  EXPECT_EQ(empty.rfind("HTTP/1.1 204 No Content\r\n", 0), 0u) << empty;
  Send(fd, "GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  EXPECT_EQ(ReadAnswer(fd, &rest).rfind("HTTP/1.1 404", 0), 0u);
}

TEST_F(HubHttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  Start();
  const int fd = Connect();
  Send(fd, kHello + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" +
               "GET /empty HTTP/1.1\r\nHost: x\r\n\r\n" +
               "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nxy");
  std::string rest;
  EXPECT_NE(ReadAnswer(fd, &rest).find("hello from"), std::string::npos);
  const std::string echo = ReadAnswer(fd, &rest);
  EXPECT_EQ(echo.substr(echo.size() - 3), "abc") << echo;
  EXPECT_EQ(ReadAnswer(fd, &rest).rfind("HTTP/1.1 204", 0), 0u);
  const std::string last = ReadAnswer(fd, &rest);
  EXPECT_EQ(last.substr(last.size() - 2), "xy") << last;
  EXPECT_EQ(rest, "");
}

TEST_F(HubHttpServerTest, LargeBodiesGoBothWays) {
  Start();
  const int fd = Connect();
  std::string body(3 << 20, 'q');
  body[12345] = 'Z';
  std::thread sender([&] {
    Send(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
                 "\r\n\r\n" + body);
  });
  std::string rest;
  const std::string a = ReadAnswer(fd, &rest);
  sender.join();
  ASSERT_GT(a.size(), body.size());
  EXPECT_TRUE(a.substr(a.size() - body.size()) == body);
}

TEST_F(HubHttpServerTest, ExpectContinueIsAnsweredBeforeTheBody) {
  Start();
  const int fd = Connect();
  Send(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  const std::string interim = ReadAvailable(fd, milliseconds(5000));
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  Send(fd, "body");
  std::string rest;
  const std::string a = ReadAnswer(fd, &rest);
  EXPECT_EQ(a.rfind("HTTP/1.1 200", 0), 0u) << a;
  EXPECT_EQ(a.substr(a.size() - 4), "body");
}

TEST_F(HubHttpServerTest, AStreamsHeadersArriveBeforeItsFirstEvent) {
  Start();
  const int fd = Connect();
  Send(fd, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string got;
  const auto deadline = Clock::now() + seconds(5);
  while (got.find("\r\n\r\n") == std::string::npos && Clock::now() < deadline) {
    got += ReadAvailable(fd, milliseconds(50));
  }
  EXPECT_NE(got.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << got;
  EXPECT_EQ(got.find("data: one"), std::string::npos) << "the event came before it was released";
  release_stream_ = true;
  while (got.find("data: one") == std::string::npos && Clock::now() < deadline + seconds(5)) {
    got += ReadAvailable(fd, milliseconds(50));
  }
  EXPECT_NE(got.find("data: one\n\n"), std::string::npos) << got;
}

TEST_F(HubHttpServerTest, StopFreesIdleKeepAliveConnectionsPromptly) {
  Start();
  std::string rest;
  for (int i = 0; i < 3; ++i) {
    const int fd = Connect();
    Send(fd, kHello);
    ASSERT_EQ(ReadAnswer(fd, &rest).rfind("HTTP/1.1 200", 0), 0u);
  }
  // The keep-alive timeout is 30 s; the workers notice the stop sooner.
  const auto start = Clock::now();
  server_.stop();
  ASSERT_EQ(listening_.wait_for(seconds(10)), std::future_status::ready);
  EXPECT_LT(Clock::now() - start, seconds(5));
  for (int fd : fds_) EXPECT_EQ(ReadAvailable(fd, milliseconds(2000)), "");
}

TEST_F(HubHttpServerTest, AnIdleConnectionClosesAfterTheKeepAliveTimeout) {
  server_.set_keep_alive_timeout(1);
  Start();
  const int fd = Connect();
  std::string rest;
  Send(fd, kHello);
  ASSERT_EQ(ReadAnswer(fd, &rest).rfind("HTTP/1.1 200", 0), 0u);
  const auto start = Clock::now();
  char c = 0;
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  EXPECT_EQ(::recv(fd, &c, 1, 0), 0) << "the server did not close the connection";
  EXPECT_GE(Clock::now() - start, milliseconds(900));
  EXPECT_LT(Clock::now() - start, seconds(5));
}

TEST_F(HubHttpServerTest, AnUnfinishedRequestTimesOut) {
  server_.set_read_timeout(1, 0);
  Start();
  const int fd = Connect();
  const auto start = Clock::now();
  Send(fd, "GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n");  // no blank line
  // httplib answers a request it could not read in time with a 400.
  std::string rest;
  const std::string a = ReadAnswer(fd, &rest);
  EXPECT_EQ(a.rfind("HTTP/1.1 400", 0), 0u) << a;
  EXPECT_GE(Clock::now() - start, milliseconds(900));
  EXPECT_LT(Clock::now() - start, seconds(5));
  // The server still serves others.
  const int other = Connect();
  Send(other, kHello);
  EXPECT_EQ(ReadAnswer(other, &rest).rfind("HTTP/1.1 200", 0), 0u);
}

TEST_F(HubHttpServerTest, TheLastRequestAKeepAliveConnectionMayMakeSaysClose) {
  server_.set_keep_alive_max_count(2);
  Start();
  const int fd = Connect();
  std::string rest;
  Send(fd, kHello);
  const std::string first = ReadAnswer(fd, &rest);
  EXPECT_EQ(first.find("Connection: close"), std::string::npos) << first;
  Send(fd, kHello);
  const std::string second = ReadAnswer(fd, &rest);
  EXPECT_NE(second.find("Connection: close"), std::string::npos) << second;
  char c = 0;
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  EXPECT_EQ(::recv(fd, &c, 1, 0), 0);
}

TEST_F(HubHttpServerTest, ConnectionCloseFromTheClientIsHonoured) {
  Start();
  const int fd = Connect();
  Send(fd, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string rest;
  EXPECT_EQ(ReadAnswer(fd, &rest).rfind("HTTP/1.1 200", 0), 0u);
  char c = 0;
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  EXPECT_EQ(::recv(fd, &c, 1, 0), 0);
}

}  // namespace
}  // namespace funkygibbon::app
