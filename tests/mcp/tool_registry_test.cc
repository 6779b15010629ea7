#include "mcp/tool_registry.h"

#include <gtest/gtest.h>

#include <memory>
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

// A tool that writes its answer as text (ToolWriter): the text is served as
// structuredContent as it is; Call parses it. With checking on (the
// default), text that is malformed, not in DumpJson's form, or off the
// outputSchema is an internal error either way.
const char* const kWrittenTool = R"([{"name":"w","description":"d",
  "inputSchema":{"type":"object","properties":{"text":{"type":"string"}}},
  "outputSchema":{"type":"object","required":["n"],
                  "properties":{"n":{"type":"integer"}}}}])";

std::unique_ptr<ToolRegistry> WrittenRegistry(bool check) {
  ToolBinding b;
  b.name = "w";
  b.writer = [](const Json& args, ToolContext&) -> StatusOr<std::string> {
    const std::string text = args.value("text", "");
    if (text == "missing") return Status::NotFound("no such thing; search first");
    if (text == "internal") return Status::Internal("broken");
    return text;
  };
  RegistryOptions options;
  options.check_written_outputs = check;
  auto reg = ToolRegistry::Create(kWrittenTool, {b}, options);
  EXPECT_TRUE(reg.ok()) << reg.status().ToString();
  return reg.ok() ? std::move(reg).value() : nullptr;
}

TEST(ToolRegistryWriterTest, WrittenTextIsServedAsIsAndParsedForCall) {
  for (bool check : {true, false}) {
    SCOPED_TRACE(check);
    auto reg = WrittenRegistry(check);
    ASSERT_NE(reg, nullptr);
    ToolContext ctx;
    auto served = reg->CallSerialized("w", Json{{"text", "{\"n\":3,\"z\":\"\xC3\xA9\"}"}}, ctx);
    ASSERT_TRUE(served.ok()) << served.status().ToString();
    EXPECT_FALSE(served->is_error);
    EXPECT_EQ(served->structured, "{\"n\":3,\"z\":\"\xC3\xA9\"}");
    auto called = reg->Call("w", Json{{"text", "{\"n\":3}"}}, ctx);
    ASSERT_TRUE(called.ok());
    EXPECT_EQ((*called)["structuredContent"], (Json{{"n", 3}}));
    EXPECT_EQ((*called)["content"][0]["text"], "{\"n\":3}");
    // Statuses map as for a Json handler.
    auto missing = reg->CallSerialized("w", Json{{"text", "missing"}}, ctx);
    ASSERT_TRUE(missing.ok());
    EXPECT_TRUE(missing->is_error);
    EXPECT_EQ(missing->error_result["content"][0]["text"], "no such thing; search first");
    EXPECT_EQ(reg->CallSerialized("w", Json{{"text", "internal"}}, ctx).status().code(),
              StatusCode::kInternal);
  }
}

TEST(ToolRegistryWriterTest, CheckedTextMustBeWellFormedCanonicalAndOnSchema) {
  auto checked = WrittenRegistry(true);
  auto unchecked = WrittenRegistry(false);
  ASSERT_NE(checked, nullptr);
  ASSERT_NE(unchecked, nullptr);
  ToolContext ctx;
  for (const char* bad : {"{\"n\":3", "{\"n\": 3}", "{\"z\":1,\"n\":3}", "{\"n\":\"three\"}",
                          "[1]", ""}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(checked->CallSerialized("w", Json{{"text", bad}}, ctx).status().code(),
              StatusCode::kInternal);
    EXPECT_EQ(checked->Call("w", Json{{"text", bad}}, ctx).status().code(),
              StatusCode::kInternal);
    // Call always checks.
    EXPECT_EQ(unchecked->Call("w", Json{{"text", bad}}, ctx).status().code(),
              StatusCode::kInternal);
  }
  // Unchecked, the text goes out as written (what the tool tests guard).
  auto raw = unchecked->CallSerialized("w", Json{{"text", "{\"n\": 3}"}}, ctx);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->structured, "{\"n\": 3}");
  // ...but never empty.
  EXPECT_EQ(unchecked->CallSerialized("w", Json{{"text", ""}}, ctx).status().code(),
            StatusCode::kInternal);
}

}  // namespace
}  // namespace funkygibbon::mcp
