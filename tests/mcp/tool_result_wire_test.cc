// tools/call results are written straight from the serialized
// structuredContent; what reaches the wire must be exactly what building the
// JSON tree would give. Also: ReplyInfo, AcceptParsed and IsQuick.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mcp/dispatcher.h"
#include "mcp/json_text.h"
#include "mcp/test_tools.h"
#include "mcp/tool_registry.h"

namespace funkygibbon::mcp {
namespace {

using testtools::Harness;

// A tricky text (escapes, control characters, non-ASCII) through echo.
const char kTricky[] = "a\"b\\c\nd\x01 \xC3\xA9 </script>";

TEST(ToolResultWireTest, TextContentIsTheSerializedStructuredContent) {
  Harness h;
  h.Initialize();
  Json r = h.CallTool(1, "echo", Json{{"text", kTricky}});
  ASSERT_TRUE(r.contains("result")) << r.dump();
  const Json& result = r["result"];
  EXPECT_EQ(result["isError"], false);
  EXPECT_EQ(result["structuredContent"], (Json{{"text", kTricky}}));
  ASSERT_EQ(result["content"].size(), 1u);
  EXPECT_EQ(result["content"][0]["type"], "text");
  const std::string text = result["content"][0]["text"].get<std::string>();
  EXPECT_EQ(text, DumpJson(result["structuredContent"]));
  EXPECT_EQ(result.size(), 3u) << result.dump();
}

TEST(ToolResultWireTest, MatchesTheTreeBuiltByToolRegistryCall) {
  Harness h;
  h.Initialize();
  const Json args{{"text", kTricky}, {"repeat", 3}};
  ToolContext ctx;
  auto tree = h.registry->Call("echo", args, ctx);
  ASSERT_TRUE(tree.ok());
  Json r = h.CallTool(7, "echo", args);
  EXPECT_EQ(r, (Json{{"jsonrpc", "2.0"}, {"id", 7}, {"result", *tree}}));
  // Byte for byte, as DumpJson of that tree would write it.
  auto line = h.dispatcher.Handle(
      Json{{"jsonrpc", "2.0"}, {"id", 7}, {"method", "tools/call"},
           {"params", {{"name", "echo"}, {"arguments", args}}}}
          .dump(),
      h.session);
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(*line, DumpJson(Json{{"jsonrpc", "2.0"}, {"id", 7}, {"result", *tree}}));
}

TEST(ToolResultWireTest, ModernResultsCarryResultTypeAndServerInfo) {
  Harness h;
  const Json meta{{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                  {"io.modelcontextprotocol/clientCapabilities", Json::object()}};
  Json r = h.CallTool(3, "echo", Json{{"text", kTricky}}, meta);
  ASSERT_TRUE(r.contains("result")) << r.dump();
  const Json& result = r["result"];
  EXPECT_EQ(result["resultType"], "complete");
  EXPECT_EQ(result["_meta"]["io.modelcontextprotocol/serverInfo"]["version"], "9.9.9-test");
  EXPECT_EQ(result["structuredContent"], (Json{{"text", kTricky}}));
  EXPECT_EQ(result["content"][0]["text"], DumpJson(result["structuredContent"]));
  EXPECT_EQ(result["isError"], false);
}

TEST(ToolResultWireTest, CallSerializedAgreesWithCall) {
  auto registry = testtools::MakeTestRegistry();
  ASSERT_NE(registry, nullptr);
  ToolContext ctx;
  auto ok = registry->CallSerialized("echo", Json{{"text", "x"}}, ctx);
  ASSERT_TRUE(ok.ok());
  EXPECT_FALSE(ok->is_error);
  EXPECT_EQ(ok->structured, R"({"text":"x"})");
  auto failed = registry->CallSerialized("fail", Json{{"code", "invalid"}}, ctx);
  ASSERT_TRUE(failed.ok());
  EXPECT_TRUE(failed->is_error);
  EXPECT_EQ(failed->error_result, *registry->Call("fail", Json{{"code", "invalid"}}, ctx));
  EXPECT_EQ(registry->CallSerialized("nope", Json::object(), ctx).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(registry->CallSerialized("fail", Json{{"code", "internal"}}, ctx).status().code(),
            StatusCode::kInternal);
}

TEST(ReplyInfoTest, DescribesEveryKindOfReply) {
  Harness h;
  h.Initialize();
  const auto info_of = [&](const std::string& line) {
    ReplyInfo info;
    RequestOptions ro;
    ro.info = &info;
    EXPECT_TRUE(h.dispatcher.Handle(line, h.session, ro).has_value()) << line;
    return info;
  };
  ReplyInfo ok = info_of(
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}})");
  EXPECT_FALSE(ok.error_code.has_value());
  EXPECT_FALSE(ok.tool_error);
  ReplyInfo tool_error = info_of(
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"fail","arguments":{"code":"not_found"}}})");
  EXPECT_FALSE(tool_error.error_code.has_value());
  EXPECT_TRUE(tool_error.tool_error);
  ReplyInfo unknown = info_of(
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"nope"}})");
  EXPECT_EQ(unknown.error_code, kInvalidParams);
  EXPECT_EQ(info_of("{not json").error_code, kParseError);
  EXPECT_EQ(info_of(R"({"jsonrpc":"1.0","id":4,"method":"ping"})").error_code, kInvalidRequest);
  EXPECT_EQ(info_of(R"({"jsonrpc":"2.0","id":5,"method":"no/such"})").error_code, kMethodNotFound);
  ReplyInfo list = info_of(R"({"jsonrpc":"2.0","id":6,"method":"tools/list"})");
  EXPECT_FALSE(list.error_code.has_value());
  EXPECT_FALSE(list.tool_error);
}

TEST(AcceptParsedTest, AnswersAsAcceptDoes) {
  const std::vector<std::string> lines = {
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}})",
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":5}}})",
      R"({"jsonrpc":"2.0","id":3,"method":"tools/list"})",
      R"([{"jsonrpc":"2.0","id":4,"method":"ping"}])",
      R"({"jsonrpc":"2.0","id":"five","method":"ping"})",
      R"({"jsonrpc":"2.0","id":6,"method":"tools/call","params":[1]})",
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
  };
  Harness a, b;
  a.Initialize();
  b.Initialize();
  for (const auto& line : lines) {
    std::optional<std::string> text = a.dispatcher.Handle(line, a.session);
    std::optional<std::string> parsed = b.dispatcher.Execute(
        b.dispatcher.AcceptParsed(Json::parse(line), b.session), b.session);
    EXPECT_EQ(text, parsed) << line;
  }
}

TEST(IsQuickTest, FollowsTheBindingsPredicate) {
  std::vector<ToolBinding> b = testtools::TestBindings();
  for (auto& binding : b) {
    if (binding.name == "echo") {
      binding.quick = [](const Json& a) { return a.value("repeat", 1) == 1; };
    }
  }
  auto registry = ToolRegistry::Create(testtools::kTestToolsJson, std::move(b));
  ASSERT_TRUE(registry.ok()) << registry.status().ToString();
  const ToolRegistry& r = **registry;
  EXPECT_TRUE(r.IsQuick("echo", Json{{"text", "x"}}));
  EXPECT_TRUE(r.IsQuick("echo", nullptr));
  EXPECT_FALSE(r.IsQuick("echo", Json{{"text", "x"}, {"repeat", 4}}));
  EXPECT_FALSE(r.IsQuick("lookup", Json{{"entity_id", "x"}})) << "no predicate: never quick";
  EXPECT_FALSE(r.IsQuick("nope", Json::object()));

  Dispatcher d(r, nullptr, DispatcherOptions{});
  Session s;
  const auto quick = [&](const std::string& line) { return d.IsQuick(d.Accept(line, s)); };
  EXPECT_TRUE(quick(
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x"}}})"));
  EXPECT_FALSE(quick(
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"x","repeat":2}}})"));
  EXPECT_FALSE(quick(
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"lookup","arguments":{"entity_id":"x"}}})"));
  EXPECT_TRUE(quick(R"({"jsonrpc":"2.0","id":4,"method":"tools/list"})"));
  EXPECT_TRUE(quick(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
  EXPECT_FALSE(quick(R"({"jsonrpc":"2.0","id":5,"method":"resources/read","params":{"uri":"x"}})"));
}

}  // namespace
}  // namespace funkygibbon::mcp
