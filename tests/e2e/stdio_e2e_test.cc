// End-to-end tests of `funkygibbon mcp`: the real binary on pipes.
#include <signal.h>

#include <set>

#include "e2e/e2e_util.h"

namespace funkygibbon::testing {
namespace {

// A raw JSON-RPC client over the child's stdin/stdout. Every line the server
// writes must be a JSON-RPC 2.0 message; the test fails otherwise.
class McpProcess {
 public:
  explicit McpProcess(const std::string& db) {
    EXPECT_TRUE(child_.Start({BinaryPath(), "--db", db, "mcp"}));
  }
  ~McpProcess() {
    child_.CloseStdin();
    child_.Wait();
  }

  Json Next() {
    auto line = child_.ReadLine();
    if (!line) {
      ADD_FAILURE() << "no answer; stderr: " << child_.Stderr();
      return Json();
    }
    Json j = Json::parse(*line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "stdout line is not JSON: " << *line;
    EXPECT_EQ(j.value("jsonrpc", ""), "2.0") << *line;
    return j;
  }

  // Sends a request and returns its response (skipping notifications).
  Json Request(const std::string& method, const Json& params) {
    int id = ++next_id_;
    Json msg{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
    EXPECT_TRUE(child_.Write(msg.dump() + "\n"));
    return AwaitId(id);
  }
  Json AwaitId(const Json& id) {
    for (int i = 0; i < 1000; ++i) {
      Json j = Next();
      if (j.is_null()) return j;
      if (j.contains("id") && j["id"] == id) return j;
    }
    return Json();
  }
  Json Call(const std::string& tool, const Json& args) {
    return Request("tools/call", {{"name", tool}, {"arguments", args}});
  }
  void Initialize() {
    Json r = Request("initialize", {{"protocolVersion", "2025-11-25"},
                                    {"capabilities", Json::object()},
                                    {"clientInfo", {{"name", "e2e"}, {"version", "1"}}}});
    ASSERT_EQ(r["result"]["protocolVersion"], "2025-11-25");
    child_.Write(R"({"jsonrpc":"2.0","method":"notifications/initialized"})" "\n");
  }
  Child& child() { return child_; }

 private:
  Child child_;
  int next_id_ = 0;
};

TEST(StdioE2ETest, ListsEveryToolAndCallsEachOne) {
  std::string db = SeededDb();
  auto plan = EveryToolPlan(db);
  McpProcess mcp(db);
  mcp.Initialize();
  Json list = mcp.Request("tools/list", Json::object());
  std::set<std::string> listed;
  for (const auto& t : list["result"]["tools"]) listed.insert(t["name"].get<std::string>());
  EXPECT_FALSE(list["result"].contains("nextCursor"));
  // sync_now needs a hub (tests/e2e/sync_e2e_test.cc); here it must say so.
  std::set<std::string> planned = {"sync_now"};
  for (const auto& p : plan) planned.insert(p.tool);
  EXPECT_EQ(listed, planned) << "every listed tool is called below, and nothing else";
  EXPECT_EQ(listed.size(), 22u);
  Json no_hub = mcp.Call("sync_now", Json::object());
  EXPECT_TRUE(no_hub["result"].value("isError", false)) << no_hub.dump();
  EXPECT_NE(no_hub.dump().find("no hub configured"), std::string::npos) << no_hub.dump();

  std::vector<Json> results;
  for (const auto& p : plan) {
    Json r = mcp.Call(p.tool, p.args(results));
    ASSERT_TRUE(r.contains("result")) << p.tool << ": " << r.dump();
    ASSERT_FALSE(r["result"].value("isError", false)) << p.tool << ": " << r.dump();
    ASSERT_TRUE(r["result"]["structuredContent"].is_object()) << p.tool;
    // The text block carries the same JSON.
    Json text = Json::parse(r["result"]["content"][0]["text"].get<std::string>(), nullptr, false);
    EXPECT_EQ(text, r["result"]["structuredContent"]) << p.tool;
    results.push_back(r["result"]["structuredContent"]);
  }
  // Spot-check that the answers are about the real home.
  EXPECT_TRUE(results[9]["found"].get<bool>());
  EXPECT_GE(results[9]["nodes"].size(), 3u);
  EXPECT_EQ(results[5]["count"], 2);  // create + update
  EXPECT_GE(results[11]["rows"].size(), 5u);
  EXPECT_GE(results[12]["count"].get<int>(), 5);
}

TEST(StdioE2ETest, BadInputGetsPreciseErrorsAndServingContinues) {
  std::string db = SeededDb();
  McpProcess mcp(db);
  mcp.Initialize();
  auto& c = mcp.child();

  c.Write("{not json\n");
  Json parse = mcp.Next();
  EXPECT_EQ(parse["error"]["code"], -32700);
  EXPECT_TRUE(parse["id"].is_null());

  c.Write(R"({"jsonrpc":"2.0","id":"x","method":"no/such/method"})" "\n");
  EXPECT_EQ(mcp.AwaitId("x")["error"]["code"], -32601);

  c.Write(R"({"jsonrpc":"1.0","id":"v","method":"ping"})" "\n");
  EXPECT_EQ(mcp.AwaitId("v")["error"]["code"], -32600);

  Json unknown_tool = mcp.Call("no_such_tool", Json::object());
  EXPECT_EQ(unknown_tool["error"]["code"], -32602);

  Json wrong_type = mcp.Call("find_path", {{"from_entity_id", 5}, {"to_entity_id", "x"}});
  EXPECT_TRUE(wrong_type["result"]["isError"].get<bool>());
  EXPECT_NE(wrong_type["result"]["content"][0]["text"].get<std::string>().find("from_entity_id"),
            std::string::npos);

  Json missing = mcp.Call("get_entity_details", Json::object());
  EXPECT_TRUE(missing["result"]["isError"].get<bool>());
  EXPECT_NE(missing["result"]["content"][0]["text"].get<std::string>().find("entity_id"), std::string::npos);

  Json unknown_id = mcp.Call("get_entity_details", {{"entity_id", "no-such-id"}});
  EXPECT_TRUE(unknown_id["result"]["isError"].get<bool>());
  EXPECT_NE(unknown_id["result"]["content"][0]["text"].get<std::string>().find("no-such-id"), std::string::npos);

  Json bad_pair = mcp.Call("create_relationship", {{"from_entity_id", IdOf(db, "Kitchen")},
                                                   {"to_entity_id", IdOf(db, "Oven")},
                                                   {"relationship_type", "located_in"}});
  EXPECT_TRUE(bad_pair["result"]["isError"].get<bool>());
  EXPECT_NE(bad_pair["result"]["content"][0]["text"].get<std::string>().find("not allowed"), std::string::npos);

  Json too_deep = mcp.Call("find_path", {{"from_entity_id", "a"}, {"to_entity_id", "b"}, {"max_depth", 80}});
  EXPECT_TRUE(too_deep["result"]["isError"].get<bool>());

  // A line over the 4 MiB cap is discarded with an error, memory bounded.
  std::string huge = R"({"jsonrpc":"2.0","id":"big","method":"tools/call","params":{"name":"search_entities","arguments":{"query":")" +
                     std::string(5u << 20, 'a') + "\"}}}\n";
  c.Write(huge);
  Json big = mcp.Next();
  EXPECT_EQ(big["error"]["code"], -32600) << big.dump().substr(0, 200);

  // A huge but legal string argument is refused by the schema (maxLength).
  Json long_query = mcp.Call("search_entities", {{"query", std::string(100000, 'q')}});
  EXPECT_TRUE(long_query["result"]["isError"].get<bool>());

  // Invalid UTF-8 and NUL escapes inside strings: answered with valid JSON.
  c.Write(std::string(R"({"jsonrpc":"2.0","id":"u","method":"tools/call","params":{"name":"get_entity_details","arguments":{"entity_id":"bad)") +
          "\xff\xfe" + R"(\u0000x"}}})" + "\n");
  Json utf = mcp.AwaitId("u");
  EXPECT_TRUE(utf.contains("result") || utf.contains("error")) << utf.dump();

  // Deep nesting is refused before it can hurt the parser.
  std::string deep = R"({"jsonrpc":"2.0","id":"deep","method":"ping","params":{"a":)" + std::string(100000, '[') +
                     std::string(100000, ']') + "}}\n";
  c.Write(deep);
  Json deep_err = mcp.Next();  // the id may be unreadable at that depth: null or "deep"
  EXPECT_EQ(deep_err["error"]["code"], -32600) << deep_err.dump();
  EXPECT_TRUE(deep_err["id"].is_null() || deep_err["id"] == "deep");

  // Batches were removed from the protocol.
  c.Write(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])" "\n");
  EXPECT_EQ(mcp.Next()["error"]["code"], -32600);

  // Still serving, and nothing was written by the bad calls.
  Json ping = mcp.Request("ping", Json::object());
  EXPECT_TRUE(ping["result"].is_object());
  Json stats = mcp.Call("get_graph_statistics", Json::object());
  EXPECT_EQ(stats["result"]["structuredContent"]["entities"], 127);
}

TEST(StdioE2ETest, ProgressNotificationsForWholeGraphTools) {
  std::string db = SeededDb();
  McpProcess mcp(db);
  mcp.Initialize();
  mcp.child().Write(R"({"jsonrpc":"2.0","id":"p","method":"tools/call","params":{"name":"get_graph_statistics","arguments":{},"_meta":{"progressToken":"tok-1"}}})" "\n");
  std::vector<double> progress;
  Json response;
  for (int i = 0; i < 10 && response.is_null(); ++i) {
    Json j = mcp.Next();
    if (j.value("method", "") == "notifications/progress") {
      EXPECT_EQ(j["params"]["progressToken"], "tok-1");
      progress.push_back(j["params"]["progress"].get<double>());
    } else if (j.contains("id") && j["id"] == "p") {
      response = j;
    }
  }
  ASSERT_FALSE(response.is_null());
  EXPECT_FALSE(response["result"].value("isError", true));
  ASSERT_EQ(progress.size(), 2u);
  EXPECT_LT(progress[0], progress[1]);
  // Without a token there are no progress notifications: the next line is the answer.
  mcp.child().Write(R"({"jsonrpc":"2.0","id":"q","method":"tools/call","params":{"name":"get_graph_statistics","arguments":{}}})" "\n");
  Json next = mcp.Next();
  EXPECT_EQ(next["id"], "q") << next.dump();
}

TEST(StdioE2ETest, EofEndsTheProcessCleanly) {
  std::string db = SeededDb();
  Child c;
  ASSERT_TRUE(c.Start({BinaryPath(), "--db", db, "mcp"}));
  c.Write(R"({"jsonrpc":"2.0","id":1,"method":"ping"})" "\n");
  ASSERT_TRUE(c.ReadLine());
  c.CloseStdin();
  EXPECT_EQ(c.Wait(std::chrono::seconds(5)), 0);
}

TEST(StdioE2ETest, AcknowledgedWritesSurviveKill9) {
  std::string db = SeededDb();
  std::vector<std::string> ids;
  {
    McpProcess mcp(db);
    mcp.Initialize();
    for (int i = 0; i < 50; ++i) {
      Json r = mcp.Call("create_entity", {{"entity_type", "note"}, {"name", "note " + std::to_string(i)}});
      ASSERT_FALSE(r["result"].value("isError", true));
      ids.push_back(r["result"]["structuredContent"]["id"].get<std::string>());
    }
    mcp.child().Kill(SIGKILL);
  }
  McpProcess again(db);
  again.Initialize();
  for (const auto& id : ids) {
    Json r = again.Call("get_entity_details", {{"entity_id", id}});
    EXPECT_FALSE(r["result"].value("isError", true)) << id;
  }
}

TEST(CliE2ETest, CallPrintsResultAndExitCodes) {
  std::string db = SeededDb();
  int code = -1;
  Json r = CliCall(db, "search_entities", {{"query", "boiler"}}, &code);
  EXPECT_EQ(code, 0);
  EXPECT_GE(r["total"].get<int>(), 1);
  CliCall(db, "get_entity_details", {{"entity_id", "nope"}}, &code);
  EXPECT_EQ(code, 3);
  CliCall(db, "no_such_tool", Json::object(), &code);
  EXPECT_EQ(code, 2);
  auto bad = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(db) + " call find_path '{oops'", true);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("JSON object"), std::string::npos);
  auto version = RunCommand(ShellQuote(BinaryPath()) + " --version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.output.find("funkygibbon"), std::string::npos);
  auto tools = RunCommand(ShellQuote(BinaryPath()) + " tools");
  EXPECT_NE(tools.output.find("find_path"), std::string::npos);
  auto help = RunCommand(ShellQuote(BinaryPath()) + " --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("mcp"), std::string::npos);
}

TEST(CliE2ETest, ExportImportRoundTripThroughTheBinary) {
  std::string db = SeededDb();
  std::string dir = TempDir();
  std::string bin = ShellQuote(BinaryPath());
  ASSERT_EQ(RunCommand(bin + " --db " + ShellQuote(db) + " export -o " + dir + "/a.json").exit_code, 0);
  ASSERT_EQ(RunCommand(bin + " --db " + dir + "/b.db import " + dir + "/a.json", true).exit_code, 0);
  ASSERT_EQ(RunCommand(bin + " --db " + dir + "/b.db export -o " + dir + "/b.json").exit_code, 0);
  auto diff = RunCommand("cmp " + dir + "/a.json " + dir + "/b.json", true);
  EXPECT_EQ(diff.exit_code, 0) << diff.output;
  auto bad = RunCommand(bin + " --db " + dir + "/c.db import /nonexistent.json", true);
  EXPECT_NE(bad.exit_code, 0);
  // From stdin ("-"), the same graph.
  ASSERT_EQ(RunCommand("cat " + dir + "/a.json | " + bin + " --db " + dir + "/e.db import -", true).exit_code, 0);
  auto from_stdin = RunCommand(bin + " --db " + dir + "/e.db export | cmp - " + dir + "/a.json", true);
  EXPECT_EQ(from_stdin.exit_code, 0) << from_stdin.output;
  // To stdout, the same bytes.
  auto to_stdout = RunCommand(bin + " --db " + ShellQuote(db) + " export | cmp - " + dir + "/a.json", true);
  EXPECT_EQ(to_stdout.exit_code, 0) << to_stdout.output;
  // A cut file is refused, says why, and writes nothing.
  ASSERT_EQ(RunCommand("head -c 3000 " + dir + "/a.json > " + dir + "/cut.json").exit_code, 0);
  auto cut = RunCommand(bin + " --db " + dir + "/d.db import " + dir + "/cut.json", true);
  EXPECT_NE(cut.exit_code, 0);
  EXPECT_NE(cut.output.find("not valid JSON"), std::string::npos) << cut.output;
  auto count = RunCommand(bin + " --db " + dir + "/d.db call get_graph_statistics");
  EXPECT_NE(count.output.find("\"entities\": 0,"), std::string::npos) << count.output;
  // An export that cannot be written fails, names the file, and leaves no file.
  auto unwritable = RunCommand(bin + " --db " + ShellQuote(db) + " export -o " + dir + "/no/such/dir/x.json", true);
  EXPECT_NE(unwritable.exit_code, 0);
  EXPECT_NE(unwritable.output.find(dir + "/no/such/dir/x.json"), std::string::npos) << unwritable.output;
}

}  // namespace
}  // namespace funkygibbon::testing
