#include "mcp/tool_registry.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mcp/test_tools.h"

namespace funkygibbon::mcp {
namespace {

using testtools::MakeTestRegistry;
using testtools::TestBindings;

ToolHandler Ok() {
  return [](const Json&, ToolContext&) -> StatusOr<Json> {
    return Json::object();
  };
}

// Create's error message for tools_json + handlers named `names`.
std::string CreateError(const std::string& tools_json,
                        const std::vector<std::string>& names) {
  std::vector<ToolBinding> b;
  for (const auto& n : names) b.push_back({n, Ok()});
  auto r = ToolRegistry::Create(tools_json, std::move(b));
  if (r.ok()) return "(created)";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  return r.status().message();
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

const char* const kOneTool =
    R"([{"name":"t","description":"d","inputSchema":{"type":"object"}}])";

TEST(ToolRegistryCreateTest, AcceptsAWellFormedTable) {
  EXPECT_EQ(CreateError(kOneTool, {"t"}), "(created)");
  auto reg = MakeTestRegistry();
  ASSERT_NE(reg, nullptr);
  EXPECT_EQ(reg->tools().size(), 7u);
  EXPECT_EQ(reg->tools()[0]->name, "echo");  // tools.json order
  EXPECT_NE(reg->Find("lookup"), nullptr);
  EXPECT_EQ(reg->Find("nope"), nullptr);
}

TEST(ToolRegistryCreateTest, RejectsEveryMismatch) {
  EXPECT_TRUE(Contains(CreateError("[", {}), "tools.json: "));
  EXPECT_TRUE(
      Contains(CreateError(R"({"name":"t"})", {}), "must be a JSON array"));
  EXPECT_TRUE(Contains(CreateError(R"([1])", {}), "tool #0 is not an object"));
  EXPECT_TRUE(Contains(
      CreateError(R"([{"description":"d","inputSchema":{"type":"object"}}])",
                  {}),
      "tool #0 has no name"));
  EXPECT_TRUE(Contains(
      CreateError(
          R"([{"name":"has space","description":"d","inputSchema":{"type":"object"}}])",
          {"has space"}),
      "tool 'has space': name must match ^[A-Za-z0-9._-]{1,128}$"));
  const std::string long_name(129, 'a');
  EXPECT_TRUE(Contains(
      CreateError(
          R"([{"name":")" + long_name +
              R"(","description":"d","inputSchema":{"type":"object"}}])",
          {long_name}),
      "name must match"));
  EXPECT_TRUE(Contains(
      CreateError(
          R"([{"name":"t","description":"d","inputSchema":{"type":"object"}},
                      {"name":"t","description":"d","inputSchema":{"type":"object"}}])",
          {"t"}),
      "tool 't' is defined twice"));
  EXPECT_TRUE(Contains(
      CreateError(R"([{"name":"t","inputSchema":{"type":"object"}}])", {"t"}),
      "tool 't' has no description"));
  EXPECT_TRUE(
      Contains(CreateError(R"([{"name":"t","description":""}])", {"t"}),
               "tool 't' needs an inputSchema with \"type\": \"object\""));
  EXPECT_TRUE(Contains(
      CreateError(
          R"([{"name":"t","description":"d","inputSchema":{"type":"array"}}])",
          {"t"}),
      "needs an inputSchema"));
  EXPECT_TRUE(Contains(
      CreateError(
          R"([{"name":"t","description":"d","inputSchema":{"type":"object","$ref":"#"}}])",
          {"t"}),
      "tool 't' inputSchema: unsupported JSON Schema keyword '$ref'"));
  EXPECT_TRUE(Contains(
      CreateError(
          R"([{"name":"t","description":"d","inputSchema":{"type":"object"},
                                        "outputSchema":{"type":"string"}}])",
          {"t"}),
      "outputSchema must have \"type\": \"object\""));
  EXPECT_TRUE(Contains(CreateError(kOneTool, {}), "tool 't' has no handler"));
  EXPECT_TRUE(Contains(CreateError(kOneTool, {"t", "orphan"}),
                       "handler 'orphan' has no tool in tools.json"));
  EXPECT_TRUE(Contains(CreateError(kOneTool, {"t", "t"}),
                       "handler 't' is registered twice"));
  std::vector<ToolBinding> empty_handler;
  empty_handler.push_back({"t", nullptr});
  auto r = ToolRegistry::Create(kOneTool, std::move(empty_handler));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(Contains(r.status().message(), "handler 't' is empty"));
}

TEST(ToolRegistryCreateTest, ReportsAllProblemsAtOnce) {
  const std::string msg = CreateError(
      R"([{"name":"a","inputSchema":{"type":"object"}},{"name":"b","description":"d"}])",
      {"c"});
  EXPECT_TRUE(Contains(msg, "tool 'a' has no description")) << msg;
  EXPECT_TRUE(Contains(msg, "tool 'a' has no handler")) << msg;
  EXPECT_TRUE(Contains(msg, "tool 'b' needs an inputSchema")) << msg;
  EXPECT_TRUE(Contains(msg, "handler 'c' has no tool")) << msg;
}

TEST(ToolRegistryCallTest, SuccessWrapsStructuredContentAndText) {
  auto reg = MakeTestRegistry();
  ToolContext ctx;
  auto r = reg->Call("echo", Json{{"text", "hi"}, {"repeat", 2}}, ctx);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["isError"], false);
  EXPECT_EQ((*r)["structuredContent"], (Json{{"text", "hihi"}}));
  ASSERT_EQ((*r)["content"].size(), 1u);
  EXPECT_EQ((*r)["content"][0]["type"], "text");
  EXPECT_EQ((*r)["content"][0]["text"], R"({"text":"hihi"})");
}

TEST(ToolRegistryCallTest, NullArgumentsMeanEmptyObject) {
  auto reg = MakeTestRegistry();
  ToolContext ctx;
  auto r = reg->Call("bad_output", nullptr, ctx);
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);  // reached the handler
  auto wrong = reg->Call("echo", Json::array(), ctx);
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
}

TEST(ToolRegistryCallTest, InputValidationIsAToolError) {
  auto reg = MakeTestRegistry();
  ToolContext ctx;
  auto r = reg->Call("lookup", Json{{"max_depth", 80}}, ctx);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["isError"], true);
  EXPECT_FALSE(r->contains("structuredContent"));
  EXPECT_EQ((*r)["content"][0]["text"],
            "Invalid arguments for tool 'lookup': arguments: missing required "
            "property "
            "'entity_id'; arguments.max_depth: must be <= 50 (got 80)");
}

TEST(ToolRegistryCallTest, HandlerStatusesMapToIsErrorOrInternal) {
  auto reg = MakeTestRegistry();
  ToolContext ctx;
  for (const char* code : {"invalid", "not_found", "permission"}) {
    auto r = reg->Call("fail", Json{{"code", code}}, ctx);
    ASSERT_TRUE(r.ok()) << code;
    EXPECT_EQ((*r)["isError"], true) << code;
  }
  auto nf = reg->Call("fail", Json{{"code", "not_found"}}, ctx);
  EXPECT_EQ((*nf)["content"][0]["text"],
            "entity 'x' does not exist; use search_entities");
  EXPECT_EQ(reg->Call("fail", Json{{"code", "internal"}}, ctx).status().code(),
            StatusCode::kInternal);
  auto thrown = reg->Call("fail", Json{{"code", "throw"}}, ctx);
  EXPECT_EQ(thrown.status().code(), StatusCode::kInternal);
  EXPECT_EQ(thrown.status().message().find("boom"),
            std::string::npos);  // details only in logs
}

TEST(ToolRegistryCallTest, OutputSchemaMismatchIsInternal) {
  auto reg = MakeTestRegistry();
  ToolContext ctx;
  auto r = reg->Call("bad_output", Json::object(), ctx);
  ASSERT_EQ(r.status().code(), StatusCode::kInternal);
  EXPECT_NE(r.status().message().find("outputSchema"), std::string::npos);
}

TEST(ToolRegistryCallTest, UnknownToolIsNotFound) {
  auto reg = MakeTestRegistry();
  ToolContext ctx;
  auto r = reg->Call("nope", Json::object(), ctx);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "Unknown tool: nope");
}

TEST(ToolRegistryCallTest, ReadOnlyAccess) {
  auto reg = MakeTestRegistry();
  std::vector<std::string> names;
  for (const Tool* t : reg->tools(Access::kReadOnly)) names.push_back(t->name);
  EXPECT_EQ(names, (std::vector<std::string>{"echo", "lookup", "progress",
                                             "wait_for_cancel"}));
  ToolContext ctx;
  auto denied = reg->Call("write_note", Json::object(), ctx, Access::kReadOnly);
  ASSERT_TRUE(denied.ok());
  EXPECT_EQ((*denied)["isError"], true);
  const std::string text = (*denied)["content"][0]["text"];
  EXPECT_EQ(text.rfind("permission denied: ", 0), 0u) << text;
  EXPECT_NE(text.find("read-only"), std::string::npos);
  auto allowed = reg->Call("echo", Json{{"text", "x"}}, ctx, Access::kReadOnly);
  EXPECT_EQ((*allowed)["isError"], false);
  ctx.user_id = "alice";
  auto writer =
      reg->Call("write_note", Json::object(), ctx, Access::kReadWrite);
  EXPECT_EQ((*writer)["structuredContent"]["written_by"], "alice");
}

TEST(ToolRegistryCallTest, InvalidUtf8FromAHandlerNeverBreaksTheText) {
  std::vector<ToolBinding> b;
  b.push_back({"t", [](const Json&, ToolContext&) -> StatusOr<Json> {
                 return Json{{"s", std::string("bad\xff")}};
               }});
  auto reg = ToolRegistry::Create(kOneTool, std::move(b));
  ASSERT_TRUE(reg.ok());
  ToolContext ctx;
  auto r = (*reg)->Call("t", Json::object(), ctx);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["content"][0]["text"], "{\"s\":\"bad\xEF\xBF\xBD\"}");
}

}  // namespace
}  // namespace funkygibbon::mcp
