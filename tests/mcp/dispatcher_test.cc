#include "mcp/dispatcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "mcp/test_tools.h"

namespace funkygibbon::mcp {
namespace {

using testtools::Capture;
using testtools::Harness;

int ErrorCode(const Json& reply) {
  if (!reply.is_object() || !reply.contains("error")) return 0;
  return reply["error"]["code"].get<int>();
}

std::string ErrorMessage(const Json& reply) {
  return reply.contains("error") ? reply["error"]["message"].get<std::string>()
                                 : "";
}

Json ModernMeta(const Json& extra = Json::object()) {
  Json meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
            {"io.modelcontextprotocol/clientCapabilities", Json::object()},
            {"io.modelcontextprotocol/clientInfo",
             {{"name", "modern"}, {"version", "2"}}}};
  meta.update(extra);
  return meta;
}

// ---- lifecycle
// ------------------------------------------------------------------

TEST(DispatcherLifecycleTest, InitializeAnswersWithCapabilitiesAndServerInfo) {
  Harness h;
  Json r = h.Initialize();
  ASSERT_TRUE(r.contains("result")) << r;
  EXPECT_EQ(r["jsonrpc"], "2.0");
  EXPECT_EQ(r["id"], 0);
  const Json& res = r["result"];
  EXPECT_EQ(res["protocolVersion"], "2025-11-25");
  EXPECT_EQ(res["capabilities"], Json::parse(R"({"tools":{"listChanged":false},
                            "resources":{"subscribe":false,"listChanged":false},
                            "logging":{},"completions":{}})"));
  EXPECT_EQ(res["serverInfo"], (Json{{"name", "funkygibbon"},
                                     {"title", "FunkyGibbon"},
                                     {"version", "9.9.9-test"}}));
  EXPECT_EQ(res["instructions"], "Use the test tools.");
  EXPECT_TRUE(h.session.initialized());
  EXPECT_TRUE(h.session.client_ready());
  EXPECT_EQ(h.session.protocol_version(), "2025-11-25");
  EXPECT_EQ(h.session.client_info()["name"], "test-client");
}

TEST(DispatcherLifecycleTest, VersionNegotiation) {
  for (const char* v : {"2025-11-25", "2025-06-18", "2025-03-26"}) {
    Harness h;
    EXPECT_EQ(h.Initialize(v)["result"]["protocolVersion"], v);
    EXPECT_EQ(h.session.protocol_version(), v);
  }
  for (const char* v : {"2024-11-05", "2026-07-28", "1999-01-01", "garbage"}) {
    Harness h;
    EXPECT_EQ(h.Initialize(v)["result"]["protocolVersion"], "2025-11-25") << v;
  }
  Harness h;
  EXPECT_EQ(
      h.Request(1, "initialize", Json::object())["result"]["protocolVersion"],
      "2025-11-25");
  EXPECT_EQ(ErrorCode(h.Request(2, "initialize", Json{{"protocolVersion", 5}})),
            kInvalidParams);
}

TEST(DispatcherLifecycleTest, RequestsBeforeInitializeAreRejected) {
  Harness h;
  Json r = h.Request(1, "tools/list");
  EXPECT_EQ(ErrorCode(r), kInvalidRequest);
  EXPECT_EQ(r["id"], 1);
  EXPECT_NE(ErrorMessage(r).find("initialize"), std::string::npos);
  // ping and unknown methods are still answered as such.
  EXPECT_EQ(h.Request(2, "ping")["result"], Json::object());
  EXPECT_EQ(ErrorCode(h.Request(3, "no/such")), kMethodNotFound);
  // Served right after the initialize response, even before initialized.
  h.Request(4, "initialize", Json{{"protocolVersion", "2025-11-25"}});
  EXPECT_FALSE(h.session.client_ready());
  EXPECT_TRUE(h.Request(5, "tools/list").contains("result"));
}

TEST(DispatcherLifecycleTest, InstructionsOmittedWhenEmpty) {
  DispatcherOptions o = Harness::DefaultOptions();
  o.instructions.clear();
  Harness h(o);
  EXPECT_FALSE(h.Initialize()["result"].contains("instructions"));
}

TEST(DispatcherLifecycleTest, PingAnytime) {
  Harness h;
  h.Initialize();
  EXPECT_EQ(h.Send(R"({"jsonrpc":"2.0","id":"p","method":"ping"})"),
            Json::parse(R"({"jsonrpc":"2.0","id":"p","result":{}})"));
}

// ---- JSON-RPC framing errors
// -------------------------------------------------------

TEST(DispatcherJsonRpcTest, ParseErrorHasNullId) {
  Harness h;
  for (const char* bad : {"{", "not json", R"({"jsonrpc":"2.0","id":1,)", ""}) {
    Json r = h.Send(bad);
    EXPECT_EQ(ErrorCode(r), kParseError) << bad;
    EXPECT_TRUE(r["id"].is_null());
  }
}

TEST(DispatcherJsonRpcTest, InvalidRequests) {
  Harness h;
  h.Initialize();
  struct Case {
    const char* line;
    Json id;
  };
  const Case cases[] = {
      {R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])", nullptr},  // batch
      {R"([])", nullptr},
      {R"(5)", nullptr},
      {R"("hello")", nullptr},
      {R"({"id":1,"method":"ping"})", 1},                      // no jsonrpc
      {R"({"jsonrpc":"1.0","id":"a","method":"ping"})", "a"},  // wrong jsonrpc
      {R"({"jsonrpc":2.0,"id":1,"method":"ping"})", 1},
      {R"({"jsonrpc":"2.0","id":null,"method":"ping"})", nullptr},
      {R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})", nullptr},
      {R"({"jsonrpc":"2.0","id":true,"method":"ping"})", nullptr},
      {R"({"jsonrpc":"2.0","id":{"a":1},"method":"ping"})", nullptr},
      {R"({"jsonrpc":"2.0","id":1,"method":7})", 1},
      {R"({"jsonrpc":"2.0","id":1})", 1},  // neither request nor response
      {R"({"jsonrpc":"2.0"})", nullptr},
  };
  for (const auto& c : cases) {
    Json r = h.Send(c.line);
    EXPECT_EQ(ErrorCode(r), kInvalidRequest) << c.line << " -> " << r;
    EXPECT_EQ(r["id"], c.id) << c.line;
  }
  Json batch = h.Send(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
  EXPECT_NE(ErrorMessage(batch).find("batch"), std::string::npos);
}

TEST(DispatcherJsonRpcTest, DeepNestingIsRejectedBeforeParsing) {
  Harness h;
  h.Initialize();
  const std::string deep =
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x","n":)" +
      std::string(100000, '[') + std::string(100000, ']') + "}}}";
  Json r = h.Send(deep);
  EXPECT_EQ(ErrorCode(r), kInvalidRequest);
  EXPECT_NE(ErrorMessage(r).find("64"), std::string::npos);
  // 64 levels in total is fine.
  std::string ok =
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x","n":)" +
      std::string(60, '[') + std::string(60, ']') + "}}}";
  EXPECT_EQ(ErrorCode(h.Send(ok)), 0);
}

TEST(DispatcherJsonRpcTest, UnknownMethodAndBadParams) {
  Harness h;
  h.Initialize();
  Json r = h.Request(1, "tools/destroy");
  EXPECT_EQ(ErrorCode(r), kMethodNotFound);
  EXPECT_EQ(ErrorMessage(r), "Method not found: tools/destroy");
  EXPECT_EQ(
      ErrorCode(h.Send(
          R"({"jsonrpc":"2.0","id":2,"method":"tools/list","params":[1]})")),
      kInvalidParams);
  EXPECT_EQ(
      ErrorCode(h.Request(3, "resources/subscribe", Json{{"uri", "mem://a"}})),
      kMethodNotFound);
}

TEST(DispatcherJsonRpcTest, NotificationsAndClientResponsesGetNoReply) {
  Harness h;
  h.Initialize();
  for (
      const char* line : {
          R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
          R"({"jsonrpc":"2.0","method":"notifications/roots/list_changed"})",
          R"({"jsonrpc":"2.0","method":"no/such/notification","params":{}})",
          R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":[1]})",
          R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":99}})",
          R"({"jsonrpc":"2.0","id":7,"result":{"roots":[]}})",
          R"({"jsonrpc":"2.0","id":8,"error":{"code":-1,"message":"no"}})",
      }) {
    EXPECT_TRUE(h.Send(line).is_null()) << line;
  }
  EXPECT_EQ(h.capture.size(), 0u);
}

TEST(DispatcherJsonRpcTest, IdsAreEchoedExactly) {
  Harness h;
  h.Initialize();
  EXPECT_EQ(h.Send(R"({"jsonrpc":"2.0","id":"abc-1","method":"ping"})")["id"],
            "abc-1");
  EXPECT_EQ(
      h.Send(R"({"jsonrpc":"2.0","id":9007199254740993,"method":"tools/list"})")
          ["id"],
      Json::parse("9007199254740993"));
  EXPECT_EQ(h.Send(R"({"jsonrpc":"2.0","id":-3,"method":"tools/list"})")["id"],
            -3);
}

TEST(DispatcherJsonRpcTest, InvalidUtf8InARequestIsEchoedSafely) {
  Harness h;
  h.Initialize();
  const std::string line =
      std::string(
          R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"caf)") +
      "\xC3\x28\xff" + R"("}}})";
  std::optional<std::string> raw = h.dispatcher.Handle(line, h.session);
  ASSERT_TRUE(raw.has_value());
  EXPECT_TRUE(IsValidUtf8(*raw));
  Json r = Json::parse(*raw);
  EXPECT_EQ(r["result"]["structuredContent"]["text"],
            "caf\xEF\xBF\xBD(\xEF\xBF\xBD");
}

// ---- tools
// ------------------------------------------------------------------------

TEST(DispatcherToolsTest, ListFitsOnePageByDefault) {
  Harness h;
  h.Initialize();
  Json r = h.Request(1, "tools/list");
  ASSERT_TRUE(r.contains("result")) << r;
  EXPECT_EQ(r["result"]["tools"].size(), 7u);
  EXPECT_FALSE(r["result"].contains("nextCursor"));
  const Json& echo = r["result"]["tools"][0];
  EXPECT_EQ(echo["name"], "echo");
  EXPECT_EQ(echo["title"], "Echo");
  EXPECT_TRUE(echo.contains("inputSchema"));
  EXPECT_TRUE(echo.contains("outputSchema"));
  EXPECT_EQ(echo["annotations"]["readOnlyHint"], true);
}

TEST(DispatcherToolsTest, PaginationAndBadCursors) {
  DispatcherOptions o = Harness::DefaultOptions();
  o.tools_page_size = 3;
  Harness h(o);
  h.Initialize();
  std::vector<std::string> names;
  Json cursor = nullptr;
  int pages = 0;
  do {
    Json params = Json::object();
    if (!cursor.is_null()) params["cursor"] = cursor;
    Json r = h.Request(10 + pages, "tools/list", params);
    ASSERT_TRUE(r.contains("result")) << r;
    for (const auto& t : r["result"]["tools"]) names.push_back(t["name"]);
    cursor = r["result"].value("nextCursor", Json());
    ++pages;
  } while (!cursor.is_null() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(names, (std::vector<std::string>{"echo", "lookup", "write_note",
                                             "fail", "bad_output", "progress",
                                             "wait_for_cancel"}));
  for (const Json& bad :
       {Json("garbage!"), Json(EncodeCursor("tools:0")),
        Json(EncodeCursor("tools:7")), Json(EncodeCursor("tools:99999999")),
        Json(EncodeCursor("other:3")), Json(EncodeCursor("tools:-1")),
        Json(5)}) {
    Json r = h.Request(50, "tools/list", Json{{"cursor", bad}});
    EXPECT_EQ(ErrorCode(r), kInvalidParams) << bad;
  }
  EXPECT_EQ(
      ErrorMessage(h.Request(51, "tools/list", Json{{"cursor", "garbage!"}})),
      "tools/list: invalid cursor");
}

TEST(DispatcherToolsTest, ReadOnlyCallerSeesAndCallsOnlyReadOnlyTools) {
  Harness h;
  h.session.SetCaller(Caller{"guest", true});
  h.Initialize();
  Json list = h.Request(1, "tools/list");
  std::set<std::string> names;
  for (const auto& t : list["result"]["tools"]) names.insert(t["name"]);
  EXPECT_EQ(names, (std::set<std::string>{"echo", "lookup", "progress",
                                          "wait_for_cancel"}));
  Json denied = h.CallTool(2, "write_note", Json::object());
  EXPECT_EQ(denied["result"]["isError"], true);
  EXPECT_NE(denied["result"]["content"][0]["text"].get<std::string>().find(
                "read-only"),
            std::string::npos);
  // A per-request caller (HTTP bearer token) overrides the session's.
  RequestOptions member;
  member.caller = Caller{"alice", false};
  Json ok = h.Send(
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"write_note"}})",
      member);
  EXPECT_EQ(ok["result"]["structuredContent"]["written_by"], "alice");
  // The lists are kept per role after the first: each caller still sees its own.
  Json member_list = h.Send(R"({"jsonrpc":"2.0","id":4,"method":"tools/list"})", member);
  EXPECT_EQ(member_list["result"]["tools"].size(), 7u);
  EXPECT_EQ(h.Request(5, "tools/list")["result"]["tools"], list["result"]["tools"]);
  EXPECT_EQ(h.Send(R"({"jsonrpc":"2.0","id":6,"method":"tools/list"})", member)["result"],
            member_list["result"]);
}

// A page is kept once made; asking again, in either era, gives the same
// tools, and the era's own members around them.
TEST(DispatcherToolsTest, RepeatedListsAreTheSameInBothEras) {
  DispatcherOptions o = Harness::DefaultOptions();
  o.tools_page_size = 4;
  Harness h(o);
  h.Initialize();
  Json first = h.Request(1, "tools/list");
  Json second = h.Request(2, "tools/list");
  EXPECT_EQ(first["result"], second["result"]);
  ASSERT_EQ(first["result"]["tools"].size(), 4u);
  Json modern = h.Request(3, "tools/list", Json{{"_meta", ModernMeta()}});
  ASSERT_TRUE(modern.contains("result")) << modern;
  EXPECT_EQ(modern["result"]["tools"], first["result"]["tools"]);
  EXPECT_EQ(modern["result"]["nextCursor"], first["result"]["nextCursor"]);
  EXPECT_EQ(modern["result"]["resultType"], "complete");
  EXPECT_EQ(modern["result"]["cacheScope"], "private");
  EXPECT_TRUE(modern["result"]["ttlMs"].is_number_integer());
  EXPECT_TRUE(modern["result"]["_meta"].contains("io.modelcontextprotocol/serverInfo"));
  EXPECT_FALSE(first["result"].contains("resultType"));
  EXPECT_FALSE(first["result"].contains("ttlMs"));
  Json rest = h.Request(4, "tools/list", Json{{"cursor", first["result"]["nextCursor"]}});
  EXPECT_EQ(rest["result"]["tools"].size(), 3u);
  EXPECT_FALSE(rest["result"].contains("nextCursor"));
  EXPECT_EQ(h.Request(5, "tools/list", Json{{"cursor", first["result"]["nextCursor"]}}),
            [&] { Json r = rest; r["id"] = 5; return r; }());
}

TEST(DispatcherToolsTest, CallSuccess) {
  Harness h;
  h.Initialize();
  Json r = h.CallTool(1, "echo", Json{{"text", "ab"}, {"repeat", 3}});
  EXPECT_EQ(r["result"],
            Json::parse(
                R"({"content":[{"type":"text","text":"{\"text\":\"ababab\"}"}],
                            "structuredContent":{"text":"ababab"},"isError":false})"));
  Json w = h.CallTool(2, "write_note", Json::object());
  EXPECT_EQ(w["result"]["structuredContent"]["written_by"], "mcp");
}

TEST(DispatcherToolsTest, UnknownToolIsAJsonRpcError) {
  Harness h;
  h.Initialize();
  Json r = h.CallTool(1, "no_such_tool", Json::object());
  EXPECT_EQ(ErrorCode(r), kInvalidParams);
  EXPECT_EQ(ErrorMessage(r), "Unknown tool: no_such_tool");
  EXPECT_FALSE(r.contains("result"));
}

TEST(DispatcherToolsTest, MalformedCallParams) {
  Harness h;
  h.Initialize();
  EXPECT_EQ(ErrorCode(h.Request(1, "tools/call", Json::object())),
            kInvalidParams);
  EXPECT_EQ(ErrorCode(h.Request(2, "tools/call", Json{{"name", 3}})),
            kInvalidParams);
  EXPECT_EQ(ErrorCode(h.Request(3, "tools/call",
                                Json{{"name", "echo"}, {"arguments", "text"}})),
            kInvalidParams);
  // Missing arguments mean {} (and then fail the schema as a tool error).
  Json r = h.Request(4, "tools/call", Json{{"name", "lookup"}});
  EXPECT_EQ(r["result"]["isError"], true);
}

TEST(DispatcherToolsTest, ValidationErrorsAreToolResultsTheModelCanRead) {
  Harness h;
  h.Initialize();
  Json r = h.CallTool(1, "lookup",
                      Json{{"entity_id", "x"},
                           {"max_depth", 80},
                           {"entity_type", "robot"},
                           {"tags", {"a", "a"}}});
  ASSERT_TRUE(r.contains("result")) << r;
  EXPECT_EQ(r["result"]["isError"], true);
  EXPECT_EQ(r["result"]["content"][0]["text"],
            "Invalid arguments for tool 'lookup': arguments.entity_type: must "
            "be one of \"home\", "
            "\"room\", \"device\" (got \"robot\"); arguments.max_depth: must "
            "be <= 50 (got 80); "
            "arguments.tags: must not contain duplicate items (items 0 and 1 "
            "are both \"a\")");
  Json missing = h.CallTool(2, "lookup", Json::object());
  EXPECT_EQ(missing["result"]["content"][0]["text"],
            "Invalid arguments for tool 'lookup': arguments: missing required "
            "property "
            "'entity_id'");
  Json extra = h.CallTool(3, "echo", Json{{"text", "x"}, {"colour", "red"}});
  EXPECT_NE(extra["result"]["content"][0]["text"].get<std::string>().find(
                "arguments: unknown property \"colour\""),
            std::string::npos);
}

TEST(DispatcherToolsTest, HandlerFailuresIsErrorVersusInternal) {
  Harness h;
  h.Initialize();
  Json invalid = h.CallTool(1, "fail", Json{{"code", "invalid"}});
  EXPECT_EQ(
      invalid["result"],
      Json::parse(
          R"({"content":[{"type":"text","text":"name: must not be empty"}],"isError":true})"));
  EXPECT_EQ(
      h.CallTool(2, "fail", Json{{"code", "not_found"}})["result"]["isError"],
      true);
  Json internal = h.CallTool(3, "fail", Json{{"code", "internal"}});
  EXPECT_EQ(ErrorCode(internal), kInternalError);
  EXPECT_EQ(ErrorCode(h.CallTool(4, "fail", Json{{"code", "throw"}})),
            kInternalError);
  Json mismatch = h.CallTool(5, "bad_output", Json::object());
  EXPECT_EQ(ErrorCode(mismatch), kInternalError);
  EXPECT_NE(ErrorMessage(mismatch).find("outputSchema"), std::string::npos);
}

// ---- progress and logging
// ---------------------------------------------------------

TEST(DispatcherNotificationsTest, ProgressCarriesTheTokenAndIncreases) {
  for (const Json& token : {Json("tok-1"), Json(42)}) {
    Harness h;
    h.Initialize();
    Json r = h.CallTool(1, "progress", Json{{"steps", 4}},
                        Json{{"progressToken", token}});
    ASSERT_EQ(r["result"]["isError"], false) << r;
    std::vector<Json> sent = h.capture.messages();
    std::vector<double> values;
    for (const auto& m : sent) {
      if (m["method"] != "notifications/progress") continue;
      EXPECT_EQ(m["jsonrpc"], "2.0");
      EXPECT_FALSE(m.contains("id"));
      EXPECT_EQ(m["params"]["progressToken"], token);
      EXPECT_EQ(m["params"]["total"], 4.0);
      values.push_back(m["params"]["progress"]);
    }
    EXPECT_EQ(values,
              (std::vector<double>{1, 2, 3, 4}));  // repeats were dropped
    EXPECT_EQ(sent.front()["params"]["message"], "step 1");
  }
}

TEST(DispatcherNotificationsTest, NoProgressWithoutAToken) {
  Harness h;
  h.Initialize();
  h.CallTool(1, "progress", Json{{"steps", 3}});
  EXPECT_EQ(h.capture.size(), 0u);  // and no log messages: no level set
}

TEST(DispatcherNotificationsTest, LogMessagesFollowTheLevel) {
  Harness h;
  h.Initialize();
  EXPECT_EQ(
      h.Request(1, "logging/setLevel", Json{{"level", "warning"}})["result"],
      Json::object());
  EXPECT_EQ(h.session.log_level(), LogLevel::kWarning);
  h.CallTool(2, "progress", Json{{"steps", 1}});
  std::vector<std::string> levels;
  for (const auto& m : h.capture.messages()) {
    ASSERT_EQ(m["method"], "notifications/message");
    EXPECT_EQ(m["params"]["logger"], "progress");
    levels.push_back(m["params"]["level"]);
  }
  EXPECT_EQ(levels, (std::vector<std::string>{"warning", "error", "critical",
                                              "alert", "emergency"}));
  EXPECT_EQ(
      ErrorCode(h.Request(3, "logging/setLevel", Json{{"level", "verbose"}})),
      kInvalidParams);
  EXPECT_EQ(ErrorCode(h.Request(4, "logging/setLevel", Json::object())),
            kInvalidParams);
  EXPECT_EQ(h.session.log_level(), LogLevel::kWarning);
}

TEST(DispatcherNotificationsTest,
     PerRequestSinkGetsTheRequestsNotificationsInOrder) {
  Harness h;
  h.Initialize();
  h.Request(1, "logging/setLevel", Json{{"level", "debug"}});
  Capture stream;
  RequestOptions opts;
  opts.notify = stream.sink();
  Json r = h.Send(
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"progress",
                     "arguments":{"steps":2},"_meta":{"progressToken":"p"}}})",
      opts);
  EXPECT_EQ(r["result"]["isError"], false);
  EXPECT_EQ(h.capture.size(), 0u);  // nothing on the session's own stream
  std::vector<std::string> kinds;
  for (const auto& m : stream.messages()) {
    kinds.push_back(m["method"].get<std::string>() + ":" +
                    (m["method"] == "notifications/progress"
                         ? m["params"]["progress"].dump()
                         : m["params"]["level"].get<std::string>()));
  }
  EXPECT_EQ(
      kinds,
      (std::vector<std::string>{
          "notifications/progress:1.0", "notifications/progress:2.0",
          "notifications/message:debug", "notifications/message:info",
          "notifications/message:notice", "notifications/message:warning",
          "notifications/message:error", "notifications/message:critical",
          "notifications/message:alert", "notifications/message:emergency"}));
}

// ---- cancellation
// --------------------------------------------------------------------

TEST(DispatcherCancellationTest, CancelledRequestGetsNoResponse) {
  Harness h;
  h.Initialize();
  const int before = testtools::wait_for_cancel_started.load();
  auto running = std::async(std::launch::async, [&] {
    return h.dispatcher.Handle(
        R"({"jsonrpc":"2.0","id":"long","method":"tools/call","params":{"name":"wait_for_cancel"}})",
        h.session);
  });
  while (testtools::wait_for_cancel_started.load() == before) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(h.session.in_flight(), 1u);
  // A cancellation for a different id (1 is not "long") changes nothing.
  EXPECT_FALSE(
      h.Send(
           R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}})")
          .is_object());
  EXPECT_TRUE(h.Send(R"({"jsonrpc":"2.0","method":"notifications/cancelled",
                         "params":{"requestId":"long","reason":"user pressed stop"}})")
                  .is_null());
  ASSERT_EQ(running.wait_for(std::chrono::seconds(5)),
            std::future_status::ready);
  EXPECT_FALSE(running.get().has_value());
  EXPECT_EQ(h.session.in_flight(), 0u);
}

TEST(DispatcherCancellationTest, CancelledWhileQueuedNeverRuns) {
  Harness h;
  h.Initialize();
  Incoming queued = h.dispatcher.Accept(
      R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"write_note"}})",
      h.session);
  EXPECT_FALSE(queued.done());
  Incoming cancel = h.dispatcher.Accept(
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":5}})",
      h.session);
  EXPECT_TRUE(cancel.done());
  EXPECT_FALSE(cancel.reply().has_value());
  EXPECT_FALSE(h.dispatcher.Execute(std::move(queued), h.session).has_value());
  EXPECT_EQ(h.session.in_flight(), 0u);
}

TEST(DispatcherCancellationTest, DroppedIncomingUnregisters) {
  Harness h;
  h.Initialize();
  {
    Incoming in = h.dispatcher.Accept(
        R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})", h.session);
    EXPECT_EQ(h.session.in_flight(), 1u);
  }
  EXPECT_EQ(h.session.in_flight(), 0u);
  // initialize is never registered, so it cannot be cancelled.
  Incoming init = h.dispatcher.Accept(
      R"({"jsonrpc":"2.0","id":2,"method":"initialize","params":{}})",
      h.session);
  EXPECT_EQ(h.session.in_flight(), 0u);
  EXPECT_FALSE(h.session.Cancel(2));
  EXPECT_TRUE(h.dispatcher.Execute(std::move(init), h.session).has_value());
}

// ---- resources and completion
// ------------------------------------------------------------

TEST(DispatcherResourcesTest, ListPaginatesAndRejectsBadCursors) {
  Harness h;
  h.Initialize();
  Json first = h.Request(1, "resources/list");
  ASSERT_TRUE(first.contains("result")) << first;
  EXPECT_EQ(first["result"]["resources"][0]["uri"], "mem://a");
  ASSERT_TRUE(first["result"].contains("nextCursor"));
  Json second = h.Request(2, "resources/list",
                          Json{{"cursor", first["result"]["nextCursor"]}});
  EXPECT_EQ(second["result"]["resources"][0]["uri"], "mem://b");
  EXPECT_FALSE(second["result"].contains("nextCursor"));
  EXPECT_EQ(
      ErrorCode(h.Request(3, "resources/list", Json{{"cursor", "bogus"}})),
      kInvalidParams);
  EXPECT_EQ(ErrorCode(h.Request(4, "resources/list", Json{{"cursor", 1}})),
            kInvalidParams);
}

TEST(DispatcherResourcesTest, Read) {
  Harness h;
  h.Initialize();
  Json ok = h.Request(1, "resources/read", Json{{"uri", "mem://a"}});
  EXPECT_EQ(ok["result"]["contents"][0]["text"], "content");
  Json missing = h.Request(2, "resources/read", Json{{"uri", "mem://zzz"}});
  EXPECT_EQ(ErrorCode(missing), kResourceNotFound);
  EXPECT_EQ(missing["error"]["data"]["uri"], "mem://zzz");
  EXPECT_EQ(
      ErrorCode(h.Request(3, "resources/read", Json{{"uri", "mem://broken"}})),
      kInternalError);
  EXPECT_EQ(ErrorCode(h.Request(4, "resources/read", Json::object())),
            kInvalidParams);
}

TEST(DispatcherResourcesTest, Templates) {
  Harness h;
  h.Initialize();
  Json r = h.Request(1, "resources/templates/list");
  EXPECT_EQ(r["result"]["resourceTemplates"][0]["uriTemplate"],
            "mem://item/{name}");
  EXPECT_EQ(ErrorCode(h.Request(2, "resources/templates/list",
                                Json{{"cursor", "x"}})),
            kInvalidParams);
}

TEST(DispatcherResourcesTest, CompletionCapsAtOneHundred) {
  Harness h;
  h.Initialize();
  const Json ref{{"type", "ref/resource"}, {"uri", "mem://item/{name}"}};
  Json all = h.Request(
      1, "completion/complete",
      Json{{"ref", ref}, {"argument", {{"name", "name"}, {"value", "item"}}}});
  ASSERT_TRUE(all.contains("result")) << all;
  EXPECT_EQ(all["result"]["completion"]["values"].size(), 100u);
  EXPECT_EQ(all["result"]["completion"]["total"], 150);
  EXPECT_EQ(all["result"]["completion"]["hasMore"], true);
  Json some =
      h.Request(2, "completion/complete",
                Json{{"ref", ref},
                     {"argument", {{"name", "name"}, {"value", "item14"}}},
                     {"context", {{"arguments", Json::object()}}}});
  EXPECT_EQ(some["result"]["completion"]["values"],
            Json::parse(
                R"(["item14","item140","item141","item142","item143","item144",
                            "item145","item146","item147","item148","item149"])"));
  EXPECT_EQ(some["result"]["completion"]["hasMore"], false);
}

TEST(DispatcherResourcesTest, CompletionErrors) {
  Harness h;
  h.Initialize();
  const Json arg{{"name", "name"}, {"value", ""}};
  Json prompt =
      h.Request(1, "completion/complete",
                Json{{"ref", {{"type", "ref/prompt"}, {"name", "greeting"}}},
                     {"argument", arg}});
  EXPECT_EQ(ErrorCode(prompt), kInvalidParams);
  EXPECT_NE(ErrorMessage(prompt).find("no prompts"), std::string::npos);
  EXPECT_EQ(ErrorCode(h.Request(
                2, "completion/complete",
                Json{{"ref", {{"type", "ref/other"}}}, {"argument", arg}})),
            kInvalidParams);
  EXPECT_EQ(
      ErrorCode(h.Request(
          3, "completion/complete",
          Json{{"ref", {{"type", "ref/resource"}, {"uri", "mem://x/{y}"}}},
               {"argument", arg}})),
      kInvalidParams);
  EXPECT_EQ(ErrorCode(h.Request(
                4, "completion/complete",
                Json{{"ref",
                      {{"type", "ref/resource"}, {"uri", "mem://item/{name}"}}},
                     {"argument", {{"name", "name"}}}})),
            kInvalidParams);
  EXPECT_EQ(ErrorCode(h.Request(5, "completion/complete", Json::object())),
            kInvalidParams);
}

TEST(DispatcherResourcesTest, WithoutAProviderThereAreNoResources) {
  auto registry = testtools::MakeTestRegistry();
  Dispatcher d(*registry, nullptr, Harness::DefaultOptions());
  Session s;
  auto init = Json::parse(*d.Handle(
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})",
      s));
  EXPECT_FALSE(init["result"]["capabilities"].contains("resources"));
  EXPECT_FALSE(init["result"]["capabilities"].contains("completions"));
  auto list = Json::parse(
      *d.Handle(R"({"jsonrpc":"2.0","id":2,"method":"resources/list"})", s));
  EXPECT_EQ(ErrorCode(list), kMethodNotFound);
}

TEST(DispatcherPromptsTest, EmptyListAndUnknownPrompt) {
  Harness h;
  h.Initialize();
  EXPECT_EQ(h.Request(1, "prompts/list")["result"],
            Json::parse(R"({"prompts":[]})"));
  EXPECT_EQ(ErrorCode(h.Request(2, "prompts/get", Json{{"name", "x"}})),
            kInvalidParams);
}

// ---- the 2026-07-28 stateless era
// ------------------------------------------------------------

TEST(DispatcherModernTest, DiscoverNeedsNoHandshake) {
  Harness h;
  Json r = h.Request(1, "server/discover", Json{{"_meta", ModernMeta()}});
  ASSERT_TRUE(r.contains("result")) << r;
  const Json& res = r["result"];
  EXPECT_EQ(res["resultType"], "complete");
  EXPECT_EQ(res["supportedVersions"][0], "2026-07-28");
  EXPECT_TRUE(res["capabilities"].contains("tools"));
  EXPECT_EQ(res["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
            "funkygibbon");
  EXPECT_TRUE(res.contains("ttlMs"));
  EXPECT_TRUE(res.contains("cacheScope"));
  EXPECT_EQ(res["instructions"], "Use the test tools.");
  // Also without _meta (a probe).
  EXPECT_EQ(h.Request(2, "server/discover")["result"]["resultType"],
            "complete");
  EXPECT_FALSE(h.session.initialized());
}

TEST(DispatcherModernTest, StatelessRequestsWork) {
  Harness h;
  Json list = h.Request(1, "tools/list", Json{{"_meta", ModernMeta()}});
  ASSERT_TRUE(list.contains("result")) << list;
  EXPECT_EQ(list["result"]["tools"].size(), 7u);
  EXPECT_EQ(list["result"]["resultType"], "complete");
  EXPECT_EQ(list["result"]["cacheScope"], "private");
  EXPECT_TRUE(list["result"]["ttlMs"].is_number_integer());
  Json call = h.Request(2, "tools/call",
                        Json{{"name", "echo"},
                             {"arguments", {{"text", "m"}}},
                             {"_meta", ModernMeta()}});
  EXPECT_EQ(call["result"]["structuredContent"]["text"], "m");
  EXPECT_EQ(call["result"]["resultType"], "complete");
  Json read = h.Request(3, "resources/read",
                        Json{{"uri", "mem://nope"}, {"_meta", ModernMeta()}});
  EXPECT_EQ(ErrorCode(read), kInvalidParams);  // -32002 became -32602
  EXPECT_EQ(read["error"]["data"]["uri"], "mem://nope");
  EXPECT_FALSE(h.session.initialized());
}

TEST(DispatcherModernTest, VersionAndMetaChecks) {
  Harness h;
  Json old = h.Request(
      1, "tools/list",
      Json{{"_meta", ModernMeta({{"io.modelcontextprotocol/protocolVersion",
                                  "2027-01-01"}})}});
  EXPECT_EQ(ErrorCode(old), kUnsupportedProtocolVersion);
  EXPECT_EQ(old["error"]["data"]["requested"], "2027-01-01");
  EXPECT_EQ(old["error"]["data"]["supported"][0], "2026-07-28");
  Json meta = ModernMeta();
  meta.erase("io.modelcontextprotocol/clientCapabilities");
  EXPECT_EQ(ErrorCode(h.Request(2, "tools/list", Json{{"_meta", meta}})),
            kInvalidParams);
  EXPECT_EQ(
      ErrorCode(h.Request(
          3, "tools/list",
          Json{{"_meta",
                ModernMeta({{"io.modelcontextprotocol/logLevel", "loud"}})}})),
      kInvalidParams);
  // Methods the 2026 revision removed.
  for (const char* m : {"ping", "logging/setLevel", "initialize"}) {
    EXPECT_EQ(ErrorCode(h.Request(4, m, Json{{"_meta", ModernMeta()}})),
              kMethodNotFound)
        << m;
  }
}

TEST(DispatcherModernTest, LogLevelComesWithTheRequest) {
  Harness h;
  h.Request(1, "tools/call",
            Json{{"name", "progress"}, {"_meta", ModernMeta()}});
  EXPECT_EQ(h.capture.size(), 0u);
  h.Request(
      2, "tools/call",
      Json{{"name", "progress"},
           {"_meta", ModernMeta({{"io.modelcontextprotocol/logLevel", "alert"},
                                 {"progressToken", 7}})}});
  std::vector<std::string> got;
  for (const auto& m : h.capture.messages()) {
    got.push_back(m["method"] == "notifications/message"
                      ? m["params"]["level"].get<std::string>()
                      : "progress");
  }
  EXPECT_EQ(got, (std::vector<std::string>{"progress", "progress", "progress",
                                           "alert", "emergency"}));
}

// ---- concurrency
// -------------------------------------------------------------------------------

TEST(DispatcherConcurrencyTest, ManySessionsAndThreads) {
  Harness h;
  h.Initialize();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string line =
            R"({"jsonrpc":"2.0","id":)" + std::to_string(t * 1000 + i) +
            R"(,"method":"tools/call","params":{"name":"echo","arguments":{"text":"t"}}})";
        auto reply = h.dispatcher.Handle(line, h.session);
        if (reply &&
            Json::parse(*reply)["result"]["structuredContent"]["text"] == "t")
          ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 1600);
  EXPECT_EQ(h.session.in_flight(), 0u);
}

}  // namespace
}  // namespace funkygibbon::mcp
