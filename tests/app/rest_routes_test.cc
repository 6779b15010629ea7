// The hub's auth and REST routes over real HTTP on 127.0.0.1.
#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "app/auth.h"
#include "app/hub_context.h"
#include "app/runtime.h"
#include "testutil.h"

namespace funkygibbon::app {
namespace {

using std::chrono::seconds;

const std::string kPassword = "hub-admin-pw";

std::string Header(const httplib::Headers& headers, const char* key) {
  auto it = headers.find(key);
  return it == headers.end() ? "" : it->second;
}

class RestRoutesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto h = HashPassword(kPassword);
    ASSERT_TRUE(h.ok());
    hash_ = *h;
  }

  void SetUp() override {
    RuntimeOptions ro;
    ro.db_path = testing::TempDir() + "/hub.db";
    auto rt = Runtime::Open(ro);
    ASSERT_TRUE(rt.ok()) << rt.status().ToString();
    rt_ = std::move(rt).value();
    AuthOptions ao;
    ao.admin_password_hash = hash_;
    ao.max_failed_logins = 3;
    ao.audit_log_path = DefaultAuditLogPath(ro.db_path);
    auto auth = AuthService::Open(rt_->graph().store(), ao);
    ASSERT_TRUE(auth.ok()) << auth.status().ToString();
    auth_ = std::move(auth).value();
    ctx_ = std::make_unique<HubContext>(HubContext{rt_->graph(), rt_->tools(), rt_->dispatcher(),
                                                   *auth_, metrics_, HubLimits{}, false});
    RegisterAuthRoutes(server_, *ctx_);
    RegisterRestRoutes(server_, *ctx_);
    RegisterMcpRoutes(server_, *ctx_);
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 500 && !server_.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_TRUE(server_.is_running());
    admin_ = Token(Role::kAdmin);
    member_ = Token(Role::kMember);
    guest_ = Token(Role::kGuest);
  }

  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  std::string Token(Role role) {
    auto t = auth_->Issue(role, "", seconds(3600));
    EXPECT_TRUE(t.ok());
    return t.ok() ? t->access_token : "";
  }

  struct Reply {
    int status = 0;
    Json body;
    std::string raw;
    httplib::Headers headers;
  };

  Reply Send(const std::string& method, const std::string& path, const std::string& token,
             const std::string& body = "", httplib::Headers extra = {}) {
    httplib::Client cli("127.0.0.1", port_);
    cli.set_read_timeout(10, 0);
    httplib::Headers headers = std::move(extra);
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    auto send = [&]() -> httplib::Result {
      if (method == "POST") return cli.Post(path.c_str(), headers, body, "application/json");
      if (method == "PUT") return cli.Put(path.c_str(), headers, body, "application/json");
      if (method == "DELETE") return cli.Delete(path.c_str(), headers, body, "application/json");
      return cli.Get(path.c_str(), headers);
    };
    httplib::Result r = send();
    Reply out;
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": no response";
      return out;
    }
    out.status = r->status;
    out.raw = r->body;
    out.headers = r->headers;
    out.body = Json::parse(r->body, nullptr, false);
    return out;
  }

  std::string CreateEntity(const std::string& type, const std::string& name,
                           const std::string& token = "") {
    auto r = Send("POST", "/api/v1/graph/entities", token.empty() ? member_ : token,
                  Json{{"entity_type", type}, {"name", name}, {"content", {{"note", name}}}}.dump());
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body["entity"].value("id", "");
  }

  static std::string hash_;
  std::unique_ptr<Runtime> rt_;
  std::unique_ptr<AuthService> auth_;
  Metrics metrics_;
  std::unique_ptr<HubContext> ctx_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::string admin_, member_, guest_;
};
std::string RestRoutesTest::hash_;

struct RouteCase {
  std::string method;
  std::string path;
  bool write;
};

std::vector<RouteCase> DataRoutes() {
  return {{"POST", "/api/v1/graph/entities", true},
          {"GET", "/api/v1/graph/entities", false},
          {"GET", "/api/v1/graph/entities/x", false},
          {"PUT", "/api/v1/graph/entities/x", true},
          {"DELETE", "/api/v1/graph/entities/x", true},
          {"GET", "/api/v1/graph/entities/x/versions", false},
          {"GET", "/api/v1/graph/entities/x/connected", false},
          {"GET", "/api/v1/graph/entities/x/similar", false},
          {"POST", "/api/v1/graph/relationships", true},
          {"GET", "/api/v1/graph/relationships", false},
          {"DELETE", "/api/v1/graph/relationships/x", true},
          {"POST", "/api/v1/graph/search", false},
          {"GET", "/api/v1/graph/search?q=lamp", false},
          {"POST", "/api/v1/graph/path", false},
          {"GET", "/api/v1/graph/statistics", false},
          {"GET", "/api/v1/mcp/tools", false},
          {"GET", "/api/v1/mcp/tools/search_entities", false},
          {"POST", "/api/v1/mcp/tools/search_entities", false},
          {"GET", "/api/v1/auth/me", false},
          {"POST", "/api/v1/auth/refresh", false},
          {"POST", "/api/v1/auth/guest/generate-qr", true}};
}

// Tool call metrics are labelled by tool; a name no tool has is counted as
// "unknown", so callers sending made-up names cannot grow them without bound.
TEST_F(RestRoutesTest, ToolCallMetricsCountUnknownNamesUnderOneLabel) {
  auto call = [&](const std::string& tool) {
    const Json body{{"jsonrpc", "2.0"},
                    {"id", 1},
                    {"method", "tools/call"},
                    {"params",
                     {{"name", tool},
                      {"arguments", Json::object()},
                      {"_meta",
                       {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                        {"io.modelcontextprotocol/clientCapabilities", Json::object()}}}}}};
    return Send("POST", "/mcp", guest_, body.dump(),
                {{"Accept", "application/json, text/event-stream"},
                 {"MCP-Protocol-Version", "2026-07-28"},
                 {"Mcp-Method", "tools/call"},
                 {"Mcp-Name", tool}});
  };
  for (int i = 0; i < 40; ++i) {
    const Reply r = call("no_such_tool_" + std::to_string(i));
    EXPECT_EQ(r.status, 400) << r.raw;  // the 2026 era answers a JSON-RPC error with 400
    EXPECT_NE(r.raw.find("no_such_tool_" + std::to_string(i)), std::string::npos) << r.raw;
  }
  EXPECT_EQ(call("get_graph_statistics").status, 200);
  const Reply m = Send("GET", "/metrics", member_);
  ASSERT_EQ(m.status, 200) << m.raw;
  size_t lines = 0;
  for (size_t at = m.raw.find("funkygibbon_tool_calls_total{"); at != std::string::npos;
       at = m.raw.find("funkygibbon_tool_calls_total{", at + 1)) {
    ++lines;
  }
  EXPECT_EQ(lines, 2u) << m.raw;
  EXPECT_NE(m.raw.find("funkygibbon_tool_calls_total{tool=\"unknown\",outcome=\"protocol_error\"} 40"),
            std::string::npos)
      << m.raw;
  EXPECT_NE(m.raw.find("funkygibbon_tool_calls_total{tool=\"get_graph_statistics\",outcome=\"ok\"} 1"),
            std::string::npos)
      << m.raw;
  EXPECT_EQ(m.raw.find("no_such_tool"), std::string::npos);
}

TEST_F(RestRoutesTest, EveryDataRouteNeedsABearerToken) {
  for (const auto& rc : DataRoutes()) {
    auto r = Send(rc.method, rc.path, "");
    EXPECT_EQ(r.status, 401) << rc.method << " " << rc.path;
    EXPECT_EQ(Header(r.headers, "WWW-Authenticate"),
              std::string("Bearer realm=\"funkygibbon\""))
        << rc.path;
    EXPECT_TRUE(r.body.contains("detail")) << r.raw;
  }
}

TEST_F(RestRoutesTest, BadExpiredAndRevokedTokensGet401) {
  auto revoked = auth_->Issue(Role::kAdmin, "", seconds(3600));
  ASSERT_TRUE(revoked.ok());
  ASSERT_TRUE(auth_->Revoke(revoked->token_id).ok());
  std::string tampered = member_;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  for (const std::string& bad : {std::string("garbage"), tampered, revoked->access_token}) {
    auto r = Send("GET", "/api/v1/graph/statistics", bad);
    EXPECT_EQ(r.status, 401) << bad;
    const std::string challenge =
        Header(r.headers, "WWW-Authenticate");
    EXPECT_NE(challenge.find("error=\"invalid_token\""), std::string::npos) << challenge;
  }
  // Not Bearer, or the token in the query string: not accepted.
  auto basic = Send("GET", "/api/v1/graph/statistics", "", "", {{"Authorization", "Basic YTpi"}});
  EXPECT_EQ(basic.status, 401);
  auto query = Send("GET", "/api/v1/graph/statistics?access_token=" + member_, "");
  EXPECT_EQ(query.status, 401);
}

TEST_F(RestRoutesTest, ExpiredTokenGets401) {
  // A token of this server that expired: signed with the same key via a
  // second service on the same store with a clock in the past.
  AuthOptions past;
  past.clock = [] { return std::chrono::system_clock::now() - std::chrono::hours(2); };
  auto old = AuthService::Open(rt_->graph().store(), past);
  ASSERT_TRUE(old.ok());
  auto t = (*old)->Issue(Role::kAdmin, "", seconds(60));
  ASSERT_TRUE(t.ok());
  auto r = Send("GET", "/api/v1/auth/me", t->access_token);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.value("detail", "").find("expired"), std::string::npos) << r.raw;
}

TEST_F(RestRoutesTest, GuestsReadButNeverWrite) {
  const std::string id = CreateEntity("room", "Kitchen");
  for (const auto& rc : DataRoutes()) {
    if (rc.path.find("refresh") != std::string::npos) continue;  // would revoke guest_
    std::string path = rc.path;
    if (auto pos = path.find("/entities/x"); pos != std::string::npos) path.replace(pos + 10, 1, id);
    std::string body = "{}";
    if (rc.path == "/api/v1/graph/search") body = R"({"query":"kitchen"})";
    if (rc.path == "/api/v1/graph/path") body = Json{{"from_entity_id", id}, {"to_entity_id", id}}.dump();
    if (rc.path == "/api/v1/mcp/tools/search_entities") body = R"({"arguments":{"query":"kitchen"}})";
    auto r = Send(rc.method, path, guest_, body);
    if (rc.write) {
      EXPECT_EQ(r.status, 403) << rc.method << " " << path << " " << r.raw;
      const std::string challenge =
          Header(r.headers, "WWW-Authenticate");
      EXPECT_NE(challenge.find("insufficient_scope"), std::string::npos) << path;
    } else {
      EXPECT_EQ(r.status, 200) << rc.method << " " << path << " " << r.raw;
    }
  }
  // Write tools through the tools endpoint are refused too, and listed tools are read-only.
  auto call = Send("POST", "/api/v1/mcp/tools/create_entity", guest_,
                   R"({"arguments":{"entity_type":"note","name":"x"}})");
  EXPECT_EQ(call.status, 403) << call.raw;
  EXPECT_EQ(call.body["success"], false);
  auto tools = Send("GET", "/api/v1/mcp/tools", guest_);
  ASSERT_EQ(tools.status, 200);
  for (const auto& t : tools.body["tools"]) {
    EXPECT_TRUE(t["annotations"].value("readOnlyHint", false)) << t["name"];
  }
  auto all = Send("GET", "/api/v1/mcp/tools", member_);
  EXPECT_GT(all.body["count"].get<int>(), tools.body["count"].get<int>());
  // Nothing was written by the guest.
  auto list = Send("GET", "/api/v1/graph/entities", guest_);
  EXPECT_EQ(list.body["total"], 1);
}

TEST_F(RestRoutesTest, AdminLoginAndLockout) {
  auto ok = Send("POST", "/api/v1/auth/admin/login", "", Json{{"password", kPassword}}.dump());
  ASSERT_EQ(ok.status, 200) << ok.raw;
  EXPECT_EQ(ok.body["token_type"], "bearer");
  EXPECT_EQ(ok.body["role"], "admin");
  EXPECT_GT(ok.body["expires_in"].get<int64_t>(), 0);
  auto me = Send("GET", "/api/v1/auth/me", ok.body["access_token"].get<std::string>());
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(me.body["role"], "admin");
  EXPECT_EQ(me.body["user_id"], "admin");

  EXPECT_EQ(Send("POST", "/api/v1/auth/admin/login", "", "{}").status, 400);
  EXPECT_EQ(Send("POST", "/api/v1/auth/admin/login", "", R"({"password":5})").status, 400);
  EXPECT_EQ(Send("POST", "/api/v1/auth/admin/login", "", "{oops").status, 400);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Send("POST", "/api/v1/auth/admin/login", "", R"({"password":"no"})").status, 401);
  }
  auto locked = Send("POST", "/api/v1/auth/admin/login", "", Json{{"password", kPassword}}.dump());
  EXPECT_EQ(locked.status, 429) << locked.raw;
  const std::string retry = Header(locked.headers, "Retry-After");
  ASSERT_FALSE(retry.empty());
  EXPECT_GT(std::stoi(retry), 0);
  EXPECT_LE(std::stoi(retry), 300);
}

TEST_F(RestRoutesTest, RefreshIssuesANewTokenAndRevokesTheOld) {
  auto r = Send("POST", "/api/v1/auth/refresh", member_);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["role"], "member");
  const std::string fresh = r.body["access_token"];
  EXPECT_NE(fresh, member_);
  EXPECT_EQ(Send("GET", "/api/v1/auth/me", member_).status, 401);
  EXPECT_EQ(Send("GET", "/api/v1/auth/me", fresh).status, 200);
}

TEST_F(RestRoutesTest, GuestQrFlowEndToEnd) {
  EXPECT_EQ(Send("POST", "/api/v1/auth/guest/generate-qr", member_, "{}").status, 403);
  EXPECT_EQ(Send("POST", "/api/v1/auth/guest/generate-qr", admin_, R"({"duration_hours":0})").status,
            400);
  auto qr = Send("POST", "/api/v1/auth/guest/generate-qr", admin_, R"({"duration_hours":2})");
  ASSERT_EQ(qr.status, 200) << qr.raw;
  EXPECT_EQ(qr.body["expires_in"], 7200);
  const std::string qr_token = qr.body["qr_token"];
  Json payload = Json::parse(qr.body["payload"].get<std::string>(), nullptr, false);
  ASSERT_TRUE(payload.is_object());
  EXPECT_EQ(payload["token"], qr_token);
  EXPECT_EQ(payload["server"], "http://127.0.0.1:" + std::to_string(port_));
  const std::string png64 = qr.body["qr_png_base64"];
  EXPECT_EQ(png64.rfind("iVBORw0KGgo", 0), 0u);  // the PNG signature, base64

  auto image = Send("POST", "/api/v1/auth/guest/generate-qr", admin_, "{}",
                    {{"Accept", "image/png"}});
  ASSERT_EQ(image.status, 200);
  EXPECT_EQ(image.raw.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));

  // The QR token is not itself a bearer token.
  EXPECT_EQ(Send("GET", "/api/v1/auth/me", qr_token).status, 401);
  EXPECT_EQ(Send("POST", "/api/v1/auth/guest/verify", "", R"({"token":"nope"})").status, 401);
  EXPECT_EQ(Send("POST", "/api/v1/auth/guest/verify", "", "{}").status, 400);
  EXPECT_EQ(Send("POST", "/api/v1/auth/guest/verify", "", Json{{"token", member_}}.dump()).status,
            401);
  auto v = Send("POST", "/api/v1/auth/guest/verify", "", Json{{"qr_token", qr_token}}.dump());
  ASSERT_EQ(v.status, 200) << v.raw;
  EXPECT_EQ(v.body["role"], "guest");
  EXPECT_EQ(v.body["token_type"], "bearer");
  EXPECT_LE(v.body["expires_in"].get<int64_t>(), 7200);
  const std::string guest = v.body["access_token"];
  EXPECT_EQ(Send("GET", "/api/v1/graph/statistics", guest).status, 200);
  EXPECT_EQ(Send("POST", "/api/v1/graph/entities", guest, R"({"entity_type":"note","name":"n"})").status,
            403);
}

TEST_F(RestRoutesTest, EntityCrudVersionsRelationshipsSearchPath) {
  const std::string kitchen = CreateEntity("room", "Kitchen");
  const std::string lamp = CreateEntity("device", "Ceiling Lamp");
  ASSERT_FALSE(kitchen.empty());
  ASSERT_FALSE(lamp.empty());

  auto rel = Send("POST", "/api/v1/graph/relationships", member_,
                  Json{{"source_id", lamp}, {"target_id", kitchen}, {"relationship_type", "located_in"}}
                      .dump());
  ASSERT_EQ(rel.status, 200) << rel.raw;
  EXPECT_EQ(rel.body["relationship"]["from_entity_id"], lamp);

  auto got = Send("GET", "/api/v1/graph/entities/" + lamp, guest_);
  ASSERT_EQ(got.status, 200) << got.raw;
  EXPECT_EQ(got.body["entity"]["name"], "Ceiling Lamp");
  EXPECT_EQ(got.body["relationships"]["outgoing"].size(), 1u);
  EXPECT_EQ(got.body["relationships"]["incoming"].size(), 0u);

  auto upd = Send("PUT", "/api/v1/graph/entities/" + lamp, member_, R"({"name":"Pendant Lamp"})");
  ASSERT_EQ(upd.status, 200) << upd.raw;
  EXPECT_EQ(upd.body["entity"]["name"], "Pendant Lamp");
  EXPECT_EQ(upd.body["previous_version"], got.body["entity"]["version"]);
  auto versions = Send("GET", "/api/v1/graph/entities/" + lamp + "/versions", guest_);
  ASSERT_EQ(versions.status, 200);
  EXPECT_EQ(versions.body["count"], 2);
  auto old = Send("GET", "/api/v1/graph/entities/" + lamp + "?version=" +
                             got.body["entity"]["version"].get<std::string>(), guest_);
  EXPECT_EQ(old.status, 200) << old.raw;
  EXPECT_EQ(old.body["entity"]["name"], "Ceiling Lamp");
  // The edge survived the edit.
  auto rels = Send("GET", "/api/v1/graph/relationships?from_entity_id=" + lamp, guest_);
  EXPECT_EQ(rels.body["count"], 1);
  EXPECT_EQ(Send("GET", "/api/v1/graph/relationships?relationship_type=controls", guest_).body["count"],
            0);

  auto list = Send("GET", "/api/v1/graph/entities?entity_type=device&limit=10", guest_);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["total"], 1);
  EXPECT_EQ(list.body["entities"][0]["id"], lamp);
  auto page = Send("GET", "/api/v1/graph/entities?skip=1&limit=1", guest_);
  EXPECT_EQ(page.body["total"], 2);
  EXPECT_EQ(page.body["entities"].size(), 1u);

  auto search = Send("POST", "/api/v1/graph/search", guest_, R"({"query":"pendant"})");
  ASSERT_EQ(search.status, 200) << search.raw;
  ASSERT_GE(search.body["count"].get<int>(), 1);
  EXPECT_EQ(search.body["results"][0]["entity"]["id"], lamp);
  EXPECT_TRUE(search.body["results"][0].contains("score"));

  auto path = Send("POST", "/api/v1/graph/path", guest_,
                   Json{{"from_entity_id", lamp}, {"to_entity_id", kitchen}}.dump());
  ASSERT_EQ(path.status, 200) << path.raw;
  EXPECT_EQ(path.body["found"], true);
  EXPECT_EQ(path.body["length"], 1);
  EXPECT_EQ(path.body["path"][0]["id"], lamp);
  EXPECT_EQ(path.body["path"][1]["type"], "room");

  auto conn = Send("GET", "/api/v1/graph/entities/" + kitchen + "/connected?direction=incoming", guest_);
  ASSERT_EQ(conn.status, 200) << conn.raw;
  EXPECT_EQ(conn.body["count"], 1);
  EXPECT_EQ(conn.body["connected"][0]["entity"]["id"], lamp);
  EXPECT_EQ(conn.body["connected"][0]["relationship_type"], "located_in");

  auto stats = Send("GET", "/api/v1/graph/statistics", guest_);
  EXPECT_EQ(stats.body["entities"], 2);
  EXPECT_EQ(Send("GET", "/api/v1/graph/entities/" + lamp + "/similar", guest_).status, 200);

  auto del = Send("DELETE", "/api/v1/graph/entities/" + lamp, member_);
  EXPECT_EQ(del.status, 200) << del.raw;
  EXPECT_EQ(Send("GET", "/api/v1/graph/statistics", guest_).body["entities"], 1);
}

TEST_F(RestRoutesTest, McpToolsEndpointShapes) {
  auto desc = Send("GET", "/api/v1/mcp/tools/find_path", guest_);
  ASSERT_EQ(desc.status, 200);
  EXPECT_EQ(desc.body["name"], "find_path");
  EXPECT_EQ(Send("GET", "/api/v1/mcp/tools/no_such_tool", guest_).status, 404);

  auto ok = Send("POST", "/api/v1/mcp/tools/create_entity", member_,
                 R"({"arguments":{"entity_type":"note","name":"Filter change"}})");
  ASSERT_EQ(ok.status, 200) << ok.raw;
  EXPECT_EQ(ok.body["success"], true);
  EXPECT_TRUE(ok.body["error"].is_null());
  EXPECT_EQ(ok.body["result"]["entity"]["name"], "Filter change");

  auto bad = Send("POST", "/api/v1/mcp/tools/create_entity", member_,
                  R"({"arguments":{"entity_type":"spaceship","name":"x"}})");
  EXPECT_EQ(bad.status, 400) << bad.raw;
  EXPECT_EQ(bad.body["success"], false);
  EXPECT_TRUE(bad.body["result"].is_null());
  EXPECT_NE(bad.body["error"].get<std::string>().find("entity_type"), std::string::npos);

  auto missing = Send("POST", "/api/v1/mcp/tools/get_entity_details", guest_,
                      R"({"arguments":{"entity_id":"nope"}})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.body["success"], false);
  EXPECT_EQ(Send("POST", "/api/v1/mcp/tools/unknown_tool", member_, "{}").status, 404);
  EXPECT_EQ(Send("POST", "/api/v1/mcp/tools/describe_schema", guest_, R"({"arguments":[1]})").status,
            400);
  auto empty = Send("POST", "/api/v1/mcp/tools/describe_schema", guest_, "");
  EXPECT_EQ(empty.status, 200) << empty.raw;
}

TEST_F(RestRoutesTest, MalformedInputGetsPrecise400sAndTheServerKeepsServing) {
  struct Bad {
    std::string method, path, body, expect;
  };
  const std::vector<Bad> cases = {
      {"POST", "/api/v1/graph/entities", "{not json", "request body"},
      {"POST", "/api/v1/graph/entities", "", "request body"},
      {"POST", "/api/v1/graph/entities", "[1,2]", "expected a JSON object"},
      {"POST", "/api/v1/graph/entities", R"({"name":"x"})", "entity_type"},
      {"POST", "/api/v1/graph/entities", R"({"entity_type":"room","name":7})", "name"},
      {"POST", "/api/v1/graph/entities", R"({"entity_type":"robot","name":"r"})", "entity_type"},
      {"POST", "/api/v1/graph/entities", std::string(200, '[') + std::string(200, ']'), "deeper"},
      {"POST", "/api/v1/graph/relationships", R"({"from_entity_id":"a"})", ""},
      {"POST", "/api/v1/graph/search", R"({"query":5})", "query"},
      {"POST", "/api/v1/graph/path", R"({"from_entity_id":"a"})", "to_entity_id"},
      {"GET", "/api/v1/graph/entities?limit=abc", "", "limit"},
      {"GET", "/api/v1/graph/entities?limit=-1", "", "limit"},
      {"GET", "/api/v1/graph/entities?entity_type=robot", "", "entity_type"},
      {"GET", "/api/v1/graph/relationships?relationship_type=likes", "", "relationship_type"},
  };
  for (const auto& c : cases) {
    auto r = Send(c.method, c.path, member_, c.body);
    const bool is_4xx = r.status == 400 || r.status == 404;
    EXPECT_TRUE(is_4xx) << c.method << " " << c.path << " " << c.body.substr(0, 40) << " -> "
                        << r.status << " " << r.raw;
    EXPECT_NE(r.body.value("detail", "").find(c.expect), std::string::npos)
        << c.path << " " << r.raw;
  }
  EXPECT_EQ(Send("GET", "/api/v1/graph/entities/nope", member_).status, 404);
  EXPECT_EQ(Send("PUT", "/api/v1/graph/entities/nope", member_, R"({"name":"x"})").status, 404);
  EXPECT_EQ(Send("GET", "/api/v1/graph/entities/nope/versions", member_).status, 404);
  const std::string room = CreateEntity("room", "Hall");
  EXPECT_EQ(Send("POST", "/api/v1/graph/entities", member_,
                 Json{{"id", room}, {"entity_type", "room"}, {"name", "Dup"}}.dump())
                .status,
            409);
  EXPECT_EQ(Send("POST", "/api/v1/graph/relationships", member_,
                 Json{{"from_entity_id", room}, {"to_entity_id", "ghost"},
                      {"relationship_type", "located_in"}}
                     .dump())
                .status,
            404);
  // Still serving.
  EXPECT_EQ(Send("GET", "/api/v1/graph/statistics", member_).status, 200);
}

}  // namespace
}  // namespace funkygibbon::app
