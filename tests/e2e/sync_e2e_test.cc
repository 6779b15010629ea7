// Edges syncing with a real hub: `funkygibbon serve` on a loopback port, and
// edge databases driven by `funkygibbon sync --hub`, `funkygibbon call
// --hub` and `funkygibbon mcp --hub` (the sync_now / sync_status tools with
// progress). Also: offline edges catch up, a kill -9 of an edge mid-sync
// loses nothing, and without a hub sync_now says how to configure one.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "e2e/e2e_util.h"
#include "e2e/hub_process.h"

namespace funkygibbon::testing {
namespace {

struct Edge {
  std::string db;
  std::string hub;         // URL
  std::string token_file;  // member token

  std::string Prefix() const {
    return ShellQuote(BinaryPath()) + " --db " + ShellQuote(db);
  }
  std::string HubArgs() const {
    return " --hub " + ShellQuote(hub) + " --hub-token-file " + ShellQuote(token_file);
  }
  // `funkygibbon sync`: the parsed JSON result (null on failure) and exit code.
  Json Sync(int* exit_code = nullptr, std::string* output = nullptr) const {
    auto r = RunCommand(Prefix() + " sync" + HubArgs() + " 2>" + ShellQuote(db + ".sync.err"));
    if (exit_code) *exit_code = r.exit_code;
    if (output) {
      std::ifstream in(db + ".sync.err");
      output->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    Json j = Json::parse(r.output, nullptr, false);
    return j.is_discarded() ? Json() : j;
  }
  // `funkygibbon call TOOL ARGS --hub ...` (so writes are recorded as pending).
  Json Call(const std::string& tool, const Json& args, int* exit_code = nullptr) const {
    auto r = RunCommand(Prefix() + " call" + HubArgs() + " " + tool + " " + ShellQuote(args.dump()));
    if (exit_code) *exit_code = r.exit_code;
    Json j = Json::parse(r.output, nullptr, false);
    return j.is_discarded() ? Json() : j;
  }
};

std::string TokenFile(const std::string& hub_db, const std::string& role) {
  auto r = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(hub_db) + " token create --role " + role);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::string path = TempDir() + "/" + role + ".token";
  std::ofstream(path) << r.output;
  return path;
}

std::string HubUrl(const HubProcess& hub) { return "http://127.0.0.1:" + std::to_string(hub.port()); }

Json HubStatus(const HubProcess& hub) {
  auto res = hub.Client().Get("/api/v1/sync/status");
  if (!res || res->status != 200) return Json();
  return Json::parse(res->body, nullptr, false);
}

// Names of the live entities in a database (via the CLI, no hub).
std::set<std::string> Names(const std::string& db) {
  Json r = CliCall(db, "query_graph", {{"limit", 1000}});
  std::set<std::string> out;
  if (!r.contains("results")) return out;
  for (const auto& e : r["results"]) out.insert(e["name"].get<std::string>());
  return out;
}

Json Create(const std::string& name) {
  return {{"entity_type", "note"}, {"name", name}, {"content", {{"text", "written on an edge"}}}};
}

class SyncE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hub_db_ = TempDir() + "/hub.db";
    member_ = TokenFile(hub_db_, "member");
    ASSERT_TRUE(hub_.Start(hub_db_, {"--anonymous", "guest"})) << hub_.Stderr();
  }
  Edge NewEdge(const std::string& name) const {
    return Edge{TempDir() + "/" + name + ".db", HubUrl(hub_), member_};
  }

  std::string hub_db_;
  std::string member_;
  HubProcess hub_;
};

TEST_F(SyncE2eTest, WritesOnOneEdgeReachAnotherThroughTheHub) {
  Edge a = NewEdge("a");
  Edge b = NewEdge("b");
  int code = -1;
  Json created = a.Call("create_entity", Create("Boiler service note"), &code);
  ASSERT_EQ(code, 0);
  const std::string id = created["entity"]["id"].get<std::string>();

  Json first = a.Sync(&code);
  ASSERT_EQ(code, 0) << first.dump();
  EXPECT_EQ(first["pushed_entities"], 1);
  EXPECT_EQ(first["pending_changes"], 0);
  EXPECT_TRUE(first["conflicts"].empty());
  EXPECT_FALSE(first["server_time"].get<std::string>().empty());

  Json pulled = b.Sync(&code);
  ASSERT_EQ(code, 0) << pulled.dump();
  EXPECT_EQ(pulled["pulled_entities"], 1);
  EXPECT_EQ(pulled["state_digest"], first["state_digest"]);
  Json details = CliCall(b.db, "get_entity_details", {{"entity_id", id}}, &code);
  ASSERT_EQ(code, 0);
  EXPECT_EQ(details["entity"]["name"], "Boiler service note");

  // An edit on b comes back to a; an idle sync after that moves nothing.
  b.Call("update_entity", {{"entity_id", id}, {"name", "Boiler service note (booked)"}}, &code);
  ASSERT_EQ(code, 0);
  ASSERT_EQ(b.Sync()["pushed_entities"], 1);
  Json back = a.Sync(&code);
  ASSERT_EQ(code, 0);
  EXPECT_EQ(back["pulled_entities"], 1);
  EXPECT_EQ(CliCall(a.db, "get_entity_details", {{"entity_id", id}})["entity"]["name"],
            "Boiler service note (booked)");
  Json idle = a.Sync(&code);
  ASSERT_EQ(code, 0);
  EXPECT_EQ(idle["pushed_entities"], 0);
  EXPECT_EQ(idle["pulled_entities"], 0);
  EXPECT_EQ(idle["state_digest"], HubStatus(hub_)["state_digest"]);
}

TEST_F(SyncE2eTest, AnExistingHomeIsQueuedWhenADatabaseFirstBecomesAnEdge) {
  Edge a = NewEdge("seeded");
  auto seeded = RunCommand(a.Prefix() + " seed", true);
  ASSERT_EQ(seeded.exit_code, 0) << seeded.output;
  const std::set<std::string> names = Names(a.db);
  int code = -1;
  Json r = a.Sync(&code);
  ASSERT_EQ(code, 0) << r.dump();
  EXPECT_EQ(r["pushed_entities"].get<size_t>(), names.size());
  EXPECT_GT(r["pushed_relationships"].get<size_t>(), 100u);
  Edge b = NewEdge("mirror");
  ASSERT_EQ(b.Sync(&code)["pulled_entities"].get<size_t>(), names.size());
  EXPECT_EQ(Names(b.db), names);
  Json stats_a = CliCall(a.db, "get_graph_statistics", Json::object());
  Json stats_b = CliCall(b.db, "get_graph_statistics", Json::object());
  EXPECT_EQ(stats_a["relationships"], stats_b["relationships"]);
  EXPECT_EQ(stats_a["relationships_by_type"], stats_b["relationships_by_type"]);
}

TEST_F(SyncE2eTest, ConflictsAreDecidedByTheHubAndKeptInBothHistories) {
  Edge a = NewEdge("a");
  Edge b = NewEdge("b");
  Json created = a.Call("create_entity", Create("Hall thermostat"));
  const std::string id = created["entity"]["id"].get<std::string>();
  ASSERT_EQ(a.Sync()["pushed_entities"], 1);
  ASSERT_EQ(b.Sync()["pulled_entities"], 1);
  // Both edit the same version while apart; b syncs second, over a second later.
  a.Call("update_entity", {{"entity_id", id}, {"name", "Hall thermostat A"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  b.Call("update_entity", {{"entity_id", id}, {"name", "Hall thermostat B"}});
  ASSERT_EQ(a.Sync()["pushed_entities"], 1);
  Json rb = b.Sync();
  ASSERT_EQ(rb["conflicts"].size(), 1u) << rb.dump();
  EXPECT_EQ(rb["conflicts"][0]["entity_id"], id);
  EXPECT_EQ(rb["pending_changes"], 0);
  a.Sync();
  // Same winner everywhere (the newer edit), and the loser is in the hub's history.
  const Json on_a = CliCall(a.db, "get_entity_details", {{"entity_id", id}});
  const Json on_b = CliCall(b.db, "get_entity_details", {{"entity_id", id}});
  EXPECT_EQ(on_a["entity"]["name"], "Hall thermostat B");
  EXPECT_EQ(on_a["entity"]["version"], on_b["entity"]["version"]);
  Json hub_history = CliCall(hub_db_, "get_entity_history", {{"entity_id", id}});
  std::set<std::string> hub_names;
  for (const auto& v : hub_history["versions"]) hub_names.insert(v["name"].get<std::string>());
  EXPECT_TRUE(hub_names.count("Hall thermostat A")) << hub_history.dump();
  EXPECT_TRUE(hub_names.count("Hall thermostat B"));
  // Readable through the MCP tool on the edge that saw it, and on the hub's database.
  Json seen = CliCall(b.db, "get_sync_conflicts", Json::object());
  ASSERT_EQ(seen["total"], 1);
  EXPECT_EQ(seen["conflicts"][0]["entity_id"], id);
  Json on_hub = CliCall(hub_db_, "get_sync_conflicts", {{"limit", 5}});
  ASSERT_EQ(on_hub["total"], 1);
  EXPECT_EQ(on_hub["conflicts"][0]["resolved_version"], on_b["entity"]["version"]);
}

TEST_F(SyncE2eTest, AnOfflineEdgeKeepsWritingAndCatchesUp) {
  Edge a = NewEdge("a");
  Edge offline = a;
  offline.hub = "http://127.0.0.1:1";  // nothing listens on port 1
  int code = -1;
  offline.Call("create_entity", Create("Written while the hub was away"), &code);
  ASSERT_EQ(code, 0);
  std::string err;
  Json r = offline.Sync(&code, &err);
  EXPECT_EQ(code, 1);
  EXPECT_TRUE(r.is_null());
  EXPECT_NE(err.find("hub unreachable at http://127.0.0.1:1"), std::string::npos) << err;
  EXPECT_NE(err.find("1 local changes kept"), std::string::npos) << err;
  offline.Call("create_entity", Create("Second offline note"), &code);
  ASSERT_EQ(code, 0);
  Json back = a.Sync(&code);
  ASSERT_EQ(code, 0) << back.dump();
  EXPECT_EQ(back["pushed_entities"], 2);
  Edge other = NewEdge("other");
  other.Sync();
  EXPECT_EQ(Names(other.db), (std::set<std::string>{"Written while the hub was away", "Second offline note"}));
}

TEST_F(SyncE2eTest, WrongTokenIsReportedAndNothingIsLost) {
  Edge a = NewEdge("a");
  a.token_file = TokenFile(hub_db_, "guest");
  int code = -1;
  a.Call("create_entity", Create("Guest cannot push this"), &code);
  ASSERT_EQ(code, 0);
  std::string err;
  a.Sync(&code, &err);
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("hub refused the token (HTTP 403)"), std::string::npos) << err;
  a.token_file = member_;
  EXPECT_EQ(a.Sync(&code)["pushed_entities"], 1);
  EXPECT_EQ(code, 0);
}

// kill -9 of `funkygibbon sync` at random moments: whatever was written
// locally reaches the hub eventually, and the edge gets everything the hub has.
TEST_F(SyncE2eTest, KillingAnEdgeMidSyncLosesNothing) {
  // A hub with a few thousand entities so a pull takes a while.
  Edge seeder = NewEdge("seeder");
  std::string big = TempDir() + "/big.json";
  {
    Json entities = Json::array();
    for (int i = 0; i < 3000; ++i) {
      entities.push_back({{"entity_type", "note"}, {"name", "bulk note " + std::to_string(i)},
                          {"content", {{"text", std::string(200, 'x')}}}});
    }
    // Written through create_entity calls would take minutes; one MCP session is fast.
    Child mcp;
    ASSERT_TRUE(mcp.Start({BinaryPath(), "--db", seeder.db, "mcp", "--hub", seeder.hub, "--hub-token-file",
                           member_}));
    mcp.Write(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})"
              "\n");
    ASSERT_TRUE(mcp.ReadLine());
    // Windows of 50 in flight: both pipes stay far below their buffer size.
    for (int start = 0; start < 3000; start += 50) {
      std::string batch;
      for (int i = start; i < start + 50; ++i) {
        Json call = {{"jsonrpc", "2.0"}, {"id", i + 1}, {"method", "tools/call"},
                     {"params", {{"name", "create_entity"}, {"arguments", entities[static_cast<size_t>(i)]}}}};
        batch += call.dump() + "\n";
      }
      ASSERT_TRUE(mcp.Write(batch));
      for (int i = start; i < start + 50; ++i) ASSERT_TRUE(mcp.ReadLine());
    }
    mcp.CloseStdin();
    ASSERT_EQ(mcp.Wait(), 0);
  }
  int code = -1;
  ASSERT_EQ(seeder.Sync(&code)["pushed_entities"], 3000);

  // How long a sync takes on this machine, a full pull and then a delta
  // (one new entity each way): each kill below comes at a random moment
  // within the time the sync it cuts would take, so most land mid-way
  // however fast or slow the machine is.
  using Clock = std::chrono::steady_clock;
  auto timed_sync_ms = [&code](const Edge& e) {
    const auto start = Clock::now();
    e.Sync(&code);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    return std::max<int>(2, static_cast<int>(ms.count()));
  };
  Edge probe = NewEdge("probe");
  const int full_ms = timed_sync_ms(probe);
  ASSERT_EQ(code, 0);
  probe.Call("create_entity", Create("probe note"), &code);
  ASSERT_EQ(code, 0);
  const int delta_ms = timed_sync_ms(probe);
  ASSERT_EQ(code, 0);

  Edge edge = NewEdge("victim");
  std::mt19937 rng(20261122);
  std::set<std::string> written;
  int killed = 0;
  bool pulled = false;  // a sync of the victim ran to the end: the rest are deltas
  for (int round = 0; round < 12; ++round) {
    const std::string name = "victim note " + std::to_string(round);
    edge.Call("create_entity", Create(name), &code);
    ASSERT_EQ(code, 0);
    written.insert(name);
    const std::string cmd = edge.Prefix() + " sync" + edge.HubArgs();
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", ("exec " + cmd + " >/dev/null 2>&1").c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    const int window_ms = pulled ? delta_ms : full_ms;
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, window_ms - 1)(rng)));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) {
      ++killed;
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      pulled = true;
    }
    auto check = RunCommand(edge.Prefix() + " call get_graph_statistics '{}'");
    ASSERT_EQ(check.exit_code, 0) << "database unusable after kill -9 in round " << round;
  }
  EXPECT_GT(killed, 0) << "no sync was killed mid-way; the test proves nothing";
  Json final_sync = edge.Sync(&code);
  ASSERT_EQ(code, 0) << final_sync.dump();
  EXPECT_EQ(final_sync["pending_changes"], 0);
  seeder.Sync(&code);
  ASSERT_EQ(code, 0);
  for (const auto& name : written) {
    Json found = CliCall(seeder.db, "query_graph", {{"filters", {{{"field", "name"}, {"op", "eq"}, {"value", name}}}}});
    EXPECT_EQ(found["total"], 1) << name << " did not reach the other edge through the hub";
  }
  // The bulk notes, the victim's notes and the probe's one.
  const size_t everything = 3000 + written.size() + 1;
  EXPECT_EQ(CliCall(edge.db, "get_graph_statistics", Json::object())["entities"], everything);
  EXPECT_EQ(CliCall(seeder.db, "get_graph_statistics", Json::object())["entities"], everything);
  EXPECT_EQ(HubStatus(hub_)["state_digest"], edge.Sync()["state_digest"]);
}

TEST_F(SyncE2eTest, McpSyncNowReportsProgressAndSyncStatus) {
  Edge a = NewEdge("a");
  Child mcp;
  ASSERT_TRUE(mcp.Start({BinaryPath(), "--db", a.db, "mcp", "--hub", a.hub, "--hub-token-file", member_}));
  auto rpc = [&](const Json& msg) -> Json {
    mcp.Write(msg.dump() + "\n");
    while (auto line = mcp.ReadLine()) {
      Json j = Json::parse(*line, nullptr, false);
      if (j.contains("id") && j["id"] == msg["id"]) return j;
    }
    return Json();
  };
  rpc({{"jsonrpc", "2.0"}, {"id", 1}, {"method", "initialize"},
       {"params", {{"protocolVersion", "2025-11-25"}, {"capabilities", Json::object()},
                   {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}});
  mcp.Write(R"({"jsonrpc":"2.0","method":"notifications/initialized"})" "\n");
  Json created = rpc({{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/call"},
                      {"params", {{"name", "create_entity"}, {"arguments", Create("Attic hatch")}}}});
  ASSERT_FALSE(created["result"].value("isError", true)) << created.dump();

  Json status = rpc({{"jsonrpc", "2.0"}, {"id", 3}, {"method", "tools/call"},
                     {"params", {{"name", "sync_status"}, {"arguments", Json::object()}}}});
  Json sc = status["result"]["structuredContent"];
  EXPECT_EQ(sc["configured"], true);
  EXPECT_EQ(sc["hub"], a.hub);
  EXPECT_EQ(sc["pending_changes"], 1);
  EXPECT_TRUE(sc["watermark"].is_null());

  mcp.Write(Json({{"jsonrpc", "2.0"}, {"id", 4}, {"method", "tools/call"},
                  {"params", {{"name", "sync_now"}, {"arguments", Json::object()},
                              {"_meta", {{"progressToken", "sync-1"}}}}}})
                .dump() +
            "\n");
  int progress = 0;
  Json result;
  while (auto line = mcp.ReadLine()) {
    Json j = Json::parse(*line, nullptr, false);
    if (j.value("method", "") == "notifications/progress") {
      EXPECT_EQ(j["params"]["progressToken"], "sync-1");
      ++progress;
    } else if (j.contains("id") && j["id"] == 4) {
      result = j;
      break;
    }
  }
  EXPECT_GE(progress, 2);
  ASSERT_FALSE(result["result"].value("isError", true)) << result.dump();
  EXPECT_EQ(result["result"]["structuredContent"]["pushed_entities"], 1);
  EXPECT_EQ(result["result"]["structuredContent"]["pending_changes"], 0);

  Json after = rpc({{"jsonrpc", "2.0"}, {"id", 5}, {"method", "tools/call"},
                    {"params", {{"name", "sync_status"}, {"arguments", Json::object()}}}});
  EXPECT_EQ(after["result"]["structuredContent"]["pending_changes"], 0);
  EXPECT_TRUE(after["result"]["structuredContent"]["watermark"].is_string());
  EXPECT_EQ(HubStatus(hub_)["entities"], 1);
  mcp.CloseStdin();
  EXPECT_EQ(mcp.Wait(), 0);
}

TEST_F(SyncE2eTest, BackgroundSyncPushesWithoutBeingAsked) {
  Edge a = NewEdge("a");
  Child mcp;
  ASSERT_TRUE(mcp.Start({BinaryPath(), "--db", a.db, "mcp", "--hub", a.hub, "--hub-token-file", member_,
                         "--sync-interval", "1"}));
  mcp.Write(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})"
            "\n");
  ASSERT_TRUE(mcp.ReadLine());
  mcp.Write(Json({{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/call"},
                  {"params", {{"name", "create_entity"}, {"arguments", Create("Background note")}}}})
                .dump() +
            "\n");
  ASSERT_TRUE(mcp.ReadLine());
  bool arrived = false;
  for (int i = 0; i < 100 && !arrived; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    arrived = HubStatus(hub_)["entities"] == 1;
  }
  EXPECT_TRUE(arrived) << "the background sync did not push within 10 s";
  mcp.CloseStdin();
  EXPECT_EQ(mcp.Wait(), 0);
}

TEST(SyncCliTest, WithoutAHubSyncNowSaysHowToConfigureOne) {
  const std::string db = TempDir() + "/alone.db";
  auto r = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(db) + " call sync_now '{}'", true);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.output.find("no hub configured: start funkygibbon with --hub"), std::string::npos) << r.output;
  Json status = CliCall(db, "sync_status", Json::object());
  EXPECT_EQ(status["configured"], false);
  auto sync = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(db) + " sync", true);
  EXPECT_EQ(sync.exit_code, 2);
  EXPECT_NE(sync.output.find("sync needs --hub URL"), std::string::npos) << sync.output;
  auto bad = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(db) + " sync --hub ftp://x", true);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("hub URL: expected http://host:port"), std::string::npos) << bad.output;
  auto no_file = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(db) +
                                " sync --hub http://127.0.0.1:1 --hub-token-file /nonexistent/token",
                            true);
  EXPECT_EQ(no_file.exit_code, 2);
  EXPECT_NE(no_file.output.find("--hub-token-file: cannot open"), std::string::npos) << no_file.output;
}

}  // namespace
}  // namespace funkygibbon::testing
