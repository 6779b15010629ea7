// Crash consistency: a write storm against `funkygibbon serve` -- MCP writes
// over /mcp from three clients and Inbetweenies pushes from a device -- is
// cut by SIGKILL at a random moment, and the hub is restarted on the same
// database, FG_CRASH_CYCLES times (default 50; FG_CRASH_SEED replays a run).
// After every kill:
//   - `funkygibbon check` passes: PRAGMA integrity_check, foreign keys, the
//     search index, and the graph a fresh process loads equals the store;
//   - every acknowledged write is in the export at its version or later;
// and after every restart the hub's in-memory graph has the state digest and
// edge count the fresh process reported (every fifth cycle also the same
// graph statistics). Every fifth cycle the writers stop before the kill, so
// the digest of the graph the killed hub held in memory must equal the one
// read back from the file.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "e2e/bad_input_util.h"
#include "e2e/e2e_util.h"
#include "e2e/hub_process.h"
#include "e2e/storm_util.h"

namespace funkygibbon::testing {
namespace {

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

// What a fresh process reads from the database while no hub runs.
struct FreshView {
  Json check;  // `funkygibbon check --json`
  Json stats;  // get_graph_statistics through `funkygibbon call`, or null
};

FreshView ReadFresh(const std::string& db, bool with_stats) {
  FreshView v;
  auto r = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(db) + " check --json");
  v.check = Json::parse(r.output, nullptr, false);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  if (with_stats) v.stats = CliCall(db, "get_graph_statistics", Json::object());
  return v;
}

Json HubSyncStatus(const HubProcess& hub, const std::string& bearer) {
  auto res = hub.Client().Get("/api/v1/sync/status", {{"Authorization", bearer}});
  if (!res || res->status != 200) return Json();
  return Json::parse(res->body, nullptr, false);
}

// The restarted hub's in-memory graph against the fresh process's reading.
void ExpectHubMatches(const HubProcess& hub, const std::string& bearer, const FreshView& fresh) {
  Json status = HubSyncStatus(hub, bearer);
  ASSERT_TRUE(status.is_object());
  EXPECT_EQ(status["state_digest"], fresh.check["state_digest"]);
  EXPECT_EQ(status["relationships"], fresh.check["relationships"]);
  if (fresh.stats.is_null()) return;
  McpHttpClient client(hub.port(), bearer);
  ASSERT_EQ(client.Open().status, 202);
  Json stats = McpHttpClient::Success(client.Call("get_graph_statistics", Json::object()));
  EXPECT_EQ(stats, fresh.stats);
}

// Runs the writers against the hub on `port` until `stop` or until the hub
// stops answering. The oddities of each thread go into its own slot.
class Storm {
 public:
  Storm(std::vector<McpWriter>& writers, SyncWriter& device, int port, const std::string& bearer)
      : odd_(writers.size() + 1) {
    for (size_t i = 0; i < writers.size(); ++i) {
      threads_.emplace_back([this, &w = writers[i], port, bearer, i] {
        McpHttpClient client(port, bearer);
        if (Reply r = client.Open(); r.status != 202) {
          odd_[i].Add("initialize", r);
          return;
        }
        while (!stop_.load() && w.Step(client, &odd_[i])) {
        }
      });
    }
    threads_.emplace_back([this, &device, port, bearer, slot = writers.size()] {
      httplib::Client http("127.0.0.1", port);
      http.set_keep_alive(true);
      http.set_read_timeout(std::chrono::seconds(60));
      while (!stop_.load() && device.Push(http, bearer, &odd_[slot])) {
      }
    });
  }
  ~Storm() { Join(); }

  void Join() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  const std::vector<Oddities>& oddities() const { return odd_; }

 private:
  std::atomic<bool> stop_{false};
  std::vector<Oddities> odd_;
  std::vector<std::thread> threads_;
};

TEST(CrashConsistencyTest, AcknowledgedWritesSurviveSigkillAtRandomMoments) {
  const int cycles = EnvInt("FG_CRASH_CYCLES", 50);
  const uint32_t seed = static_cast<uint32_t>(EnvInt("FG_CRASH_SEED", static_cast<int>(std::random_device{}() >> 1)));
  std::printf("crash consistency: %d cycles, FG_CRASH_SEED=%u\n", cycles, seed);
  std::mt19937 rng(seed);
  const std::string db = SeededDb();
  const std::string bearer = BearerFor(db, "member");
  AckLog log;
  std::vector<McpWriter> writers;
  for (uint32_t i = 0; i < 3; ++i) writers.emplace_back("storm" + std::to_string(i), &log, seed + i + 1);
  SyncWriter device("storm-device", &log, seed + 100);

  std::optional<FreshView> fresh;  // read after the previous kill
  int survived = 0;
  size_t in_flight_at_kill = 0;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    SCOPED_TRACE("cycle " + std::to_string(cycle) + ", FG_CRASH_SEED=" + std::to_string(seed));
    HubProcess hub;
    ASSERT_TRUE(hub.Start(db)) << hub.Stderr();
    if (fresh) {
      ExpectHubMatches(hub, bearer, *fresh);
      if (::testing::Test::HasFailure()) return;
    }

    // Kill once a random number of writes has been acknowledged, plus a
    // random few milliseconds, so kills land anywhere in a request's life.
    const size_t acks_before = log.entity_acks() + log.relationship_acks();
    const size_t wanted = std::uniform_int_distribution<size_t>(1, 40)(rng);
    const auto extra = std::chrono::microseconds(std::uniform_int_distribution<int>(0, 20000)(rng));
    const bool quiet = cycle % 5 == 4;
    Storm storm(writers, device, hub.port(), bearer);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (log.entity_acks() + log.relationship_acks() - acks_before < wanted &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_GE(log.entity_acks() + log.relationship_acks() - acks_before, wanted) << hub.Stderr();
    std::this_thread::sleep_for(extra);
    std::string memory_digest;
    if (quiet) {
      storm.Join();
      memory_digest = HubSyncStatus(hub, bearer).value("state_digest", "");
    }
    EXPECT_EQ(hub.Kill(SIGKILL), 128 + SIGKILL);
    storm.Join();
    for (const Oddities& odd : storm.oddities()) {
      EXPECT_EQ(odd.unexpected, std::vector<std::string>());
      in_flight_at_kill += odd.transport_errors;
    }

    fresh = ReadFresh(db, quiet);
    ASSERT_TRUE(fresh->check.is_object());
    ASSERT_EQ(fresh->check["ok"], true) << fresh->check.dump(2);
    Json exported = Json::parse(ExportOf(db), nullptr, false);
    ASSERT_TRUE(exported.is_object());
    ASSERT_EQ(log.Verify(exported), std::vector<std::string>());
    if (quiet) {
      EXPECT_EQ(memory_digest, fresh->check["state_digest"]);
    }
    if (::testing::Test::HasFailure()) return;
    ++survived;
  }
  // A last restart: the hub still comes up and agrees with the file.
  HubProcess hub;
  ASSERT_TRUE(hub.Start(db)) << hub.Stderr();
  ExpectHubMatches(hub, bearer, *fresh);
  EXPECT_EQ(hub.Stop(std::chrono::seconds(10)), 0);

  std::printf("crash consistency: survived %d SIGKILLs; %zu entity and %zu relationship writes "
              "acknowledged; %zu requests cut off by a kill; %d entities at the end\n",
              survived, log.entity_acks(), log.relationship_acks(), in_flight_at_kill,
              fresh->check["entities"].get<int>());
  EXPECT_EQ(survived, cycles);
  // Writes that were in flight when the hub died are what the test is about.
  EXPECT_GT(in_flight_at_kill, 0u);
}

}  // namespace
}  // namespace funkygibbon::testing
