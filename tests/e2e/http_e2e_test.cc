// `funkygibbon serve` as a child process on a loopback port it picks: the
// official MCP SDK clients (v1, and v2 pinned to 2026-07-28) and the
// conformance suite over Streamable HTTP, bad input, and a graceful stop.
// The SDK and conformance parts skip cleanly when ../shared, node or the
// npm packages are missing.
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include <httplib.h>

#include "e2e/e2e_util.h"
#include "e2e/hub_process.h"

namespace funkygibbon::testing {
namespace {

std::string SdkDir(const char* package) {
  const char* d = std::getenv("MCP_SDK_DIR");
  std::string dir = d && *d ? d
                            : std::string(std::getenv("HOME") ? std::getenv("HOME") : "") +
                                  "/.cache/funkygibbon-node";
  std::error_code ec;
  if (!std::filesystem::exists(dir + "/node_modules/@modelcontextprotocol/" + package + "/package.json",
                               ec)) {
    return "";
  }
  return dir;
}

using Hub = HubProcess;

httplib::Headers McpHeaders() {
  return {{"Accept", "application/json, text/event-stream"}};
}

const char kInitialize[] =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
    R"("capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}})";

TEST(HttpHubTest, HealthIsPublicAndMcpAnswersInitialize) {
  Hub hub;
  ASSERT_TRUE(hub.Start(TempDir() + "/h.db", {"--anonymous", "guest"})) << hub.Stderr();
  auto c = hub.Client();
  auto health = c.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->body, R"({"status":"healthy"})");
  auto init = c.Post("/mcp", McpHeaders(), kInitialize, "application/json");
  ASSERT_TRUE(init);
  EXPECT_EQ(init->status, 200) << init->body;
  EXPECT_FALSE(init->get_header_value("Mcp-Session-Id").empty());
  EXPECT_NE(init->body.find("\"protocolVersion\":\"2025-11-25\""), std::string::npos);
}

TEST(HttpHubTest, WithoutAnonymousGuestMcpNeedsAToken) {
  Hub hub;
  ASSERT_TRUE(hub.Start(TempDir() + "/h.db")) << hub.Stderr();
  auto c = hub.Client();
  auto r = c.Post("/mcp", McpHeaders(), kInitialize, "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_NE(r->get_header_value("WWW-Authenticate").find("Bearer"), std::string::npos);
  auto metrics = c.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 401);
}

TEST(HttpHubTest, BadInputGetsClearErrorsAndTheServerKeepsServing) {
  Hub hub;
  ASSERT_TRUE(hub.Start(TempDir() + "/h.db", {"--anonymous", "guest"})) << hub.Stderr();
  auto c = hub.Client();

  auto big = c.Post("/mcp", McpHeaders(), std::string(5u << 20, ' '), "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
  EXPECT_NE(big->body.find("larger than"), std::string::npos) << big->body;

  auto malformed = c.Post("/mcp", McpHeaders(), "{\"jsonrpc\":\"2.0\",", "application/json");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  EXPECT_NE(malformed->body.find("-32700"), std::string::npos) << malformed->body;

  auto deep = c.Post("/mcp", McpHeaders(), std::string(100000, '[') + std::string(100000, ']'),
                     "application/json");
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->status, 400);
  EXPECT_NE(deep->body.find("nested deeper"), std::string::npos) << deep->body;

  auto text = c.Post("/mcp", McpHeaders(), kInitialize, "text/plain");
  ASSERT_TRUE(text);
  EXPECT_EQ(text->status, 415);

  auto html = c.Post("/mcp", {{"Accept", "text/html"}}, kInitialize, "application/json");
  ASSERT_TRUE(html);
  EXPECT_EQ(html->status, 406);

  auto rebinding = c.Post("/mcp", {{"Accept", "application/json, text/event-stream"}, {"Origin", "http://evil.example.com"}},
                          kInitialize, "application/json");
  ASSERT_TRUE(rebinding);
  EXPECT_EQ(rebinding->status, 403);

  auto get = c.Get("/mcp", {{"Accept", "text/event-stream"}});
  ASSERT_TRUE(get);
  EXPECT_EQ(get->status, 405);

  auto health = c.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto init = c.Post("/mcp", McpHeaders(), kInitialize, "application/json");
  ASSERT_TRUE(init);
  EXPECT_EQ(init->status, 200);
}

TEST(HttpHubTest, GuestsAreReadOnly) {
  Hub hub;
  ASSERT_TRUE(hub.Start(TempDir() + "/h.db", {"--anonymous", "guest"})) << hub.Stderr();
  auto c = hub.Client();
  auto init = c.Post("/mcp", McpHeaders(), kInitialize, "application/json");
  ASSERT_TRUE(init);
  httplib::Headers h = McpHeaders();
  h.emplace("Mcp-Session-Id", init->get_header_value("Mcp-Session-Id"));
  h.emplace("MCP-Protocol-Version", "2025-11-25");
  auto call = c.Post(
      "/mcp", h,
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"create_entity","arguments":{"entity_type":"note","name":"x"}}})",
      "application/json");
  ASSERT_TRUE(call);
  Json j = Json::parse(call->body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << call->body;
  const bool refused = j.contains("error") || j["result"].value("isError", false);
  EXPECT_TRUE(refused) << call->body;
}

TEST(HttpHubTest, MetricsNeedAMemberTokenAndCountRequestsAndToolCalls) {
  const std::string db = TempDir() + "/h.db";
  auto token = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(db) + " token create --role member");
  ASSERT_EQ(token.exit_code, 0) << token.output;
  const std::string bearer = "Bearer " + token.output.substr(0, token.output.find('\n'));
  Hub hub;
  ASSERT_TRUE(hub.Start(db, {"--anonymous", "guest"})) << hub.Stderr();
  auto c = hub.Client();
  auto init = c.Post("/mcp", McpHeaders(), kInitialize, "application/json");
  ASSERT_TRUE(init);
  httplib::Headers h = McpHeaders();
  h.emplace("Mcp-Session-Id", init->get_header_value("Mcp-Session-Id"));
  auto call = c.Post("/mcp", h,
                     R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_graph_statistics","arguments":{}}})",
                     "application/json");
  ASSERT_TRUE(call);
  EXPECT_EQ(call->status, 200) << call->body;

  auto guest = c.Get("/metrics");
  ASSERT_TRUE(guest);
  EXPECT_EQ(guest->status, 403);
  // Requests are counted just after their response is written, so allow a
  // moment for the last one.
  std::string body;
  for (int i = 0; i < 40; ++i) {
    auto m = c.Get("/metrics", {{"Authorization", bearer}});
    ASSERT_TRUE(m);
    ASSERT_EQ(m->status, 200) << m->body;
    body = m->body;
    if (body.find(R"(route="/mcp",status="200"} 2)") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(body.find(R"(funkygibbon_http_requests_total{route="/mcp",status="200"} 2)"), std::string::npos)
      << body;
  EXPECT_NE(body.find(R"(funkygibbon_tool_calls_total{tool="get_graph_statistics",outcome="ok"} 1)"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("funkygibbon_http_request_duration_seconds_bucket{route=\"/mcp\",le=\"+Inf\"} 2"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("funkygibbon_graph_entities_total 0"), std::string::npos) << body;
}

TEST(HttpHubTest, RefusesToStartWithoutAnAdminPasswordHash) {
  auto r = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(TempDir() + "/h.db") +
                          " serve --listen 127.0.0.1:0",
                      true);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("no admin password hash configured"), std::string::npos) << r.output;
}

TEST(HttpHubTest, AnonymousGuestIsRefusedOffLoopback) {
  auto r = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(TempDir() + "/h.db") +
                          " serve --listen 0.0.0.0:0 --anonymous guest",
                      true);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("loopback"), std::string::npos) << r.output;
  auto bad = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(TempDir() + "/h.db") +
                            " serve --listen nonsense",
                        true);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("--listen"), std::string::npos) << bad.output;
}

TEST(HttpHubTest, SigtermStopsPromptlyWithExitZero) {
  Hub hub;
  ASSERT_TRUE(hub.Start(TempDir() + "/h.db", {"--anonymous", "guest"})) << hub.Stderr();
  auto c = hub.Client();
  c.set_keep_alive(true);
  ASSERT_TRUE(c.Get("/health"));  // leaves an idle keep-alive connection open
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(hub.Stop(std::chrono::seconds(10)), 0) << hub.Stderr();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(HttpHubTest, OfficialSdkV1ClientOverHttp) {
  const std::string shared = SharedDir();
  if (shared.empty()) GTEST_SKIP() << "../shared is not present";
  const std::string sdk = SdkDir("sdk");
  if (sdk.empty()) GTEST_SKIP() << "the MCP SDK is not installed (scripts/setup-node-tools.sh)";
  const std::string db = SeededDb();
  const std::string lamp = IdOf(db, "Living Room Floor Lamp");
  const std::string home = IdOf(db, "Maple House");
  Hub hub;
  ASSERT_TRUE(hub.Start(db, {"--anonymous", "guest"})) << hub.Stderr();
  Json args{{"from_entity_id", lamp}, {"to_entity_id", home}, {"direction", "out"}};
  auto r = RunCommand("MCP_SDK_DIR=" + ShellQuote(sdk) + " node " +
                      ShellQuote(shared + "/tools/mcp/sdk-client.mjs") + " --compact --url " +
                      ShellQuote(hub.Url()) + " --call find_path --args " + ShellQuote(args.dump()));
  ASSERT_EQ(r.exit_code, 0) << r.output << hub.Stderr();
  Json out = Json::parse(r.output, nullptr, false);
  ASSERT_FALSE(out.is_discarded()) << r.output;
  EXPECT_EQ(out["server"]["protocolVersion"], "2025-11-25");
  // A guest lists the read-only tools only.
  EXPECT_GE(out["tools"].size(), 10u);
  EXPECT_NE(out["tools"].dump().find("\"find_path\""), std::string::npos);
  EXPECT_EQ(out["tools"].dump().find("\"create_entity\""), std::string::npos);
  const Json& sc = out["call"]["result"]["structuredContent"];
  ASSERT_TRUE(sc.is_object()) << r.output;
  EXPECT_NE(sc.dump().find(home), std::string::npos) << sc.dump();
}

TEST(HttpHubTest, OfficialSdkV2ClientPinnedTo20260728) {
  const std::string shared = SharedDir();
  if (shared.empty()) GTEST_SKIP() << "../shared is not present";
  const std::string sdk = SdkDir("client");
  if (sdk.empty()) GTEST_SKIP() << "the MCP SDK v2 client is not installed (scripts/setup-node-tools.sh)";
  const std::string db = SeededDb();
  Hub hub;
  ASSERT_TRUE(hub.Start(db, {"--anonymous", "guest"})) << hub.Stderr();
  auto r = RunCommand("MCP_SDK2_DIR=" + ShellQuote(sdk) + " node " +
                      ShellQuote(shared + "/tools/mcp/sdk2-client.mjs") + " --compact --url " +
                      ShellQuote(hub.Url()) +
                      " --negotiate 2026-07-28 --call search_entities --args '{\"query\":\"lamp\"}'");
  ASSERT_EQ(r.exit_code, 0) << r.output << hub.Stderr();
  Json out = Json::parse(r.output, nullptr, false);
  ASSERT_FALSE(out.is_discarded()) << r.output;
  EXPECT_EQ(out["server"]["era"], "modern");
  EXPECT_GE(out["tools"].size(), 10u);
  EXPECT_EQ(out["server"]["protocolVersion"], "2026-07-28");
  EXPECT_NE(out["call"]["result"]["structuredContent"].dump().find("Living Room Floor Lamp"), std::string::npos)
      << out["call"].dump();
}

TEST(HttpHubTest, ConformanceUntunedScenariosPassOverHttp) {
  const std::string shared = SharedDir();
  if (shared.empty()) GTEST_SKIP() << "../shared is not present";
  if (RunCommand("command -v npm").exit_code != 0) GTEST_SKIP() << "npm is not available";
  const std::string db = SeededDb();
  Hub hub;
  ASSERT_TRUE(hub.Start(db, {"--anonymous", "guest"})) << hub.Stderr();
  auto r = RunCommand("bash " + ShellQuote(shared + "/tools/mcp/conformance.sh") + " --url " +
                          ShellQuote(hub.Url()) + " --only untuned --out " +
                          ShellQuote(TempDir() + "/conf"),
                      true);
  if (r.output.find("npm ERR") != std::string::npos || r.output.find("ENOTFOUND") != std::string::npos) {
    GTEST_SKIP() << "the conformance suite could not be installed from npm:\n" << r.output;
  }
  std::string last = r.output.substr(r.output.find_last_of('\n', r.output.size() - 2) + 1);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const size_t tail = last.find(" passed, 0 failed");
  ASSERT_NE(tail, std::string::npos) << r.output;
  const size_t start = last.find_last_not_of("0123456789", tail - 1);
  const std::string passed = last.substr(start == std::string::npos ? 0 : start + 1, tail - (start == std::string::npos ? 0 : start + 1));
  EXPECT_FALSE(passed.empty()) << r.output;
  EXPECT_GT(passed.empty() ? 0 : std::stoi(passed), 0) << r.output;
}

}  // namespace
}  // namespace funkygibbon::testing

namespace funkygibbon::testing {
namespace {

std::string CreateToken(const std::string& db, const std::string& role) {
  auto r = RunCommand(ShellQuote(BinaryPath()) + " --db " + ShellQuote(db) + " token create --role " + role);
  EXPECT_EQ(r.exit_code, 0);
  while (!r.output.empty() && (r.output.back() == '\n' || r.output.back() == '\r')) r.output.pop_back();
  return r.output;
}

TEST(HttpHubSyncTest, SyncRoutesNeedATokenAndGuestsCannotPush) {
  std::string db = TempDir() + "/sync.db";
  Hub hub;
  ASSERT_TRUE(hub.Start(db)) << hub.Stderr();
  const std::string member = CreateToken(db, "member");
  const std::string guest = CreateToken(db, "guest");
  const std::string push =
      R"({"protocol_version":"inbetweenies-v2","device_id":"d1","user_id":"u1","sync_type":"delta",)"
      R"("changes":[{"change_type":"create","entity":{"id":"n1","version":"v-1","entity_type":"NOTE",)"
      R"("name":"hello","content":{}},"relationships":[]}]})";
  auto c = hub.Client();
  auto anon = c.Post("/api/v1/sync/", push, "application/json");
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->status, 401);
  EXPECT_TRUE(anon->has_header("WWW-Authenticate"));
  auto status_anon = c.Get("/api/v1/sync/status");
  ASSERT_TRUE(status_anon);
  EXPECT_EQ(status_anon->status, 401);

  auto as_guest = c.Post("/api/v1/sync/", {{"Authorization", "Bearer " + guest}}, push, "application/json");
  ASSERT_TRUE(as_guest);
  EXPECT_EQ(as_guest->status, 403);

  auto as_member = c.Post("/api/v1/sync/", {{"Authorization", "Bearer " + member}}, push, "application/json");
  ASSERT_TRUE(as_member);
  ASSERT_EQ(as_member->status, 200) << as_member->body;
  Json body = Json::parse(as_member->body, nullptr, false);
  ASSERT_FALSE(body.is_discarded());
  EXPECT_EQ(body["applied"], Json::array({"n1"}));
  EXPECT_EQ(body["protocol_version"], "inbetweenies-v2");

  // The guest's push changed nothing; a guest may still pull and sees the member's note.
  auto pull = c.Post("/api/v1/sync/", {{"Authorization", "Bearer " + guest}},
                     R"({"protocol_version":"inbetweenies-v2","device_id":"d2","user_id":"g","sync_type":"full","changes":[]})",
                     "application/json");
  ASSERT_TRUE(pull);
  ASSERT_EQ(pull->status, 200) << pull->body;
  Json pulled = Json::parse(pull->body, nullptr, false);
  ASSERT_EQ(pulled["changes"].size(), 1u);
  EXPECT_EQ(pulled["changes"][0]["entity"]["entity_type"], "note");

  auto bad_version = c.Post("/api/v1/sync/", {{"Authorization", "Bearer " + member}},
                            R"({"protocol_version":"inbetweenies-v1","device_id":"d","user_id":"u","sync_type":"full","changes":[]})",
                            "application/json");
  ASSERT_TRUE(bad_version);
  EXPECT_EQ(bad_version->status, 400);
}

}  // namespace
}  // namespace funkygibbon::testing
