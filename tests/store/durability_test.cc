// Durability across process death: a child process commits and acknowledges
// each commit over a pipe, then dies by SIGKILL; the parent reopens the store
// and requires every acknowledged commit.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>

#include "store/store.h"
#include "store/store_test_helpers.h"
#include "testutil.h"

namespace funkygibbon::store {
namespace {

using ::funkygibbon::store::testing::MakeEdge;
using ::funkygibbon::store::testing::MakeEntity;
using ::funkygibbon::store::testing::OpenOrDie;
using ::funkygibbon::store::testing::Put;
using ::funkygibbon::store::testing::Query;
using ::funkygibbon::store::testing::Since;

constexpr int kBatches = 200;

std::string Id(int i) { return "e" + std::to_string(i); }

// Batch i: entity e<i> (bulky, so commits span several pages), an edge from
// e<i> to e<i-1>, an edit of e0 and meta "count" = i + 1.
WriteBatch Batch(int i) {
  WriteBatch b = Put({MakeEntity(Id(i), "v1", "Entity " + std::to_string(i),
                                 {{"blob", std::string(3000, static_cast<char>('a' + i % 26))}})});
  if (i > 0) {
    b.relationships.push_back(MakeEdge("r" + std::to_string(i), Id(i), Id(i - 1)));
    b.entities.push_back({MakeEntity(Id(0), "v" + std::to_string(i + 1), "Zero"), true});
  }
  b.meta = {{"count", std::to_string(i + 1)}};
  return b;
}

// Runs in the forked child: never returns. Exits through _exit (no atexit
// handlers, which would delete the parent's temp directories) or SIGKILL.
[[noreturn]] void ChildMain(const std::string& path, int fd, int die_after) {
  auto store = OpenSqliteStore({}, path);
  if (!store.ok()) _exit(2);
  for (int i = 0; i < kBatches; ++i) {
    if (i == die_after) raise(SIGKILL);
    if (!(*store)->Commit(Batch(i)).ok()) _exit(3);
    const int32_t acked = i + 1;
    if (write(fd, &acked, sizeof acked) != static_cast<ssize_t>(sizeof acked)) _exit(4);
  }
  raise(SIGKILL);
  _exit(5);
}

enum class Killer { kChildRaises, kParentKills };

// die_after: the child dies after acknowledging this many commits (raising
// SIGKILL itself, or killed by the parent when it reads that acknowledgement).
void RunRound(Killer killer, int die_after, unsigned seed) {
  const std::string path = funkygibbon::testing::TempDir() + "/durable.db";
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    ChildMain(path, fds[1], killer == Killer::kChildRaises ? die_after : kBatches + 1);
  }
  close(fds[1]);
  if (killer == Killer::kParentKills && die_after == 0) kill(pid, SIGKILL);
  int32_t acked = 0;
  int32_t value = 0;
  while (read(fds[0], &value, sizeof value) == static_cast<ssize_t>(sizeof value)) {
    acked = value;
    // Kill from outside at an arbitrary moment, usually inside a commit.
    if (killer == Killer::kParentKills && acked == die_after) kill(pid, SIGKILL);
  }
  close(fds[0]);
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited with " << WEXITSTATUS(wstatus);
  ASSERT_EQ(WTERMSIG(wstatus), SIGKILL);

  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->CheckIntegrity().ok()) << store->CheckIntegrity().ToString();
  auto count_meta = store->GetMeta("count");
  ASSERT_TRUE(count_meta.ok());
  const int present = count_meta->has_value() ? std::stoi(**count_meta) : 0;
  // Every acknowledged commit is there; at most one more (committed but not
  // yet acknowledged when the child died).
  EXPECT_GE(present, acked) << "seed " << seed;
  EXPECT_LE(present, acked + 1) << "seed " << seed;
  if (killer == Killer::kChildRaises) {
    EXPECT_EQ(acked, die_after);
  }

  // Each batch is all or nothing.
  size_t entities = 0;
  size_t edges = 0;
  std::string zero_version;
  ASSERT_TRUE(store
                  ->ScanCurrent(
                      [&](Entity&& e) {
                        ++entities;
                        if (e.id == "e0") zero_version = e.version;
                      },
                      [&](Relationship&&) { ++edges; })
                  .ok());
  EXPECT_EQ(entities, static_cast<size_t>(present));
  EXPECT_EQ(edges, static_cast<size_t>(present > 0 ? present - 1 : 0));
  if (present > 0) {
    EXPECT_EQ(zero_version, "v" + std::to_string(present));
  }
  for (int i = 0; i < present; ++i) {
    auto v = store->GetVersion(Id(i), "v1");
    ASSERT_TRUE(v.ok() && v->has_value()) << Id(i);
  }
  // Batch 0 names e0 "Entity 0"; every later batch renames it "Zero".
  const size_t named_entity = present == 0 ? 0 : present == 1 ? 1 : static_cast<size_t>(present - 1);
  EXPECT_EQ(store->Search(Query("entity"))->total, named_entity) << "seed " << seed;

  // The store carries on: counters continue after what survived.
  auto changes = testing::Changes(*store, {});
  ASSERT_TRUE(changes.ok());
  const int64_t max_seq = changes->empty() ? 0 : changes->back().seq;
  const Micros max_time = changes->empty() ? 0 : changes->back().changed_at;
  auto info = store->Commit(Batch(present));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_GT(info->last_seq, max_seq);
  EXPECT_GT(info->changed_at, max_time);
}

// The first commits are the edge cases (nothing, one batch, one rename);
// the rest die at points drawn from a seed printed on failure.
void RunRounds(Killer killer) {
  const unsigned base =
      static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count());
  std::mt19937 rng(base);
  for (int round = 0; round < 6; ++round) {
    const int die_after = round < 3 ? round : static_cast<int>(rng() % kBatches);
    SCOPED_TRACE("round " + std::to_string(round) + " die_after " + std::to_string(die_after) +
                 " seed " + std::to_string(base));
    RunRound(killer, die_after, base);
  }
}

TEST(DurabilityTest, AcknowledgedCommitsSurviveTheWriterRaisingSigkill) {
  RunRounds(Killer::kChildRaises);
}

TEST(DurabilityTest, AcknowledgedCommitsSurviveSigkillFromOutside) {
  RunRounds(Killer::kParentKills);
}

}  // namespace
}  // namespace funkygibbon::store
