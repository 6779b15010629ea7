#include "mcp/streamable_http.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "mcp/test_tools.h"

namespace funkygibbon::mcp {
namespace {

using testtools::Harness;

constexpr char kBoth[] = "application/json, text/event-stream";

Json ModernMeta(const Json& extra = Json::object()) {
  Json meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
            {"io.modelcontextprotocol/clientCapabilities", Json::object()},
            {"io.modelcontextprotocol/clientInfo", {{"name", "modern"}, {"version", "2"}}}};
  meta.update(extra);
  return meta;
}

// A fake clock the tests move by hand.
struct FakeClock {
  std::chrono::steady_clock::time_point now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
};

class StreamableHttpTest : public ::testing::Test {
 protected:
  explicit StreamableHttpTest(StreamableHttpOptions options = {}) : options_(std::move(options)) {
    options_.now = [this] { return clock_.now; };
    http_ = std::make_unique<StreamableHttp>(h_.dispatcher, options_);
  }

  static HttpRequest Post(const Json& body, HttpHeaders extra = {}) {
    HttpRequest r;
    r.method = "POST";
    r.path = "/mcp";
    r.headers = {{"Host", "127.0.0.1:8000"}, {"Content-Type", "application/json"}, {"Accept", kBoth}};
    for (auto& [k, v] : extra) r.headers[k] = v;
    r.body = body.dump();
    return r;
  }

  static Json Body(const HttpResponse& r) {
    Json j = Json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.body;
    return j;
  }

  static int Code(const HttpResponse& r) {
    Json j = Body(r);
    return j.contains("error") ? j["error"]["code"].get<int>() : 0;
  }

  // Runs an SSE response; returns its chunks.
  static std::vector<std::string> Drain(const HttpResponse& r) {
    std::vector<std::string> chunks;
    EXPECT_TRUE(r.stream);
    if (r.stream) {
      r.stream([&](std::string_view c) {
        chunks.emplace_back(c);
        return true;
      });
    }
    return chunks;
  }

  static Json InitializeBody(int id = 1) {
    return Json{{"jsonrpc", "2.0"},
                {"id", id},
                {"method", "initialize"},
                {"params",
                 {{"protocolVersion", "2025-11-25"},
                  {"capabilities", Json::object()},
                  {"clientInfo", {{"name", "t"}, {"version", "1"}}}}}};
  }

  // initialize + notifications/initialized; returns the session id.
  std::string Open() {
    HttpResponse r = http_->Handle(Post(InitializeBody()));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["Content-Type"], "application/json");
    std::string sid = r.headers["Mcp-Session-Id"];
    EXPECT_FALSE(sid.empty());
    HttpResponse n = http_->Handle(Post(Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}},
                                        {{"Mcp-Session-Id", sid}, {"MCP-Protocol-Version", "2025-11-25"}}));
    EXPECT_EQ(n.status, 202);
    EXPECT_TRUE(n.body.empty());
    return sid;
  }

  HttpHeaders In(const std::string& sid) {
    return {{"Mcp-Session-Id", sid}, {"MCP-Protocol-Version", "2025-11-25"}};
  }

  static Json Request(int id, const std::string& method, const Json& params = Json::object()) {
    return Json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
  }

  static HttpHeaders ModernHeaders(const std::string& method, const std::string& name = "") {
    HttpHeaders h{{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", method}};
    if (!name.empty()) h["Mcp-Name"] = name;
    return h;
  }

  Harness h_;
  FakeClock clock_;
  StreamableHttpOptions options_;
  std::unique_ptr<StreamableHttp> http_;
};

// ---- legacy era: sessions ---------------------------------------------------------

TEST_F(StreamableHttpTest, InitializeCreatesASessionWithAVisibleAsciiId) {
  HttpResponse r = http_->Handle(Post(InitializeBody()));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["result"]["protocolVersion"], "2025-11-25");
  const std::string sid = r.headers["Mcp-Session-Id"];
  ASSERT_GE(sid.size(), 32u);
  for (char c : sid) EXPECT_TRUE(c >= 0x21 && c <= 0x7E) << sid;
  EXPECT_EQ(http_->session_count(), 1u);
  HttpResponse r2 = http_->Handle(Post(InitializeBody()));
  EXPECT_NE(r2.headers["Mcp-Session-Id"], sid) << "session ids must not repeat";
}

TEST_F(StreamableHttpTest, RequestsInASessionAreAnsweredAsJson) {
  const std::string sid = Open();
  HttpResponse r = http_->Handle(Post(Request(2, "tools/list"), In(sid)));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["Content-Type"], "application/json");
  EXPECT_FALSE(Body(r)["result"]["tools"].empty());
  HttpResponse call = http_->Handle(
      Post(Request(3, "tools/call", {{"name", "echo"}, {"arguments", {{"text", "hi"}}}}), In(sid)));
  ASSERT_EQ(call.status, 200) << call.body;
  EXPECT_EQ(Body(call)["result"]["structuredContent"]["text"], "hi");
  EXPECT_EQ(call.tool, "echo");
  EXPECT_EQ(*call.tool_outcome, "ok");
}

TEST_F(StreamableHttpTest, MissingSessionIs400AndUnknownSessionIs404) {
  Open();
  HttpResponse missing = http_->Handle(Post(Request(2, "tools/list")));
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_NE(Body(missing)["error"]["message"].get<std::string>().find("Mcp-Session-Id"), std::string::npos);
  HttpResponse unknown = http_->Handle(Post(Request(2, "tools/list"), In("nope")));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Code(unknown), kSessionNotFound);
}

TEST_F(StreamableHttpTest, DeleteEndsTheSessionAndLaterRequestsGet404) {
  const std::string sid = Open();
  HttpRequest del = Post(Json::object(), In(sid));
  del.method = "DELETE";
  del.body.clear();
  EXPECT_EQ(http_->Handle(del).status, 200);
  EXPECT_EQ(http_->session_count(), 0u);
  EXPECT_EQ(http_->Handle(Post(Request(2, "ping"), In(sid))).status, 404);
  EXPECT_EQ(http_->Handle(del).status, 404);
  HttpRequest bare = del;
  bare.headers.erase("Mcp-Session-Id");
  EXPECT_EQ(http_->Handle(bare).status, 400);
}

TEST_F(StreamableHttpTest, ProtocolVersionHeaderAbsentMeans20250326AndUnsupportedIs400) {
  const std::string sid = Open();
  HttpResponse absent = http_->Handle(Post(Request(2, "ping"), {{"Mcp-Session-Id", sid}}));
  EXPECT_EQ(absent.status, 200) << absent.body;
  HttpResponse bad = http_->Handle(
      Post(Request(3, "ping"), {{"Mcp-Session-Id", sid}, {"MCP-Protocol-Version", "1999-01-01"}}));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("1999-01-01"), std::string::npos);
  EXPECT_EQ(http_->Handle(Post(InitializeBody(), {{"MCP-Protocol-Version", "banana"}})).status, 400);
}

TEST_F(StreamableHttpTest, NotificationsAndClientResponsesAre202WithoutBody) {
  const std::string sid = Open();
  HttpResponse resp =
      http_->Handle(Post(Json{{"jsonrpc", "2.0"}, {"id", 7}, {"result", Json::object()}}, In(sid)));
  EXPECT_EQ(resp.status, 202);
  EXPECT_TRUE(resp.body.empty());
  HttpResponse note = http_->Handle(Post(
      Json{{"jsonrpc", "2.0"}, {"method", "notifications/cancelled"}, {"params", {{"requestId", 99}}}},
      In(sid)));
  EXPECT_EQ(note.status, 202);
}

TEST_F(StreamableHttpTest, HeaderNamesAreCaseInsensitive) {
  HttpRequest r = Post(InitializeBody());
  r.headers.clear();
  r.headers["host"] = "localhost:1";
  r.headers["CONTENT-TYPE"] = "application/json; charset=utf-8";
  r.headers["accept"] = "text/event-stream, application/json;q=0.9";
  HttpResponse init = http_->Handle(r);
  ASSERT_EQ(init.status, 200) << init.body;
  const std::string sid = init.headers["mcp-session-id"];
  EXPECT_FALSE(sid.empty());
  EXPECT_EQ(http_->Handle(Post(Request(2, "ping"), {{"mcp-session-id", sid}})).status, 200);
}

TEST(CaseInsensitiveLessTest, FoldsAsciiLettersOnly) {
  const CaseInsensitiveLess less;
  EXPECT_FALSE(less("Mcp-Session-Id", "mcp-session-id"));
  EXPECT_FALSE(less("mcp-session-id", "MCP-SESSION-ID"));
  EXPECT_TRUE(less("Accept", "authorization"));  // c < u after folding
  EXPECT_TRUE(less("a", "B"));                  // 'a' > 'B' unfolded
  EXPECT_TRUE(less("Host", "host-x"));          // a prefix first
  EXPECT_FALSE(less("host-x", "HOST"));
  EXPECT_TRUE(less("[", "a"));                  // 0x5B, not a letter
  EXPECT_FALSE(less("Z", "["));  // 'z' (0x7A) > '[' (0x5B); unfolded 'Z' (0x5A) would be less
}

TEST_F(StreamableHttpTest, IdleSessionsExpire) {
  const std::string sid = Open();
  clock_.now += options_.session_idle_timeout + std::chrono::seconds(1);
  EXPECT_EQ(http_->Handle(Post(Request(2, "ping"), In(sid))).status, 404);
  EXPECT_EQ(http_->session_count(), 0u);
}

class SmallStreamableHttpTest : public StreamableHttpTest {
 protected:
  static StreamableHttpOptions Small() {
    StreamableHttpOptions o;
    o.max_sessions = 2;
    o.max_body_bytes = 2000;
    o.max_json_depth = 10;
    return o;
  }
  SmallStreamableHttpTest() : StreamableHttpTest(Small()) {}
};

TEST_F(SmallStreamableHttpTest, TheLeastRecentlyUsedSessionIsEvictedAtTheCap) {
  const std::string a = Open();
  clock_.now += std::chrono::seconds(1);
  const std::string b = Open();
  clock_.now += std::chrono::seconds(1);
  EXPECT_EQ(http_->Handle(Post(Request(2, "ping"), In(a))).status, 200);  // a is now the newer
  clock_.now += std::chrono::seconds(1);
  const std::string c = Open();
  EXPECT_EQ(http_->session_count(), 2u);
  EXPECT_EQ(http_->Handle(Post(Request(3, "ping"), In(b))).status, 404);
  EXPECT_EQ(http_->Handle(Post(Request(4, "ping"), In(a))).status, 200);
  EXPECT_EQ(http_->Handle(Post(Request(5, "ping"), In(c))).status, 200);
}

TEST_F(SmallStreamableHttpTest, OversizedAndDeepBodiesAreRejected) {
  Json big = Request(1, "ping", {{"pad", std::string(3000, 'x')}});
  HttpResponse r = http_->Handle(Post(big));
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(Body(r)["error"]["message"].get<std::string>().find("2000"), std::string::npos);
  HttpRequest deep = Post(Json::object());
  deep.body = std::string(50, '[') + std::string(50, ']');
  HttpResponse d = http_->Handle(deep);
  EXPECT_EQ(d.status, 400);
  EXPECT_EQ(Code(d), kInvalidRequest);
  EXPECT_NE(d.body.find("nested deeper"), std::string::npos);
}

// ---- legacy era: request shape ----------------------------------------------------

TEST_F(StreamableHttpTest, MalformedJsonIs400ParseError) {
  HttpRequest r = Post(Json::object());
  r.body = "{\"jsonrpc\":";
  HttpResponse out = http_->Handle(r);
  EXPECT_EQ(out.status, 400);
  EXPECT_EQ(Code(out), kParseError);
  EXPECT_TRUE(Body(out)["id"].is_null());
  r.body = "";
  EXPECT_EQ(Code(http_->Handle(r)), kParseError);
}

TEST_F(StreamableHttpTest, BatchesAndNonObjectsAre400InvalidRequest) {
  HttpResponse batch = http_->Handle(Post(Json::array({InitializeBody()})));
  EXPECT_EQ(batch.status, 400);
  EXPECT_EQ(Code(batch), kInvalidRequest);
  EXPECT_NE(batch.body.find("batch"), std::string::npos);
  HttpResponse scalar = http_->Handle(Post(Json(42)));
  EXPECT_EQ(scalar.status, 400);
  EXPECT_EQ(Code(scalar), kInvalidRequest);
}

TEST_F(StreamableHttpTest, AcceptMustListJsonAndEventStream) {
  for (const char* accept : {"application/json", "text/event-stream", "*/*", "text/html"}) {
    HttpResponse r = http_->Handle(Post(InitializeBody(), {{"Accept", accept}}));
    EXPECT_EQ(r.status, 406) << accept;
    EXPECT_NE(r.body.find("Accept"), std::string::npos);
  }
  HttpRequest none = Post(InitializeBody());
  none.headers.erase("Accept");
  EXPECT_EQ(http_->Handle(none).status, 406);
  EXPECT_EQ(http_->session_count(), 0u);
}

TEST_F(StreamableHttpTest, ContentTypeMustBeJson) {
  HttpResponse r = http_->Handle(Post(InitializeBody(), {{"Content-Type", "text/plain"}}));
  EXPECT_EQ(r.status, 415);
  EXPECT_NE(r.body.find("Content-Type"), std::string::npos);
}

TEST_F(StreamableHttpTest, GetIs405AndOtherMethodsToo) {
  HttpRequest get = Post(Json::object(), {{"Accept", "text/event-stream"}});
  get.method = "GET";
  get.body.clear();
  HttpResponse r = http_->Handle(get);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["Allow"], "POST, DELETE");
  get.method = "PUT";
  EXPECT_EQ(http_->Handle(get).status, 405);
}

// ---- SSE ---------------------------------------------------------------------------

TEST_F(StreamableHttpTest, ProgressTokenGetsAnSseStreamEndingWithTheResponse) {
  const std::string sid = Open();
  HttpResponse r = http_->Handle(Post(
      Request(5, "tools/call", {{"name", "progress"}, {"arguments", {{"steps", 3}}}, {"_meta", {{"progressToken", "p1"}}}}),
      In(sid)));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["Content-Type"], "text/event-stream");
  EXPECT_TRUE(r.body.empty());
  std::vector<std::string> chunks = Drain(r);
  ASSERT_GE(chunks.size(), 5u);  // priming, 3 progress, response
  EXPECT_EQ(chunks.front().rfind("id: ", 0), 0u);
  EXPECT_NE(chunks.front().find("\ndata: \n\n"), std::string::npos) << chunks.front();
  std::set<std::string> ids;
  int progress = 0;
  for (const auto& c : chunks) {
    ids.insert(c.substr(0, c.find('\n')));
    if (c.find("notifications/progress") != std::string::npos) ++progress;
  }
  EXPECT_EQ(ids.size(), chunks.size()) << "event ids must be unique";
  EXPECT_EQ(progress, 3);
  const std::string& last = chunks.back();
  Json response = Json::parse(last.substr(last.find("data: ") + 6));
  EXPECT_EQ(response["id"], 5);
  EXPECT_TRUE(response.contains("result"));
  EXPECT_EQ(*r.tool_outcome, "ok");
}

TEST_F(StreamableHttpTest, LogMessagesTravelOnTheRequestStreamOnceALevelIsSet) {
  const std::string sid = Open();
  ASSERT_EQ(http_->Handle(Post(Request(2, "logging/setLevel", {{"level", "error"}}), In(sid))).status, 200);
  HttpResponse r = http_->Handle(
      Post(Request(3, "tools/call", {{"name", "progress"}, {"arguments", {{"steps", 1}}}}), In(sid)));
  ASSERT_EQ(r.headers["Content-Type"], "text/event-stream");
  int logs = 0;
  for (const auto& c : Drain(r)) {
    if (c.find("notifications/message") != std::string::npos) ++logs;
  }
  EXPECT_EQ(logs, 4);  // error, critical, alert, emergency
}

// ---- DNS rebinding -----------------------------------------------------------------

TEST_F(StreamableHttpTest, NonLoopbackHostIs403WithAJsonRpcErrorWithoutId) {
  for (const char* host : {"evil.example.com", "evil.example.com:8000", "127.0.0.1.evil.com", ""}) {
    HttpResponse r = http_->Handle(Post(InitializeBody(), {{"Host", host}}));
    EXPECT_EQ(r.status, 403) << host;
    EXPECT_TRUE(Body(r)["id"].is_null());
    EXPECT_TRUE(Body(r).contains("error"));
  }
  for (const char* host : {"localhost", "localhost:9", "127.0.0.1:8000", "[::1]:8000", "LOCALHOST"}) {
    EXPECT_EQ(http_->Handle(Post(InitializeBody(), {{"Host", host}})).status, 200) << host;
  }
}

TEST_F(StreamableHttpTest, ForeignOriginIs403) {
  for (const char* origin : {"http://evil.example.com", "https://evil.example.com:443", "null",
                             "http://localhost.evil.com", "file://"}) {
    EXPECT_EQ(http_->Handle(Post(InitializeBody(), {{"Origin", origin}})).status, 403) << origin;
  }
  for (const char* origin : {"http://localhost:5173", "http://127.0.0.1", "https://[::1]:8443"}) {
    EXPECT_EQ(http_->Handle(Post(InitializeBody(), {{"Origin", origin}})).status, 200) << origin;
  }
}

class ConfiguredHostsTest : public StreamableHttpTest {
 protected:
  static StreamableHttpOptions Hosts() {
    StreamableHttpOptions o;
    o.allowed_hosts = {"hub.home.arpa"};
    o.allowed_origins = {"https://app.example.org"};
    return o;
  }
  ConfiguredHostsTest() : StreamableHttpTest(Hosts()) {}
};

TEST_F(ConfiguredHostsTest, ConfiguredHostsAndOriginsAreAccepted) {
  EXPECT_EQ(http_->Handle(Post(InitializeBody(), {{"Host", "hub.home.arpa:8000"}})).status, 200);
  EXPECT_EQ(http_->Handle(Post(InitializeBody(), {{"Origin", "http://hub.home.arpa:8000"}})).status, 200);
  EXPECT_EQ(http_->Handle(Post(InitializeBody(), {{"Origin", "https://app.example.org"}})).status, 200);
  EXPECT_EQ(http_->Handle(Post(InitializeBody(), {{"Host", "other.home.arpa"}})).status, 403);
}

// ---- 2026-07-28 era ----------------------------------------------------------------

TEST_F(StreamableHttpTest, ModernRequestsNeedNoSessionAndIgnoreSessionIds) {
  Json body = Request(1, "tools/list", {{"_meta", ModernMeta()}});
  HttpHeaders headers = ModernHeaders("tools/list");
  headers["Mcp-Session-Id"] = "whatever";
  HttpResponse r = http_->Handle(Post(body, headers));
  ASSERT_EQ(r.status, 200) << r.body;
  Json j = Body(r);
  EXPECT_EQ(j["result"]["resultType"], "complete");
  EXPECT_TRUE(j["result"].contains("ttlMs"));
  EXPECT_TRUE(r.headers.find("Mcp-Session-Id") == r.headers.end());
  EXPECT_EQ(http_->session_count(), 0u);
}

TEST_F(StreamableHttpTest, ModernDiscoverAndToolCallWork) {
  HttpResponse d = http_->Handle(
      Post(Request(1, "server/discover", {{"_meta", ModernMeta()}}), ModernHeaders("server/discover")));
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_TRUE(Body(d)["result"].contains("supportedVersions"));
  HttpResponse c = http_->Handle(Post(
      Request(2, "tools/call", {{"name", "echo"}, {"arguments", {{"text", "yo"}}}, {"_meta", ModernMeta()}}),
      ModernHeaders("tools/call", "echo")));
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_EQ(Body(c)["result"]["structuredContent"]["text"], "yo");
}

TEST_F(StreamableHttpTest, ModernProtocolVersionHeaderMustMatchMeta) {
  Json body = Request(1, "tools/list", {{"_meta", ModernMeta()}});
  HttpHeaders missing = ModernHeaders("tools/list");
  missing.erase("MCP-Protocol-Version");
  HttpResponse r = http_->Handle(Post(body, missing));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), kHeaderMismatch);
  EXPECT_EQ(Body(r)["id"], 1);
  HttpHeaders wrong = ModernHeaders("tools/list");
  wrong["MCP-Protocol-Version"] = "2025-11-25";
  EXPECT_EQ(Code(http_->Handle(Post(body, wrong))), kHeaderMismatch);
}

TEST_F(StreamableHttpTest, ModernMcpMethodHeaderMustMatchBody) {
  Json body = Request(1, "tools/list", {{"_meta", ModernMeta()}});
  HttpHeaders none = ModernHeaders("tools/list");
  none.erase("Mcp-Method");
  EXPECT_EQ(Code(http_->Handle(Post(body, none))), kHeaderMismatch);
  HttpResponse r = http_->Handle(Post(body, ModernHeaders("prompts/list")));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), kHeaderMismatch);
}

TEST_F(StreamableHttpTest, ModernMcpNameIsRequiredAndMayBeBase64) {
  Json body =
      Request(1, "tools/call", {{"name", "echo"}, {"arguments", {{"text", "x"}}}, {"_meta", ModernMeta()}});
  HttpResponse missing = http_->Handle(Post(body, ModernHeaders("tools/call")));
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(Code(missing), kHeaderMismatch);
  EXPECT_EQ(Code(http_->Handle(Post(body, ModernHeaders("tools/call", "other")))), kHeaderMismatch);
  // "echo" in base64 is ZWNobw==.
  EXPECT_EQ(http_->Handle(Post(body, ModernHeaders("tools/call", "=?base64?ZWNobw==?="))).status, 200);
  EXPECT_EQ(Code(http_->Handle(Post(body, ModernHeaders("tools/call", "=?base64?!!!?=")))), kHeaderMismatch);
  Json read = Request(2, "resources/read", {{"uri", "mem://a"}, {"_meta", ModernMeta()}});
  EXPECT_EQ(Code(http_->Handle(Post(read, ModernHeaders("resources/read")))), kHeaderMismatch);
  EXPECT_EQ(http_->Handle(Post(read, ModernHeaders("resources/read", "mem://a"))).status, 200);
}

TEST_F(StreamableHttpTest, ModernUnsupportedVersionIs400WithSupportedList) {
  Json body = Request(1, "tools/list",
                      {{"_meta", ModernMeta({{"io.modelcontextprotocol/protocolVersion", "2099-01-01"}})}});
  HttpHeaders headers = ModernHeaders("tools/list");
  headers["MCP-Protocol-Version"] = "2099-01-01";
  HttpResponse r = http_->Handle(Post(body, headers));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), kUnsupportedProtocolVersion);
  Json data = Body(r)["error"]["data"];
  EXPECT_EQ(data["requested"], "2099-01-01");
  EXPECT_NE(data["supported"].dump().find("2026-07-28"), std::string::npos);
}

TEST_F(StreamableHttpTest, ModernRemovedAndUnknownMethodsAre404MethodNotFound) {
  for (const char* method : {"ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe",
                             "no/such/method"}) {
    HttpResponse r = http_->Handle(Post(Request(1, method, {{"_meta", ModernMeta()}, {"level", "info"}, {"uri", "mem://a"}}),
                                        ModernHeaders(method)));
    EXPECT_EQ(r.status, 404) << method << " " << r.body;
    EXPECT_EQ(Code(r), kMethodNotFound) << method;
  }
}

TEST_F(StreamableHttpTest, ModernMissingCapabilitiesIs400InvalidParams) {
  Json meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"}};
  HttpResponse r = http_->Handle(Post(Request(1, "tools/list", {{"_meta", meta}}), ModernHeaders("tools/list")));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), kInvalidParams);
}

TEST_F(StreamableHttpTest, ModernGetAndDeleteAre405) {
  HttpRequest r = Post(Json::object(), ModernHeaders("tools/list"));
  r.body.clear();
  r.method = "GET";
  EXPECT_EQ(http_->Handle(r).status, 405);
  r.method = "DELETE";
  HttpResponse del = http_->Handle(r);
  EXPECT_EQ(del.status, 405);
  EXPECT_EQ(del.headers["Allow"], "POST");
}

TEST_F(StreamableHttpTest, ModernSseCarriesNoBufferingHeaderAndClosingCancels) {
  Json body = Request(7, "tools/call",
                      {{"name", "progress"},
                       {"arguments", {{"steps", 2}}},
                       {"_meta", ModernMeta({{"progressToken", 1}})}});
  HttpResponse r = http_->Handle(Post(body, ModernHeaders("tools/call", "progress")));
  ASSERT_EQ(r.headers["Content-Type"], "text/event-stream");
  EXPECT_EQ(r.headers["X-Accel-Buffering"], "no");
  std::vector<std::string> chunks = Drain(r);
  ASSERT_FALSE(chunks.empty());
  EXPECT_NE(chunks.back().find("\"resultType\":\"complete\""), std::string::npos) << chunks.back();

  // A client that goes away after the priming event: the request is
  // cancelled and no response is written.
  HttpResponse gone = http_->Handle(Post(body, ModernHeaders("tools/call", "progress")));
  std::vector<std::string> written;
  int calls = 0;
  gone.stream([&](std::string_view c) {
    if (++calls == 1) {
      written.emplace_back(c);
      return true;
    }
    return false;
  });
  EXPECT_EQ(written.size(), 1u);
  EXPECT_EQ(*gone.tool_outcome, "protocol_error");  // cancelled: no reply
}

TEST_F(StreamableHttpTest, DualEraOnOneEndpoint) {
  const std::string sid = Open();
  HttpResponse legacy = http_->Handle(Post(Request(2, "ping"), In(sid)));
  EXPECT_EQ(legacy.status, 200);
  HttpResponse modern = http_->Handle(
      Post(Request(3, "tools/list", {{"_meta", ModernMeta()}}), ModernHeaders("tools/list")));
  EXPECT_EQ(modern.status, 200);
  EXPECT_EQ(Body(modern)["result"]["resultType"], "complete");
  HttpResponse legacy_list = http_->Handle(Post(Request(4, "tools/list"), In(sid)));
  EXPECT_FALSE(Body(legacy_list)["result"].contains("resultType"));
}

TEST(DecodeHeaderValueTest, DecodesBase64AndPassesPlainText) {
  EXPECT_EQ(DecodeHeaderValue("plain"), std::optional<std::string>("plain"));
  EXPECT_EQ(DecodeHeaderValue("=?base64?ZWNobw==?="), std::optional<std::string>("echo"));
  EXPECT_EQ(DecodeHeaderValue("=?BASE64?w6k?="), std::optional<std::string>("\xC3\xA9"));
  EXPECT_EQ(DecodeHeaderValue("=?base64?a?="), std::nullopt);
  EXPECT_EQ(DecodeHeaderValue("=?base64?a$b?="), std::nullopt);
}

}  // namespace
}  // namespace funkygibbon::mcp
