// Checks the real tools.json (embedded at build time) against what the MCP
// layer supports, so a typo or an unsupported schema keyword never reaches
// a client. Pairing with the real handlers is checked where they are bound.
#include "tools_json.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "mcp/json_text.h"
#include "mcp/schema.h"
#include "mcp/tool_registry.h"

namespace funkygibbon::mcp {
namespace {

Json ToolsJson() {
  auto parsed = ParseJson(kToolsJson);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? *parsed : Json::array();
}

TEST(ToolsJsonTest, IsAnArrayOfToolsWithValidUniqueNames) {
  const Json tools = ToolsJson();
  ASSERT_TRUE(tools.is_array());
  std::set<std::string> names;
  for (const auto& t : tools) {
    ASSERT_TRUE(t.is_object());
    const std::string name = t.value("name", "");
    EXPECT_TRUE(IsValidToolName(name)) << "bad tool name '" << name << "'";
    EXPECT_TRUE(names.insert(name).second) << "duplicate tool " << name;
    EXPECT_FALSE(t.value("description", "").empty())
        << name << " has no description";
    for (auto it = t.begin(); it != t.end(); ++it) {
      static const std::set<std::string> kFields = {
          "name",         "title",       "description", "inputSchema",
          "outputSchema", "annotations", "icons",       "_meta"};
      EXPECT_TRUE(kFields.count(it.key()))
          << name << ": unknown field " << it.key();
    }
  }
}

TEST(ToolsJsonTest, UsesOnlySupportedSchemaKeywords) {
  for (const auto& t : ToolsJson()) {
    const std::string name = t.value("name", "");
    for (const char* which : {"inputSchema", "outputSchema"}) {
      if (!t.contains(which)) continue;
      const std::set<std::string> bad = UnsupportedSchemaKeywords(t[which]);
      EXPECT_TRUE(bad.empty())
          << name << "." << which << " uses unsupported keyword "
          << (bad.empty() ? "" : *bad.begin());
      auto compiled = Schema::Compile(t[which]);
      EXPECT_TRUE(compiled.ok())
          << name << "." << which << ": " << compiled.status().ToString();
    }
  }
}

TEST(ToolsJsonTest, LoadsIntoARegistry) {
  // Stand-in handlers: this checks everything Create checks except pairing
  // with the real handler table.
  std::vector<ToolBinding> handlers;
  for (const auto& t : ToolsJson()) {
    handlers.push_back(
        {t.value("name", ""), [](const Json&, ToolContext&) -> StatusOr<Json> {
           return Json::object();
         }});
  }
  auto registry = ToolRegistry::Create(kToolsJson, std::move(handlers));
  ASSERT_TRUE(registry.ok()) << registry.status().ToString();
  EXPECT_EQ((*registry)->tools().size(), ToolsJson().size());
}

TEST(ToolsJsonTest, AnnotationsAreWellFormed) {
  for (const auto& t : ToolsJson()) {
    if (!t.contains("annotations")) continue;
    const Json& a = t["annotations"];
    ASSERT_TRUE(a.is_object()) << t["name"];
    for (const char* hint : {"readOnlyHint", "destructiveHint",
                             "idempotentHint", "openWorldHint"}) {
      if (a.contains(hint)) {
        EXPECT_TRUE(a[hint].is_boolean()) << t["name"] << "." << hint;
      }
    }
  }
}

}  // namespace
}  // namespace funkygibbon::mcp
