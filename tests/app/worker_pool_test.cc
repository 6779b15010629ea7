#include "app/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace funkygibbon::app {
namespace {

using std::chrono::milliseconds;

// Waits up to 10 s for pred.
template <typename Pred>
bool Eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

// Jobs that hold their worker until released, as a busy keep-alive
// connection does.
struct Gate {
  std::atomic<int> running{0};
  std::atomic<int> done{0};
  std::atomic<bool> open{false};
  std::function<void()> Job() {
    return [this] {
      ++running;
      Eventually([this] { return open.load(); });
      --running;
      ++done;
    };
  }
};

TEST(ElasticWorkerPoolTest, BusyWorkersDoNotStarveLaterWork) {
  ElasticWorkerPool pool(2, 64);
  Gate gate;
  for (int i = 0; i < 20; ++i) pool.enqueue(gate.Job());
  // A fixed pool of 2 would run 2 and leave 18 waiting forever.
  EXPECT_TRUE(Eventually([&] { return gate.running.load() == 20; })) << gate.running.load();
  EXPECT_GE(pool.peak_threads(), 20u);
  gate.open = true;
  EXPECT_TRUE(Eventually([&] { return gate.done.load() == 20; }));
  pool.shutdown();
}

TEST(ElasticWorkerPoolTest, NeverMoreThanTheMaximumAndTheRestWaitTheirTurn) {
  ElasticWorkerPool pool(1, 3);
  Gate gate;
  for (int i = 0; i < 7; ++i) pool.enqueue(gate.Job());
  ASSERT_TRUE(Eventually([&] { return gate.running.load() == 3; }));
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(gate.running.load(), 3);
  EXPECT_EQ(pool.threads(), 3u);
  gate.open = true;
  EXPECT_TRUE(Eventually([&] { return gate.done.load() == 7; }));
  EXPECT_EQ(pool.peak_threads(), 3u);
  pool.shutdown();
}

TEST(ElasticWorkerPoolTest, ExtraWorkersExitWhenIdleAndComeBackWhenNeeded) {
  ElasticWorkerPool pool(2, 16, milliseconds(30));
  for (int round = 0; round < 2; ++round) {
    Gate gate;
    for (int i = 0; i < 8; ++i) pool.enqueue(gate.Job());
    ASSERT_TRUE(Eventually([&] { return gate.running.load() == 8; })) << "round " << round;
    gate.open = true;
    ASSERT_TRUE(Eventually([&] { return gate.done.load() == 8; }));
    EXPECT_TRUE(Eventually([&] { return pool.threads() == 2; })) << pool.threads();
  }
  pool.shutdown();
}

TEST(ElasticWorkerPoolTest, ShutdownRunsWhatIsQueuedThenJoins) {
  std::atomic<int> ran{0};
  {
    ElasticWorkerPool pool(1, 1);
    Gate gate;
    pool.enqueue(gate.Job());
    for (int i = 0; i < 5; ++i) pool.enqueue([&] { ++ran; });
    ASSERT_TRUE(Eventually([&] { return gate.running.load() == 1; }));
    gate.open = true;
    pool.shutdown();
    EXPECT_EQ(ran.load(), 5);
    EXPECT_EQ(pool.threads(), 0u);
  }  // the destructor after shutdown is harmless
  EXPECT_EQ(ran.load(), 5);
}

}  // namespace
}  // namespace funkygibbon::app
