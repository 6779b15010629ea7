#include "app/log_sink.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

namespace funkygibbon::app {
namespace {

using std::chrono::milliseconds;

// A pipe the sink writes into, and a logger on it printing bare messages.
struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    EXPECT_EQ(::pipe(fd), 0);
    ::fcntl(fd[0], F_SETFL, O_NONBLOCK);
    ::fcntl(fd[1], F_SETPIPE_SZ, 1 << 20);  // a full batch fits without a reader
  }
  ~Pipe() {
    ::close(fd[0]);
    ::close(fd[1]);
  }
  // What has arrived so far, waiting up to `wait` for the first byte.
  std::string Read(milliseconds wait = milliseconds(0)) const {
    std::string out;
    pollfd p{fd[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return out;
    char buf[65536];
    ssize_t n;
    while ((n = ::read(fd[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }
};

std::shared_ptr<spdlog::logger> LoggerOn(std::shared_ptr<BatchingFdSink> sink) {
  auto logger = std::make_shared<spdlog::logger>("t", std::move(sink));
  logger->set_formatter(std::make_unique<spdlog::pattern_formatter>("%v"));
  logger->set_level(spdlog::level::trace);
  return logger;
}

// A logger whose sink has just written a first line, so that it holds the
// lines after it for an hour (no test waits that long): anything read then
// came from a write in the call.
std::shared_ptr<spdlog::logger> HoldingLogger(const Pipe& p) {
  auto logger = LoggerOn(std::make_shared<BatchingFdSink>(p.fd[1], std::chrono::hours(1)));
  logger->info("start");
  EXPECT_EQ(p.Read(), "start\n");
  return logger;
}

TEST(BatchingFdSinkTest, ALineAfterAQuietSpellGoesOutAtOnce) {
  Pipe p;
  auto logger = HoldingLogger(p);  // checks that its first line went out at once
  logger->info("request 1");
  EXPECT_EQ(p.Read(), "") << "a line soon after a write went out on its own";
}

TEST(BatchingFdSinkTest, LinesSoonAfterAWriteArriveTogetherAfterTheDelayInOrder) {
  Pipe p;
  auto logger = LoggerOn(std::make_shared<BatchingFdSink>(p.fd[1], milliseconds(300)));
  logger->info("zero");
  EXPECT_EQ(p.Read(), "zero\n");
  logger->info("one");
  logger->info("two");
  logger->debug("three");
  EXPECT_EQ(p.Read(), "") << "a line went out on its own";
  EXPECT_EQ(p.Read(milliseconds(5000)), "one\ntwo\nthree\n");
  // After a quiet spell, the next line goes out at once again.
  std::this_thread::sleep_for(milliseconds(400));
  logger->info("four");
  EXPECT_EQ(p.Read(), "four\n");
}

TEST(BatchingFdSinkTest, AWarningGoesOutAtOnceAfterWhatWaited) {
  Pipe p;
  auto logger = HoldingLogger(p);
  logger->info("request 1");
  EXPECT_EQ(p.Read(), "");
  logger->warn("disk nearly full");
  EXPECT_EQ(p.Read(), "request 1\ndisk nearly full\n");
  logger->info("request 2");
  logger->error("failed");
  EXPECT_EQ(p.Read(), "request 2\nfailed\n");
}

TEST(BatchingFdSinkTest, FlushAndDestructionWriteEverything) {
  Pipe p;
  {
    auto logger = HoldingLogger(p);
    logger->info("a");
    EXPECT_EQ(p.Read(), "");
    logger->flush();
    EXPECT_EQ(p.Read(), "a\n");
    logger->info("b");
    logger->info("c");
  }
  EXPECT_EQ(p.Read(), "b\nc\n");
}

TEST(BatchingFdSinkTest, AFullBatchGoesOutWithoutWaiting) {
  Pipe p;
  auto logger = HoldingLogger(p);
  const std::string line(99, 'x');  // 100 bytes with the newline
  std::string expected;
  for (size_t i = 0; i * 100 < BatchingFdSink::kMaxBatch; ++i) {
    logger->info(line);
    expected += line + "\n";
  }
  EXPECT_EQ(p.Read(), expected);
}

}  // namespace
}  // namespace funkygibbon::app
